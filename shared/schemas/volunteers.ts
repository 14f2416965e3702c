import * as z from 'zod';
import { isValidResidentId, normalizeMobile, normalizeResidentId } from '../domain/identity.js';
import { orgUnitIdSchema } from './common.js';
import { registrationConsentFields } from './consents.js';

const thisYear = new Date().getUTCFullYear();

export const mobileSchema = z
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

export const residentIdSchema = z
  .string()
  .max(20)
  .refine(isValidResidentId, 'must be an 18-character resident identity number with a valid check character and birth date')
  .transform(normalizeResidentId);

export const createVolunteerBody = z.object({
  name: z.string().trim().min(1).max(40),
  phone: mobileSchema,
  idNumber: residentIdSchema,
  orgUnitId: orgUnitIdSchema,
  veteran: z
    .object({
      branch: z.string().trim().max(40).optional(),
      enlistmentYear: z.number().int().min(1940).max(thisYear).optional(),
      dischargeYear: z.number().int().min(1940).max(thisYear + 1).optional(),
      partyMember: z.boolean().optional(),
      merits: z.array(z.string().trim().min(1).max(80)).max(20).optional(),
    })
    .refine((v) => !v.enlistmentYear || !v.dischargeYear || v.dischargeYear >= v.enlistmentYear, {
      message: 'dischargeYear must not be before enlistmentYear',
      path: ['dischargeYear'],
    })
    .optional(),
  skills: z.array(z.string().trim().min(1).max(40)).max(30).default([]),
  // Consents given at registration; a child under 14 needs a guardian (shared/domain/consent.ts).
  ...registrationConsentFields,
});

/** `?reveal=idNumber` asks for the identity number in full (city and district admins only). */
export const volunteerQuery = z.object({
  reveal: z.literal('idNumber').optional(),
});
