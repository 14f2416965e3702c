/**
 * GET /v1/volunteers/{id} — the volunteer, their admins, or the leader of a team they belong to.
 * `?reveal=idNumber`: the identity number in full, for city and district admins only
 * (shared/domain/personal-data.ts); each reveal is logged as an access event, without the number.
 */
import { starThresholds } from '../../../shared/config.js';
import { mayRevealIdNumber } from '../../../shared/domain/personal-data.js';
import { starLevel } from '../../../shared/domain/stars.js';
import { shanghaiYear } from '../../../shared/domain/time.js';
import { readVolunteer } from '../../../shared/data/volunteers.js';
import { forbidden } from '../../../shared/errors.js';
import { logPersonalDataAccess } from '../../../shared/log.js';
import { httpRoute, ok } from '../../../shared/http/route.js';
import { hoursView, volunteerView } from '../../../shared/http/views.js';
import { idParams } from '../../../shared/schemas/common.js';
import { volunteerQuery } from '../../../shared/schemas/volunteers.js';

export const handler = httpRoute({
  action: 'volunteer:read',
  params: idParams,
  query: volunteerQuery,
  handle: async ({ params, query, principal, authorize }) => {
    const reveal = query.reveal === 'idNumber';
    // Refused before anything is read: the role may never see the number in full.
    if (reveal && !mayRevealIdNumber(principal)) throw forbidden();
    const now = new Date();
    const leaderTeam = principal.role === 'team_leader' ? principal.scope : undefined;
    const { volunteer, totals, memberOfLeadersTeam, openIdNumber } = await readVolunteer(params.id, shanghaiYear(now), leaderTeam);
    authorize({ orgUnitId: volunteer.orgUnitId, volunteerId: volunteer.id, memberOfCallersTeam: memberOfLeadersTeam });
    let idNumber: string | undefined;
    if (reveal) {
      idNumber = await openIdNumber();
      logPersonalDataAccess({ field: 'idNumber', volunteerId: volunteer.id, subject: principal.subject, role: principal.role, scope: principal.scope });
    }
    // Computed on read: continuous-registration months keep counting without new hours.
    const level = starLevel({ verifiedMinutes: totals.verifiedMinutes, registeredAt: volunteer.registeredAt, now, thresholds: starThresholds() });
    const result = ok({ ...volunteerView(volunteer, principal, { idNumber }), hours: hoursView(totals, level) });
    // A revealed number must not sit in a shared cache.
    return { ...result, headers: { 'cache-control': 'no-store' } };
  },
});
