/**
 * One signed request to an AWS service's JSON API (DynamoDB, SQS, KMS, Secrets Manager): the
 * transport under the light clients in this folder.
 *
 * Why not the AWS SDK in the functions: loading its DynamoDB client alone takes 45–60 ms on every
 * cold start, more than everything else a function loads (docs/performance.md, a). These four
 * services speak plain JSON over HTTPS, so a request is a body, two headers and a Signature V4
 * (signed by `aws4`, the library aws-lite and others sign with). What the SDK would otherwise do
 * for us is here, and kept as the SDK does it:
 *
 * - endpoint: AWS_ENDPOINT_URL_<SERVICE> (as the SDK reads it; the local runtime points the
 *   functions at DynamoDB Local and the SQS emulator this way), else the regional endpoint, with
 *   the China partition's `amazonaws.com.cn`;
 * - credentials: the Lambda environment's (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
 *   AWS_SESSION_TOKEN); a script run by an operator installs the SDK's provider chain instead
 *   (`useCredentials`);
 * - retries: our policy, modelled on the SDK's standard mode — 3 attempts, exponential backoff
 *   with full jitter (base 100 ms, 500 ms when throttled), on throttling, 429, 500/502/503/504
 *   and the transient error codes. A network failure is retried when the request cannot have
 *   reached the service (connection refused, DNS, a kept-alive socket the server had already
 *   closed); one that may have been applied (a reset or a timeout while waiting for the answer)
 *   only for idempotent operations, so a conditional write is never applied twice and answered
 *   with its own conflict;
 * - errors: an AwsError named after the service's error code (x-amzn-errortype, `code` or
 *   `__type`, in the SDK's order), carrying the fields the service sent (a cancelled
 *   transaction's CancellationReasons, say) and $metadata;
 * - binary values travel base64-encoded, as the JSON protocols require.
 */
import http from 'node:http';
import https from 'node:https';
import aws4 from 'aws4';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export type CredentialSource = () => Promise<AwsCredentials>;

const fromEnvironment: CredentialSource = async () => {
  const accessKeyId = process.env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = process.env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    throw new Error('No AWS credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set (Lambda sets them)');
  }
  return { accessKeyId, secretAccessKey, sessionToken: process.env.AWS_SESSION_TOKEN || undefined };
};

let credentials: CredentialSource = fromEnvironment;

/**
 * Where credentials come from, for code that runs outside Lambda with an operator's profile or
 * SSO login (scripts/create-city-admin.ts passes the SDK's provider chain); none: the environment.
 */
export const useCredentials = (source: CredentialSource = fromEnvironment) => {
  credentials = source;
};

/** An AWS service as its JSON API addresses it. */
export interface AwsService {
  /** Signing name and endpoint prefix: `dynamodb`, `sqs`, `kms`, `secretsmanager`. */
  name: string;
  /** The SDK's service id in AWS_ENDPOINT_URL_<id>: `DYNAMODB`, `SQS`, `KMS`, `SECRETS_MANAGER`. */
  endpointEnv: string;
  /** X-Amz-Target prefix: `DynamoDB_20120810`, `AmazonSQS`, `TrentService`, `secretsmanager`. */
  targetPrefix: string;
  /** `1.0` or `1.1`: the application/x-amz-json version the service speaks. */
  jsonVersion: '1.0' | '1.1';
  /**
   * A JSON.parse reviver for the service's answers, used only on answers `when` matches: a
   * reviver makes parsing about four times slower (DynamoDB turns base64 `B` values into bytes).
   */
  revive?: { when: RegExp; reviver: (key: string, value: unknown) => unknown };
}

/** What a service answered with an error (or a request that never got an answer). */
export class AwsError extends Error {
  /** The service's error code, e.g. ConditionalCheckFailedException. */
  declare name: string;
  readonly $fault: 'client' | 'server';
  readonly $metadata: { httpStatusCode?: number; requestId?: string; attempts: number };
  /** Every other field of the error document (CancellationReasons, Item, …). */
  [field: string]: unknown;

  constructor(name: string, message: string, fields: Record<string, unknown>, metadata: AwsError['$metadata'], fault?: AwsError['$fault']) {
    super(message);
    Object.assign(this, fields);
    this.name = name;
    this.$fault = fault ?? ((metadata.httpStatusCode ?? 500) >= 500 ? 'server' : 'client');
    this.$metadata = metadata;
  }
}

export const regionOf = () => {
  const region = process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION;
  if (!region) throw new Error('No AWS region: AWS_REGION is not set (Lambda sets it)');
  return region;
};

/** https://<service>.<region>.amazonaws.com, or .amazonaws.com.cn in Beijing and Ningxia. */
export const endpointOf = (service: AwsService) => {
  const configured = process.env[`AWS_ENDPOINT_URL_${service.endpointEnv}`] || process.env.AWS_ENDPOINT_URL;
  if (configured) return new URL(configured);
  const region = regionOf();
  return new URL(`https://${service.name}.${region}.${region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com'}`);
};

export const MAX_ATTEMPTS = 3;
/**
 * Per attempt, from sending to the last byte of the answer: DynamoDB answers in milliseconds,
 * and a stuck connection should fail over to a new one well within a function's timeout.
 */
export const ATTEMPT_TIMEOUT_MS = 3000;

const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'RequestThrottledException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'TransactionInProgressException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'LimitExceededException',
  'SlowDown',
  'PriorRequestNotComplete',
]);
const TRANSIENT = new Set(['RequestTimeout', 'RequestTimeoutException', 'InternalServerError', 'InternalFailure', 'ServiceUnavailable']);
const TRANSIENT_STATUS = new Set([500, 502, 503, 504]);
/** The request never left: nothing can have been applied. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);
/** The connection failed after the request may have been read: applied or not, nobody knows. */
const LOST_ANSWER = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED']);

const isThrottling = (error: unknown) => error instanceof AwsError && (THROTTLING.has(error.name) || error.$metadata.httpStatusCode === 429);

/** A network failure of one attempt: its code and whether it happened on a kept-alive socket before any answer. */
interface NetworkFailure {
  code?: string;
  name?: string;
  reusedSocket?: boolean;
}

/** What an attempt that got no answer says about its request: never sent, or perhaps applied. */
const unanswered = (error: unknown): 'not sent' | 'perhaps applied' | undefined => {
  const { code, name } = (error ?? {}) as NetworkFailure;
  if (code !== undefined && NOT_SENT.has(code)) return 'not sent';
  if (name === 'TimeoutError' || (code !== undefined && LOST_ANSWER.has(code))) return 'perhaps applied';
  return undefined;
};

const isRetryable = (error: unknown, idempotent: boolean) => {
  if (error instanceof AwsError) {
    return isThrottling(error) || TRANSIENT.has(error.name) || TRANSIENT_STATUS.has(error.$metadata.httpStatusCode ?? 0);
  }
  const kind = unanswered(error);
  const { code, reusedSocket } = (error ?? {}) as NetworkFailure;
  // Node's advice: a kept-alive socket the server closed while idle fails the next request with
  // ECONNRESET before the server read it.
  const idleSocketClosed = reusedSocket === true && (code === 'ECONNRESET' || code === 'EPIPE');
  return kind === 'not sent' || idleSocketClosed || (idempotent && kind === 'perhaps applied');
};

/**
 * The service did not answer in time, could not be reached, failed on its side or throttled us,
 * after the retries: worth trying again later (a 503 for an HTTP client), not a bug.
 */
export const isServiceUnavailable = (error: unknown) =>
  error instanceof AwsError ? error.$fault === 'server' || isThrottling(error) : unanswered(error) !== undefined;

/** Full jitter, as the SDK: random up to base·2^attempt, at most 20 s. */
const backoffMs = (attempt: number, throttled: boolean) => Math.random() * Math.min(20_000, (throttled ? 500 : 100) * 2 ** attempt);

// Connections are kept open between invocations: a warm function skips the TLS handshake.
const agents = { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) };

/**
 * `com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException` → ConditionalCheckFailedException;
 * from the header, else the document's `code`, else its `__type`, as the SDK reads them.
 */
const errorCodeOf = (header: string | string[] | undefined, code: unknown, type: unknown) => {
  const raw = [header, code, type].find((v): v is string => typeof v === 'string' && v !== '') ?? 'UnknownError';
  return raw.split('#').pop()!.split(':')[0]!.trim();
};

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const pathOf = (url: URL) => (url.pathname === '' ? '/' : url.pathname);

const attempt = (url: URL, headers: Record<string, string | number>, body: string, timeoutMs: number) =>
  new Promise<Answer>((resolve, reject) => {
    const transport = url.protocol === 'http:' ? http : https;
    let answered = false;
    const request = transport.request(
      {
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port || undefined,
        path: pathOf(url),
        method: 'POST',
        headers,
        agent: agents[url.protocol as 'http:' | 'https:'],
      },
      (response) => {
        answered = true;
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      },
    );
    const timer = setTimeout(() => {
      const error = new Error(`No answer from ${url.host} within ${timeoutMs} ms`);
      error.name = 'TimeoutError';
      request.destroy(error);
    }, timeoutMs);
    request.on('close', () => clearTimeout(timer));
    request.on('error', (error: Error & NetworkFailure) => {
      // Whether the server can have read this request (see isRetryable).
      if (request.reusedSocket && !answered) error.reusedSocket = true;
      reject(error);
    });
    request.end(body);
  });

/** A base64 field of an answer as bytes, as the SDK gives binary fields. */
export const bytesFromBase64 = (base64: string) => new Uint8Array(Buffer.from(base64, 'base64'));

/** Bytes as the JSON protocols carry them: base64 (Buffer's own toJSON would give {type, data}). */
function bytesAsBase64(this: Record<string, unknown>, key: string, value: unknown) {
  const raw = this[key];
  return raw instanceof Uint8Array ? Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64') : value;
}

/** The answer's document; undefined when it is not JSON (a proxy's HTML page, say). */
const parse = (text: string, revive: AwsService['revive']): Record<string, unknown> | undefined => {
  if (!text) return {};
  try {
    const value = JSON.parse(text, revive && revive.when.test(text) ? revive.reviver : undefined);
    return value && typeof value === 'object' ? value : {};
  } catch {
    return undefined;
  }
};

export interface CallOptions {
  attemptTimeoutMs?: number;
  /**
   * Whether running the operation twice does what running it once does (reads, a transaction
   * with its ClientRequestToken). Only these are retried after an answer was lost.
   */
  idempotent?: boolean;
}

/**
 * Calls `operation` of `service` with `payload` (JSON-serialisable; Uint8Array values go as
 * base64) and returns the parsed answer with $metadata, or throws an AwsError (or, when the
 * network fails, the network error).
 */
export const callAws = async <T = Record<string, unknown>>(
  service: AwsService,
  operation: string,
  payload: unknown,
  { attemptTimeoutMs = ATTEMPT_TIMEOUT_MS, idempotent = false }: CallOptions = {},
): Promise<T & { $metadata: AwsError['$metadata'] }> => {
  const url = endpointOf(service);
  const region = regionOf();
  const body = JSON.stringify(payload, bytesAsBase64);
  let lastError: unknown;
  for (let attemptNo = 1; attemptNo <= MAX_ATTEMPTS; attemptNo++) {
    try {
      // Signed per attempt: the signature carries the time.
      const signed = aws4.sign(
        {
          host: url.host,
          path: pathOf(url),
          method: 'POST',
          service: service.name,
          region,
          headers: {
            'Content-Type': `application/x-amz-json-${service.jsonVersion}`,
            'X-Amz-Target': `${service.targetPrefix}.${operation}`,
            'Content-Length': Buffer.byteLength(body),
          },
          body,
        },
        await credentials(),
      );
      const answer = await attempt(url, signed.headers as Record<string, string | number>, body, attemptTimeoutMs);
      const requestId = (answer.headers['x-amzn-requestid'] ?? answer.headers['x-amz-request-id']) as string | undefined;
      const $metadata = { httpStatusCode: answer.status, requestId, attempts: attemptNo };
      const document = parse(answer.body, service.revive);
      const succeeded = answer.status >= 200 && answer.status < 300;
      // Not from the service: a "success" that is not JSON must not pass for an empty result.
      if (!document && succeeded) throw new AwsError('InvalidResponse', `Not a JSON answer: ${answer.body.slice(0, 200)}`, {}, $metadata, 'server');
      if (!document) throw new AwsError(errorCodeOf(answer.headers['x-amzn-errortype'], undefined, undefined), answer.body.slice(0, 200), {}, $metadata);
      if (succeeded) return { ...(document as T), $metadata };
      const { __type, code, message, Message, ...fields } = document;
      throw new AwsError(errorCodeOf(answer.headers['x-amzn-errortype'], code, __type), String(message ?? Message ?? `HTTP ${answer.status}`), fields, $metadata);
    } catch (error) {
      lastError = error;
      if (attemptNo === MAX_ATTEMPTS || !isRetryable(error, idempotent)) break;
      await new Promise((resolve) => setTimeout(resolve, backoffMs(attemptNo - 1, isThrottling(error))));
    }
  }
  throw lastError;
};
