import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hmacHex, keyedHash } from '../../shared/crypto/keyed-hash.js';

const ID = '11010519491231002X';

describe('keyed hash (HMAC-SHA256) of identity numbers and phones', () => {
  it('is deterministic for one key, so uniqueness keys match', () => {
    expect(hmacHex('k1', 'idNumber', ID)).toBe(hmacHex('k1', 'idNumber', ID));
    expect(hmacHex('k1', 'idNumber', ID)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('depends on the key: without it nobody can test guesses against the table', () => {
    expect(hmacHex('k1', 'idNumber', ID)).not.toBe(hmacHex('k2', 'idNumber', ID));
    // Not the old unkeyed sha256 either.
    expect(hmacHex('k1', 'idNumber', ID)).not.toBe(createHash('sha256').update(`redstar:id:${ID}`).digest('hex'));
  });

  it('separates purposes: the same digits as a phone and as an identity number hash differently', () => {
    expect(hmacHex('k1', 'phone', '13812341234')).not.toBe(hmacHex('k1', 'idNumber', '13812341234'));
  });

  it('takes its key from the configuration (PII_HASH_KEY locally)', async () => {
    process.env.PII_HASH_KEY = 'unit-test-key';
    expect(await keyedHash('phone', '13812341234')).toBe(hmacHex('unit-test-key', 'phone', '13812341234'));
  });
});
