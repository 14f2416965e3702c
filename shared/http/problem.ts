/**
 * RFC 9457 problem details: the single place where failures become HTTP responses.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { Failure, type FailureKind, type FieldError } from '../errors.js';

export type Language = 'zh' | 'en';

const STATUS: Record<FailureKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'too-large': 413,
  throttled: 429,
  unavailable: 503,
};

const TITLES: Record<number, { zh: string; en: string }> = {
  400: { zh: '请求参数无效', en: 'Invalid request' },
  401: { zh: '未登录或令牌无效', en: 'Not authenticated' },
  403: { zh: '无权操作', en: 'Forbidden' },
  404: { zh: '资源不存在', en: 'Not found' },
  405: { zh: '不支持的方法', en: 'Method not allowed' },
  409: { zh: '与当前状态冲突', en: 'Conflict' },
  413: { zh: '请求体过大', en: 'Payload too large' },
  415: { zh: '不支持的内容类型', en: 'Unsupported media type' },
  429: { zh: '请求过于频繁', en: 'Too many requests' },
  500: { zh: '服务器内部错误', en: 'Internal server error' },
  503: { zh: '服务暂时繁忙，请稍后重试', en: 'Service busy, retry shortly' },
};

/** Chinese by default; English when the client prefers it. */
export const languageOf = (headers: Record<string, string | undefined> | undefined): Language => {
  const accept = headers?.['accept-language'] ?? '';
  const first = accept.split(',')[0]?.trim().toLowerCase() ?? '';
  return first.startsWith('en') ? 'en' : 'zh';
};

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
}

export const problemResponse = (problem: Problem, headers: Record<string, string> = {}): APIGatewayProxyStructuredResultV2 => ({
  statusCode: problem.status,
  headers: { 'content-type': 'application/problem+json', ...headers },
  body: JSON.stringify(problem),
});

export const problemOf = (status: number, detail: string, lang: Language, errors?: FieldError[]): Problem => ({
  type: status >= 500 ? 'about:blank' : `https://redstar.example/problems/${status}`,
  title: (TITLES[status] ?? TITLES[500])[lang],
  status,
  detail,
  ...(errors && errors.length > 0 ? { errors } : {}),
});

export const failureToProblem = (failure: Failure, lang: Language): Problem =>
  problemOf(STATUS[failure.kind], failure.detail[lang], lang, failure.errors);
