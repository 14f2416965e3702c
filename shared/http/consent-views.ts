/** Consents and beneficiaries as they leave the API (shared/domain/personal-data.ts decides who sees what). */
import type { Principal } from '../domain/access.js';
import type { Guardian } from '../domain/consent.js';
import type { SensitiveDetails } from '../domain/beneficiaries.js';
import { beneficiaryPhoneFor } from '../domain/personal-data.js';
import { statusOf, type ConsentRecord } from '../data/consents.js';
import type { Beneficiary } from '../data/beneficiaries.js';

/** A guardian's phone follows the beneficiaries' rule: in full only to station liaisons. */
export const guardianView = (g: Guardian, viewer: Principal) => ({ name: g.name, relationship: g.relationship, phone: beneficiaryPhoneFor(viewer, g.phone) });

export const consentView = (r: ConsentRecord, viewer: Principal) => ({
  id: r.id,
  subjectType: r.subjectType,
  subjectId: r.subjectId,
  purpose: r.purpose,
  policyVersion: r.policyVersion,
  status: statusOf(r),
  grantedAt: r.grantedAt,
  recordedBy: r.recordedBy,
  ...(r.guardian ? { guardian: guardianView(r.guardian, viewer) } : {}),
  withdrawnAt: r.withdrawnAt ?? null,
  ...(r.withdrawnBy ? { withdrawnBy: r.withdrawnBy } : {}),
  ...(r.supersededAt ? { supersededAt: r.supersededAt, supersededBy: r.supersededBy } : {}),
});

/**
 * A beneficiary: phone and guardian's phone by role, identity number masked, sensitive details
 * only when the handler decided the viewer may see them (and decrypted them).
 */
export const beneficiaryView = (b: Beneficiary, viewer: Principal, sensitive?: SensitiveDetails) => ({
  id: b.id,
  name: b.name,
  phone: b.phone ? beneficiaryPhoneFor(viewer, b.phone) : null,
  idNumber: b.idNumberMasked ?? null,
  orgUnitId: b.orgUnitId,
  careCategories: b.careCategories,
  hasSensitiveDetails: b.hasSensitiveDetails,
  ...(sensitive ? { sensitive } : {}),
  ...(b.guardian ? { guardian: guardianView(b.guardian, viewer) } : {}),
  registeredAt: b.registeredAt,
});
