import * as z from 'zod';
import { cursorSchema, limitSchema, orgUnitIdSchema, yearSchema } from './common.js';

/** Without `year` the ranking is of lifetime totals. */
export const rankingQuery = z.object({
  orgUnitId: orgUnitIdSchema.default('sz'),
  year: yearSchema.optional(),
  limit: limitSchema,
  cursor: cursorSchema,
});
