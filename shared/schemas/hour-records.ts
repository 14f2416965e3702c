import * as z from 'zod';
import { bilingual } from '../http/messages.js';
import { instantSchema, textSchema, ulidSchema } from './common.js';

export const backFillBody = z
  .object({
    volunteerId: ulidSchema,
    activityId: ulidSchema,
    startedAt: instantSchema,
    endedAt: instantSchema,
    note: textSchema(0, 500, { multiline: true }).optional(),
  })
  .refine((r) => r.endedAt > r.startedAt, { message: bilingual('endedAt must be after startedAt', 'endedAt 须晚于 startedAt'), path: ['endedAt'] });
