/**
 * RFC 9457 problem details: the single place where failures become HTTP responses.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { Failure, type FailureKind, type FieldError } from '../errors.js';
import { localizeMessage } from './messages.js';

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

/**
 * Chinese by default; English when the client prefers it: the zh or en range (`en`, `en-US`,
 * `zh-Hans-CN`…) with the highest q-weight (RFC 9110 §12.5.4) wins, the earlier one on a tie;
 * q=0 means "not acceptable".
 */
export const languageOf = (headers: Record<string, string | undefined> | undefined): Language => {
  const accept = headers?.['accept-language'] ?? '';
  let best: { lang: Language; q: number } | undefined;
  for (const part of accept.slice(0, 1000).split(',')) {
    const [rawTag, ...params] = part.split(';');
    const tag = rawTag.trim().toLowerCase();
    const lang: Language | undefined = tag === 'en' || tag.startsWith('en-') ? 'en' : tag === 'zh' || tag.startsWith('zh-') ? 'zh' : undefined;
    if (!lang) continue;
    const qParam = params.map((p) => p.trim().toLowerCase()).find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (!Number.isFinite(q) || q <= 0 || q > 1) continue;
    if (!best || q > best.q) best = { lang, q };
  }
  return best?.lang ?? 'zh';
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
  problemOf(
    STATUS[failure.kind],
    failure.detail[lang],
    lang,
    failure.errors.map((error) => ({ ...error, message: localizeMessage(error.message, lang) })),
  );
