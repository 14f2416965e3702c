/** POST /v1/activities/{id}/publish */
import { activityTransitionRoute } from '../../../shared/http/activity-transition.js';

export const handler = activityTransitionRoute('publish');
