/** GET /v1/volunteers/{id}/hour-records — newest first. */
import { requireManage } from '../../../shared/domain/access.js';
import { listVolunteerRecords } from '../../../shared/data/hour-records.js';
import { readVolunteer } from '../../../shared/data/volunteers.js';
import { httpRoute, ok } from '../../../shared/http/route.js';
import { hourRecordView } from '../../../shared/http/views.js';
import { idParams, pageQuery } from '../../../shared/schemas/common.js';

export const handler = httpRoute({
  params: idParams,
  query: pageQuery,
  handle: async ({ params, query, principal }) => {
    const leaderTeam = principal.role === 'team_leader' ? principal.scope : undefined;
    const { volunteer, memberOfLeadersTeam } = await readVolunteer(params.id, 0, leaderTeam);
    requireManage(
      principal,
      { orgUnitId: volunteer.orgUnitId, volunteerId: volunteer.id, memberOfCallersTeam: memberOfLeadersTeam },
      { selfAllowed: true },
    );
    const page = await listVolunteerRecords(volunteer.id, query.limit, query.cursor);
    return ok({ items: page.items.map(hourRecordView), nextCursor: page.nextCursor });
  },
});
