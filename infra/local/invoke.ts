/**
 * Loads a handler the way Lambda does (once per "cold start", lazily) and invokes it with a
 * Lambda-like context and the function's timeout. Handlers are imported only when first
 * invoked, so the environment is already set and a handler file that does not exist yet fails
 * its own route or queue, not the whole runtime.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { timeoutOf, type FunctionDeclaration } from '../../shared/functions.js';
import { repoRoot } from './state.js';

export type LambdaHandler = (event: unknown, context: Context, callback?: (error?: unknown, result?: unknown) => void) => unknown;

/** The handler could not be loaded (missing file, import error, no `handler` export). */
export class HandlerLoadError extends Error {}
/** The handler ran longer than the function's timeout. */
export class HandlerTimeoutError extends Error {}

export const ACCOUNT_ID = '000000000000';
export const REGION = 'us-east-1';

const loaded = new Map<string, Promise<LambdaHandler>>();

const load = async (entry: string): Promise<LambdaHandler> => {
  const file = path.resolve(repoRoot, entry);
  if (!existsSync(file)) throw new HandlerLoadError(`${entry} does not exist (yet)`);
  let module: { handler?: unknown };
  try {
    module = (await import(pathToFileURL(file).href)) as { handler?: unknown };
  } catch (error) {
    throw new HandlerLoadError(`${entry} failed to load: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof module.handler !== 'function') throw new HandlerLoadError(`${entry} does not export a function named handler`);
  return module.handler as LambdaHandler;
};

/** Cached on success only, so a handler written while the runtime is up works on the next call. */
export const loadHandler = (entry: string): Promise<LambdaHandler> => {
  let pending = loaded.get(entry);
  if (!pending) {
    pending = load(entry);
    loaded.set(entry, pending);
    pending.catch(() => loaded.delete(entry));
  }
  return pending;
};

const lambdaContext = (f: FunctionDeclaration, deadline: number): Context => {
  const requestId = randomUUID();
  const day = new Date().toISOString().slice(0, 10).replace(/-/g, '/');
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: f.name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT_ID}:function:${f.name}`,
    memoryLimitInMB: String(f.memoryMb ?? 128),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${f.name}`,
    logStreamName: `${day}/[$LATEST]${requestId.replace(/-/g, '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
};

/**
 * Runs `f`'s handler on `event`. Like Lambda, a run past the timeout is a failure (the handler
 * cannot be killed in-process; its late result is ignored).
 */
export const invoke = async (f: FunctionDeclaration, event: unknown): Promise<unknown> => {
  const handler = await loadHandler(f.entry);
  const timeoutMs = timeoutOf(f) * 1000;
  const context = lambdaContext(f, Date.now() + timeoutMs);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new HandlerTimeoutError(`${f.name}: Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`)),
      timeoutMs,
    );
  });
  // Callback-style handlers (three parameters) are still supported by the Node.js runtime.
  const run =
    handler.length >= 3
      ? new Promise<unknown>((resolve, reject) => {
          const returned = handler(event, context, (error, result) => (error ? reject(error) : resolve(result)));
          if (returned && typeof (returned as Promise<unknown>).then === 'function') (returned as Promise<unknown>).then(resolve, reject);
        })
      : Promise.resolve().then(() => handler(event, context));
  try {
    return await Promise.race([run, timedOut]);
  } finally {
    clearTimeout(timer);
  }
};
