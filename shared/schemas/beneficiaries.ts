import * as z from '../zod.js';
import { CARE_CATEGORIES } from '../domain/beneficiaries.js';
import { bilingual } from '../http/messages.js';
import { orgUnitIdSchema, textSchema } from './common.js';
import { registrationConsentFields } from './consents.js';
import { mobileSchema, residentIdSchema } from './volunteers.js';

const detail = textSchema(1, 2000, { multiline: true });

/** Health, disability and hardship details: at least one when given. */
export const sensitiveDetailsSchema = z
  .strictObject({ health: z.optional(detail), disability: z.optional(detail), hardship: z.optional(detail) })
  .check(z.refine((s) => !!(s.health || s.disability || s.hardship), bilingual('give at least one of health, disability, hardship', '须至少提供 health、disability、hardship 之一')));

export const createBeneficiaryBody = z.object({
  name: textSchema(1, 40),
  phone: z.optional(mobileSchema),
  idNumber: z.optional(residentIdSchema),
  orgUnitId: orgUnitIdSchema,
  careCategories: z
    .array(z.enum(CARE_CATEGORIES))
    .check(
      z.minLength(1),
      z.maxLength(CARE_CATEGORIES.length),
      z.refine((list) => new Set(list).size === list.length, bilingual('each category at most once', '每个类别至多出现一次')),
    ),
  /** Stored only with a `sensitive-details` consent among `consents`. */
  sensitive: z.optional(sensitiveDetailsSchema),
  ...registrationConsentFields,
});
