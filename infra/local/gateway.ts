/**
 * A local stand-in for API Gateway's HTTP API: routes from the http declarations, payload
 * format 2.0 events, structured results written back the way API Gateway does. Handlers run
 * in this process (see invoke.ts).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { HttpFunction } from '../../shared/functions.js';
import { languageOf, problemOf, type Language } from '../../shared/http/problem.js';
import { ACCOUNT_ID, HandlerLoadError, HandlerTimeoutError, invoke } from './invoke.js';
import { errorMessage, type Log } from './log.js';
import { isAddressInUse } from './ports.js';

/** The local body limit (API Gateway's own is larger; ours keeps handlers honest). */
export const BODY_LIMIT_BYTES = 1024 * 1024;

/** A route served by the runtime itself, never deployed (e.g. firing a schedule). */
export interface LocalRoute {
  method: string;
  path: string;
  run(pathParameters: Record<string, string>, lang: Language): Promise<{ status: number; body: unknown }>;
}

export interface GatewayOptions {
  functions: HttpFunction[];
  localRoutes?: LocalRoute[];
  /** Preferred port; taken → a free one. 0 = any. */
  port: number;
  host?: string;
  log: Log;
}

export interface Gateway {
  url: string;
  port: number;
  close(): Promise<void>;
}

// ---- routing ----------------------------------------------------------------------------

type Segment = { kind: 'literal'; value: string } | { kind: 'param'; name: string } | { kind: 'greedy'; name: string };

interface Route<T> {
  method: string;
  path: string;
  segments: Segment[];
  target: T;
}

const parseTemplate = (path: string): Segment[] =>
  path
    .split('/')
    .slice(1)
    .map((part) => {
      const param = /^\{(.+?)(\+)?\}$/.exec(part);
      if (!param) return { kind: 'literal', value: part };
      return param[2] ? { kind: 'greedy', name: param[1] } : { kind: 'param', name: param[1] };
    });

const RANK = { literal: 0, param: 1, greedy: 2 } as const;
/** API Gateway picks the most specific route: literal segments beat parameters beat {proxy+}. */
const specificity = <T>(a: Route<T>, b: Route<T>) => {
  for (let i = 0; i < Math.max(a.segments.length, b.segments.length); i++) {
    const x = a.segments[i];
    const y = b.segments[i];
    if (!x || !y) return x ? -1 : 1;
    if (RANK[x.kind] !== RANK[y.kind]) return RANK[x.kind] - RANK[y.kind];
  }
  return 0;
};

const decode = (value: string) => {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
};

const matchPath = (segments: Segment[], rawPath: string): Record<string, string> | null => {
  const parts = rawPath.split('/').slice(1);
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    if (segment.kind === 'greedy') {
      const rest = parts.slice(i).join('/');
      if (!rest) return null;
      params[segment.name] = decode(rest);
      return params;
    }
    const part = parts[i];
    if (part === undefined) return null;
    if (segment.kind === 'literal' ? segment.value !== part : part === '') return null;
    if (segment.kind === 'param') params[segment.name] = decode(part);
  }
  return parts.length === segments.length ? params : null;
};

const compile = <T>(routes: { method: string; path: string; target: T }[]): Route<T>[] =>
  routes.map((r) => ({ ...r, segments: parseTemplate(r.path) })).sort(specificity);

// ---- event ------------------------------------------------------------------------------

/** Duplicate headers are comma-joined and names lower-cased; cookies move to `cookies`. */
const headersOf = (req: http.IncomingMessage) => {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i].toLowerCase();
    const value = req.rawHeaders[i + 1];
    if (name === 'cookie') {
      cookies.push(...value.split(';').map((c) => c.trim()).filter(Boolean));
      continue;
    }
    headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  return { headers, cookies };
};

/** Values are percent-decoded ('+' stays '+', as in API Gateway); duplicates comma-joined. */
const queryOf = (rawQueryString: string) => {
  if (!rawQueryString) return undefined;
  const params: Record<string, string> = {};
  for (const pair of rawQueryString.split('&')) {
    if (!pair) continue;
    const at = pair.indexOf('=');
    const key = decode(at < 0 ? pair : pair.slice(0, at));
    const value = at < 0 ? '' : decode(pair.slice(at + 1));
    params[key] = key in params ? `${params[key]},${value}` : value;
  }
  return Object.keys(params).length > 0 ? params : undefined;
};

const TEXT_TYPES = /^(text\/|application\/(json|[\w.+-]*\+json|xml|[\w.+-]*\+xml|javascript|x-www-form-urlencoded|graphql))/i;
const utf8 = new TextDecoder('utf-8', { fatal: true });
/** Text bodies arrive as strings, anything else base64-encoded, as API Gateway does. */
const isText = (contentType: string | undefined, body: Buffer) => {
  if (contentType) return TEXT_TYPES.test(contentType.trim());
  try {
    utf8.decode(body);
    return true;
  } catch {
    return false;
  }
};

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** API Gateway's CLF-style request time: 12/Mar/2020:19:03:58 +0000. */
const requestTime = (d: Date) => {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
};

export const buildEvent = (
  req: http.IncomingMessage,
  body: Buffer,
  route: { method: string; path: string },
  pathParameters: Record<string, string>,
  requestId: string,
): APIGatewayProxyEventV2 => {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const rawPath = q < 0 ? url : url.slice(0, q);
  const rawQueryString = q < 0 ? '' : url.slice(q + 1);
  const { headers, cookies } = headersOf(req);
  const sourceIp = (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
  // API Gateway adds the forwarding headers a load balancer would.
  headers['x-forwarded-for'] = headers['x-forwarded-for'] ? `${headers['x-forwarded-for']}, ${sourceIp}` : sourceIp;
  headers['x-forwarded-proto'] = 'http';
  headers['x-forwarded-port'] = String(req.socket.localPort ?? '');
  const routeKey = `${route.method} ${route.path}`;
  const now = new Date();
  const domainName = headers.host ?? 'localhost';
  const text = isText(headers['content-type'], body);
  const queryStringParameters = queryOf(rawQueryString);
  return {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(queryStringParameters ? { queryStringParameters } : {}),
    ...(Object.keys(pathParameters).length > 0 ? { pathParameters } : {}),
    requestContext: {
      accountId: ACCOUNT_ID,
      apiId: 'local',
      domainName,
      domainPrefix: domainName.split('.')[0].split(':')[0],
      http: {
        method: req.method ?? 'GET',
        path: rawPath,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey,
      stage: '$default',
      time: requestTime(now),
      timeEpoch: now.getTime(),
    },
    ...(body.length > 0 ? { body: text ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: body.length > 0 && !text,
  };
};

// ---- response ---------------------------------------------------------------------------

const writeProblem = (res: http.ServerResponse, status: number, detail: string, lang: Language, extra: Record<string, string> = {}) => {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { 'content-type': 'application/problem+json', ...extra });
  res.end(JSON.stringify(problemOf(status, detail, lang)));
};

const isStructured = (result: unknown): result is APIGatewayProxyStructuredResultV2 =>
  typeof result === 'object' && result !== null && 'statusCode' in result;

/** Writes what a handler returned, with API Gateway's rules for results without a statusCode. */
const writeResult = (res: http.ServerResponse, result: unknown, requestId: string) => {
  if (!isStructured(result)) {
    res.writeHead(200, { 'content-type': 'application/json', 'apigw-requestid': requestId });
    res.end(JSON.stringify(result ?? null));
    return;
  }
  const status = Number(result.statusCode);
  if (!Number.isInteger(status) || status < 100 || status > 599) throw new Error(`invalid statusCode ${String(result.statusCode)}`);
  const headers: Record<string, string | string[]> = { 'apigw-requestid': requestId };
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name.toLowerCase()] = String(value);
  if (result.cookies && result.cookies.length > 0) headers['set-cookie'] = result.cookies;
  const body = result.body === undefined ? undefined : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
  res.writeHead(status, headers);
  res.end(body);
};

// ---- server -----------------------------------------------------------------------------

type Target = { kind: 'function'; fn: HttpFunction } | { kind: 'local'; route: LocalRoute };

const say = (lang: Language, zh: string, en: string) => (lang === 'en' ? en : zh);

/** Reads the body up to the limit; null if it is larger (the rest is drained, not kept). */
const readBody = (req: http.IncomingMessage, limit: number) =>
  new Promise<Buffer | null>((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = Number.isFinite(declared) && declared > limit;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      if (!tooLarge) chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });

export const startGateway = async ({ functions, localRoutes = [], port: preferred, host = '127.0.0.1', log }: GatewayOptions): Promise<Gateway> => {
  const routes = compile<Target>([
    ...functions.map((fn) => ({ method: fn.method, path: fn.path, target: { kind: 'function', fn } as Target })),
    ...localRoutes.map((route) => ({ method: route.method, path: route.path, target: { kind: 'local', route } as Target })),
  ]);

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const started = Date.now();
    const requestId = randomBytes(12).toString('base64url');
    const lang = languageOf(req.headers as Record<string, string | undefined>);
    const method = req.method ?? 'GET';
    const rawPath = (req.url ?? '/').split('?')[0];
    res.on('finish', () => log.info(`${method} ${req.url} → ${res.statusCode} (${Date.now() - started} ms)`));

    const candidates = routes.map((route) => ({ route, params: matchPath(route.segments, rawPath) })).filter((c) => c.params);
    const match = candidates.find((c) => c.route.method === method);
    if (!match) {
      const allowed = [...new Set(candidates.map((c) => c.route.method))];
      // Like API Gateway, a path served for other methods is still "no route" (404), but say so.
      const detail =
        allowed.length > 0
          ? say(lang, `${rawPath} 不支持 ${method}，支持：${allowed.join(', ')}`, `${method} is not served on ${rawPath}; try ${allowed.join(', ')}`)
          : say(lang, `没有与 ${method} ${rawPath} 匹配的路由`, `No route matches ${method} ${rawPath}`);
      req.resume();
      return writeProblem(res, 404, detail, lang);
    }

    const body = await readBody(req, BODY_LIMIT_BYTES);
    if (body === null) {
      return writeProblem(res, 413, say(lang, '请求体超过 1 MiB 上限', 'The request body exceeds the 1 MiB limit'), lang, { connection: 'close' });
    }

    const { target } = match.route;
    if (target.kind === 'local') {
      const { status, body: payload } = await target.route.run(match.params!, lang);
      res.writeHead(status, { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json' });
      return void res.end(JSON.stringify(payload));
    }

    const event = buildEvent(req, body, match.route, match.params!, requestId);
    let result: unknown;
    try {
      result = await invoke(target.fn, event);
    } catch (error) {
      if (error instanceof HandlerLoadError) log.error(`${target.fn.name}: ${error.message}`);
      else log.error(`${target.fn.name} (${target.fn.entry}) failed on ${method} ${rawPath}`, error);
      const detail =
        error instanceof HandlerLoadError || error instanceof HandlerTimeoutError
          ? errorMessage(error)
          : say(lang, `处理函数 ${target.fn.name} 出错`, `The handler ${target.fn.name} failed`);
      return writeProblem(res, 500, detail, lang);
    }
    try {
      writeResult(res, result, requestId);
    } catch (error) {
      log.error(`${target.fn.name} returned a result API Gateway would reject: ${errorMessage(error)}`);
      writeProblem(res, 500, say(lang, `处理函数 ${target.fn.name} 返回了无效的结果`, `The handler ${target.fn.name} returned an invalid result`), lang);
    }
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error) => {
      log.error(`gateway failed on ${req.method} ${req.url}`, error);
      writeProblem(res, 500, errorMessage(error), languageOf(req.headers as Record<string, string | undefined>));
    });
  });

  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port, host }, () => {
        server.removeListener('error', reject);
        resolve((server.address() as AddressInfo).port);
      });
    });
  let port: number;
  try {
    port = await listen(preferred);
  } catch (error) {
    if (!isAddressInUse(error) || preferred === 0) throw error;
    port = await listen(0);
    log.warn(`port ${preferred} is taken; the API listens on ${port} instead`);
  }

  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
};
