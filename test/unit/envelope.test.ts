import { randomBytes } from 'node:crypto';
import { DecryptCommand, GenerateDataKeyCommand, KmsClient } from '../../shared/aws/kms.js';
import { awsError, mockClient } from '../aws-mock.js';
import { afterEach, describe, expect, it } from 'vitest';
import { EnvelopeError, kmsKeyProvider, localKeyProvider, open, seal, type Envelope } from '../../shared/crypto/envelope.js';

const ID = '11010519491231002X';
const context = { field: 'volunteer.idNumber', volunteerId: '01JB2X3Y4Z5A6B7C8D9E0F1G2H' };
const keys = localKeyProvider(randomBytes(32));

const flip = (b64: string, at = 0) => {
  const bytes = Buffer.from(b64, 'base64');
  bytes[at] ^= 0x01;
  return bytes.toString('base64');
};

describe('envelope encryption (AES-256-GCM, one data key per value)', () => {
  it('opens what it sealed, and the envelope does not contain the plaintext', async () => {
    const envelope = await seal(ID, context, keys);
    expect(await open(envelope, context, keys)).toBe(ID);
    expect(JSON.stringify(envelope)).not.toContain(ID);
    expect(Buffer.from(envelope.iv, 'base64')).toHaveLength(12);
    expect(Buffer.from(envelope.tag, 'base64')).toHaveLength(16);
    expect(Buffer.from(envelope.ciphertext, 'base64')).toHaveLength(ID.length);
  });

  it('round-trips any UTF-8 text, including the empty string', async () => {
    for (const text of ['', '张建国 13812341234', 'x'.repeat(10_000)]) {
      expect(await open(await seal(text, context, keys), context, keys)).toBe(text);
    }
  });

  it('sealing the same value twice gives different data keys, IVs and ciphertexts', async () => {
    const [a, b] = [await seal(ID, context, keys), await seal(ID, context, keys)];
    expect(a.key).not.toBe(b.key);
    expect(a.iv).not.toBe(b.iv);
    expect(a.ciphertext).not.toBe(b.ciphertext);
  });

  it.each(['ciphertext', 'tag', 'iv', 'key'] as const)('a flipped bit in the %s is detected', async (part) => {
    const envelope = await seal(ID, context, keys);
    await expect(open({ ...envelope, [part]: flip(envelope[part]) }, context, keys)).rejects.toBeInstanceOf(EnvelopeError);
  });

  it('a truncated tag or IV is refused', async () => {
    const envelope = await seal(ID, context, keys);
    const short = (b64: string) => Buffer.from(b64, 'base64').subarray(0, 8).toString('base64');
    await expect(open({ ...envelope, tag: short(envelope.tag) }, context, keys)).rejects.toBeInstanceOf(EnvelopeError);
    await expect(open({ ...envelope, iv: short(envelope.iv) }, context, keys)).rejects.toBeInstanceOf(EnvelopeError);
  });

  it('another context (the envelope moved to another volunteer) does not open', async () => {
    const envelope = await seal(ID, context, keys);
    await expect(open(envelope, { ...context, volunteerId: 'someone-else' }, keys)).rejects.toBeInstanceOf(EnvelopeError);
    await expect(open(envelope, { field: 'volunteer.idNumber' }, keys)).rejects.toBeInstanceOf(EnvelopeError);
  });

  it('the context is canonical: key order does not matter', async () => {
    const envelope = await seal(ID, { a: '1', b: '2' }, keys);
    expect(await open(envelope, { b: '2', a: '1' }, keys)).toBe(ID);
  });

  it('another local key does not open it', async () => {
    const envelope = await seal(ID, context, keys);
    await expect(open(envelope, context, localKeyProvider(randomBytes(32)))).rejects.toBeInstanceOf(EnvelopeError);
  });

  it('the error says nothing about the value', async () => {
    const envelope = await seal(ID, context, keys);
    const error = await open({ ...envelope, tag: flip(envelope.tag) }, context, keys).catch((e: Error) => e);
    expect(String(error)).not.toContain(ID);
    expect(String((error as Error).stack)).not.toContain(ID);
  });

  it('a local key that is not 32 bytes is refused', () => {
    expect(() => localKeyProvider(randomBytes(16))).toThrow(/32 bytes/);
  });
});

describe('the KMS adapter', () => {
  const kms = mockClient(KmsClient);
  afterEach(() => kms.reset());
  const KEY = 'arn:aws:kms:cn-north-1:123456789012:key/abc';

  it('asks GenerateDataKey for an AES-256 key with the context, and Decrypt with the same key and context', async () => {
    const dataKey = randomBytes(32);
    const blob = randomBytes(48);
    kms.on(GenerateDataKeyCommand).resolves({ Plaintext: new Uint8Array(dataKey), CiphertextBlob: new Uint8Array(blob), KeyId: KEY });
    kms.on(DecryptCommand).resolves({ Plaintext: new Uint8Array(dataKey), KeyId: KEY });
    const provider = kmsKeyProvider(KEY);
    const envelope = await seal(ID, context, provider);
    expect(envelope.key).toBe(blob.toString('base64'));
    expect(kms.commandCalls(GenerateDataKeyCommand)[0].args[0].input).toEqual({ KeyId: KEY, KeySpec: 'AES_256', EncryptionContext: context });

    expect(await open(envelope, context, provider)).toBe(ID);
    const decrypt = kms.commandCalls(DecryptCommand)[0].args[0].input;
    expect(decrypt).toMatchObject({ KeyId: KEY, EncryptionContext: context });
    expect(Buffer.from(decrypt.CiphertextBlob!)).toEqual(blob);
  });

  it('an InvalidCiphertextException from KMS becomes an EnvelopeError; other KMS errors pass through', async () => {
    const dataKey = randomBytes(32);
    kms.on(GenerateDataKeyCommand).resolves({ Plaintext: new Uint8Array(dataKey), CiphertextBlob: new Uint8Array(randomBytes(48)) });
    const provider = kmsKeyProvider(KEY);
    const envelope: Envelope = await seal(ID, context, provider);
    kms.on(DecryptCommand).rejects(awsError('InvalidCiphertextException', 'bad'));
    await expect(open(envelope, context, provider)).rejects.toBeInstanceOf(EnvelopeError);
    kms.on(DecryptCommand).rejects(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }));
    await expect(open(envelope, context, provider)).rejects.toThrow('throttled');
  });
});
