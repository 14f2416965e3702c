/**
 * Every HTTP handler is one `httpRoute({...})`: it declares its schemas and does its work;
 * middy runs the shared steps around it (authentication, body parsing, validation, problem
 * details). A handler never builds an error response by hand.
 */
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import * as z from '../zod.js';
import en from 'zod/v4/locales/en.js';
import zhCN from 'zod/v4/locales/zh-CN.js';
import { principalFromHeaders } from '../auth/tokens.js';
import type { Principal, Target } from '../domain/access.js';
import { authorize, roleMayEver, type Action } from '../domain/policy.js';
import { forbidden } from '../errors.js';
import { Failure, invalid, tooLarge, type FieldError } from '../errors.js';
import { errorSummary, logger } from '../log.js';
import { Busy, isContention, isUnavailable } from '../data/client.js';
import { bilingual } from './messages.js';
import { failureToProblem, languageOf, problemOf, problemResponse, type Language } from './problem.js';

/**
 * The largest request body a route accepts (bytes, after base64 decoding); larger ones are a 413
 * before anything is parsed. No request of this API comes near it. The gateway's own limit
 * (API Gateway's 10 MB, the local gateway's 1 MiB) still applies first.
 */
export const MAX_BODY_BYTES = 64 * 1024;

const UTF8 = new TextDecoder('utf-8', { fatal: true });

const UNAVAILABLE = { zh: '服务暂时不可用，请稍后重试', en: 'The service is temporarily unavailable; retry shortly' };

// Only the two locales we speak are bundled, not all of zod's.
const zodLocales = { zh: zhCN().localeError, en: en().localeError };

export interface HttpResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}
export const ok = (body: unknown): HttpResult => ({ status: 200, body });
export const created = (body: unknown): HttpResult => ({ status: 201, body });
export const accepted = (body: unknown): HttpResult => ({ status: 202, body });
export const noContent = (): HttpResult => ({ status: 204 });

export interface Request<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  principal: Principal;
  /** Applies the route's action to the record it acts on (shared/domain/policy.ts). */
  authorize: (target: Target) => void;
  lang: Language;
  event: APIGatewayProxyEventV2;
}

interface RouteSpec<P extends z.ZodMiniType, Q extends z.ZodMiniType, B extends z.ZodMiniType> {
  params?: P;
  query?: Q;
  body?: B;
  /** The action the route performs, or 'public' for routes that need no token (login, refresh, dev tokens). */
  action: Action | 'public';
  /** Overrides MAX_BODY_BYTES for this route. */
  maxBodyBytes?: number;
  handle: (request: Request<z.output<P>, z.output<Q>, z.output<B>>) => Promise<HttpResult>;
}

const toFieldErrors = (error: z.core.$ZodError, prefix?: string): FieldError[] =>
  error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || (prefix ?? ''),
    message: issue.message,
  }));

const parsePart = <S extends z.ZodMiniType>(schema: S | undefined, value: unknown, lang: Language, prefix?: string) => {
  if (!schema) return undefined as z.output<S>;
  const result = schema.safeParse(value, { error: zodLocales[lang] });
  if (!result.success) {
    throw invalid({ zh: '请求参数校验失败', en: 'The request did not pass validation' }, toFieldErrors(result.error, prefix));
  }
  return result.data;
};

/** Size of the body as the handler would see it, without decoding it. */
const bodyBytes = (event: APIGatewayProxyEventV2) => {
  const body = event.body;
  if (!body) return 0;
  if (!event.isBase64Encoded) return Buffer.byteLength(body, 'utf8');
  const padding = body.endsWith('==') ? 2 : body.endsWith('=') ? 1 : 0;
  return Math.floor((body.length * 3) / 4) - padding;
};

const checkBodySize = (event: APIGatewayProxyEventV2, limit: number) => {
  if (bodyBytes(event) > limit) {
    const kib = Math.floor(limit / 1024);
    throw tooLarge({ zh: `请求体超过 ${kib} KiB 上限`, en: `The request body exceeds the ${kib} KiB limit` });
  }
};

const INVALID_JSON = bilingual('Invalid JSON', '无效的 JSON');
const NOT_UTF8 = bilingual('not valid UTF-8', '不是有效的 UTF-8 编码');

/** JSON is UTF-8 (RFC 8259): bytes that are not are refused, not turned into U+FFFD. */
const bodyText = (event: APIGatewayProxyEventV2 & { body: string }) => {
  if (!event.isBase64Encoded) return event.body;
  try {
    return UTF8.decode(Buffer.from(event.body, 'base64'));
  } catch {
    throw invalid({ zh: '请求体不是有效的 UTF-8 文本', en: 'The body is not valid UTF-8 text' }, [{ path: '', message: NOT_UTF8 }]);
  }
};

const parseBody = (event: APIGatewayProxyEventV2): unknown => {
  if (event.body === undefined || event.body === null || event.body === '') return undefined;
  const text = bodyText(event as APIGatewayProxyEventV2 & { body: string });
  try {
    return JSON.parse(text);
  } catch {
    throw invalid({ zh: '请求体不是有效的 JSON', en: 'The body is not valid JSON' }, [{ path: '', message: INVALID_JSON }]);
  }
};

const toResponse = (result: HttpResult): APIGatewayProxyStructuredResultV2 => ({
  statusCode: result.status,
  headers: result.body === undefined ? result.headers : { 'content-type': 'application/json', ...result.headers },
  body: result.body === undefined ? undefined : JSON.stringify(result.body),
});

/**
 * Failures become problem documents; contention the data layer did not retry away, and an AWS
 * service that timed out or failed after the retries, are a 503 with Retry-After; anything
 * unexpected is logged and becomes a bare 500. The log line carries the route and a summary of
 * the error (errorSummary: name, short message, frames), never the event, its body or whatever
 * else the error object holds.
 */
const problemDetails = (): middy.MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> => ({
  onError: async (request) => {
    const lang = languageOf(request.event?.headers);
    const error = request.error;
    if (error instanceof Failure) {
      // RFC 9110: a 401 names the scheme the client should use.
      const headers: Record<string, string> = error.kind === 'unauthenticated' ? { 'www-authenticate': 'Bearer' } : {};
      if (error.retryAfterSeconds !== undefined) headers['retry-after'] = String(Math.max(1, Math.ceil(error.retryAfterSeconds)));
      request.response = problemResponse(failureToProblem(error, lang), headers);
    } else if (error instanceof Busy || isContention(error)) {
      // Retrying would succeed: a 503 the client may repeat, not a 500.
      request.response = problemResponse(problemOf(503, Busy.detail[lang], lang), { 'retry-after': '1' });
    } else if (isUnavailable(error)) {
      // A timeout or an outage, not a bug: logged for the operator, a 503 the client may repeat.
      // A write whose answer was lost may have been applied; repeating it answers as for a repeat.
      logger.error('AWS service unavailable', { error: errorSummary(error), routeKey: request.event?.routeKey });
      request.response = problemResponse(problemOf(503, UNAVAILABLE[lang], lang), { 'retry-after': '2' });
    } else {
      logger.error('unhandled error', { error: errorSummary(error), routeKey: request.event?.routeKey });
      request.response = problemResponse(problemOf(500, lang === 'en' ? 'Unexpected error' : '服务器发生意外错误', lang));
    }
  },
});

export const httpRoute = <
  P extends z.ZodMiniType = z.ZodMiniUndefined,
  Q extends z.ZodMiniType = z.ZodMiniUndefined,
  B extends z.ZodMiniType = z.ZodMiniUndefined,
>(
  spec: RouteSpec<P, Q, B>,
) => {
  const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>()
    .use(problemDetails())
    .handler(async (event) => {
      const lang = languageOf(event.headers);
      // Before authentication and parsing: an oversized body costs nothing but this check.
      checkBodySize(event, spec.maxBodyBytes ?? MAX_BODY_BYTES);
      const action = spec.action;
      const principal = action === 'public' ? ({ subject: 'anonymous', role: 'beneficiary' } as Principal) : await principalFromHeaders(event.headers);
      // A role that may never perform the action is refused before anything is read.
      if (action !== 'public' && !roleMayEver(principal.role, action)) throw forbidden();
      const params = parsePart(spec.params, event.pathParameters ?? {}, lang);
      const query = parsePart(spec.query, event.queryStringParameters ?? {}, lang);
      const body = parsePart(spec.body, spec.body ? parseBody(event) : undefined, lang);
      const authorizeTarget = (target: Target) => {
        if (action !== 'public') authorize(principal, action, target);
      };
      return toResponse(await spec.handle({ params, query, body, principal, authorize: authorizeTarget, lang, event }));
    });
  // The schemas stay reachable, for the OpenAPI document and the sample-event test.
  return Object.assign(handler, { schemas: { params: spec.params, query: spec.query, body: spec.body, action: spec.action } });
};
