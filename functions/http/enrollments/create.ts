/** POST /v1/activities/{id}/enrollments — enrolled while places last, then waitlisted. */
import { canSignUp } from '../../../shared/domain/activities.js';
import { getActivity } from '../../../shared/data/activities.js';
import { enroll } from '../../../shared/data/enrollments.js';
import { conflict } from '../../../shared/errors.js';
import { created, httpRoute } from '../../../shared/http/route.js';
import { enrollmentBody } from '../../../shared/schemas/activities.js';
import { idParams } from '../../../shared/schemas/common.js';
import { volunteerInReach } from '../../../shared/http/volunteer-reach.js';

export const handler = httpRoute({
  action: 'enrollment:manage',
  params: idParams,
  body: enrollmentBody,
  handle: async ({ params, body, principal, authorize }) => {
    const activity = await getActivity(params.id);
    authorize({ orgUnitId: activity.orgUnitId, teamId: activity.teamId, volunteerId: body.volunteerId });
    await volunteerInReach(principal, body.volunteerId);
    const open = canSignUp(activity, new Date());
    if (!open.ok) throw conflict({ zh: '活动未发布或已结束，不能报名', en: `Sign-up is closed: ${open.detail}` });
    // Signing oneself up is the volunteer's own act; an organiser enrolling someone is audited.
    const byStaff = principal.volunteerId === body.volunteerId ? undefined : principal;
    return created(await enroll(activity, body.volunteerId, byStaff));
  },
});
