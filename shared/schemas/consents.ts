import * as z from 'zod';
import { CONSENT_PURPOSES, CONSENT_SUBJECT_TYPES, GUARDIAN_RELATIONSHIPS } from '../domain/consent.js';
import { cursorSchema, limitSchema, ulidSchema } from './common.js';
import { normalizeMobile } from '../domain/identity.js';

/** The privacy-policy version the person agreed to, e.g. `2025-01` or `v3.2`. */
export const policyVersionSchema = z.string().trim().min(1).max(40).regex(/^[\w.\-]+$/, 'must be letters, digits, dots, dashes or underscores');

/** Reference of the signed paper form (its number in the station's files). */
export const documentRefSchema = z.string().trim().min(1).max(80);

// The same rule as volunteers' mobileSchema (not imported: shared/schemas/volunteers.ts imports this file).
const guardianPhone = z
  .string()
  .max(20)
  .transform((raw, ctx) => {
    const phone = normalizeMobile(raw);
    if (!phone) {
      ctx.addIssue({ code: 'custom', message: 'must be a mainland mobile number (11 digits starting 13–19, optional +86)' });
      return z.NEVER;
    }
    return phone;
  });

export const guardianSchema = z.object({
  name: z.string().trim().min(1).max(40),
  phone: guardianPhone,
  relationship: z.enum(GUARDIAN_RELATIONSHIPS),
});

export const consentInputSchema = z.object({
  purpose: z.enum(CONSENT_PURPOSES),
  policyVersion: policyVersionSchema,
  documentRef: documentRefSchema.optional(),
});

/** Fields of a registration body: consents given on paper at registration, and a child's guardian. */
export const registrationConsentFields = {
  guardian: guardianSchema.optional(),
  consents: z
    .array(consentInputSchema)
    .max(CONSENT_PURPOSES.length)
    .refine((list) => new Set(list.map((c) => c.purpose)).size === list.length, 'each purpose at most once')
    .default([]),
};

export const createConsentBody = z.object({
  subjectType: z.enum(CONSENT_SUBJECT_TYPES),
  subjectId: ulidSchema,
  purpose: z.enum(CONSENT_PURPOSES),
  policyVersion: policyVersionSchema,
  /** Consent is given, never "given as false": not consenting is simply no record. */
  granted: z.literal(true),
  guardian: guardianSchema.optional(),
  documentRef: documentRefSchema.optional(),
});

export const consentListQuery = z.object({ limit: limitSchema, cursor: cursorSchema });
