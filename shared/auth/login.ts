/**
 * What every login answers: a short-lived access token for one of the account's grants, a
 * refresh token that starts (or continues) a session, and the account.
 */
import { pickGrant, principalFor, type Grant } from '../domain/accounts.js';
import type { AccountWithGrants } from '../data/accounts.js';
import { startSession } from '../data/sessions.js';
import { accountView } from '../http/account-view.js';
import { ACCESS_TOKEN_TTL_SECONDS, signToken } from './tokens.js';

export const accessTokenFor = (found: AccountWithGrants, grant: Grant | undefined, sessionId: string) =>
  signToken(principalFor(found.account, grant, sessionId), `${ACCESS_TOKEN_TTL_SECONDS}s`);

export const tokenResponse = async (found: AccountWithGrants, grant: Grant | undefined, sessionId: string, refreshToken: string) => ({
  tokenType: 'Bearer',
  accessToken: await accessTokenFor(found, grant, sessionId),
  expiresIn: ACCESS_TOKEN_TTL_SECONDS,
  refreshToken,
  grantId: grant?.id ?? null,
  account: accountView(found),
});

/** A new session for the account, acting under its first grant. */
export const logIn = async (found: AccountWithGrants) => {
  const grant = pickGrant(found.grants);
  const { session, refreshToken } = await startSession(found.account.id, grant?.id);
  return tokenResponse(found, grant, session.familyId, refreshToken);
};
