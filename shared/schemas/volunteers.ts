import * as z from '../zod.js';
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

export const residentIdSchema = z.pipe(
  z
    .string()
    .check(
      z.maxLength(20),
      z.refine(isValidResidentId, bilingual('must be an 18-character resident identity number with a valid check character and birth date', '须为 18 位居民身份证号码，校验码与出生日期有效')),
    ),
  z.transform(normalizeResidentId),
);

// The pseudonym of erased volunteers means "erased" wherever it is shown (rankings, records).
export const volunteerNameSchema = textSchema(1, 40).check(
  z.refine((name) => !isReservedName(name), bilingual('is reserved for erased volunteers', '为已注销志愿者保留，不能使用')),
);

const serviceYear = (latest: () => number) =>
  z.number().check(
    z.int(),
    z.minimum(1940),
    z.refine((y) => y <= latest(), notFutureYear),
  );

export const veteranSchema = z
  .object({
    branch: z.optional(textSchema(0, 40)),
    enlistmentYear: z.optional(serviceYear(currentYear)),
    dischargeYear: z.optional(serviceYear(() => currentYear() + 1)),
    partyMember: z.optional(z.boolean()),
    merits: z.optional(z.array(textSchema(1, 80)).check(z.maxLength(20))),
  })
  .check(
    z.refine((v) => !v.enlistmentYear || !v.dischargeYear || v.dischargeYear >= v.enlistmentYear, {
      message: bilingual('dischargeYear must not be before enlistmentYear', 'dischargeYear 不得早于 enlistmentYear'),
      path: ['dischargeYear'],
    }),
  );

export const skillsSchema = z.array(textSchema(1, 40)).check(z.maxLength(30));

export const createVolunteerBody = z.object({
  name: volunteerNameSchema,
  phone: mobileSchema,
  idNumber: residentIdSchema,
  orgUnitId: orgUnitIdSchema,
  veteran: z.optional(veteranSchema),
  skills: z._default(skillsSchema, []),
  // Consents given at registration; a child under 14 needs a guardian (shared/domain/consent.ts).
  ...registrationConsentFields,
});

/** `?reveal=idNumber` asks for the identity number in full (city and district admins only). */
export const volunteerQuery = z.object({
  reveal: z.optional(z.literal('idNumber')),
});
