import { describe, expect, it } from 'vitest';
import { SMS_RATE_RULES, decideRefresh, rateWindow } from '../../shared/domain/sessions.js';

describe('refresh-token family decisions', () => {
  const now = 1_800_000_000;
  const alive = { revoked: false, expiresAt: now + 100 };

  it('a current token of a live family rotates', () => {
    expect(decideRefresh({ token: { familyId: 'F', status: 'active' }, family: alive, presentedFamilyId: 'F', nowSeconds: now })).toBe('rotate');
  });

  it('an already rotated token presented again is reuse (the family gets revoked)', () => {
    expect(decideRefresh({ token: { familyId: 'F', status: 'used' }, family: alive, presentedFamilyId: 'F', nowSeconds: now })).toBe('reuse');
  });

  it('any token of a revoked or expired family is refused, reuse or not, without further action', () => {
    for (const status of ['active', 'used'] as const) {
      expect(decideRefresh({ token: { familyId: 'F', status }, family: { revoked: true, expiresAt: now + 100 }, presentedFamilyId: 'F', nowSeconds: now })).toBe('revoked');
      expect(decideRefresh({ token: { familyId: 'F', status }, family: { revoked: false, expiresAt: now }, presentedFamilyId: 'F', nowSeconds: now })).toBe('revoked');
    }
  });

  it('an unknown token, or one naming another family than its own, is unknown: nothing is revoked', () => {
    expect(decideRefresh({ token: undefined, family: alive, presentedFamilyId: 'F', nowSeconds: now })).toBe('unknown');
    expect(decideRefresh({ token: { familyId: 'G', status: 'used' }, family: alive, presentedFamilyId: 'F', nowSeconds: now })).toBe('unknown');
    expect(decideRefresh({ token: { familyId: 'F', status: 'active' }, family: undefined, presentedFamilyId: 'F', nowSeconds: now })).toBe('unknown');
  });
});

describe('fixed rate windows', () => {
  it('windows start on multiples of their length and tell how long until they end', () => {
    const at = Date.UTC(2026, 0, 1, 10, 0, 42, 500);
    const minute = rateWindow(SMS_RATE_RULES.phoneMinute, at);
    expect(minute.start).toBe(Date.UTC(2026, 0, 1, 10, 0, 0) / 1000);
    expect(minute.end).toBe(minute.start + 60);
    expect(minute.retryAfterSeconds).toBe(18);
    expect(minute.expiresAt).toBe(minute.end + 60);

    const hour = rateWindow(SMS_RATE_RULES.ipHour, at);
    expect(hour.start).toBe(Date.UTC(2026, 0, 1, 10, 0, 0) / 1000);
    expect(hour.retryAfterSeconds).toBe(3600 - 42);
  });

  it('two instants in the same window share it; the next window is a new counter', () => {
    const a = rateWindow({ windowSeconds: 60 }, Date.UTC(2026, 0, 1, 10, 0, 1));
    const b = rateWindow({ windowSeconds: 60 }, Date.UTC(2026, 0, 1, 10, 0, 59, 999));
    const c = rateWindow({ windowSeconds: 60 }, Date.UTC(2026, 0, 1, 10, 1, 0));
    expect(a.start).toBe(b.start);
    expect(c.start).toBe(a.start + 60);
  });

  it('Retry-After is never zero', () => {
    expect(rateWindow({ windowSeconds: 60 }, Date.UTC(2026, 0, 1, 10, 0, 59, 999)).retryAfterSeconds).toBe(1);
  });

  it('the programme’s limits: 1 a minute and 10 a day per phone, 20 an hour per address', () => {
    expect(SMS_RATE_RULES.phoneMinute).toMatchObject({ windowSeconds: 60, limit: 1 });
    expect(SMS_RATE_RULES.phoneDay).toMatchObject({ windowSeconds: 86400, limit: 10 });
    expect(SMS_RATE_RULES.ipHour).toMatchObject({ windowSeconds: 3600, limit: 20 });
  });
});
