/**
 * POST /v1/beneficiaries — an admin registers a beneficiary at a node under their scope, with
 * the consents given on paper (`consents`, each with its form's `documentRef`). Sensitive details
 * are stored only with a `sensitive-details` consent among them (400 at `sensitive` otherwise);
 * a child under 14 needs `guardian` and a `registration` consent.
 */
import { checkRegistrationConsents, recordedByOf } from '../../../shared/domain/consent.js';
import { createBeneficiary } from '../../../shared/data/beneficiaries.js';
import { invalid } from '../../../shared/errors.js';
import { beneficiaryView } from '../../../shared/http/consent-views.js';
import { created, httpRoute } from '../../../shared/http/route.js';
import { createBeneficiaryBody } from '../../../shared/schemas/beneficiaries.js';

export const handler = httpRoute({
  action: 'beneficiary:create',
  body: createBeneficiaryBody,
  handle: async ({ body, principal, authorize }) => {
    authorize({ orgUnitId: body.orgUnitId });
    const { guardian, consents, ...fields } = body;
    const now = new Date();
    const { guardianConsentUntil } = checkRegistrationConsents({ type: 'beneficiary', idNumber: fields.idNumber, guardian, consents }, now);
    if (fields.sensitive && !consents.some((c) => c.purpose === 'sensitive-details')) {
      throw invalid(
        {
          zh: '保存健康、残疾或困难情况须有服务对象对敏感个人信息的单独同意',
          en: 'Health, disability and hardship details are stored only with the beneficiary’s separate consent',
        },
        [{ path: 'sensitive', message: 'needs a sensitive-details consent in consents (with its signed form’s documentRef)' }],
      );
    }
    const given = consents.map((c, i) => ({
      purpose: c.purpose,
      policyVersion: c.policyVersion,
      recordedBy: recordedByOf(principal, { type: 'beneficiary', id: '' }, c.documentRef, `consents.${i}.documentRef`),
      ...(guardian ? { guardian } : {}),
    }));
    const { beneficiary } = await createBeneficiary({ ...fields, guardian, guardianConsentUntil }, given, principal);
    return created(beneficiaryView(beneficiary, principal));
  },
});
