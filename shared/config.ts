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
} as const;

const required = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`Missing environment variable ${name}`);
  return value;
};

export const tableName = () => required(ENV.tableName);

export const queueUrl = (queue: QueueName) => required(QUEUES[queue].urlEnv);

export const isLocalRuntime = () => process.env[ENV.runtime] === 'local';

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
