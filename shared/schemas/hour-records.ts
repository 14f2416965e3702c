import * as z from '../zod.js';
import { bilingual } from '../http/messages.js';
import { instantSchema, textSchema, ulidSchema } from './common.js';

export const backFillBody = z
  .object({
    volunteerId: ulidSchema,
    activityId: ulidSchema,
    startedAt: instantSchema,
    endedAt: instantSchema,
    note: z.optional(textSchema(0, 500, { multiline: true })),
  })
  .check(z.refine((r) => r.endedAt > r.startedAt, { message: bilingual('endedAt must be after startedAt', 'endedAt 须晚于 startedAt'), path: ['endedAt'] }));
