import * as z from '../zod.js';
import { shanghaiDate } from './time.js';

export interface StarThreshold {
  level: number;
  minMinutes: number;
  minRegisteredMonths: number;
}

// Shenzhen: 100/300/600/1000/1500 verified hours, plus continuous registration of
// 6 months (1–2★), 1 year (3–4★), 2 years (5★). Other cities differ: pass config, not this.
export const SHENZHEN_STAR_THRESHOLDS: StarThreshold[] = [
  { level: 1, minMinutes: 100 * 60, minRegisteredMonths: 6 },
  { level: 2, minMinutes: 300 * 60, minRegisteredMonths: 6 },
  { level: 3, minMinutes: 600 * 60, minRegisteredMonths: 12 },
  { level: 4, minMinutes: 1000 * 60, minRegisteredMonths: 12 },
  { level: 5, minMinutes: 1500 * 60, minRegisteredMonths: 24 },
];

const thresholdsSchema = z
  .pipe(
    z
      .array(
        z.object({
          level: z.number().check(z.int(), z.positive()),
          minMinutes: z.number().check(z.int(), z.nonnegative()),
          minRegisteredMonths: z.number().check(z.int(), z.nonnegative()),
        }),
      )
      .check(z.minLength(1)),
    z.transform((list) => [...list].sort((a, b) => a.level - b.level)),
  )
  // A higher star that is easier to reach than a lower one is a config mistake, not a policy.
  .check(z.superRefine((list, ctx) => {
    for (let i = 1; i < list.length; i++) {
      const [prev, cur] = [list[i - 1], list[i]];
      if (cur.level === prev.level) ctx.addIssue({ code: 'custom', message: `level ${cur.level} appears twice` });
      else if (cur.minMinutes <= prev.minMinutes) {
        ctx.addIssue({ code: 'custom', message: `level ${cur.level} must need more minutes than level ${prev.level}` });
      } else if (cur.minRegisteredMonths < prev.minRegisteredMonths) {
        ctx.addIssue({ code: 'custom', message: `level ${cur.level} must not need fewer months than level ${prev.level}` });
      }
    }
  }));

export function parseStarThresholds(value: unknown): StarThreshold[] {
  const parsed = thresholdsSchema.safeParse(value);
  if (!parsed.success) throw new Error(`Invalid star thresholds:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/**
 * Whole calendar months from one Shanghai date to another. A month is complete on the same
 * day-of-month, or on the last day when that day does not exist (31 Jan → 28 Feb is one month).
 */
function fullMonths(from: string, to: string): number {
  const [y1, m1, d1] = from.split('-').map(Number);
  const [y2, m2, d2] = to.split('-').map(Number);
  const lastDayOfToMonth = new Date(Date.UTC(y2, m2, 0)).getUTCDate();
  const months = (y2 - y1) * 12 + (m2 - m1) - (d2 < Math.min(d1, lastDayOfToMonth) ? 1 : 0);
  return Math.max(0, months);
}

/** Highest level whose hours AND registration length are both met; 0 if none. */
export function starLevel(input: {
  verifiedMinutes: number;
  registeredAt: string;
  now: Date;
  thresholds: StarThreshold[];
}): number {
  const months = fullMonths(shanghaiDate(input.registeredAt), shanghaiDate(input.now));
  let level = 0;
  for (const t of input.thresholds) {
    if (input.verifiedMinutes >= t.minMinutes && months >= t.minRegisteredMonths) level = Math.max(level, t.level);
  }
  return level;
}
