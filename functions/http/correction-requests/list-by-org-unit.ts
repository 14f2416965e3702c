/** GET /v1/org-units/{id}/correction-requests?status= — correction requests at or under the node, oldest first (admins over it). */
import { rightsRequestListRoute } from '../../../shared/http/rights-request-list.js';

export const handler = rightsRequestListRoute('correction');
