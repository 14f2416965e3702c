/** GET /v1/hour-records/{id} — the volunteer, the activity's organisers, or admins over either node. */
import { getHourRecord } from '../../../shared/data/hour-records.js';
import { httpRoute, ok } from '../../../shared/http/route.js';
import { hourRecordView } from '../../../shared/http/views.js';
import { idParams } from '../../../shared/schemas/common.js';

export const handler = httpRoute({
  action: 'hours:read',
  params: idParams,
  handle: async ({ params, authorize }) => {
    const record = await getHourRecord(params.id);
    authorize({
      orgUnitId: record.orgUnitId,
      alsoOrgUnitIds: [record.volunteerOrgUnitId],
      teamId: record.teamId,
      volunteerId: record.volunteerId,
    });
    return ok(hourRecordView(record));
  },
});
