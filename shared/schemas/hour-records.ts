import * as z from 'zod';
import { instantSchema, ulidSchema } from './common.js';

export const backFillBody = z
  .object({
    volunteerId: ulidSchema,
    activityId: ulidSchema,
    startedAt: instantSchema,
    endedAt: instantSchema,
    note: z.string().trim().max(500).optional(),
  })
  .refine((r) => r.endedAt > r.startedAt, { message: 'endedAt must be after startedAt', path: ['endedAt'] });
