/**
 * Configuration from the environment, read once per cold start. Both the CDK stack and the
 * local runtime set these variables; nothing else reads process.env.
 *
 * AWS endpoints are not configured here: the SDK reads AWS_ENDPOINT_URL_DYNAMODB and
 * AWS_ENDPOINT_URL_SQS itself, which is how the local runtime points handlers at
 * DynamoDB Local and the SQS emulator.
 */
import { QUEUES, type QueueName } from './functions.js';
import { SHENZHEN_STAR_THRESHOLDS, parseStarThresholds, type StarThreshold } from './domain/stars.js';
import { DEFAULT_HOUR_RULES, parseHourRules, type HourRules } from './domain/hours.js';

export const ENV = {
  tableName: 'TABLE_NAME',
  /** Local runtime: the secret itself. */
  jwtSecret: 'JWT_SECRET',
  /** AWS: the Secrets Manager secret holding it. */
  jwtSecretArn: 'JWT_SECRET_ARN',
  /** JSON array of star thresholds; defaults to Shenzhen's. */
  starThresholds: 'STAR_THRESHOLDS',
  /** JSON object overriding parts of the hour rules (graceMinutes, dailyCapMinutes, maxRecordMinutes). */
  hourRules: 'HOUR_RULES',
  /** 'local' in the local runtime; enables local-only routes. */
  runtime: 'REDSTAR_RUNTIME',
  /** AWS: the KMS key (ARN) that wraps the data keys of personal data (identity numbers). */
  piiKeyId: 'PII_KEY_ID',
  /** Local runtime and tests: the 32-byte key (base64) that stands in for the KMS key. */
  piiLocalKey: 'PII_LOCAL_KEY',
  /** AWS: the Secrets Manager secret holding the HMAC key for identity-number and phone lookups. */
  piiHashSecretArn: 'PII_HASH_SECRET_ARN',
  /** Local runtime and tests: the HMAC key itself. */
  piiHashKey: 'PII_HASH_KEY',
  /** WeChat API origin for code2session; the local runtime points it at its stand-in. */
  wechatApiBase: 'WECHAT_API_BASE',
  /** The mini-program's AppID. */
  wechatAppId: 'WECHAT_APP_ID',
  /** Local runtime: the mini-program's AppSecret itself. */
  wechatAppSecret: 'WECHAT_APP_SECRET',
  /** AWS: the Secrets Manager secret holding the AppSecret. */
  wechatAppSecretArn: 'WECHAT_APP_SECRET_ARN',
} as const;

export const DEFAULT_WECHAT_API_BASE = 'https://api.weixin.qq.com';

const required = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`Missing environment variable ${name}`);
  return value;
};

export const tableName = () => required(ENV.tableName);

export const queueUrl = (queue: QueueName) => required(QUEUES[queue].urlEnv);

export const isLocalRuntime = () => process.env[ENV.runtime] === 'local';

/** Where the key that wraps personal-data keys lives: KMS in AWS, a local key on one machine. */
export type PiiKeyConfig = { kind: 'local'; key: Buffer } | { kind: 'kms'; keyId: string };
export const piiKeyConfig = (): PiiKeyConfig => {
  const local = process.env[ENV.piiLocalKey];
  if (local) {
    const key = Buffer.from(local, 'base64');
    if (key.length !== 32) throw new Error(`${ENV.piiLocalKey} must be 32 bytes, base64`);
    return { kind: 'local', key };
  }
  const keyId = process.env[ENV.piiKeyId];
  if (!keyId) throw new Error(`Set ${ENV.piiKeyId} or ${ENV.piiLocalKey}`);
  return { kind: 'kms', keyId };
};

/** Where the HMAC key for identity-number and phone lookups lives. */
export type PiiHashKeyConfig = { kind: 'local'; key: string } | { kind: 'secret'; arn: string };
export const piiHashKeyConfig = (): PiiHashKeyConfig => {
  const local = process.env[ENV.piiHashKey];
  if (local) return { kind: 'local', key: local };
  const arn = process.env[ENV.piiHashSecretArn];
  if (!arn) throw new Error(`Set ${ENV.piiHashSecretArn} or ${ENV.piiHashKey}`);
  return { kind: 'secret', arn };
};

let stars: StarThreshold[] | undefined;
export const starThresholds = (): StarThreshold[] => {
  stars ??= process.env[ENV.starThresholds]
    ? parseStarThresholds(JSON.parse(process.env[ENV.starThresholds]!))
    : SHENZHEN_STAR_THRESHOLDS;
  return stars;
};

let hourRules: HourRules | undefined;
export const hourRulesConfig = (): HourRules => {
  hourRules ??= process.env[ENV.hourRules] ? parseHourRules(JSON.parse(process.env[ENV.hourRules]!)) : DEFAULT_HOUR_RULES;
  return hourRules;
};

/** WeChat mini-program login settings; the secret is either given (local) or named by ARN (AWS). */
export const wechatSettings = () => ({
  apiBase: (process.env[ENV.wechatApiBase] || DEFAULT_WECHAT_API_BASE).replace(/\/+$/, ''),
  appId: process.env[ENV.wechatAppId] || undefined,
  appSecret: process.env[ENV.wechatAppSecret] || undefined,
  appSecretArn: process.env[ENV.wechatAppSecretArn] || undefined,
});
