import * as z from 'zod';
import { ACTIVITY_CATEGORIES } from '../domain/activities.js';
import { cursorSchema, instantSchema, limitSchema, orgUnitIdSchema, positionSchema, ulidSchema } from './common.js';

const MAX_ACTIVITY_DAYS = 31;

export const createActivityBody = z
  .object({
    teamId: ulidSchema,
    title: z.string().trim().min(2).max(100),
    category: z.enum(ACTIVITY_CATEGORIES),
    description: z.string().trim().max(2000).optional(),
    startsAt: instantSchema,
    endsAt: instantSchema,
    location: z.object({ name: z.string().trim().min(1).max(100), ...positionSchema }),
    capacity: z.number().int().min(1).max(10000),
  })
  .refine((a) => a.endsAt > a.startsAt, { message: 'endsAt must be after startsAt', path: ['endsAt'] })
  .refine((a) => Date.parse(a.endsAt) - Date.parse(a.startsAt) <= MAX_ACTIVITY_DAYS * 86_400_000, {
    message: `an activity lasts at most ${MAX_ACTIVITY_DAYS} days`,
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
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'from must not be after to', path: ['from'] });

export const enrollmentBody = z.object({ volunteerId: ulidSchema });
export const enrollmentParams = z.object({ id: ulidSchema, volunteerId: ulidSchema });
export const attendanceBody = z.object({ volunteerId: ulidSchema, ...positionSchema });
