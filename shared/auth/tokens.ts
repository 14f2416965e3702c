/**
 * JWTs signed and verified with jose (HS256). In AWS the secret comes from Secrets Manager
 * (JWT_SECRET_ARN), fetched once per cold start; the local runtime sets JWT_SECRET itself.
 */
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import * as z from '../zod.js';
import { readSecretString } from '../aws/secrets-manager.js';
import { ENV } from '../config.js';
import { ROLES, type Principal } from '../domain/access.js';
import { unauthenticated } from '../errors.js';

const ISSUER = 'redstar';
const AUDIENCE = 'redstar-api';

let secret: Promise<CryptoKey> | undefined;

const loadSecretBytes = async (): Promise<Uint8Array<ArrayBuffer>> => {
  const local = process.env[ENV.jwtSecret];
  if (local) return new TextEncoder().encode(local);
  const arn = process.env[ENV.jwtSecretArn];
  if (!arn) throw new Error(`Set ${ENV.jwtSecret} or ${ENV.jwtSecretArn}`);
  return new TextEncoder().encode(await readSecretString(arn, 'The JWT secret'));
};

/**
 * The HMAC key, imported into Web Crypto once per cold start: given raw bytes, jose would import
 * them again on every sign and verify (about a fifth of a millisecond each).
 */
const loadSecret = async (): Promise<CryptoKey> =>
  crypto.subtle.importKey('raw', await loadSecretBytes(), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);

const signingKey = () => {
  secret ??= loadSecret().catch((error) => {
    secret = undefined; // let the next invocation try again
    throw error;
  });
  return secret;
};

const claimsSchema = z.object({
  sub: z.string().check(z.minLength(1)),
  role: z.enum(ROLES),
  scope: z.optional(z.string().check(z.minLength(1))),
  vid: z.optional(z.string().check(z.minLength(1))),
  acc: z.optional(z.string().check(z.minLength(1))),
  gid: z.optional(z.string().check(z.minLength(1))),
  sid: z.optional(z.string().check(z.minLength(1))),
});

/** Access tokens issued at login and refresh are short-lived; the refresh token renews them. */
export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;

export const signToken = async (principal: Principal, expiresIn = '12h') =>
  new SignJWT({
    role: principal.role,
    scope: principal.scope,
    vid: principal.volunteerId,
    acc: principal.accountId,
    gid: principal.grantId,
    sid: principal.sessionId,
  })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(principal.subject)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(await signingKey());

export const verifyToken = async (token: string): Promise<Principal> => {
  try {
    const { payload } = await jwtVerify(token, await signingKey(), {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['HS256'],
    });
    const claims = claimsSchema.parse(payload);
    return {
      subject: claims.sub,
      role: claims.role,
      scope: claims.scope,
      volunteerId: claims.vid,
      accountId: claims.acc,
      grantId: claims.gid,
      sessionId: claims.sid,
    };
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) {
      throw unauthenticated({ zh: '令牌已过期', en: 'Token expired' });
    }
    throw unauthenticated({ zh: '令牌无效', en: 'Invalid token' });
  }
};

/** Reads `Authorization: Bearer <jwt>`. */
export const principalFromHeaders = async (headers: Record<string, string | undefined> | undefined) => {
  const header = headers?.authorization ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw unauthenticated({ zh: '缺少 Bearer 令牌', en: 'Missing bearer token' });
  return verifyToken(match[1]);
};
