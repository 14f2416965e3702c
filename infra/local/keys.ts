/**
 * The local stand-ins for the stack's keys and secrets: the JWT signing secret, a 32-byte key in place of the KMS key
 * (shared/crypto/envelope.ts localKeyProvider) and an HMAC key in place of the Secrets Manager
 * secret (shared/crypto/keyed-hash.ts).
 *
 * With a persistent database (.local/dynamodb/) the keys must outlive a restart, or stored
 * identity numbers could no longer be read and uniqueness items would stop matching: they are
 * kept in .local/keys.json (mode 600, git-ignored with the rest of .local/). Delete it only
 * together with .local/dynamodb/. In memory, fresh keys per start. PII_LOCAL_KEY and
 * PII_HASH_KEY in the environment win over both.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ENV } from '../../shared/config.js';
import { localDir } from './state.js';

export const keysFile = path.join(localDir, 'keys.json');

interface LocalKeys {
  piiLocalKey: string;
  piiHashKey: string;
  /** Kept too, so tokens issued before a restart stay valid while the data does. */
  jwtSecret: string;
}

const freshJwtSecret = () => randomBytes(32).toString('base64url');

const fresh = (): LocalKeys => ({
  piiLocalKey: randomBytes(32).toString('base64'),
  piiHashKey: randomBytes(32).toString('base64url'),
  jwtSecret: freshJwtSecret(),
});

const persisted = (): LocalKeys => {
  if (existsSync(keysFile)) {
    const stored = JSON.parse(readFileSync(keysFile, 'utf8')) as Partial<LocalKeys>;
    if (typeof stored.piiLocalKey !== 'string' || Buffer.from(stored.piiLocalKey, 'base64').length !== 32 || typeof stored.piiHashKey !== 'string') {
      throw new Error(`${keysFile} is damaged; restore it, or delete it together with .local/dynamodb/ to start over`);
    }
    if (typeof stored.jwtSecret !== 'string') {
      // Files written before the JWT secret was kept here: add it once.
      stored.jwtSecret = freshJwtSecret();
      writeFileSync(keysFile, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
    }
    return stored as LocalKeys;
  }
  const keys = fresh();
  mkdirSync(localDir, { recursive: true });
  writeFileSync(keysFile, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  return keys;
};

/** The handler environment for the local keys and secrets; `dataDir` null = in-memory database. */
export const localKeysEnv = (dataDir: string | null): Record<string, string> => {
  const keys = dataDir ? persisted() : fresh();
  return {
    [ENV.jwtSecret]: process.env[ENV.jwtSecret] || keys.jwtSecret,
    [ENV.piiLocalKey]: process.env[ENV.piiLocalKey] || keys.piiLocalKey,
    [ENV.piiHashKey]: process.env[ENV.piiHashKey] || keys.piiHashKey,
  };
};
