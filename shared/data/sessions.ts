/**
 * Login sessions as refresh-token families. A refresh token is `<familyId>.<secret>`; only its
 * SHA-256 is stored (`REFRESHTOKEN#<hash>`), with the family it belongs to and whether it was
 * used. The family item (`REFRESH#<familyId>`) says whose session it is, which grant it acts
 * under, and whether it is revoked.
 *
 * Rotation is one transaction: the presented token goes from active to used (condition: still
 * active), the family is checked alive (condition: not revoked, not expired), the new token is
 * put. A token already used that comes back means a copy exists somewhere: the family is revoked,
 * so every token descended from it stops working (decideRefresh in shared/domain/sessions.ts).
 */
import { createHash, randomBytes } from 'node:crypto';
import { BatchGetCommand, GetCommand, TransactWriteCommand, UpdateCommand, type BatchGetCommandOutput } from '../aws/dynamodb.js';
import { ulid } from 'ulid';
import { SESSION_LIFETIME_SECONDS, decideRefresh } from '../domain/sessions.js';
import { unauthenticated } from '../errors.js';
import { db, failedConditionIndex, isConditionFailure, isTransactionConflict, table } from './client.js';
import { keys } from './keys.js';

export interface Session {
  familyId: string;
  accountId: string;
  /** The grant tokens of this session act under (switch changes it). */
  grantId?: string;
  revoked: boolean;
  createdAt: string;
  /** Epoch seconds; DynamoDB TTL. */
  expiresAt: number;
}

const TOKEN_FORMAT = /^([0-9A-HJKMNP-TV-Z]{26})\.([A-Za-z0-9_-]{43})$/;

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');
const newToken = (familyId: string) => `${familyId}.${randomBytes(32).toString('base64url')}`;
const nowSeconds = () => Math.floor(Date.now() / 1000);

export const invalidRefreshToken = () => unauthenticated({ zh: '刷新令牌无效或已失效，请重新登录', en: 'The refresh token is invalid or no longer valid; log in again' });

const tokenPut = (token: string, familyId: string, expiresAt: number) => ({
  Put: {
    TableName: table(),
    Item: { ...keys.refreshToken(hashOf(token)), type: 'RefreshToken', familyId, status: 'active', issuedAt: new Date().toISOString(), expiresAt },
    ConditionExpression: 'attribute_not_exists(pk)',
  },
});

/** Starts a session for an account; returns its first refresh token. */
export const startSession = async (accountId: string, grantId: string | undefined) => {
  const session: Session = {
    familyId: ulid(),
    accountId,
    ...(grantId ? { grantId } : {}),
    revoked: false,
    createdAt: new Date().toISOString(),
    expiresAt: nowSeconds() + SESSION_LIFETIME_SECONDS,
  };
  const refreshToken = newToken(session.familyId);
  await db.send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Put: {
            TableName: table(),
            Item: { ...keys.refreshFamily(session.familyId), ...keys.accountSessionIndex(accountId, session.createdAt, session.familyId), type: 'RefreshFamily', ...session, generation: 0 },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        tokenPut(refreshToken, session.familyId, session.expiresAt),
      ],
    }),
  );
  return { session, refreshToken };
};

const familyIdOf = (token: string) => TOKEN_FORMAT.exec(token)?.[1];

/** The token's item and its family's, in one round trip. */
const readState = async (token: string, familyId: string) => {
  const tokenKey = keys.refreshToken(hashOf(token));
  const familyKey = keys.refreshFamily(familyId);
  const found: Record<string, unknown>[] = [];
  let pending: Record<string, unknown>[] | undefined = [{ ...tokenKey }, { ...familyKey }];
  for (let attempt = 0; pending?.length && attempt < 4; attempt++) {
    const out: BatchGetCommandOutput = await db.send(new BatchGetCommand({ RequestItems: { [table()]: { Keys: pending, ConsistentRead: true } } }));
    found.push(...(out.Responses?.[table()] ?? []));
    pending = out.UnprocessedKeys?.[table()]?.Keys;
  }
  const tokenItem = found.find((i) => i.pk === tokenKey.pk);
  const familyItem = found.find((i) => i.pk === familyKey.pk);
  return {
    token: tokenItem ? { familyId: tokenItem.familyId as string, status: tokenItem.status as 'active' | 'used' } : undefined,
    family: familyItem as unknown as Session | undefined,
  };
};

/** Revokes a whole family: every token of the session stops working. */
export const revokeFamily = async (familyId: string, reason: 'logout' | 'reuse') => {
  try {
    await db.send(
      new UpdateCommand({
        TableName: table(),
        Key: keys.refreshFamily(familyId),
        UpdateExpression: 'SET revoked = :true, revokedAt = :now, revokedReason = if_not_exists(revokedReason, :reason)',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':true': true, ':now': new Date().toISOString(), ':reason': reason },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
};

/**
 * Rotates a refresh token: the presented one is spent, a new one of the same family returned.
 * A spent token presented again revokes the family. Anything else that is not a live token is 401.
 */
export const rotateRefreshToken = async (token: string): Promise<{ session: Session; refreshToken: string }> => {
  const familyId = familyIdOf(token);
  if (!familyId) throw invalidRefreshToken();
  const state = await readState(token, familyId);
  const verdict = decideRefresh({ ...state, presentedFamilyId: familyId, nowSeconds: nowSeconds() });
  if (verdict === 'reuse') await revokeFamily(familyId, 'reuse');
  if (verdict !== 'rotate') throw invalidRefreshToken();

  const session = state.family!;
  const next = newToken(familyId);
  try {
    await db.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: table(),
              Key: keys.refreshToken(hashOf(token)),
              UpdateExpression: 'SET #status = :used, usedAt = :now',
              ConditionExpression: '#status = :active AND familyId = :family',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':used': 'used', ':active': 'active', ':family': familyId, ':now': new Date().toISOString() },
            },
          },
          {
            Update: {
              TableName: table(),
              Key: keys.refreshFamily(familyId),
              UpdateExpression: 'SET rotatedAt = :now ADD generation :one',
              ConditionExpression: 'revoked = :false AND expiresAt > :nowSeconds',
              ExpressionAttributeValues: { ':false': false, ':now': new Date().toISOString(), ':one': 1, ':nowSeconds': nowSeconds() },
            },
          },
          tokenPut(next, familyId, session.expiresAt),
        ],
      }),
    );
  } catch (error) {
    // Spent between our read and our write: another request presented the same token. One
    // token, two users: treat it as reuse.
    if (failedConditionIndex(error) === 0 || isTransactionConflict(error)) {
      await revokeFamily(familyId, 'reuse');
      throw invalidRefreshToken();
    }
    if (failedConditionIndex(error) >= 0) throw invalidRefreshToken();
    throw error;
  }
  return { session, refreshToken: next };
};

/** Logout: revokes the token's family if the token is one of its own (used or not). Idempotent. */
export const endSession = async (token: string) => {
  const familyId = familyIdOf(token);
  if (!familyId) return false;
  const out = await db.send(new GetCommand({ TableName: table(), Key: keys.refreshToken(hashOf(token)), ConsistentRead: true }));
  if (out.Item?.familyId !== familyId) return false;
  await revokeFamily(familyId, 'logout');
  return true;
};

/** Switch: the session's later refreshes act under this grant. Ignored if the session is gone or not the account's. */
export const setSessionGrant = async (familyId: string, accountId: string, grantId: string) => {
  try {
    await db.send(
      new UpdateCommand({
        TableName: table(),
        Key: keys.refreshFamily(familyId),
        UpdateExpression: 'SET grantId = :grant',
        ConditionExpression: 'accountId = :account AND revoked = :false',
        ExpressionAttributeValues: { ':grant': grantId, ':account': accountId, ':false': false },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
};
