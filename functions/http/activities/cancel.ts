/** POST /v1/activities/{id}/cancel */
import { activityTransitionRoute } from '../../../shared/http/activity-transition.js';

export const handler = activityTransitionRoute('cancel');
