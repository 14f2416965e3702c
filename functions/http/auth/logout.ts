/** POST /v1/auth/logout — public: revokes the refresh token's whole session. Always 204. */
import { endSession } from '../../../shared/data/sessions.js';
import { httpRoute, noContent } from '../../../shared/http/route.js';
import { refreshBody } from '../../../shared/schemas/auth.js';

export const handler = httpRoute({
  action: 'public',
  body: refreshBody,
  handle: async ({ body }) => {
    await endSession(body.refreshToken);
    return noContent();
  },
});
