/**
 * SMS login codes and the rate limits on sending them.
 *
 * A code item (`SMSCODE#<phone hmac>`) holds a salted SHA-256 of the latest code for a phone,
 * the wrong attempts so far and `expiresAt` (epoch seconds, DynamoDB TTL; checked in every
 * condition too, since TTL deletes lazily). Checking a code first counts the attempt with a
 * conditional ADD (`attempts < 5`, not expired), then compares in constant time, then deletes
 * the item under a condition on the same hash: a code works once, and at most five guesses are
 * ever compared.
 *
 * Rate limits are fixed-window counters (`RATE#<rule>#<subject>` / `<window start>`), one
 * conditional `ADD n :one` each (`attribute_not_exists(n) OR n < :limit`).
 */
import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { DeleteCommand, PutCommand, UpdateCommand } from '../aws/dynamodb.js';
import { keyedHash } from '../crypto/keyed-hash.js';
import { SMS_CODE_DIGITS, SMS_CODE_MAX_ATTEMPTS, SMS_CODE_TTL_SECONDS, rateWindow, type RateRule } from '../domain/sessions.js';
import { throttled } from '../errors.js';
import { db, isConditionFailure, table } from './client.js';
import { keys } from './keys.js';

const codeHashOf = (salt: string, code: string) => createHash('sha256').update(`${salt}:${code}`).digest();

/** A uniformly random code of SMS_CODE_DIGITS digits (leading zeros kept). */
export const newLoginCode = () => String(randomInt(0, 10 ** SMS_CODE_DIGITS)).padStart(SMS_CODE_DIGITS, '0');

/** Stores the code for the phone (replacing any earlier one); returns its expiry (epoch seconds). */
export const storeLoginCode = async (phone: string, code: string, nowMs = Date.now()) => {
  const salt = randomBytes(16).toString('base64url');
  const expiresAt = Math.floor(nowMs / 1000) + SMS_CODE_TTL_SECONDS;
  await db.send(
    new PutCommand({
      TableName: table(),
      Item: {
        ...keys.smsCode(await keyedHash('phone', phone)),
        type: 'LoginCode',
        salt,
        codeHash: codeHashOf(salt, code).toString('hex'),
        attempts: 0,
        createdAt: new Date(nowMs).toISOString(),
        expiresAt,
      },
    }),
  );
  return expiresAt;
};

/** True once for the right code within its lifetime and attempt budget; false otherwise. */
export const consumeLoginCode = async (phone: string, code: string, nowMs = Date.now()) => {
  const key = keys.smsCode(await keyedHash('phone', phone));
  let item: Record<string, unknown> | undefined;
  try {
    const out = await db.send(
      new UpdateCommand({
        TableName: table(),
        Key: key,
        UpdateExpression: 'ADD attempts :one',
        ConditionExpression: 'attribute_exists(pk) AND attempts < :max AND expiresAt > :now',
        ExpressionAttributeValues: { ':one': 1, ':max': SMS_CODE_MAX_ATTEMPTS, ':now': Math.floor(nowMs / 1000) },
        ReturnValues: 'ALL_NEW',
      }),
    );
    item = out.Attributes;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
  if (typeof item?.salt !== 'string' || typeof item.codeHash !== 'string') return false;
  const stored = Buffer.from(item.codeHash, 'hex');
  const presented = codeHashOf(item.salt, code);
  if (stored.length !== presented.length || !timingSafeEqual(stored, presented)) return false;
  try {
    // Single use: of two requests with the right code, one deletes it and the other fails here.
    await db.send(
      new DeleteCommand({
        TableName: table(),
        Key: key,
        ConditionExpression: 'codeHash = :hash',
        ExpressionAttributeValues: { ':hash': item.codeHash },
      }),
    );
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
  return true;
};

/**
 * Counts one event against a fixed-window rule for `subject` (a phone hmac, an address); 429 with
 * Retry-After when the window's limit is reached.
 */
export const countAgainst = async (rule: RateRule, subject: string, nowMs = Date.now()) => {
  const window = rateWindow(rule, nowMs);
  try {
    await db.send(
      new UpdateCommand({
        TableName: table(),
        Key: keys.rateWindow(rule.name, subject, window.start),
        UpdateExpression: 'ADD n :one SET expiresAt = :expires',
        ConditionExpression: 'attribute_not_exists(n) OR n < :limit',
        ExpressionAttributeValues: { ':one': 1, ':limit': rule.limit, ':expires': window.expiresAt },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    throw throttled(
      {
        zh: `请求过于频繁，请在 ${window.retryAfterSeconds} 秒后重试`,
        en: `Too many requests; retry in ${window.retryAfterSeconds} s`,
      },
      window.retryAfterSeconds,
    );
  }
};
