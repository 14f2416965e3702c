import * as z from '../zod.js';
import { cursorSchema, limitSchema, orgUnitIdSchema, yearSchema } from './common.js';

/** Without `year` the ranking is of lifetime totals. */
export const rankingQuery = z.object({
  orgUnitId: z._default(orgUnitIdSchema, 'sz'),
  year: z.optional(yearSchema),
  limit: limitSchema,
  cursor: cursorSchema,
});
