/**
 * KMS's GenerateDataKey and Decrypt over its JSON API, with binary fields as the SDK gives them
 * (Uint8Array; base64 on the wire).
 */
import { JsonClient, JsonCommand, type ClientHooks } from './client.js';
import type { AwsService } from './request.js';

export const KMS: AwsService = { name: 'kms', endpointEnv: 'KMS', targetPrefix: 'TrentService', jsonVersion: '1.1' };

const bytesOf = (base64: unknown) => (typeof base64 === 'string' ? new Uint8Array(Buffer.from(base64, 'base64')) : undefined);

export interface GenerateDataKeyCommandInput {
  KeyId: string;
  KeySpec: 'AES_256' | 'AES_128';
  EncryptionContext?: Record<string, string>;
}

export interface GenerateDataKeyCommandOutput {
  KeyId?: string;
  Plaintext?: Uint8Array;
  CiphertextBlob?: Uint8Array;
}

export class GenerateDataKeyCommand extends JsonCommand<GenerateDataKeyCommandInput, GenerateDataKeyCommandOutput> {
  readonly operation = 'GenerateDataKey';
  fromResponse(document: Record<string, unknown>): GenerateDataKeyCommandOutput {
    return { ...document, Plaintext: bytesOf(document.Plaintext), CiphertextBlob: bytesOf(document.CiphertextBlob) };
  }
}

export interface DecryptCommandInput {
  KeyId?: string;
  CiphertextBlob: Uint8Array;
  EncryptionContext?: Record<string, string>;
}

export interface DecryptCommandOutput {
  KeyId?: string;
  Plaintext?: Uint8Array;
}

export class DecryptCommand extends JsonCommand<DecryptCommandInput, DecryptCommandOutput> {
  readonly operation = 'Decrypt';
  toRequest() {
    return { ...this.input, CiphertextBlob: Buffer.from(this.input.CiphertextBlob).toString('base64') };
  }
  fromResponse(document: Record<string, unknown>): DecryptCommandOutput {
    return { ...document, Plaintext: bytesOf(document.Plaintext) };
  }
}

export class KmsClient extends JsonClient {
  constructor(hooks?: ClientHooks) {
    super(KMS, hooks);
  }
}
