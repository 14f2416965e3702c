/** Secrets Manager's GetSecretValue over its JSON API: the secrets functions read at cold start. */
import { JsonClient, JsonCommand } from './client.js';
import type { AwsService } from './request.js';

export const SECRETS_MANAGER: AwsService = { name: 'secretsmanager', endpointEnv: 'SECRETS_MANAGER', targetPrefix: 'secretsmanager', jsonVersion: '1.1' };

export interface GetSecretValueCommandInput {
  SecretId: string;
  VersionStage?: string;
}

export interface GetSecretValueCommandOutput {
  ARN?: string;
  Name?: string;
  VersionId?: string;
  SecretString?: string;
}

export class GetSecretValueCommand extends JsonCommand<GetSecretValueCommandInput, GetSecretValueCommandOutput> {
  readonly operation = 'GetSecretValue';
  readonly idempotent = true;
}

export class SecretsManagerClient extends JsonClient.of(SECRETS_MANAGER) {}

let client: SecretsManagerClient | undefined;

/** The secret's string value; `what` names it in the error when it is empty. */
export const readSecretString = async (secretId: string, what: string) => {
  client ??= new SecretsManagerClient();
  const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
  if (!out.SecretString) throw new Error(`${what} is empty`);
  return out.SecretString;
};
