/**
 * One logger for every function (Powertools: JSON lines with the request id).
 *
 * No full identity number or phone ever reaches a log line: every value the logger serialises
 * — the message, every attribute at any depth, object keys, formatted errors (message, stack,
 * cause, extra fields) — goes through `redactPersonalNumbers` first. That is a safety net; code
 * still logs ids (volunteerId, volunteerNumber), never personal data.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { redactPersonalNumbers } from './domain/personal-data.js';

const isPlainObject = (value: object) => {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
};

/**
 * JSON replacer: strings and numbers are redacted; plain objects get redacted keys. Called by
 * JSON.stringify for every value at every depth (Powertools turns errors into plain objects
 * first, whose fields then come through here too).
 */
export const redactingReplacer = (_key: string, value: unknown): unknown => {
  if (typeof value === 'string') return redactPersonalNumbers(value);
  if (typeof value === 'number' || typeof value === 'bigint') {
    const text = String(value);
    const redacted = redactPersonalNumbers(text);
    return redacted === text ? value : redacted;
  }
  if (value && typeof value === 'object' && !Array.isArray(value) && isPlainObject(value)) {
    const entries = Object.entries(value);
    if (entries.some(([name]) => redactPersonalNumbers(name) !== name)) {
      return Object.fromEntries(entries.map(([name, v]) => [redactPersonalNumbers(name), v]));
    }
  }
  return value;
};

export const logger = new Logger({ serviceName: 'redstar', jsonReplacerFn: redactingReplacer });

const MAX_MESSAGE = 300;

/**
 * What an unexpected error may put in a log line: its name, a short message, its stack frames,
 * and AWS SDK diagnostics. Nothing else the error carries (a request input, an item, a body) is
 * copied, and the logger redacts what is left.
 */
export const errorSummary = (error: unknown, depth = 0): Record<string, unknown> => {
  if (!(error instanceof Error)) return { name: typeof error, message: String(error).slice(0, MAX_MESSAGE) };
  const e = error as Error & {
    code?: unknown;
    $fault?: unknown;
    $metadata?: { httpStatusCode?: unknown; requestId?: unknown };
    CancellationReasons?: { Code?: string }[];
  };
  // The first line of a V8 stack repeats the message; keep only the frames.
  const frames = (e.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line)).slice(0, 15);
  return {
    name: e.name,
    message: e.message.length > MAX_MESSAGE ? `${e.message.slice(0, MAX_MESSAGE)}…` : e.message,
    stack: frames,
    ...(typeof e.code === 'string' ? { code: e.code } : {}),
    ...(typeof e.$fault === 'string' ? { fault: e.$fault } : {}),
    ...(e.$metadata ? { httpStatusCode: e.$metadata.httpStatusCode, awsRequestId: e.$metadata.requestId } : {}),
    ...(Array.isArray(e.CancellationReasons) ? { cancellationReasons: e.CancellationReasons.map((r) => r?.Code ?? 'None') } : {}),
    ...(e.cause !== undefined && depth < 2 ? { cause: errorSummary(e.cause, depth + 1) } : {}),
  };
};

/** An access to personal data in full: who looked at whose what. Never the data itself. */
export const logPersonalDataAccess = (event: { field: 'idNumber'; volunteerId: string; subject: string; role: string; scope?: string }) =>
  logger.info('personal data revealed', { accessEvent: 'pii-reveal', ...event });

/** A data subject exported what is held about them (GET /v1/me/export); never the data itself. */
export const logPersonalDataExport = (event: { volunteerId?: string; accountId?: string; subject: string; role: string; sections: Record<string, number> }) =>
  logger.info('personal data exported', { accessEvent: 'pii-export', ...event });
