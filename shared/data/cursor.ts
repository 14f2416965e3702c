/**
 * List cursors: DynamoDB's LastEvaluatedKey as opaque base64url JSON. A cursor is checked
 * against the partition being queried, so a forged one is a 400, not a database error.
 */
import { invalid } from '../errors.js';
import { bilingual } from '../http/messages.js';

const INVALID_CURSOR = bilingual('Invalid cursor', '无效的游标');

export const encodeCursor = (lastKey: Record<string, unknown> | undefined): string | null =>
  lastKey ? Buffer.from(JSON.stringify(lastKey), 'utf8').toString('base64url') : null;

export const badCursor = () =>
  invalid({ zh: '分页游标无效', en: 'The cursor is not valid' }, [{ path: 'cursor', message: INVALID_CURSOR }]);

export interface CursorShape {
  partitionKeyName: string;
  partitionKey: string;
  /** Every key attribute the page's LastEvaluatedKey holds, with its DynamoDB type. */
  keys: { name: string; type: 'S' | 'N' }[];
}

const valueFits = (value: unknown, type: 'S' | 'N') =>
  type === 'S'
    ? typeof value === 'string' && value.length > 0 && value.length <= 1024
    : typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

export const decodeCursor = (cursor: string | undefined, expected: CursorShape): Record<string, unknown> | undefined => {
  if (!cursor) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw badCursor();
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw badCursor();
  const key = parsed as Record<string, unknown>;
  const names = Object.keys(key).sort();
  const wanted = expected.keys.map((k) => k.name).sort();
  const sameShape = names.length === wanted.length && names.every((n, i) => n === wanted[i]);
  // Each value must have its attribute's type: DynamoDB answers a mistyped start key with an error.
  const valuesFit = sameShape && expected.keys.every((k) => valueFits(key[k.name], k.type));
  if (!valuesFit || key[expected.partitionKeyName] !== expected.partitionKey) throw badCursor();
  return key;
};
