/** One paged Query, with the cursor checked against the partition it belongs to. */
import { QueryCommand, type QueryCommandInput } from '../aws/dynamodb.js';
import { db, table } from './client.js';
import { badCursor, decodeCursor, encodeCursor } from './cursor.js';
import { TABLE } from '../table.js';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface PageQuery {
  index?: string;
  pkName: string;
  pk: string;
  /** Sort-key condition, e.g. { expression: '#sk BETWEEN :a AND :b', values: {...} } using #sk for the sort key. */
  sortKey?: { name: string; expression: string; values: Record<string, unknown> };
  filter?: { expression: string; names?: Record<string, string>; values: Record<string, unknown> };
  limit: number;
  cursor?: string;
  newestFirst?: boolean;
}

const keysOf = (index: string | undefined): { name: string; type: 'S' | 'N' }[] => {
  const base = [
    { name: TABLE.partitionKey, type: 'S' as const },
    { name: TABLE.sortKey, type: 'S' as const },
  ];
  if (!index) return base;
  const declared = TABLE.indexes.find((i) => i.name === index);
  if (!declared) throw new Error(`Unknown index ${index}`);
  return [...base, { name: declared.partitionKey, type: 'S' }, declared.sortKey];
};

export const queryPage = async <T = Record<string, unknown>>(q: PageQuery): Promise<Page<T>> => {
  const input: QueryCommandInput = {
    TableName: table(),
    IndexName: q.index,
    KeyConditionExpression: q.sortKey ? `#pk = :pk AND ${q.sortKey.expression}` : '#pk = :pk',
    ExpressionAttributeNames: {
      '#pk': q.pkName,
      ...(q.sortKey ? { '#sk': q.sortKey.name } : {}),
      ...q.filter?.names,
    },
    ExpressionAttributeValues: { ':pk': q.pk, ...q.sortKey?.values, ...q.filter?.values },
    FilterExpression: q.filter?.expression,
    Limit: q.limit,
    ScanIndexForward: !q.newestFirst,
    ExclusiveStartKey: decodeCursor(q.cursor, { partitionKeyName: q.pkName, partitionKey: q.pk, keys: keysOf(q.index) }),
  };
  let out;
  try {
    out = await db.send(new QueryCommand(input));
  } catch (error) {
    // A well-formed cursor can still lie outside this query's sort-key range; DynamoDB refuses
    // such a start key, and that is the client's cursor at fault, not the server.
    if (q.cursor && (error as { name?: string }).name === 'ValidationException') throw badCursor();
    throw error;
  }
  return { items: (out.Items ?? []) as T[], nextCursor: encodeCursor(out.LastEvaluatedKey) };
};

/**
 * Every item of one partition, page after page, for the data-subject-rights steps that must see
 * all of a person's items (erasure, name propagation). On the base table the read is consistent,
 * so it sees every write committed before it; an index can only be read eventually consistent.
 * `filter` narrows what comes back (each page is still read whole).
 */
export const queryAll = async (
  index: 'gsi1' | 'gsi2' | undefined,
  pk: string,
  filter?: { expression: string; names?: Record<string, string>; values: Record<string, unknown> },
): Promise<Record<string, unknown>[]> => {
  const found: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await db.send(
      new QueryCommand({
        TableName: table(),
        ...(index ? { IndexName: index } : { ConsistentRead: true }),
        KeyConditionExpression: '#pk = :pk',
        ...(filter ? { FilterExpression: filter.expression } : {}),
        ExpressionAttributeNames: { '#pk': index ? `${index}pk` : 'pk', ...filter?.names },
        ExpressionAttributeValues: { ':pk': pk, ...filter?.values },
        Limit: 100,
        ExclusiveStartKey: start,
      }),
    );
    found.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return found;
};
