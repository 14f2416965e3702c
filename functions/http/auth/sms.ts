/**
 * POST /v1/auth/sms — public: phone login with the code from POST /v1/auth/sms-codes. Finds or
 * creates the phone's account (linked to the volunteer registered with that phone) and starts a
 * session.
 */
import { logIn } from '../../../shared/auth/login.js';
import { accountForPhone } from '../../../shared/data/accounts.js';
import { consumeLoginCode } from '../../../shared/data/login-codes.js';
import { unauthenticated } from '../../../shared/errors.js';
import { httpRoute, ok } from '../../../shared/http/route.js';
import { smsLoginBody } from '../../../shared/schemas/auth.js';

export const handler = httpRoute({
  action: 'public',
  body: smsLoginBody,
  handle: async ({ body }) => {
    if (!(await consumeLoginCode(body.phone, body.code))) {
      throw unauthenticated({ zh: '验证码错误或已失效', en: 'The code is wrong or no longer valid' });
    }
    return ok(await logIn(await accountForPhone(body.phone)));
  },
});
