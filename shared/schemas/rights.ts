/** Request schemas of the data-subject rights routes (shared/domain/rights.ts). */
import * as z from 'zod';
import { REQUEST_STATUSES } from '../domain/rights.js';
import { bilingual } from '../http/messages.js';
import { cursorSchema, instantSchema, limitSchema, orgUnitIdSchema, pageQuery, textSchema } from './common.js';
import { createVolunteerBody, mobileSchema } from './volunteers.js';

const reason = textSchema(1, 500, { multiline: true });

/** What may be corrected, each with the value it takes; hour records go through hour appeals. */
export const correctionBody = z.discriminatedUnion('field', [
  z.object({ field: z.literal('name'), proposedValue: createVolunteerBody.shape.name, reason }),
  z.object({ field: z.literal('phone'), proposedValue: mobileSchema, reason }),
  z.object({ field: z.literal('skills'), proposedValue: createVolunteerBody.shape.skills.unwrap(), reason }),
  z.object({ field: z.literal('veteran'), proposedValue: createVolunteerBody.shape.veteran.unwrap(), reason }),
]);

export const deletionBody = z.object({ reason: textSchema(0, 500, { multiline: true }).optional() }).default({});

export const decideBody = z.object({
  decision: z.enum(['accept', 'reject']),
  note: textSchema(0, 500, { multiline: true }).optional(),
});

export const requestListQuery = pageQuery.extend({ status: z.enum(REQUEST_STATUSES).optional() });

/** `orgUnitId` defaults to the caller's scope; `from`/`to` bound the entries' time. */
export const auditQuery = z
  .object({
    orgUnitId: orgUnitIdSchema.optional(),
    from: instantSchema.optional(),
    to: instantSchema.optional(),
    limit: limitSchema,
    cursor: cursorSchema,
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: bilingual('from must not be after to', 'from 不得晚于 to'), path: ['from'] });
