import * as z from 'zod';
import { CARE_CATEGORIES } from '../domain/beneficiaries.js';
import { orgUnitIdSchema } from './common.js';
import { registrationConsentFields } from './consents.js';
import { mobileSchema, residentIdSchema } from './volunteers.js';

const detail = z.string().trim().min(1).max(2000);

/** Health, disability and hardship details: at least one when given. */
export const sensitiveDetailsSchema = z
  .object({ health: detail.optional(), disability: detail.optional(), hardship: detail.optional() })
  .strict()
  .refine((s) => !!(s.health || s.disability || s.hardship), 'give at least one of health, disability, hardship');

export const createBeneficiaryBody = z.object({
  name: z.string().trim().min(1).max(40),
  phone: mobileSchema.optional(),
  idNumber: residentIdSchema.optional(),
  orgUnitId: orgUnitIdSchema,
  careCategories: z
    .array(z.enum(CARE_CATEGORIES))
    .min(1)
    .max(CARE_CATEGORIES.length)
    .refine((list) => new Set(list).size === list.length, 'each category at most once'),
  /** Stored only with a `sensitive-details` consent among `consents`. */
  sensitive: sensitiveDetailsSchema.optional(),
  ...registrationConsentFields,
});
