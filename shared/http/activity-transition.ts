/**
 * Publish and cancel: the same route with a different transition. The state rules live in
 * shared/domain/activities.ts (nextStatus); the write is conditional on the status read.
 */
import { nextStatus } from '../domain/activities.js';
import { changeStatus, getActivity } from '../data/activities.js';
import { conflict } from '../errors.js';
import { httpRoute, ok } from './route.js';
import { activityView } from './views.js';
import { idParams } from '../schemas/common.js';

export const activityTransitionRoute = (transition: 'publish' | 'cancel') =>
  httpRoute({
    action: 'activity:manage',
    params: idParams,
    handle: async ({ params, principal, authorize }) => {
      const activity = await getActivity(params.id, true);
      authorize({ orgUnitId: activity.orgUnitId, teamId: activity.teamId });
      const next = nextStatus(activity.status, transition);
      if (!next.ok) throw conflict({ zh: `活动当前状态为 ${activity.status}，不能执行该操作`, en: next.detail });
      return ok(activityView(await changeStatus(activity, next.status, principal)));
    },
  });
