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
 * - retries: the SDK's standard mode — 3 attempts, exponential backoff with full jitter (base
 *   100 ms, 500 ms when throttled), on network errors, timeouts, 5xx, 429 and throttling codes;
 * - errors: an AwsError named after the service's error code, carrying the fields the service
 *   sent (a cancelled transaction's CancellationReasons, say) and $metadata.
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
}

/** What a service answered with an error (or a request that never got an answer). */
export class AwsError extends Error {
  /** The service's error code, e.g. ConditionalCheckFailedException. */
  declare name: string;
  readonly $fault: 'client' | 'server';
  readonly $metadata: { httpStatusCode?: number; requestId?: string; attempts: number };
  /** Every other field of the error document (CancellationReasons, Item, …). */
  [field: string]: unknown;

  constructor(name: string, message: string, fields: Record<string, unknown>, metadata: AwsError['$metadata']) {
    super(message);
    Object.assign(this, fields);
    this.name = name;
    this.$fault = (metadata.httpStatusCode ?? 500) >= 500 ? 'server' : 'client';
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
/** Per attempt, from sending to the last byte of the answer: DynamoDB answers in milliseconds. */
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
const TRANSIENT_NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ECONNABORTED']);

const isThrottling = (error: unknown) => error instanceof AwsError && (THROTTLING.has(error.name) || error.$metadata.httpStatusCode === 429);

const isRetryable = (error: unknown) => {
  if (error instanceof AwsError) return isThrottling(error) || TRANSIENT.has(error.name) || (error.$metadata.httpStatusCode ?? 0) >= 500;
  const code = (error as { code?: string })?.code;
  return (error as Error)?.name === 'TimeoutError' || (code !== undefined && TRANSIENT_NETWORK.has(code));
};

/** Full jitter, as the SDK: random up to base·2^attempt, at most 20 s. */
const backoffMs = (attempt: number, throttled: boolean) => Math.random() * Math.min(20_000, (throttled ? 500 : 100) * 2 ** attempt);

// Connections are kept open between invocations: a warm function skips the TLS handshake.
const agents = { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) };

/** `com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException` → ConditionalCheckFailedException. */
const errorCodeOf = (type: unknown, header: string | string[] | undefined) => {
  const raw = typeof type === 'string' && type ? type : typeof header === 'string' ? header : 'UnknownError';
  return raw.split('#').pop()!.split(':')[0]!;
};

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const attempt = (url: URL, headers: Record<string, string | number>, body: string, timeoutMs: number) =>
  new Promise<Answer>((resolve, reject) => {
    const transport = url.protocol === 'http:' ? http : https;
    const request = transport.request(
      {
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port || undefined,
        path: url.pathname === '' ? '/' : url.pathname,
        method: 'POST',
        headers,
        agent: agents[url.protocol as 'http:' | 'https:'],
      },
      (response) => {
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
    request.on('error', reject);
    request.end(body);
  });

const parse = (text: string): Record<string, unknown> => {
  if (!text) return {};
  try {
    const value = JSON.parse(text);
    return value && typeof value === 'object' ? value : {};
  } catch {
    return { message: text.slice(0, 200) };
  }
};

/**
 * Calls `operation` of `service` with `payload` (JSON-serialisable) and returns the parsed
 * answer with $metadata, or throws an AwsError (or, when the network fails on every attempt,
 * the last network error).
 */
export const callAws = async <T = Record<string, unknown>>(
  service: AwsService,
  operation: string,
  payload: unknown,
  { attemptTimeoutMs = ATTEMPT_TIMEOUT_MS } = {},
): Promise<T & { $metadata: AwsError['$metadata'] }> => {
  const url = endpointOf(service);
  const region = regionOf();
  const body = JSON.stringify(payload);
  let lastError: unknown;
  for (let attemptNo = 1; attemptNo <= MAX_ATTEMPTS; attemptNo++) {
    try {
      // Signed per attempt: the signature carries the time.
      const signed = aws4.sign(
        {
          host: url.host,
          path: '/',
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
      const document = parse(answer.body);
      const requestId = (answer.headers['x-amzn-requestid'] ?? answer.headers['x-amz-request-id']) as string | undefined;
      const $metadata = { httpStatusCode: answer.status, requestId, attempts: attemptNo };
      if (answer.status >= 200 && answer.status < 300) return { ...(document as T), $metadata };
      const { __type, message, Message, ...fields } = document;
      throw new AwsError(errorCodeOf(__type, answer.headers['x-amzn-errortype']), String(message ?? Message ?? `HTTP ${answer.status}`), fields, $metadata);
    } catch (error) {
      lastError = error;
      if (attemptNo === MAX_ATTEMPTS || !isRetryable(error)) break;
      await new Promise((resolve) => setTimeout(resolve, backoffMs(attemptNo - 1, isThrottling(error))));
    }
  }
  throw lastError;
};
