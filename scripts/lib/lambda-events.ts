/**
 * Hand-built API Gateway HTTP API (payload format 2.0) events, shaped like the ones the local
 * gateway (infra/local/gateway.ts) and API Gateway deliver, for invoking handlers in-process.
 */
import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { HttpFunction } from '../../shared/functions.js';

export interface HttpEventInput {
  pathParameters?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
  token?: string;
}

/** `/v1/teams/{id}` with { id: 'X' } → `/v1/teams/X`. */
export const fillPath = (template: string, params: Record<string, string> = {}) =>
  template.replace(/\{(\w+)\+?\}/g, (_, name: string) => {
    if (!(name in params)) throw new Error(`missing path parameter ${name} for ${template}`);
    return encodeURIComponent(params[name]);
  });

export const httpEventFor = (fn: HttpFunction, input: HttpEventInput = {}): APIGatewayProxyEventV2 => {
  const rawPath = fillPath(fn.path, input.pathParameters);
  const rawQueryString = input.query ? new URLSearchParams(input.query).toString() : '';
  const headers: Record<string, string> = {
    host: '127.0.0.1',
    'user-agent': 'redstar-bench',
    'accept-language': 'en',
    'x-forwarded-for': '127.0.0.1',
    'x-forwarded-proto': 'http',
  };
  if (input.token) headers.authorization = `Bearer ${input.token}`;
  if (input.body !== undefined) headers['content-type'] = 'application/json';
  const routeKey = `${fn.method} ${fn.path}`;
  const now = new Date();
  return {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString,
    headers,
    ...(input.query ? { queryStringParameters: input.query } : {}),
    ...(input.pathParameters ? { pathParameters: input.pathParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'bench',
      domainName: '127.0.0.1',
      domainPrefix: '127',
      http: { method: fn.method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'redstar-bench' },
      requestId: randomBytes(12).toString('base64url'),
      routeKey,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    ...(input.body !== undefined ? { body: JSON.stringify(input.body) } : {}),
    isBase64Encoded: false,
  };
};
