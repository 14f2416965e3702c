import * as z from '../zod.js';

/** All calendar logic (days, years, schedules) is done in this zone. */
export const TIMEZONE = 'Asia/Shanghai';

// China has had a fixed UTC+8 with no DST since 1991, so plain offset arithmetic is exact for
// every instant this system records, and it makes day boundaries trivial to compute.
const OFFSET_MS = 8 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

// Same rule handlers use for request fields: an explicit offset is required, because a bare
// local time is ambiguous, and impossible dates (30 February) are rejected rather than rolled over.
const isoWithOffset = z.iso.datetime({ offset: true });

function toMs(instant: string | Date): number {
  const ms = instant instanceof Date ? instant.getTime() : Date.parse(instant);
  if (Number.isNaN(ms)) throw new RangeError(`Not a valid instant: ${String(instant)}`);
  return ms;
}

/** Shifted so that the UTC getters read Shanghai wall-clock fields. */
function shanghaiWall(instant: string | Date): Date {
  return new Date(toMs(instant) + OFFSET_MS);
}

export function shanghaiYear(instant: string | Date): number {
  return shanghaiWall(instant).getUTCFullYear();
}

/** 'YYYY-MM-DD' of the Shanghai calendar day the instant falls on. */
export function shanghaiDate(instant: string | Date): string {
  return shanghaiWall(instant).toISOString().slice(0, 10);
}

/** Whole minutes, floored (a partial minute is never counted). */
export function minutesBetween(startIso: string, endIso: string): number {
  return Math.floor((toMs(endIso) - toMs(startIso)) / 60_000);
}

/**
 * Minutes of [start, end) on each Shanghai calendar day. Whole minutes are counted from the start
 * and each goes to the day in which it is completed, so the parts always add up to exactly
 * minutesBetween(start, end) (per-day flooring would silently lose minutes from yearly tallies).
 */
export function splitMinutesByShanghaiDay(startIso: string, endIso: string): Record<string, number> {
  const start = toMs(startIso);
  const end = toMs(endIso);
  const result: Record<string, number> = {};
  if (!(end > start)) return result;
  const floorMin = (ms: number) => Math.floor((ms - start) / 60_000);
  let dayStart = start;
  while (dayStart < end) {
    // Next Shanghai midnight, expressed as a UTC instant.
    const nextMidnight = Math.floor((dayStart + OFFSET_MS) / DAY_MS) * DAY_MS + DAY_MS - OFFSET_MS;
    const dayEnd = Math.min(nextMidnight, end);
    const minutes = floorMin(dayEnd) - floorMin(dayStart);
    if (minutes > 0) result[shanghaiDate(new Date(dayStart))] = minutes;
    dayStart = dayEnd;
  }
  return result;
}

/** Accepts any ISO 8601 date-time with an offset ('Z' or ±HH:MM); returns the UTC form we store. */
export function toUtcIso(input: string): string {
  if (!isoWithOffset.safeParse(input).success) {
    throw new RangeError(`Expected an ISO 8601 date-time with offset, got: ${input}`);
  }
  return new Date(input).toISOString();
}
