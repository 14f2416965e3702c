/**
 * POST /v1/volunteers — an admin registers a volunteer at a node under their scope. Consents
 * given on paper at registration (`consents`) are recorded in the same transaction; a child under
 * 14 (by the identity number) needs `guardian` and a `registration` consent (shared/domain/consent.ts).
 */
import { checkRegistrationConsents, recordedByOf } from '../../../shared/domain/consent.js';
import { registrationConsentItems } from '../../../shared/data/consents.js';
import { createVolunteer } from '../../../shared/data/volunteers.js';
import { guardianView } from '../../../shared/http/consent-views.js';
import { created, httpRoute } from '../../../shared/http/route.js';
import { volunteerView } from '../../../shared/http/views.js';
import { createVolunteerBody } from '../../../shared/schemas/volunteers.js';

export const handler = httpRoute({
  action: 'volunteer:create',
  body: createVolunteerBody,
  handle: async ({ body, principal, authorize }) => {
    authorize({ orgUnitId: body.orgUnitId });
    const { guardian, consents, ...fields } = body;
    const now = new Date();
    const { guardianConsentUntil } = checkRegistrationConsents({ type: 'volunteer', idNumber: fields.idNumber, guardian, consents }, now);
    const given = consents.map((c, i) => ({
      purpose: c.purpose,
      policyVersion: c.policyVersion,
      recordedBy: recordedByOf(principal, { type: 'volunteer', id: '' }, c.documentRef, `consents.${i}.documentRef`),
      ...(guardian ? { guardian } : {}),
    }));
    const volunteer = await createVolunteer(fields, principal, {
      attributes: { ...(guardian ? { guardian } : {}), ...(guardianConsentUntil ? { guardianConsentUntil } : {}) },
      transactItems: (v) => registrationConsentItems({ type: 'volunteer', id: v.id, orgUnitId: v.orgUnitId }, given, principal, now).items,
    });
    return created({
      ...volunteerView(volunteer, principal),
      ...(guardian ? { guardian: guardianView(guardian, principal) } : {}),
      ...(consents.length ? { consents: consents.map((c) => c.purpose) } : {}),
    });
  },
});
