/**
 * POST /v1/auth/sms-codes — public: sends a 6-digit login code to a phone, through the
 * notification outbox. The answer is the same whether or not the phone has an account.
 * Rate-limited per source address and per phone (429 with Retry-After).
 */
import { ulid } from 'ulid';
import { keyedHash } from '../../../shared/crypto/keyed-hash.js';
import { SMS_CODE_TTL_SECONDS, SMS_RATE_RULES } from '../../../shared/domain/sessions.js';
import { countAgainst, newLoginCode, storeLoginCode } from '../../../shared/data/login-codes.js';
import { enqueueNotification } from '../../../shared/data/notifications.js';
import { accepted, httpRoute } from '../../../shared/http/route.js';
import { smsCodeRequestBody } from '../../../shared/schemas/auth.js';

export const handler = httpRoute({
  action: 'public',
  body: smsCodeRequestBody,
  handle: async ({ body, event }) => {
    const now = Date.now();
    const phoneKey = await keyedHash('phone', body.phone);
    await countAgainst(SMS_RATE_RULES.ipHour, event.requestContext.http.sourceIp, now);
    await countAgainst(SMS_RATE_RULES.phoneMinute, phoneKey, now);
    await countAgainst(SMS_RATE_RULES.phoneDay, phoneKey, now);

    const code = newLoginCode();
    const expiresAt = await storeLoginCode(body.phone, code, now);
    // The code travels only in the outbox item (which expires with it); it is never logged.
    await enqueueNotification({
      dedupeKey: `login-code#${ulid(now)}`,
      channel: 'sms',
      recipientPhone: body.phone,
      template: 'login-code',
      params: { code, minutes: SMS_CODE_TTL_SECONDS / 60 },
      expiresAt,
    });
    return accepted({ expiresIn: SMS_CODE_TTL_SECONDS, resendAfter: SMS_RATE_RULES.phoneMinute.windowSeconds });
  },
});
