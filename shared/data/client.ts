/**
 * The DynamoDB client, created once per cold start and shared by every data module.
 * Every request asks for its consumed capacity and is counted, so the benchmark can report
 * DynamoDB requests and capacity units per route (see scripts/bench.ts).
 */
import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, type BatchGetCommandOutput } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { tableName } from '../config.js';

export interface DynamoCall {
  command: string;
  capacityUnits: number;
}

/**
 * Requests made since the last `takeDynamoCalls()`, for the benchmark and tests. Recording
 * starts with the first `takeDynamoCalls()`, so a warm Lambda or `npm start`, which never call
 * it, keep nothing.
 */
let calls: DynamoCall[] | undefined;
export const takeDynamoCalls = () => {
  const taken = calls ?? [];
  calls = [];
  return taken;
};

const unitsOf = (consumed: { CapacityUnits?: number } | { CapacityUnits?: number }[] | undefined) =>
  Array.isArray(consumed) ? consumed.reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0) : (consumed?.CapacityUnits ?? 0);

const raw = new DynamoDBClient({});
raw.middlewareStack.add(
  (next, context) => async (args) => {
    const input = args.input as Record<string, unknown>;
    // BatchWrite/BatchGet/Transact* and single-item calls all accept this parameter.
    if (!('ReturnConsumedCapacity' in input)) input.ReturnConsumedCapacity = 'TOTAL';
    let units = 0;
    try {
      const result = await next(args);
      units = unitsOf((result.output as { ConsumedCapacity?: Parameters<typeof unitsOf>[0] }).ConsumedCapacity);
      return result;
    } finally {
      // Failed conditions and cancelled transactions are requests too.
      calls?.push({ command: context.commandName ?? 'unknown', capacityUnits: units });
    }
  },
  { step: 'initialize', name: 'countCalls' },
);

export const db = DynamoDBDocumentClient.from(raw, {
  marshallOptions: { removeUndefinedValues: true },
});

export const table = () => tableName();

/** The database stayed contended after retries; the caller may try again shortly (503). */
export class Busy extends Error {
  readonly detail = { zh: '数据正忙，请稍后重试', en: 'The record is busy; retry shortly' };
  constructor() {
    super('The record is busy; retry shortly');
    this.name = 'Busy';
  }
}

const reasonsOf = (error: unknown): string[] =>
  error instanceof TransactionCanceledException
    ? (error.CancellationReasons ?? []).map((r) => r.Code ?? 'None')
    : [];

/** Was this transaction cancelled only because another transaction touched the same items? */
export const isTransactionConflict = (error: unknown) => {
  const reasons = reasonsOf(error);
  return reasons.includes('TransactionConflict') && !reasons.includes('ConditionalCheckFailed');
};

/**
 * Contention that a moment later would not meet: a transaction cancelled only by conflicts, or a
 * single-item write refused because a transaction holds the item (the SDK retries neither).
 */
export const isContention = (error: unknown) =>
  isTransactionConflict(error) || (error as { name?: string })?.name === 'TransactionConflictException';

/** Index of the first failed condition in a cancelled transaction, or -1. */
export const failedConditionIndex = (error: unknown) => reasonsOf(error).indexOf('ConditionalCheckFailed');

/**
 * The item as it was when the condition at `index` failed, for a transaction item that asked
 * for it (`ReturnValuesOnConditionCheckFailure: 'ALL_OLD'`): it saves reading it again.
 */
export const itemAtFailedCondition = (error: unknown, index: number): Record<string, unknown> | undefined => {
  const item = error instanceof TransactionCanceledException ? error.CancellationReasons?.[index]?.Item : undefined;
  return item ? unmarshall(item) : undefined;
};

export const isConditionFailure = (error: unknown) =>
  (error as { name?: string })?.name === 'ConditionalCheckFailedException';

/**
 * Runs `attempt` again when DynamoDB cancels it for a conflicting concurrent transaction
 * (hot items such as an activity's enrolled count). Jittered backoff; Busy after the limit.
 */
export const retryOnConflict = async <T>(attempt: () => Promise<T>, tries = 12): Promise<T> => {
  for (let i = 0; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isTransactionConflict(error) || i >= tries - 1) {
        if (isTransactionConflict(error)) throw new Busy();
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(400, 20 * 2 ** i)));
    }
  }
};

/**
 * BatchGet every key, asking again (briefly backing off) for keys DynamoDB leaves unprocessed
 * under load, rather than answer with a missing item; Busy if it never completes.
 */
export const batchGetAll = async (wanted: { pk: string; sk: string }[]) => {
  const items: Record<string, unknown>[] = [];
  let pending: Record<string, unknown>[] | undefined = wanted.map((key) => ({ ...key }));
  for (let attempt = 0; pending?.length; attempt++) {
    if (attempt === 4) throw new Busy();
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** attempt));
    const out: BatchGetCommandOutput = await db.send(new BatchGetCommand({ RequestItems: { [table()]: { Keys: pending } } }));
    items.push(...(out.Responses?.[table()] ?? []));
    pending = out.UnprocessedKeys?.[table()]?.Keys;
  }
  return items;
};
