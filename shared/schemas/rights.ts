/** Request schemas of the data-subject rights routes (shared/domain/rights.ts). */
import * as z from 'zod';
import { REQUEST_STATUSES } from '../domain/rights.js';
import { cursorSchema, instantSchema, limitSchema, orgUnitIdSchema, pageQuery } from './common.js';
import { createVolunteerBody, mobileSchema } from './volunteers.js';

const reason = z.string().trim().min(1).max(500);

/** What may be corrected, each with the value it takes; hour records go through hour appeals. */
export const correctionBody = z.discriminatedUnion('field', [
  z.object({ field: z.literal('name'), proposedValue: createVolunteerBody.shape.name, reason }),
  z.object({ field: z.literal('phone'), proposedValue: mobileSchema, reason }),
  z.object({ field: z.literal('skills'), proposedValue: z.array(z.string().trim().min(1).max(40)).max(30), reason }),
  z.object({ field: z.literal('veteran'), proposedValue: createVolunteerBody.shape.veteran.unwrap(), reason }),
]);

export const deletionBody = z.object({ reason: z.string().trim().max(500).optional() }).default({});

export const decideBody = z.object({
  decision: z.enum(['accept', 'reject']),
  note: z.string().trim().max(500).optional(),
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
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'from must not be after to', path: ['from'] });
