/** GET /v1/hour-records/{id} — the volunteer, the activity's organisers, or admins over either. */
import { mayManage, requireManage } from '../../../shared/domain/access.js';
import { getHourRecord } from '../../../shared/data/hour-records.js';
import { httpRoute, ok } from '../../../shared/http/route.js';
import { hourRecordView } from '../../../shared/http/views.js';
import { idParams } from '../../../shared/schemas/common.js';

export const handler = httpRoute({
  params: idParams,
  handle: async ({ params, principal }) => {
    const record = await getHourRecord(params.id);
    // Admins of the volunteer's node may read it too, not only those of the activity's node.
    if (!mayManage(principal, { orgUnitId: record.volunteerOrgUnitId })) {
      requireManage(principal, { orgUnitId: record.orgUnitId, teamId: record.teamId, volunteerId: record.volunteerId }, { selfAllowed: true });
    }
    return ok(hourRecordView(record));
  },
});
