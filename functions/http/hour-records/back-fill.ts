/** POST /v1/hour-records — an organiser records hours served offline; verification decides. */
import { getActivity } from '../../../shared/data/activities.js';
import { createPendingRecord, recordContext } from '../../../shared/data/hour-records.js';
import { sendToQueue } from '../../../shared/data/queues.js';
import { getTeam } from '../../../shared/data/teams.js';
import { getVolunteer } from '../../../shared/data/volunteers.js';
import { findEnrollment } from '../../../shared/data/enrollments.js';
import { conflict } from '../../../shared/errors.js';
import { refuseErased, volunteerInReach } from '../../../shared/http/volunteer-reach.js';
import { accepted, httpRoute } from '../../../shared/http/route.js';
import { backFillBody } from '../../../shared/schemas/hour-records.js';

export const handler = httpRoute({
  action: 'hours:back-fill',
  body: backFillBody,
  handle: async ({ body, principal, authorize }) => {
    const activity = await getActivity(body.activityId);
    // Organisers only: a volunteer cannot back-fill their own hours.
    authorize({ orgUnitId: activity.orgUnitId, teamId: activity.teamId });
    if (activity.status !== 'published') {
      throw conflict({ zh: '只能为已发布的活动补录工时', en: 'Hours can only be back-filled for a published activity' });
    }
    // Someone who signed up took part in the organiser's activity; anyone else must be theirs to act for.
    const [enrollment, team] = await Promise.all([findEnrollment(activity.id, body.volunteerId), getTeam(activity.teamId)]);
    const volunteer = enrollment ? refuseErased(await getVolunteer(body.volunteerId)) : await volunteerInReach(principal, body.volunteerId);
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
