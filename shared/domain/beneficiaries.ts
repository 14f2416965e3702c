/**
 * Beneficiaries (服务对象): the veterans and families the programme serves, with the care
 * categories that decide what they are offered. Pure data; storage in shared/data/beneficiaries.ts.
 */

/** Care categories (优抚/关爱对象 kinds) a beneficiary may belong to; several at once. */
export const CARE_CATEGORIES = [
  'elderly-alone', // 孤寡/独居老人
  'disabled', // 伤残
  'seriously-ill', // 重病
  'hardship', // 生活困难
  'martyr-family', // 烈属
  'honour-plaque-household', // 光荣牌家庭
  'veteran', // 退役军人本人
  'military-family', // 军属
  'other',
] as const;
export type CareCategory = (typeof CARE_CATEGORIES)[number];

/** Sensitive personal information (PIPL art. 28): kept only with the separate consent, sealed at rest. */
export interface SensitiveDetails {
  health?: string;
  disability?: string;
  hardship?: string;
}
