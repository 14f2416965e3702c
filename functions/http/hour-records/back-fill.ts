/** POST /v1/hour-records — an organiser records hours served offline; verification decides. */
import { getActivity } from '../../../shared/data/activities.js';
import { createPendingRecord, recordContext } from '../../../shared/data/hour-records.js';
import { sendToQueue } from '../../../shared/data/queues.js';
import { getTeam } from '../../../shared/data/teams.js';
import { getVolunteer } from '../../../shared/data/volunteers.js';
import { accepted, httpRoute } from '../../../shared/http/route.js';
import { backFillBody } from '../../../shared/schemas/hour-records.js';

export const handler = httpRoute({
  action: 'hours:back-fill',
  body: backFillBody,
  handle: async ({ body, principal, authorize }) => {
    const activity = await getActivity(body.activityId);
    // Organisers only: a volunteer cannot back-fill their own hours.
    authorize({ orgUnitId: activity.orgUnitId, teamId: activity.teamId });
    const [volunteer, team] = await Promise.all([getVolunteer(body.volunteerId), getTeam(activity.teamId)]);
    const record = await createPendingRecord(
      {
        ...recordContext(activity, team, volunteer, principal.subject),
        startedAt: body.startedAt,
        endedAt: body.endedAt,
        source: 'back-fill',
        note: body.note,
      },
      principal,
    );
    await sendToQueue('hourVerification', { hourRecordId: record.id });
    return accepted({ id: record.id, status: record.status });
  },
});
