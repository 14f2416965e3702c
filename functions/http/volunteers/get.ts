/** GET /v1/volunteers/{id} — the volunteer, their admins, or the leader of a team they belong to. */
import { starThresholds } from '../../../shared/config.js';
import { starLevel } from '../../../shared/domain/stars.js';
import { shanghaiYear } from '../../../shared/domain/time.js';
import { readVolunteer } from '../../../shared/data/volunteers.js';
import { httpRoute, ok } from '../../../shared/http/route.js';
import { hoursView, volunteerView } from '../../../shared/http/views.js';
import { idParams } from '../../../shared/schemas/common.js';

export const handler = httpRoute({
  action: 'volunteer:read',
  params: idParams,
  handle: async ({ params, principal, authorize }) => {
    const now = new Date();
    const leaderTeam = principal.role === 'team_leader' ? principal.scope : undefined;
    const { volunteer, totals, memberOfLeadersTeam } = await readVolunteer(params.id, shanghaiYear(now), leaderTeam);
    authorize({ orgUnitId: volunteer.orgUnitId, volunteerId: volunteer.id, memberOfCallersTeam: memberOfLeadersTeam });
    // Computed on read: continuous-registration months keep counting without new hours.
    const level = starLevel({ verifiedMinutes: totals.verifiedMinutes, registeredAt: volunteer.registeredAt, now, thresholds: starThresholds() });
    return ok({ ...volunteerView(volunteer), hours: hoursView(totals, level) });
  },
});
