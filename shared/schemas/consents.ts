import * as z from '../zod.js';
import { CONSENT_PURPOSES, CONSENT_SUBJECT_TYPES, GUARDIAN_RELATIONSHIPS } from '../domain/consent.js';
import { bilingual } from '../http/messages.js';
import { cursorSchema, limitSchema, mobileSchema, textSchema, ulidSchema } from './common.js';

/** The privacy-policy version the person agreed to, e.g. `2025-01` or `v3.2`. */
export const policyVersionSchema = z
  .string()
  .check(z.trim(), z.minLength(1), z.maxLength(40), z.regex(/^[\w.\-]+$/, bilingual('must be letters, digits, dots, dashes or underscores', '只能包含字母、数字、点、连字符或下划线')));

/** Reference of the signed paper form (its number in the station's files). */
export const documentRefSchema = textSchema(1, 80);

export const guardianSchema = z.object({
  name: textSchema(1, 40),
  phone: mobileSchema,
  relationship: z.enum(GUARDIAN_RELATIONSHIPS),
});

export const consentInputSchema = z.object({
  purpose: z.enum(CONSENT_PURPOSES),
  policyVersion: policyVersionSchema,
  documentRef: z.optional(documentRefSchema),
});

/** Fields of a registration body: consents given on paper at registration, and a child's guardian. */
export const registrationConsentFields = {
  guardian: z.optional(guardianSchema),
  consents: z._default(
    z
      .array(consentInputSchema)
      .check(
        z.maxLength(CONSENT_PURPOSES.length),
        z.refine((list) => new Set(list.map((c) => c.purpose)).size === list.length, bilingual('each purpose at most once', '每个用途至多出现一次')),
      ),
    [],
  ),
};

export const createConsentBody = z.object({
  subjectType: z.enum(CONSENT_SUBJECT_TYPES),
  subjectId: ulidSchema,
  purpose: z.enum(CONSENT_PURPOSES),
  policyVersion: policyVersionSchema,
  /** Consent is given, never "given as false": not consenting is simply no record. */
  granted: z.literal(true),
  guardian: z.optional(guardianSchema),
  documentRef: z.optional(documentRefSchema),
});

export const consentListQuery = z.object({ limit: limitSchema, cursor: cursorSchema });
