/** POST /v1/activities/{id}/cancel */
import { nextStatus } from '../../../shared/domain/activities.js';
import { changeStatus, getActivity } from '../../../shared/data/activities.js';
import { conflict } from '../../../shared/errors.js';
import { httpRoute, ok } from '../../../shared/http/route.js';
import { activityView } from '../../../shared/http/views.js';
import { idParams } from '../../../shared/schemas/common.js';

export const handler = httpRoute({
  action: 'activity:manage',
  params: idParams,
  handle: async ({ params, principal, authorize }) => {
    const activity = await getActivity(params.id, true);
    authorize({ orgUnitId: activity.orgUnitId, teamId: activity.teamId });
    const next = nextStatus(activity.status, 'cancel');
    if (!next.ok) throw conflict({ zh: `活动当前状态为 ${activity.status}，不能执行该操作`, en: next.detail });
    return ok(activityView(await changeStatus(activity, next.status, principal)));
  },
});
