/**
 * Every function and its trigger, declared once. The CDK stack (infra/stack.ts) and the local
 * runtime (infra/local/) both read this file; nothing about routes, queues or schedules is
 * written anywhere else. The handler file for a route follows from the route:
 * `POST /v1/activities/{id}/publish` → functions/http/activities/publish.ts.
 */

/** What a function may touch; the stack turns this into least-privilege grants. */
export interface Access {
  table?: 'read' | 'readWrite';
  /** Queues the function sends to. */
  sendsTo?: QueueName[];
  /** Needs the JWT signing secret (verifying or signing tokens). */
  jwtSecret?: boolean;
  /**
   * Uses the personal-data KMS key (shared/crypto/envelope.ts): 'encrypt' may seal identity
   * numbers (kms:GenerateDataKey), 'decrypt' may open them (kms:Decrypt). Only what touches
   * identity numbers declares it.
   */
  piiKey?: 'encrypt' | 'decrypt';
  /** Needs the HMAC key for identity-number and phone lookups (shared/crypto/keyed-hash.ts). */
  piiHash?: boolean;
  /** Needs the WeChat mini-program AppSecret (code2session): only the WeChat login. */
  wechatSecret?: true;
}

interface FunctionBase {
  /** Short, unique, kebab-case; also the Lambda's logical id stem. */
  name: string;
  /** Path of the handler module from the repo root; it exports `handler`. */
  entry: string;
  access: Access;
  timeoutSeconds?: number;
  memoryMb?: number;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface HttpFunction extends FunctionBase {
  kind: 'http';
  method: HttpMethod;
  /** API Gateway path syntax: /v1/teams/{id}. */
  path: string;
  /** Local runtime only; never deployed (dev tokens). */
  localOnly?: boolean;
}

export interface QueueFunction extends FunctionBase {
  kind: 'queue';
  queue: QueueName;
  batchSize: number;
  maxBatchingWindowSeconds: number;
}

export interface ScheduledFunction extends FunctionBase {
  kind: 'schedule';
  /** Five-field cron (minute hour day-of-month month day-of-week) in `timezone`. */
  cron: string;
  timezone: string;
}

export type FunctionDeclaration = HttpFunction | QueueFunction | ScheduledFunction;

export interface QueueDeclaration {
  /** Physical name stem; the local runtime uses it as the queue name. */
  name: string;
  /** Environment variable that carries the queue URL to senders. */
  urlEnv: string;
  /** Receives before a message goes to the dead-letter queue. */
  maxReceiveCount: number;
}

export const QUEUES = {
  hourVerification: { name: 'hour-verification', urlEnv: 'HOUR_VERIFICATION_QUEUE_URL', maxReceiveCount: 5 },
  awardTally: { name: 'award-tally', urlEnv: 'AWARD_TALLY_QUEUE_URL', maxReceiveCount: 5 },
} as const satisfies Record<string, QueueDeclaration>;
export type QueueName = keyof typeof QUEUES;

/** Lambda's default; queue visibility timeouts are derived from the consumer's timeout. */
export const DEFAULT_TIMEOUT_SECONDS = 10;
/** AWS recommends a visibility timeout of at least six times the consumer's timeout. */
export const VISIBILITY_TIMEOUT_FACTOR = 6;

const read: Access = { table: 'read', jwtSecret: true };
const write: Access = { table: 'readWrite', jwtSecret: true };

const http = (
  method: HttpMethod,
  path: string,
  entry: string,
  access: Access,
  extra: Partial<HttpFunction> = {},
): HttpFunction => ({
  kind: 'http',
  name: entry.replace(/\//g, '-'),
  entry: `functions/http/${entry}.ts`,
  method,
  path,
  access,
  ...extra,
});

export const FUNCTIONS: FunctionDeclaration[] = [
  http('POST', '/v1/dev/tokens', 'dev/create-token', { jwtSecret: true }, { localOnly: true }),

  http('GET', '/v1/org-units/{id}', 'org-units/get', read),
  http('GET', '/v1/org-units/{id}/children', 'org-units/list-children', read),
  http('GET', '/v1/org-units/{id}/teams', 'teams/list-by-org-unit', read),

  http('POST', '/v1/teams', 'teams/create', write),
  http('GET', '/v1/teams/{id}', 'teams/get', read),
  http('POST', '/v1/teams/{id}/members', 'teams/add-member', write),

  http('POST', '/v1/volunteers', 'volunteers/create', { ...write, piiKey: 'encrypt', piiHash: true }),
  http('GET', '/v1/volunteers/{id}', 'volunteers/get', { ...read, piiKey: 'decrypt' }),
  http('GET', '/v1/volunteers/{id}/hour-records', 'hour-records/list-by-volunteer', read),

  http('POST', '/v1/activities', 'activities/create', write),
  http('GET', '/v1/activities', 'activities/list', read),
  http('GET', '/v1/activities/{id}', 'activities/get', read),
  http('POST', '/v1/activities/{id}/publish', 'activities/publish', write),
  http('POST', '/v1/activities/{id}/cancel', 'activities/cancel', write),

  http('POST', '/v1/activities/{id}/enrollments', 'enrollments/create', write),
  http('DELETE', '/v1/activities/{id}/enrollments/{volunteerId}', 'enrollments/delete', write),
  http('POST', '/v1/activities/{id}/check-ins', 'attendance/check-in', write),
  http('POST', '/v1/activities/{id}/check-outs', 'attendance/check-out', {
    ...write,
    sendsTo: ['hourVerification'],
  }),

  http('POST', '/v1/hour-records', 'hour-records/back-fill', { ...write, sendsTo: ['hourVerification'] }),
  http('GET', '/v1/hour-records/{id}', 'hour-records/get', read),

  http('GET', '/v1/rankings/volunteers', 'rankings/volunteers', read),
  http('GET', '/v1/rankings/teams', 'rankings/teams', read),

  // Consent (PIPL) and beneficiaries. Sensitive details and beneficiaries' identity numbers are
  // sealed with the personal-data key; only GET /v1/beneficiaries/{id} opens them.
  http('POST', '/v1/consents', 'consents/create', write),
  http('POST', '/v1/consents/{id}/withdraw', 'consents/withdraw', write),
  http('GET', '/v1/volunteers/{id}/consents', 'consents/list-by-volunteer', read),
  http('GET', '/v1/beneficiaries/{id}/consents', 'consents/list-by-beneficiary', read),
  http('POST', '/v1/beneficiaries', 'beneficiaries/create', { ...write, piiKey: 'encrypt', piiHash: true }),
  http('GET', '/v1/beneficiaries/{id}', 'beneficiaries/get', { ...read, piiKey: 'decrypt' }),
  http('PUT', '/v1/beneficiaries/{id}/sensitive-details', 'beneficiaries/set-sensitive-details', { ...write, piiKey: 'encrypt' }),
  http('GET', '/v1/org-units/{id}/beneficiaries', 'beneficiaries/list-by-org-unit', read),

  // Identity: public login and session routes (no token), then account administration.
  http('POST', '/v1/auth/wechat', 'auth/wechat', { ...write, piiHash: true, wechatSecret: true }),
  http('POST', '/v1/auth/sms-codes', 'auth/sms-codes', { table: 'readWrite', piiHash: true }),
  http('POST', '/v1/auth/sms', 'auth/sms', { ...write, piiHash: true }),
  http('POST', '/v1/auth/refresh', 'auth/refresh', write),
  http('POST', '/v1/auth/logout', 'auth/logout', { table: 'readWrite' }),
  http('POST', '/v1/auth/switch', 'auth/switch', write),

  http('POST', '/v1/accounts', 'accounts/create', { ...write, piiHash: true }),
  http('GET', '/v1/accounts/{id}', 'accounts/get', read),
  http('POST', '/v1/accounts/{id}/roles', 'accounts/grant-role', { ...write, piiHash: true }),
  http('DELETE', '/v1/accounts/{id}/roles/{grantId}', 'accounts/revoke-role', write),

  // Data-subject rights (PIPL): read, export, correction, deletion; the audit log.
  http('GET', '/v1/me', 'me/get', read),
  // The person's own identity number in full: the one function besides volunteers-get that decrypts.
  http('GET', '/v1/me/export', 'me/export', { ...write, piiKey: 'decrypt' }, { timeoutSeconds: 30 }),
  http('POST', '/v1/me/correction-requests', 'correction-requests/create', write),
  http('GET', '/v1/org-units/{id}/correction-requests', 'correction-requests/list-by-org-unit', read),
  // A phone correction moves the keyed-hash uniqueness and login items; a name correction then
  // rewrites the name on every hour record and tally of the volunteer (resumable, so 30 s is ample).
  http('POST', '/v1/correction-requests/{id}/decide', 'correction-requests/decide', { ...write, piiHash: true }, { timeoutSeconds: 30 }),
  http('POST', '/v1/me/deletion-request', 'deletion-requests/create', write),
  http('GET', '/v1/org-units/{id}/deletion-requests', 'deletion-requests/list-by-org-unit', read),
  // Erasure decrypts the identity number only to find (and delete) its uniqueness item.
  http('POST', '/v1/deletion-requests/{id}/decide', 'deletion-requests/decide', { ...write, piiKey: 'decrypt', piiHash: true }, { timeoutSeconds: 60 }),
  http('GET', '/v1/audit', 'audit/list', read),

  {
    kind: 'queue',
    name: 'verify-hours',
    entry: 'functions/queue/verify-hours.ts',
    queue: 'hourVerification',
    batchSize: 10,
    maxBatchingWindowSeconds: 1,
    timeoutSeconds: 30,
    access: { table: 'readWrite', sendsTo: ['awardTally'] },
  },
  {
    kind: 'queue',
    name: 'tally-awards',
    entry: 'functions/queue/tally-awards.ts',
    queue: 'awardTally',
    batchSize: 10,
    maxBatchingWindowSeconds: 1,
    timeoutSeconds: 30,
    access: { table: 'readWrite' },
  },
  {
    kind: 'schedule',
    name: 'send-reminders',
    entry: 'functions/scheduled/send-reminders.ts',
    cron: '0 9 * * *',
    timezone: 'Asia/Shanghai',
    timeoutSeconds: 60,
    access: { table: 'readWrite' },
  },
  {
    // Safety net for "nothing is lost": a record whose message never reached the queue
    // (the send failed after the write) is sent again.
    kind: 'schedule',
    name: 'requeue-pending-hours',
    entry: 'functions/scheduled/requeue-pending-hours.ts',
    cron: '*/15 * * * *',
    timezone: 'Asia/Shanghai',
    timeoutSeconds: 60,
    access: { table: 'read', sendsTo: ['hourVerification'] },
  },
];

export const httpFunctions = () => FUNCTIONS.filter((f): f is HttpFunction => f.kind === 'http');
export const queueFunctions = () => FUNCTIONS.filter((f): f is QueueFunction => f.kind === 'queue');
export const scheduledFunctions = () => FUNCTIONS.filter((f): f is ScheduledFunction => f.kind === 'schedule');

export const timeoutOf = (f: FunctionDeclaration) => f.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;

/** The consumer of a queue decides its visibility timeout (six times the consumer's timeout). */
export const visibilityTimeoutOf = (queue: QueueName) => {
  const consumer = queueFunctions().find((f) => f.queue === queue);
  return (consumer ? timeoutOf(consumer) : DEFAULT_TIMEOUT_SECONDS) * VISIBILITY_TIMEOUT_FACTOR;
};

/**
 * EventBridge Scheduler's six-field cron from the five-field form croner reads.
 * AWS wants `?` in one of day-of-month / day-of-week, and a year field.
 */
export const toAwsCron = (cron: string) => {
  // croner writes steps as */15; EventBridge documents them as 0/15.
  const [minute, hour, dayOfMonth, month, dayOfWeek] = cron
    .trim()
    .split(/\s+/)
    .map((field, i) => (i < 2 ? field.replace(/^\*\//, '0/') : field));
  if (dayOfWeek === undefined) throw new Error(`cron needs five fields: ${cron}`);
  const dom = dayOfWeek === '*' ? dayOfMonth : '?';
  // croner counts Sunday as 0 (or 7), EventBridge as 1.
  const dow = dayOfWeek === '*' ? '?' : dayOfWeek.replace(/\d+/g, (n) => String((Number(n) % 7) + 1));
  return `cron(${minute} ${hour} ${dom} ${month} ${dow} *)`;
};
