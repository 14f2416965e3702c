/**
 * GET /v1/beneficiaries/{id} — admins over the beneficiary's node. Sensitive details are
 * decrypted and included only for the roles that serve them and while the beneficiary's
 * `sensitive-details` consent holds (shared/domain/personal-data.ts); each such read is logged as
 * an access event, without the details.
 */
import { sensitiveDetailsDisclosure } from '../../../shared/domain/personal-data.js';
import { readBeneficiary } from '../../../shared/data/beneficiaries.js';
import { logger } from '../../../shared/log.js';
import { beneficiaryView } from '../../../shared/http/consent-views.js';
import { httpRoute, ok } from '../../../shared/http/route.js';
import { idParams } from '../../../shared/schemas/common.js';

export const handler = httpRoute({
  action: 'beneficiary:read',
  params: idParams,
  handle: async ({ params, principal, authorize }) => {
    const { beneficiary, sensitiveConsentHolds, openSensitive } = await readBeneficiary(params.id);
    const target = { orgUnitId: beneficiary.orgUnitId };
    authorize(target);
    let sensitive;
    if (beneficiary.hasSensitiveDetails && sensitiveDetailsDisclosure(principal, target, sensitiveConsentHolds) === 'shown') {
      sensitive = await openSensitive();
      logger.info('sensitive personal data read', {
        accessEvent: 'sensitive-read',
        beneficiaryId: beneficiary.id,
        subject: principal.subject,
        role: principal.role,
        scope: principal.scope,
      });
    }
    return { ...ok(beneficiaryView(beneficiary, principal, sensitive)), headers: { 'cache-control': 'no-store' } };
  },
});
