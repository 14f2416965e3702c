/**
 * POST /v1/auth/switch — an access token for another of the caller's own grants. The session's
 * later refreshes keep to the chosen grant.
 */
import { accessTokenFor } from '../../../shared/auth/login.js';
import { ACCESS_TOKEN_TTL_SECONDS } from '../../../shared/auth/tokens.js';
import { findAccount, GRANT } from '../../../shared/data/accounts.js';
import { setSessionGrant } from '../../../shared/data/sessions.js';
import { notFound } from '../../../shared/errors.js';
import { accountView } from '../../../shared/http/account-view.js';
import { httpRoute, ok } from '../../../shared/http/route.js';
import { switchBody } from '../../../shared/schemas/auth.js';

export const handler = httpRoute({
  action: 'auth:switch',
  body: switchBody,
  handle: async ({ body, principal }) => {
    // Tokens without an account (dev tokens) hold no grants.
    const found = principal.accountId ? await findAccount(principal.accountId) : undefined;
    const grant = found?.grants.find((g) => g.id === body.grantId);
    if (!found || !grant) throw notFound(GRANT);
    const sessionId = principal.sessionId ?? '';
    if (principal.sessionId) await setSessionGrant(principal.sessionId, found.account.id, grant.id);
    return ok({
      tokenType: 'Bearer',
      accessToken: await accessTokenFor(found, grant, sessionId),
      expiresIn: ACCESS_TOKEN_TTL_SECONDS,
      grantId: grant.id,
      account: accountView(found),
    });
  },
});
