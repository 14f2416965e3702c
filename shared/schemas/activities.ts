import * as z from '../zod.js';
import { ACTIVITY_CATEGORIES } from '../domain/activities.js';
import { bilingual } from '../http/messages.js';
import { cursorSchema, instantSchema, limitSchema, orgUnitIdSchema, positionSchema, textSchema, ulidSchema } from './common.js';

const MAX_ACTIVITY_DAYS = 31;

export const createActivityBody = z
  .object({
    teamId: ulidSchema,
    title: textSchema(2, 100),
    category: z.enum(ACTIVITY_CATEGORIES),
    description: z.optional(textSchema(0, 2000, { multiline: true })),
    startsAt: instantSchema,
    endsAt: instantSchema,
    location: z.object({ name: textSchema(1, 100), ...positionSchema }),
    capacity: z.number().check(z.int(), z.minimum(1), z.maximum(10000)),
  })
  .check(
    z.refine((a) => a.endsAt > a.startsAt, { message: bilingual('endsAt must be after startsAt', 'endsAt 须晚于 startsAt'), path: ['endsAt'] }),
    z.refine((a) => Date.parse(a.endsAt) - Date.parse(a.startsAt) <= MAX_ACTIVITY_DAYS * 86_400_000, {
      message: bilingual(`an activity lasts at most ${MAX_ACTIVITY_DAYS} days`, `活动最长 ${MAX_ACTIVITY_DAYS} 天`),
      path: ['endsAt'],
    }),
  );

export const listActivitiesQuery = z
  .object({
    orgUnitId: z._default(orgUnitIdSchema, 'sz'),
    from: z.optional(instantSchema),
    to: z.optional(instantSchema),
    limit: limitSchema,
    cursor: cursorSchema,
  })
  .check(z.refine((q) => !q.from || !q.to || q.from <= q.to, { message: bilingual('from must not be after to', 'from 不得晚于 to'), path: ['from'] }));

export const enrollmentBody = z.object({ volunteerId: ulidSchema });
export const enrollmentParams = z.object({ id: ulidSchema, volunteerId: ulidSchema });
export const attendanceBody = z.object({ volunteerId: ulidSchema, ...positionSchema });
