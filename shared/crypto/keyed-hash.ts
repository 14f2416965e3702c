/**
 * Keyed hashes (HMAC-SHA256) of identity numbers and phones, for uniqueness and lookup keys: the
 * number never appears in a key, and without the HMAC key nobody can test guesses against the
 * table (a plain hash of an 18-digit identity number is easily brute-forced: birth date and
 * region narrow it to a few million candidates).
 *
 * The key comes from Secrets Manager in AWS (PII_HASH_SECRET_ARN), fetched once per cold start,
 * and from PII_HASH_KEY on one machine. Changing the key orphans every uniqueness item.
 */
import { createHmac } from 'node:crypto';
import { readSecretString } from '../aws/secrets-manager.js';
import { piiHashKeyConfig } from '../config.js';

export type HashPurpose = 'idNumber' | 'phone';

/** Pure: the hex HMAC of `value` under `key`, separated by purpose. */
export const hmacHex = (key: string | Uint8Array, purpose: HashPurpose, value: string) =>
  createHmac('sha256', key).update(`redstar:${purpose}:${value}`).digest('hex');

let cached: Promise<string> | undefined;

const loadKey = async (): Promise<string> => {
  const config = piiHashKeyConfig();
  if (config.kind === 'local') return config.key;
  return readSecretString(config.arn, 'The PII hash secret');
};

const hashKey = () => {
  cached ??= loadKey().catch((error) => {
    cached = undefined; // let the next invocation try again
    throw error;
  });
  return cached;
};

/** The keyed hash of a normalised identity number or phone. */
export const keyedHash = async (purpose: HashPurpose, value: string) => hmacHex(await hashKey(), purpose, value);
