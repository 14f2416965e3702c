import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DEFAULT_HOUR_RULES, displayHours, overlaps, parseHourRules, verifyHourRecord, type Interval } from '../../shared/domain/hours.js';

const morning = { startsAt: '2024-03-10T09:00:00+08:00', endsAt: '2024-03-10T12:00:00+08:00' };
const wholeDays = { startsAt: '2024-03-10T00:00:00+08:00', endsAt: '2024-03-12T00:00:00+08:00' };
const now = new Date('2024-03-13T00:00:00Z');

function verify(
  startedAt: string,
  endedAt: string,
  opts: { activity?: typeof morning; others?: Array<Interval & { id: string }>; now?: Date } = {},
) {
  return verifyHourRecord({
    record: { id: 'rec', startedAt, endedAt },
    activity: opts.activity ?? morning,
    others: opts.others ?? [],
    now: opts.now ?? now,
    rules: DEFAULT_HOUR_RULES,
  });
}
const reason = (r: ReturnType<typeof verify>) => (r.ok ? 'OK' : r.reason);

describe('verifying an hour record', () => {
  it('accepts a record inside the activity and returns its minutes', () => {
    expect(verify('2024-03-10T09:00:00+08:00', '2024-03-10T11:30:00+08:00')).toEqual({ ok: true, minutes: 150 });
  });

  it('rejects a record that ends when it starts', () => {
    expect(reason(verify('2024-03-10T10:00:00+08:00', '2024-03-10T10:00:00+08:00'))).toBe('END_NOT_AFTER_START');
  });

  it('rejects a record whose times cannot be read', () => {
    expect(reason(verify('garbage', '2024-03-10T10:00:00+08:00'))).toBe('END_NOT_AFTER_START');
  });

  it('rejects a record that ends after now', () => {
    const r = verify('2024-03-10T09:00:00+08:00', '2024-03-10T11:30:00+08:00', { now: new Date('2024-03-10T11:00:00+08:00') });
    expect(reason(r)).toBe('IN_FUTURE');
  });

  it('allows checking in up to 30 minutes before the activity starts, not 31', () => {
    expect(reason(verify('2024-03-10T08:30:00+08:00', '2024-03-10T10:00:00+08:00'))).toBe('OK');
    expect(reason(verify('2024-03-10T08:29:00+08:00', '2024-03-10T10:00:00+08:00'))).toBe('OUTSIDE_ACTIVITY_WINDOW');
  });

  it('allows checking out up to 30 minutes after the activity ends, not 31', () => {
    expect(reason(verify('2024-03-10T10:00:00+08:00', '2024-03-10T12:30:00+08:00'))).toBe('OK');
    expect(reason(verify('2024-03-10T10:00:00+08:00', '2024-03-10T12:31:00+08:00'))).toBe('OUTSIDE_ACTIVITY_WINDOW');
  });

  it('rejects a record shorter than one whole minute, and accepts one of exactly a minute', () => {
    expect(reason(verify('2024-03-10T10:00:00+08:00', '2024-03-10T10:00:59+08:00'))).toBe('TOO_SHORT');
    expect(verify('2024-03-10T10:00:00+08:00', '2024-03-10T10:01:00+08:00')).toEqual({ ok: true, minutes: 1 });
  });

  it('accepts a record of exactly 12 hours and rejects one a minute longer', () => {
    expect(verify('2024-03-10T08:00:00+08:00', '2024-03-10T20:00:00+08:00', { activity: wholeDays })).toEqual({ ok: true, minutes: 720 });
    expect(reason(verify('2024-03-10T08:00:00+08:00', '2024-03-10T20:01:00+08:00', { activity: wholeDays }))).toBe('TOO_LONG');
  });

  it('checks the future before the activity window, as documented', () => {
    const r = verify('2024-03-10T13:00:00+08:00', '2024-03-10T14:00:00+08:00', { now: new Date('2024-03-10T13:30:00+08:00') });
    expect(reason(r)).toBe('IN_FUTURE');
  });

  it("rejects a record overlapping the volunteer's other record and names it", () => {
    const r = verify('2024-03-10T09:00:00+08:00', '2024-03-10T11:00:00+08:00', {
      others: [{ id: 'other-1', startedAt: '2024-03-10T10:30:00+08:00', endedAt: '2024-03-10T11:30:00+08:00' }],
    });
    expect(r).toMatchObject({ ok: false, reason: 'OVERLAPS_OTHER_RECORD' });
    expect(r.ok ? '' : r.detail).toContain('other-1');
  });

  it('accepts a record that starts exactly when another ends', () => {
    const r = verify('2024-03-10T10:00:00+08:00', '2024-03-10T11:00:00+08:00', {
      others: [{ id: 'other-1', startedAt: '2024-03-10T09:00:00+08:00', endedAt: '2024-03-10T10:00:00+08:00' }],
    });
    expect(reason(r)).toBe('OK');
  });

  it('does not compare a record being re-verified with its own stored copy', () => {
    const r = verify('2024-03-10T09:00:00+08:00', '2024-03-10T11:00:00+08:00', {
      others: [{ id: 'rec', startedAt: '2024-03-10T09:00:00+08:00', endedAt: '2024-03-10T11:00:00+08:00' }],
    });
    expect(reason(r)).toBe('OK');
  });

  it('rejects a record that would take the Shanghai day over 12 hours', () => {
    // 00:00–10:00 Shanghai is 16:00–02:00 UTC: a UTC day split would wrongly see room left.
    const others = [{ id: 'o', startedAt: '2024-03-09T16:00:00Z', endedAt: '2024-03-10T02:00:00Z' }];
    const r = verify('2024-03-10T14:00:00+08:00', '2024-03-10T17:00:00+08:00', { activity: wholeDays, others });
    expect(r).toMatchObject({ ok: false, reason: 'DAILY_CAP_EXCEEDED' });
    expect(r.ok ? '' : r.detail).toContain('2024-03-10');
  });

  it('accepts a record that brings the Shanghai day to exactly 12 hours', () => {
    const others = [{ id: 'o', startedAt: '2024-03-10T00:00:00+08:00', endedAt: '2024-03-10T10:00:00+08:00' }];
    expect(reason(verify('2024-03-10T14:00:00+08:00', '2024-03-10T16:00:00+08:00', { activity: wholeDays, others }))).toBe('OK');
  });

  it('counts only the after-midnight part of an overnight record against the next day', () => {
    // 120 of the record's 360 minutes fall on 11 March; with 600 already there that is exactly 720.
    const others = [{ id: 'o', startedAt: '2024-03-11T02:00:00+08:00', endedAt: '2024-03-11T12:00:00+08:00' }];
    const r = verify('2024-03-10T20:00:00+08:00', '2024-03-11T02:00:00+08:00', { activity: wholeDays, others });
    expect(r).toEqual({ ok: true, minutes: 360 });
  });
});

describe('overlap of intervals', () => {
  const a = { startedAt: '2024-03-10T09:00:00Z', endedAt: '2024-03-10T10:00:00Z' };

  it('treats touching ends as not overlapping, in either order', () => {
    const b = { startedAt: '2024-03-10T10:00:00Z', endedAt: '2024-03-10T11:00:00Z' };
    expect(overlaps(a, b)).toBe(false);
    expect(overlaps(b, a)).toBe(false);
  });

  it('detects one interval inside another and the same instant in other offsets', () => {
    expect(overlaps(a, { startedAt: '2024-03-10T09:10:00Z', endedAt: '2024-03-10T09:20:00Z' })).toBe(true);
    expect(overlaps(a, { startedAt: '2024-03-10T17:59:00+08:00', endedAt: '2024-03-10T19:00:00+08:00' })).toBe(true);
  });
});

describe('hours shown to people', () => {
  it('59 minutes show as 0.9 hours, never rounded up to 1.0', () => {
    expect(displayHours(59)).toBe(0.9);
  });

  it('shows exact tenths exactly', () => {
    expect(displayHours(0)).toBe(0);
    expect(displayHours(60)).toBe(1);
    expect(displayHours(90)).toBe(1.5);
    expect(displayHours(119)).toBe(1.9);
  });

  it('never overstates and is never more than 0.1 h under, for any whole number of minutes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), (m) => {
        const shown = displayHours(m);
        expect(shown * 60).toBeLessThanOrEqual(m + 1e-6);
        expect(m / 60 - shown).toBeLessThan(0.1);
        expect(Number.isInteger(Math.round(shown * 10)) && Math.abs(shown * 10 - Math.round(shown * 10)) < 1e-9).toBe(true);
      }),
    );
  });
});

describe('hour rules configuration', () => {
  it('overrides only the rules given and keeps the defaults for the rest', () => {
    expect(parseHourRules({ dailyCapMinutes: 600 })).toEqual({ ...DEFAULT_HOUR_RULES, dailyCapMinutes: 600 });
  });

  it('rejects a misspelt rule name or a negative grace instead of ignoring it', () => {
    expect(() => parseHourRules({ dailyCap: 600 })).toThrow(/Invalid hour rules[\s\S]*Unrecognized key: "dailyCap"/);
    expect(() => parseHourRules({ dailyCapMinutes: 0 })).toThrow(/Too small: expected number to be >0[\s\S]*dailyCapMinutes/);
    expect(() => parseHourRules({ graceMinutes: -5 })).toThrow(/graceMinutes/);
  });
});
