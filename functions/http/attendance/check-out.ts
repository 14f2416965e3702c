/** POST /v1/activities/{id}/check-outs — closes attendance; the hour record goes to verification. */
import { getActivity } from '../../../shared/data/activities.js';
import { checkOut, recordContext } from '../../../shared/data/hour-records.js';
import { sendToQueue } from '../../../shared/data/queues.js';
import { getTeam } from '../../../shared/data/teams.js';
import { getVolunteer } from '../../../shared/data/volunteers.js';
import { accepted, httpRoute } from '../../../shared/http/route.js';
import { refuseErased } from '../../../shared/http/volunteer-reach.js';
import { attendanceBody } from '../../../shared/schemas/activities.js';
import { idParams } from '../../../shared/schemas/common.js';

export const handler = httpRoute({
  action: 'attendance:manage',
  params: idParams,
  body: attendanceBody,
  handle: async ({ params, body, principal, authorize }) => {
    const activity = await getActivity(params.id);
    authorize({ orgUnitId: activity.orgUnitId, teamId: activity.teamId, volunteerId: body.volunteerId });
    const [volunteer, team] = await Promise.all([getVolunteer(body.volunteerId).then(refuseErased), getTeam(activity.teamId)]);
    const record = await checkOut(
      { ...recordContext(activity, team, volunteer, principal.subject), endedAt: new Date().toISOString() },
      { lat: body.lat, lng: body.lng },
    );
    await sendToQueue('hourVerification', { hourRecordId: record.id });
    return accepted({ hourRecordId: record.id, status: record.status });
  },
});
