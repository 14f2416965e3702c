/**
 * Typed failures that domain and data code throw. They carry no HTTP: the HTTP layer
 * (shared/http/problem.ts) turns each kind into one status, in one place.
 * Messages come in Chinese (default) and English.
 */
export interface Message {
  zh: string;
  en: string;
}

export interface FieldError {
  path: string;
  message: string;
}

export type FailureKind =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'too-large'
  | 'throttled'
  | 'unavailable';

export class Failure extends Error {
  constructor(
    readonly kind: FailureKind,
    readonly detail: Message,
    readonly errors: FieldError[] = [],
    /** Sent as Retry-After (throttled, unavailable). */
    readonly retryAfterSeconds?: number,
  ) {
    super(detail.en);
    this.name = 'Failure';
  }
}

export const invalid = (detail: Message, errors: FieldError[] = []) => new Failure('invalid', detail, errors);
export const unauthenticated = (detail: Message) => new Failure('unauthenticated', detail);
/** Deliberately says nothing about what lies outside the caller's scope. */
export const forbidden = () =>
  new Failure('forbidden', { zh: '无权访问该资源', en: 'You may not act on this resource' });
export const notFound = (what: Message) =>
  new Failure('not-found', { zh: `${what.zh}不存在`, en: `${what.en} not found` });
export const conflict = (detail: Message) => new Failure('conflict', detail);
export const tooLarge = (detail: Message) => new Failure('too-large', detail);
/** Too many requests; the client may try again after `retryAfterSeconds`. */
export const throttled = (detail: Message, retryAfterSeconds: number) => new Failure('throttled', detail, [], retryAfterSeconds);
/** A dependency (e.g. WeChat) did not answer usefully; the client may try again shortly (503). */
export const unavailable = (detail: Message, retryAfterSeconds = 5) => new Failure('unavailable', detail, [], retryAfterSeconds);
