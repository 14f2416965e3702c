/** GET /v1/volunteers/{id}/hour-records — newest first. */
import { listVolunteerRecords } from '../../../shared/data/hour-records.js';
import { readVolunteer } from '../../../shared/data/volunteers.js';
import { httpRoute, ok } from '../../../shared/http/route.js';
import { hourRecordView } from '../../../shared/http/views.js';
import { idParams, pageQuery } from '../../../shared/schemas/common.js';

export const handler = httpRoute({
  action: 'hours:read',
  params: idParams,
  query: pageQuery,
  handle: async ({ params, query, principal, authorize }) => {
    const leaderTeam = principal.role === 'team_leader' ? principal.scope : undefined;
    const { volunteer, memberOfLeadersTeam } = await readVolunteer(params.id, 0, leaderTeam);
    authorize({ orgUnitId: volunteer.orgUnitId, volunteerId: volunteer.id, memberOfCallersTeam: memberOfLeadersTeam });
    const page = await listVolunteerRecords(volunteer.id, query.limit, query.cursor);
    return ok({ items: page.items.map(hourRecordView), nextCursor: page.nextCursor });
  },
});
