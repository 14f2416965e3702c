/**
 * Environment for handler tests. Imported first by helpers.ts, so it runs before any handler or
 * shared module is evaluated (config is read lazily, but the JWT secret is cached on first use).
 */
process.env.TABLE_NAME = 'test-table';
process.env.JWT_SECRET = 'test-secret-for-handler-tests-0123456789';
process.env.HOUR_VERIFICATION_QUEUE_URL = 'http://localhost/q/hour-verification';
process.env.AWARD_TALLY_QUEUE_URL = 'http://localhost/q/award-tally';
process.env.AWS_REGION = 'us-east-1';
process.env.AWS_ACCESS_KEY_ID = 'test';
process.env.AWS_SECRET_ACCESS_KEY = 'test';
// Personal data: the KMS path as in AWS (KMS mocked in helpers.ts), the HMAC key from env.
process.env.PII_KEY_ID = 'arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-00000000beef';
process.env.PII_HASH_KEY = 'test-pii-hash-key';
delete process.env.PII_LOCAL_KEY;
delete process.env.PII_HASH_SECRET_ARN;
delete process.env.JWT_SECRET_ARN;
// WeChat login: the handler tests stub fetch; these only have to be present.
process.env.WECHAT_API_BASE = 'https://wechat.test';
process.env.WECHAT_APP_ID = 'wx-test-app';
process.env.WECHAT_APP_SECRET = 'test-wechat-app-secret';
delete process.env.WECHAT_APP_SECRET_ARN;
delete process.env.STAR_THRESHOLDS;
delete process.env.HOUR_RULES;
delete process.env.REDSTAR_RUNTIME;
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';

export const TABLE_NAME = 'test-table';
export const PII_KEY_ID = process.env.PII_KEY_ID;
export const PII_HASH_KEY = process.env.PII_HASH_KEY;
export const HOUR_VERIFICATION_QUEUE_URL = process.env.HOUR_VERIFICATION_QUEUE_URL;
export const AWARD_TALLY_QUEUE_URL = process.env.AWARD_TALLY_QUEUE_URL;
