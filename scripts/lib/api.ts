/**
 * A small JSON client for the Redstar HTTP API, used by the demo and the benchmark. Problem
 * details (RFC 9457) become an ApiError whose message is one readable line.
 */

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
  ms: number;
}

export class ApiError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly body: any,
  ) {
    super(ApiError.describe(method, path, status, body));
    this.name = 'ApiError';
  }

  static describe(method: string, path: string, status: number, body: any) {
    const problem = body && typeof body === 'object' ? body : undefined;
    const fields = Array.isArray(problem?.errors)
      ? ` [${problem.errors.map((e: { path?: string; message?: string }) => `${e.path || '(body)'}: ${e.message}`).join('; ')}]`
      : '';
    const what = problem?.detail ?? problem?.title ?? (typeof body === 'string' ? body.slice(0, 200) : '');
    return `${method} ${path} → HTTP ${status}${what ? `: ${what}` : ''}${fields}`;
  }
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  /** Statuses that are not an error; default any 2xx. */
  expect?: number[];
  /** Per-request timeout; default 15 s. */
  timeoutMs?: number;
}

export const createApi = (baseUrl: string) => {
  const call = async <T = any>(method: string, path: string, opts: CallOptions = {}): Promise<ApiResponse<T>> => {
    const headers: Record<string, string> = { 'accept-language': 'en' };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const started = performance.now();
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 15_000),
    });
    const text = await res.text();
    const ms = performance.now() - started;
    let body: any = undefined;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    const ok = opts.expect ? opts.expect.includes(res.status) : res.status >= 200 && res.status < 300;
    if (!ok) throw new ApiError(method, path, res.status, body);
    return { status: res.status, body: body as T, headers: res.headers, ms };
  };
  return {
    baseUrl,
    call,
    get: <T = any>(path: string, token?: string, opts: Omit<CallOptions, 'token'> = {}) => call<T>('GET', path, { ...opts, token }),
    post: <T = any>(path: string, body: unknown, token?: string, opts: Omit<CallOptions, 'token' | 'body'> = {}) =>
      call<T>('POST', path, { ...opts, body, token }),
    del: <T = any>(path: string, token?: string, opts: Omit<CallOptions, 'token'> = {}) => call<T>('DELETE', path, { ...opts, token }),
    /** A dev token (local runtime only). */
    token: async (role: string, scope?: string, subject?: string) =>
      (await call<{ token: string }>('POST', '/v1/dev/tokens', { body: { role, scope, subject } })).body.token,
  };
};

export type Api = ReturnType<typeof createApi>;

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Calls `probe` until it returns a value other than undefined, or throws after `timeoutMs`. */
export const pollUntil = async <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000, everyMs = 250): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(everyMs);
  }
};
