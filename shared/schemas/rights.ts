/** Request schemas of the data-subject rights routes (shared/domain/rights.ts). */
import * as z from '../zod.js';
import { REQUEST_STATUSES } from '../domain/rights.js';
import { bilingual } from '../http/messages.js';
import { cursorSchema, instantSchema, limitSchema, orgUnitIdSchema, pageQuery, textSchema } from './common.js';
import { mobileSchema, skillsSchema, veteranSchema, volunteerNameSchema } from './volunteers.js';

const reason = textSchema(1, 500, { multiline: true });

/** What may be corrected, each with the value it takes; hour records go through hour appeals. */
export const correctionBody = z.discriminatedUnion('field', [
  z.object({ field: z.literal('name'), proposedValue: volunteerNameSchema, reason }),
  z.object({ field: z.literal('phone'), proposedValue: mobileSchema, reason }),
  z.object({ field: z.literal('skills'), proposedValue: skillsSchema, reason }),
  z.object({ field: z.literal('veteran'), proposedValue: veteranSchema, reason }),
]);

export const deletionBody = z._default(z.object({ reason: z.optional(textSchema(0, 500, { multiline: true })) }), {});

export const decideBody = z.object({
  decision: z.enum(['accept', 'reject']),
  note: z.optional(textSchema(0, 500, { multiline: true })),
});

export const requestListQuery = z.extend(pageQuery, { status: z.optional(z.enum(REQUEST_STATUSES)) });

/** `orgUnitId` defaults to the caller's scope; `from`/`to` bound the entries' time. */
export const auditQuery = z
  .object({
    orgUnitId: z.optional(orgUnitIdSchema),
    from: z.optional(instantSchema),
    to: z.optional(instantSchema),
    limit: limitSchema,
    cursor: cursorSchema,
  })
  .check(z.refine((q) => !q.from || !q.to || q.from <= q.to, { message: bilingual('from must not be after to', 'from 不得晚于 to'), path: ['from'] }));
