/**
 * Login sessions and login codes, as pure rules: refresh-token family decisions, fixed rate
 * windows, SMS code lifetimes. No AWS imports.
 */

/** Refresh tokens: a session (family) lives this long from login, however often it is refreshed. */
export const SESSION_LIFETIME_SECONDS = 30 * 24 * 3600;
/** SMS login codes. */
export const SMS_CODE_TTL_SECONDS = 5 * 60;
export const SMS_CODE_MAX_ATTEMPTS = 5;
export const SMS_CODE_DIGITS = 6;

export interface RateRule {
  /** Stable name; part of the counter's key. */
  name: string;
  windowSeconds: number;
  limit: number;
}

/** Rate limits on sending login codes (per phone, per source address). */
export const SMS_RATE_RULES = {
  phoneMinute: { name: 'sms-phone-minute', windowSeconds: 60, limit: 1 },
  phoneDay: { name: 'sms-phone-day', windowSeconds: 24 * 3600, limit: 10 },
  ipHour: { name: 'sms-ip-hour', windowSeconds: 3600, limit: 20 },
} as const satisfies Record<string, RateRule>;

/**
 * The fixed window `nowMs` falls in: its start (epoch seconds, part of the counter key), when the
 * counter may be deleted (TTL, a window after it ends) and how long until it ends (Retry-After).
 */
export const rateWindow = (rule: Pick<RateRule, 'windowSeconds'>, nowMs: number) => {
  const now = Math.floor(nowMs / 1000);
  const start = now - (now % rule.windowSeconds);
  const end = start + rule.windowSeconds;
  return { start, end, expiresAt: end + rule.windowSeconds, retryAfterSeconds: Math.max(1, end - now) };
};

/** What the stored items say about a refresh token that could not be rotated. */
export type RefreshVerdict =
  /** Unknown token (never issued, or long gone): refuse, touch nothing. */
  | 'unknown'
  /** The family was revoked (logout or an earlier reuse) or has expired: refuse. */
  | 'revoked'
  /** A token of this family that was already rotated is presented again: someone holds a copy. Revoke the family. */
  | 'reuse'
  /** The token is current and the family alive: rotate. */
  | 'rotate';

export interface RefreshState {
  /** The token's item, by the hash of the presented token. */
  token?: { familyId: string; status: 'active' | 'used' };
  family?: { revoked: boolean; expiresAt: number };
  /** The family id the presented token names. */
  presentedFamilyId: string;
  nowSeconds: number;
}

export const decideRefresh = ({ token, family, presentedFamilyId, nowSeconds }: RefreshState): RefreshVerdict => {
  // The token's hash binds its family id: a token item of another family is not this token.
  if (!token || token.familyId !== presentedFamilyId || !family) return 'unknown';
  if (family.revoked || family.expiresAt <= nowSeconds) return 'revoked';
  if (token.status === 'used') return 'reuse';
  return 'rotate';
};
