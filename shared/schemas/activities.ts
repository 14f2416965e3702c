import * as z from 'zod';
import { ACTIVITY_CATEGORIES } from '../domain/activities.js';
import { bilingual } from '../http/messages.js';
import { cursorSchema, instantSchema, limitSchema, orgUnitIdSchema, positionSchema, textSchema, ulidSchema } from './common.js';

const MAX_ACTIVITY_DAYS = 31;

export const createActivityBody = z
  .object({
    teamId: ulidSchema,
    title: textSchema(2, 100),
    category: z.enum(ACTIVITY_CATEGORIES),
    description: textSchema(0, 2000, { multiline: true }).optional(),
    startsAt: instantSchema,
    endsAt: instantSchema,
    location: z.object({ name: textSchema(1, 100), ...positionSchema }),
    capacity: z.number().int().min(1).max(10000),
  })
  .refine((a) => a.endsAt > a.startsAt, { message: bilingual('endsAt must be after startsAt', 'endsAt 须晚于 startsAt'), path: ['endsAt'] })
  .refine((a) => Date.parse(a.endsAt) - Date.parse(a.startsAt) <= MAX_ACTIVITY_DAYS * 86_400_000, {
    message: bilingual(`an activity lasts at most ${MAX_ACTIVITY_DAYS} days`, `活动最长 ${MAX_ACTIVITY_DAYS} 天`),
    path: ['endsAt'],
  });

export const listActivitiesQuery = z
  .object({
    orgUnitId: orgUnitIdSchema.default('sz'),
    from: instantSchema.optional(),
    to: instantSchema.optional(),
    limit: limitSchema,
    cursor: cursorSchema,
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: bilingual('from must not be after to', 'from 不得晚于 to'), path: ['from'] });

export const enrollmentBody = z.object({ volunteerId: ulidSchema });
export const enrollmentParams = z.object({ id: ulidSchema, volunteerId: ulidSchema });
export const attendanceBody = z.object({ volunteerId: ulidSchema, ...positionSchema });
