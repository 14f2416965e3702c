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

export type FailureKind = 'invalid' | 'unauthenticated' | 'forbidden' | 'not-found' | 'conflict' | 'too-large' | 'throttled';

export class Failure extends Error {
  constructor(
    readonly kind: FailureKind,
    readonly detail: Message,
    readonly errors: FieldError[] = [],
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
