/**
 * POST /v1/consents — records a consent: the volunteer themselves, or an admin over the person's
 * node on the strength of a signed form (`documentRef`). A consent for the same purpose that
 * held is superseded; for a child under 14 the guardian gives it (shared/domain/consent.ts).
 */
import { assertGuardianGiven, assertPurposeFits, recordedByOf } from '../../../shared/domain/consent.js';
import { getConsentSubject, grantConsent } from '../../../shared/data/consents.js';
import { consentView } from '../../../shared/http/consent-views.js';
import { created, httpRoute } from '../../../shared/http/route.js';
import { createConsentBody } from '../../../shared/schemas/consents.js';

export const handler = httpRoute({
  action: 'consent:manage',
  body: createConsentBody,
  handle: async ({ body, principal, authorize }) => {
    const subject = await getConsentSubject(body.subjectType, body.subjectId);
    authorize({ orgUnitId: subject.orgUnitId, ...(subject.type === 'volunteer' ? { volunteerId: subject.id } : {}) });
    assertPurposeFits(subject.type, body.purpose);
    assertGuardianGiven(subject.guardianConsentUntil, body.guardian);
    const record = await grantConsent(
      subject,
      {
        purpose: body.purpose,
        policyVersion: body.policyVersion,
        recordedBy: recordedByOf(principal, subject, body.documentRef),
        ...(body.guardian ? { guardian: body.guardian } : {}),
      },
      principal,
    );
    return created(consentView(record, principal));
  },
});
