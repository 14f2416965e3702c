import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  TIMEZONE,
  minutesBetween,
  shanghaiDate,
  shanghaiYear,
  splitMinutesByShanghaiDay,
  toUtcIso,
} from '../../shared/domain/time.js';

describe('Shanghai calendar', () => {
  it('a record made at 00:30 on 1 January Shanghai time counts in the new year', () => {
    expect(shanghaiYear('2023-12-31T16:30:00Z')).toBe(2024);
    expect(shanghaiDate('2023-12-31T16:30:00Z')).toBe('2024-01-01');
  });

  it('23:59:59 on 31 December Shanghai time still counts in the old year', () => {
    expect(shanghaiYear('2023-12-31T15:59:59.999Z')).toBe(2023);
  });

  it('reads instants written with any offset, and Date objects', () => {
    expect(shanghaiDate('2024-03-10T23:30:00-05:00')).toBe('2024-03-11');
    expect(shanghaiYear(new Date('2024-12-31T16:00:00Z'))).toBe(2025);
  });

  it('agrees with the IANA Asia/Shanghai zone for any instant since 1992', () => {
    const fmt = new Intl.DateTimeFormat('en-CA', { timeZone: TIMEZONE, year: 'numeric', month: '2-digit', day: '2-digit' });
    fc.assert(
      fc.property(fc.date({ min: new Date('1992-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }), (d) => {
        expect(shanghaiDate(d)).toBe(fmt.format(d));
      }),
    );
  });

  it('throws on an unparseable instant instead of returning NaN dates', () => {
    expect(() => shanghaiDate('yesterday')).toThrow(RangeError);
  });
});

describe('minutes', () => {
  it('counts whole minutes and drops a partial minute', () => {
    expect(minutesBetween('2024-01-01T10:00:00+08:00', '2024-01-01T10:59:59+08:00')).toBe(59);
  });

  it('compares instants, not wall-clock text, across offsets', () => {
    expect(minutesBetween('2024-01-01T10:00:00+08:00', '2024-01-01T03:00:00Z')).toBe(60);
  });

  it('splits a record crossing Shanghai midnight between the two days', () => {
    expect(splitMinutesByShanghaiDay('2024-01-01T22:00:00+08:00', '2024-01-02T02:30:00+08:00')).toEqual({
      '2024-01-01': 120,
      '2024-01-02': 150,
    });
  });

  it('puts a record on one Shanghai day even when it crosses UTC midnight', () => {
    expect(splitMinutesByShanghaiDay('2024-01-01T23:00:00Z', '2024-01-02T01:00:00Z')).toEqual({ '2024-01-02': 120 });
  });

  it('returns nothing for a record that does not end after it starts', () => {
    expect(splitMinutesByShanghaiDay('2024-01-01T10:00:00Z', '2024-01-01T10:00:00Z')).toEqual({});
  });

  it('counts each whole minute of service on the Shanghai day in which that minute is completed', () => {
    // Minutes run from the start (23:59:30): the first completes at 00:00:30, the second at 00:01:30.
    expect(splitMinutesByShanghaiDay('2024-01-01T23:59:30+08:00', '2024-01-02T00:01:30+08:00')).toEqual({ '2024-01-02': 2 });
    expect(splitMinutesByShanghaiDay('2024-01-01T23:58:30+08:00', '2024-01-02T00:01:00+08:00')).toEqual({
      '2024-01-01': 1,
      '2024-01-02': 1,
    });
  });

  it('day parts always add up to the whole record', () => {
    const base = Date.parse('2024-01-01T00:00:00Z');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 * 86_400_000 }), fc.integer({ min: 1, max: 3 * 86_400_000 }), (offset, length) => {
        const start = new Date(base + offset).toISOString();
        const end = new Date(base + offset + length).toISOString();
        const parts = Object.values(splitMinutesByShanghaiDay(start, end));
        expect(parts.reduce((a, b) => a + b, 0)).toBe(minutesBetween(start, end));
      }),
    );
  });
});

describe('storing instants', () => {
  it('converts an instant with an offset to UTC', () => {
    expect(toUtcIso('2024-01-01T08:00:00+08:00')).toBe('2024-01-01T00:00:00.000Z');
    expect(toUtcIso('2024-01-01T08:00:00.5Z')).toBe('2024-01-01T08:00:00.500Z');
  });

  it('rejects a time without an offset, because it is ambiguous', () => {
    expect(() => toUtcIso('2024-01-01T08:00:00')).toThrow(RangeError);
  });

  it('rejects an impossible date instead of rolling it over into March', () => {
    expect(() => toUtcIso('2024-02-30T08:00:00+08:00')).toThrow(RangeError);
  });
});
