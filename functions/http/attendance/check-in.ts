/** POST /v1/activities/{id}/check-ins — an enrolled volunteer arrives. */
import { hourRulesConfig } from '../../../shared/config.js';
import { canCheckIn } from '../../../shared/domain/activities.js';
import { getActivity } from '../../../shared/data/activities.js';
import { checkIn } from '../../../shared/data/hour-records.js';
import { conflict } from '../../../shared/errors.js';
import { created, httpRoute } from '../../../shared/http/route.js';
import { attendanceBody } from '../../../shared/schemas/activities.js';
import { idParams } from '../../../shared/schemas/common.js';

export const handler = httpRoute({
  action: 'attendance:manage',
  params: idParams,
  body: attendanceBody,
  handle: async ({ params, body, authorize }) => {
    const activity = await getActivity(params.id);
    authorize({ orgUnitId: activity.orgUnitId, teamId: activity.teamId, volunteerId: body.volunteerId });
    const now = new Date();
    const open = canCheckIn(activity, now, hourRulesConfig().graceMinutes);
    if (!open.ok) throw conflict({ zh: '当前不在可签到时间内', en: `Check-in is closed: ${open.detail}` });
    return created(await checkIn(activity.id, body.volunteerId, now.toISOString(), { lat: body.lat, lng: body.lng }));
  },
});
