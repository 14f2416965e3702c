/**
 * Envelope encryption of personal data (identity numbers). Every sealed value gets its own data
 * key: AES-256-GCM encrypts the value with it, and a KeyProvider wraps the data key — KMS in AWS
 * (GenerateDataKey / Decrypt on the stack's key), a local 32-byte key in the local runtime. The
 * wrapped data key is stored beside the ciphertext; the plaintext data key never leaves memory.
 *
 * An encryption context (e.g. `{ field: 'volunteer.idNumber', volunteerId }`) is bound to both
 * layers (KMS EncryptionContext and GCM additional data), so a ciphertext copied onto another
 * record does not open.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DecryptCommand, GenerateDataKeyCommand, KmsClient } from '../aws/kms.js';
import { piiKeyConfig } from '../config.js';

export type EncryptionContext = Record<string, string>;

/** The port: who wraps and unwraps data keys. */
export interface KeyProvider {
  /** A fresh 32-byte data key, in plaintext and wrapped. */
  generateDataKey(context: EncryptionContext): Promise<{ plaintext: Uint8Array; wrapped: Uint8Array }>;
  /** The plaintext of a wrapped data key; throws if the key or context does not match. */
  unwrapDataKey(wrapped: Uint8Array, context: EncryptionContext): Promise<Uint8Array>;
}

/** What is stored: all base64. */
export interface Envelope {
  ciphertext: string;
  /** The data key, wrapped by the KeyProvider. */
  key: string;
  iv: string;
  tag: string;
}

/** The envelope does not open: tampered, wrong key or wrong context. Carries no data. */
export class EnvelopeError extends Error {
  constructor() {
    super('The sealed value could not be opened');
    this.name = 'EnvelopeError';
  }
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** One canonical byte string per context (sorted keys), used as GCM additional data. */
const aadOf = (context: EncryptionContext) =>
  Buffer.from(JSON.stringify(Object.keys(context).sort().map((k) => [k, context[k]])), 'utf8');

const gcmSeal = (key: Uint8Array, plaintext: Uint8Array, aad: Buffer) => {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, ciphertext, tag: cipher.getAuthTag() };
};

const gcmOpen = (key: Uint8Array, parts: { iv: Buffer; ciphertext: Buffer; tag: Buffer }, aad: Buffer) => {
  if (parts.iv.length !== IV_BYTES || parts.tag.length !== TAG_BYTES) throw new EnvelopeError();
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, parts.iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(parts.tag);
    return Buffer.concat([decipher.update(parts.ciphertext), decipher.final()]);
  } catch {
    throw new EnvelopeError();
  }
};

/** Local stand-in for KMS: data keys wrapped with AES-256-GCM under one local key (iv ‖ tag ‖ key). */
export const localKeyProvider = (masterKey: Uint8Array): KeyProvider => {
  if (masterKey.length !== 32) throw new Error('The local key must be 32 bytes');
  return {
    generateDataKey: async (context) => {
      const plaintext = randomBytes(32);
      const { iv, ciphertext, tag } = gcmSeal(masterKey, plaintext, aadOf(context));
      return { plaintext, wrapped: Buffer.concat([iv, tag, ciphertext]) };
    },
    unwrapDataKey: async (wrapped, context) => {
      const bytes = Buffer.from(wrapped);
      return gcmOpen(
        masterKey,
        { iv: bytes.subarray(0, IV_BYTES), tag: bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES), ciphertext: bytes.subarray(IV_BYTES + TAG_BYTES) },
        aadOf(context),
      );
    },
  };
};

/** KMS: GenerateDataKey and Decrypt on one symmetric key, with the context as EncryptionContext. */
export const kmsKeyProvider = (keyId: string): KeyProvider => {
  const client = new KmsClient();
  return {
    generateDataKey: async (context) => {
      const out = await client.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256', EncryptionContext: context }));
      if (!out.Plaintext || !out.CiphertextBlob) throw new Error('KMS returned no data key');
      return { plaintext: out.Plaintext, wrapped: out.CiphertextBlob };
    },
    unwrapDataKey: async (wrapped, context) => {
      try {
        const out = await client.send(new DecryptCommand({ KeyId: keyId, CiphertextBlob: wrapped, EncryptionContext: context }));
        if (!out.Plaintext) throw new EnvelopeError();
        return out.Plaintext;
      } catch (error) {
        if ((error as { name?: string }).name === 'InvalidCiphertextException') throw new EnvelopeError();
        throw error;
      }
    },
  };
};

let provider: KeyProvider | undefined;
/** The provider the configuration names, created once per cold start. */
export const keyProvider = (): KeyProvider => {
  if (!provider) {
    const config = piiKeyConfig();
    provider = config.kind === 'local' ? localKeyProvider(config.key) : kmsKeyProvider(config.keyId);
  }
  return provider;
};

export const seal = async (plaintext: string, context: EncryptionContext, keys: KeyProvider = keyProvider()): Promise<Envelope> => {
  const dataKey = await keys.generateDataKey(context);
  try {
    const { iv, ciphertext, tag } = gcmSeal(dataKey.plaintext, Buffer.from(plaintext, 'utf8'), aadOf(context));
    return {
      ciphertext: ciphertext.toString('base64'),
      key: Buffer.from(dataKey.wrapped).toString('base64'),
      iv: iv.toString('base64'),
      tag: tag.toString('base64'),
    };
  } finally {
    dataKey.plaintext.fill(0);
  }
};

export const open = async (envelope: Envelope, context: EncryptionContext, keys: KeyProvider = keyProvider()): Promise<string> => {
  const dataKey = await keys.unwrapDataKey(Buffer.from(envelope.key, 'base64'), context);
  try {
    const plaintext = gcmOpen(
      dataKey,
      { iv: Buffer.from(envelope.iv, 'base64'), ciphertext: Buffer.from(envelope.ciphertext, 'base64'), tag: Buffer.from(envelope.tag, 'base64') },
      aadOf(context),
    );
    return plaintext.toString('utf8');
  } finally {
    dataKey.fill(0);
  }
};
