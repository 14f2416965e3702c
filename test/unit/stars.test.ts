import { describe, expect, it } from 'vitest';
import { SHENZHEN_STAR_THRESHOLDS, parseStarThresholds, starLevel } from '../../shared/domain/stars.js';

const H = 60;
const level = (verifiedMinutes: number, registeredAt: string, now: string, thresholds = SHENZHEN_STAR_THRESHOLDS) =>
  starLevel({ verifiedMinutes, registeredAt, now: new Date(now), thresholds });

describe('Shenzhen star levels', () => {
  it('encodes 100/300/600/1000/1500 hours with 6/6/12/12/24 months of registration', () => {
    expect(SHENZHEN_STAR_THRESHOLDS.map((t) => [t.level, t.minMinutes / H, t.minRegisteredMonths])).toEqual([
      [1, 100, 6],
      [2, 300, 6],
      [3, 600, 12],
      [4, 1000, 12],
      [5, 1500, 24],
    ]);
  });

  it('100 hours after 6 months of registration earns one star', () => {
    expect(level(100 * H, '2024-01-15T10:00:00+08:00', '2024-07-15T09:00:00+08:00')).toBe(1);
  });

  it('one minute short of 100 hours earns no star', () => {
    expect(level(100 * H - 1, '2020-01-01T00:00:00+08:00', '2024-07-15T00:00:00+08:00')).toBe(0);
  });

  it('100 hours one day short of 6 months of registration earns no star', () => {
    expect(level(100 * H, '2024-01-15T10:00:00+08:00', '2024-07-14T23:59:00+08:00')).toBe(0);
  });

  it('1500 hours with only 13 months of registration stops at four stars', () => {
    expect(level(1500 * H, '2023-06-01T00:00:00+08:00', '2024-07-01T00:00:00+08:00')).toBe(4);
    expect(level(1500 * H, '2022-06-01T00:00:00+08:00', '2024-06-01T00:00:00+08:00')).toBe(5);
  });

  it('counts registration months on the Shanghai calendar, not the UTC one', () => {
    // Registered 16 Jan 00:30 Shanghai (15 Jan UTC); now is 15 Jul 23:00 Shanghai: 5 full months.
    expect(level(100 * H, '2024-01-15T16:30:00Z', '2024-07-15T15:00:00Z')).toBe(0);
  });

  it('registered on 31 August, six months are complete on the last day of February', () => {
    expect(level(100 * H, '2023-08-31T12:00:00+08:00', '2024-02-29T08:00:00+08:00')).toBe(1);
    expect(level(100 * H, '2023-08-31T12:00:00+08:00', '2024-02-28T08:00:00+08:00')).toBe(0);
  });

  it('uses whatever thresholds it is given, e.g. a city with no registration requirement', () => {
    const city = parseStarThresholds([{ level: 1, minMinutes: 50 * H, minRegisteredMonths: 0 }]);
    expect(level(50 * H, '2024-07-01T00:00:00+08:00', '2024-07-01T01:00:00+08:00', city)).toBe(1);
  });
});

describe('star threshold configuration', () => {
  it('accepts the Shenzhen thresholds and sorts any configuration by level', () => {
    expect(parseStarThresholds(SHENZHEN_STAR_THRESHOLDS)).toEqual(SHENZHEN_STAR_THRESHOLDS);
    expect(parseStarThresholds([...SHENZHEN_STAR_THRESHOLDS].reverse())).toEqual(SHENZHEN_STAR_THRESHOLDS);
  });

  it('rejects a missing field, a non-integer and an empty list with a clear message', () => {
    expect(() => parseStarThresholds([{ level: 1, minMinutes: 6000 }])).toThrow(/Invalid star thresholds[\s\S]*minRegisteredMonths/);
    expect(() => parseStarThresholds([{ level: 1, minMinutes: '100h', minRegisteredMonths: 6 }])).toThrow(/minMinutes/);
    expect(() => parseStarThresholds([])).toThrow(/Invalid star thresholds[\s\S]*Too small: expected array to have >=1 items/);
    expect(() => parseStarThresholds('1,2,3')).toThrow(/Invalid star thresholds/);
  });

  it('rejects a level listed twice', () => {
    const dup = [SHENZHEN_STAR_THRESHOLDS[0], { ...SHENZHEN_STAR_THRESHOLDS[1], level: 1 }];
    expect(() => parseStarThresholds(dup)).toThrow(/level 1 appears twice/);
  });

  it('rejects a higher star that needs fewer hours or months than a lower one', () => {
    expect(() =>
      parseStarThresholds([
        { level: 1, minMinutes: 6000, minRegisteredMonths: 6 },
        { level: 2, minMinutes: 6000, minRegisteredMonths: 6 },
      ]),
    ).toThrow(/level 2 must need more minutes/);
    expect(() =>
      parseStarThresholds([
        { level: 1, minMinutes: 6000, minRegisteredMonths: 12 },
        { level: 2, minMinutes: 18000, minRegisteredMonths: 6 },
      ]),
    ).toThrow(/level 2 must not need fewer months/);
  });
});
