/**
 * POST /v1/auth/refresh — public: rotates the refresh token (the old one is spent) and issues a
 * new access token for the session's grant. A spent token presented again revokes the session.
 */
import { tokenResponse } from '../../../shared/auth/login.js';
import { pickGrant } from '../../../shared/domain/accounts.js';
import { findAccount } from '../../../shared/data/accounts.js';
import { invalidRefreshToken, rotateRefreshToken } from '../../../shared/data/sessions.js';
import { httpRoute, ok } from '../../../shared/http/route.js';
import { refreshBody } from '../../../shared/schemas/auth.js';

export const handler = httpRoute({
  action: 'public',
  body: refreshBody,
  handle: async ({ body }) => {
    const { session, refreshToken } = await rotateRefreshToken(body.refreshToken);
    const found = await findAccount(session.accountId);
    if (!found) throw invalidRefreshToken();
    // Grants are read afresh: a revoked grant is gone from the next access token.
    return ok(await tokenResponse(found, pickGrant(found.grants, session.grantId), session.familyId, refreshToken));
  },
});
