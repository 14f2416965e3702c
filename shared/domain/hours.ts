import * as z from '../zod.js';
import { minutesBetween, splitMinutesByShanghaiDay } from './time.js';

export interface HourRules {
  graceMinutes: number;
  dailyCapMinutes: number;
  maxRecordMinutes: number;
}

// graceMinutes: volunteers arrive a little early or leave a little late; 30 min either side of
// the activity window is accepted. 12 h per record and per Shanghai day is the most anyone can
// plausibly serve; more is almost always a forgotten check-out.
export const DEFAULT_HOUR_RULES: HourRules = { graceMinutes: 30, dailyCapMinutes: 720, maxRecordMinutes: 720 };

const hourRulesOverride = z.partial(
  z.strictObject({
    graceMinutes: z.number().check(z.int(), z.nonnegative()),
    dailyCapMinutes: z.number().check(z.int(), z.positive()),
    maxRecordMinutes: z.number().check(z.int(), z.positive()),
  }),
);

/** Config overrides merged onto `base`; unknown keys are rejected so a typo can't be silently ignored. */
export function parseHourRules(value: unknown, base: HourRules = DEFAULT_HOUR_RULES): HourRules {
  const parsed = hourRulesOverride.safeParse(value);
  if (!parsed.success) throw new Error(`Invalid hour rules:\n${z.prettifyError(parsed.error)}`);
  return { ...base, ...parsed.data };
}

export type RejectionReason =
  | 'END_NOT_AFTER_START'
  | 'IN_FUTURE'
  | 'OUTSIDE_ACTIVITY_WINDOW'
  | 'TOO_SHORT'
  | 'TOO_LONG'
  | 'OVERLAPS_OTHER_RECORD'
  | 'DAILY_CAP_EXCEEDED';

export interface Interval {
  startedAt: string;
  endedAt: string;
}

/** Half-open [start, end): one record ending at 10:00 and another starting at 10:00 do not overlap. */
export function overlaps(a: Interval, b: Interval): boolean {
  return Date.parse(a.startedAt) < Date.parse(b.endedAt) && Date.parse(b.startedAt) < Date.parse(a.endedAt);
}

export type VerifyResult = { ok: true; minutes: number } | { ok: false; reason: RejectionReason; detail: string };

export function verifyHourRecord(input: {
  record: Interval & { id: string };
  activity: { startsAt: string; endsAt: string };
  others: Array<Interval & { id: string }>;
  now: Date;
  rules: HourRules;
}): VerifyResult {
  const { record, activity, now, rules } = input;
  const reject = (reason: RejectionReason, detail: string): VerifyResult => ({ ok: false, reason, detail });
  const start = Date.parse(record.startedAt);
  const end = Date.parse(record.endedAt);
  const graceMs = rules.graceMinutes * 60_000;

  // Negated comparisons so unparseable instants (NaN) are rejected, not waved through.
  if (!(end > start)) return reject('END_NOT_AFTER_START', 'The record must end after it starts.');
  if (!(end <= now.getTime())) return reject('IN_FUTURE', 'The record ends in the future.');
  if (!(start >= Date.parse(activity.startsAt) - graceMs && end <= Date.parse(activity.endsAt) + graceMs)) {
    return reject('OUTSIDE_ACTIVITY_WINDOW', 'The record falls outside the activity time window.');
  }
  const minutes = minutesBetween(record.startedAt, record.endedAt);
  // Whole minutes are what is stored and tallied: a check-out within a minute of check-in
  // (usually a mis-tap) would otherwise be "verified" with 0 minutes and enter the rankings.
  if (minutes < 1) return reject('TOO_SHORT', 'The record is shorter than one minute.');
  if (minutes > rules.maxRecordMinutes) {
    return reject('TOO_LONG', `The record is longer than ${rules.maxRecordMinutes} minutes.`);
  }
  // A re-verified record may still be among the volunteer's records; never compare it with itself.
  const others = input.others.filter((o) => o.id !== record.id);
  const clash = others.find((o) => overlaps(record, o));
  if (clash) return reject('OVERLAPS_OTHER_RECORD', `The record overlaps record ${clash.id}.`);

  const othersByDay: Record<string, number> = {};
  for (const o of others) {
    for (const [day, m] of Object.entries(splitMinutesByShanghaiDay(o.startedAt, o.endedAt))) {
      othersByDay[day] = (othersByDay[day] ?? 0) + m;
    }
  }
  for (const [day, m] of Object.entries(splitMinutesByShanghaiDay(record.startedAt, record.endedAt))) {
    if ((othersByDay[day] ?? 0) + m > rules.dailyCapMinutes) {
      return reject('DAILY_CAP_EXCEEDED', `Service on ${day} would exceed ${rules.dailyCapMinutes} minutes.`);
    }
  }
  return { ok: true, minutes };
}

/**
 * Hours shown to people (lists, certificates, rankings): rounded DOWN to one decimal, so a
 * displayed figure never claims more service than was verified (59 min → 0.9 h, not 1.0 h).
 * Integer arithmetic (minutes / 6 = tenths of an hour) avoids floating-point drift.
 */
export function displayHours(minutes: number): number {
  return Math.floor(minutes / 6) / 10;
}
