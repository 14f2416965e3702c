import * as z from 'zod';
import { isValidResidentId, normalizeResidentId } from '../domain/identity.js';
import { isReservedName } from '../domain/rights.js';
import { shanghaiYear } from '../domain/time.js';
import { bilingual } from '../http/messages.js';
import { mobileSchema, orgUnitIdSchema, textSchema } from './common.js';
import { registrationConsentFields } from './consents.js';

/** Read at validation time, in Asia/Shanghai: a warm function must not keep last year. */
const currentYear = () => shanghaiYear(new Date());
const notFutureYear = bilingual('must not be in the future', '不能晚于今年');

export { mobileSchema };

export const residentIdSchema = z
  .string()
  .max(20)
  .refine(isValidResidentId, bilingual('must be an 18-character resident identity number with a valid check character and birth date', '须为 18 位居民身份证号码，校验码与出生日期有效'))
  .transform(normalizeResidentId);

export const createVolunteerBody = z.object({
  // The pseudonym of erased volunteers means "erased" wherever it is shown (rankings, records).
  name: textSchema(1, 40).refine((name) => !isReservedName(name), bilingual('is reserved for erased volunteers', '为已注销志愿者保留，不能使用')),
  phone: mobileSchema,
  idNumber: residentIdSchema,
  orgUnitId: orgUnitIdSchema,
  veteran: z
    .object({
      branch: textSchema(0, 40).optional(),
      enlistmentYear: z.number().int().min(1940).refine((y) => y <= currentYear(), notFutureYear).optional(),
      dischargeYear: z.number().int().min(1940).refine((y) => y <= currentYear() + 1, notFutureYear).optional(),
      partyMember: z.boolean().optional(),
      merits: z.array(textSchema(1, 80)).max(20).optional(),
    })
    .refine((v) => !v.enlistmentYear || !v.dischargeYear || v.dischargeYear >= v.enlistmentYear, {
      message: bilingual('dischargeYear must not be before enlistmentYear', 'dischargeYear 不得早于 enlistmentYear'),
      path: ['dischargeYear'],
    })
    .optional(),
  skills: z.array(textSchema(1, 40)).max(30).default([]),
  // Consents given at registration; a child under 14 needs a guardian (shared/domain/consent.ts).
  ...registrationConsentFields,
});

/** `?reveal=idNumber` asks for the identity number in full (city and district admins only). */
export const volunteerQuery = z.object({
  reveal: z.literal('idNumber').optional(),
});
