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
delete process.env.JWT_SECRET_ARN;
delete process.env.STAR_THRESHOLDS;
delete process.env.HOUR_RULES;
delete process.env.REDSTAR_RUNTIME;
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';

export const TABLE_NAME = 'test-table';
export const HOUR_VERIFICATION_QUEUE_URL = process.env.HOUR_VERIFICATION_QUEUE_URL;
export const AWARD_TALLY_QUEUE_URL = process.env.AWARD_TALLY_QUEUE_URL;
