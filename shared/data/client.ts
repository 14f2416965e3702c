/**
 * The DynamoDB client, created once per cold start and shared by every data module: a light
 * document client (shared/aws/dynamodb.ts) with lib-dynamodb's commands and types, without the
 * SDK's load time. Every request asks for its consumed capacity and is counted, so the benchmark
 * can report DynamoDB requests and capacity units per route (see scripts/bench.ts).
 */
import { BatchGetCommand, DynamoDocumentClient, type BatchGetCommandOutput } from '../aws/dynamodb.js';
import { isServiceUnavailable } from '../aws/request.js';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { tableName } from '../config.js';

export interface DynamoCall {
  command: string;
  capacityUnits: number;
  /** The error's name when the request failed (a failed condition, a cancelled transaction). */
  failed?: string;
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

const unitsOf = (consumed: unknown) =>
  Array.isArray(consumed)
    ? consumed.reduce((sum: number, c: { CapacityUnits?: number }) => sum + (c.CapacityUnits ?? 0), 0)
    : ((consumed as { CapacityUnits?: number } | undefined)?.CapacityUnits ?? 0);

export const db = new DynamoDocumentClient({
  // BatchGet, Transact* and single-item calls all accept this parameter.
  beforeSend: (_operation, request) => ('ReturnConsumedCapacity' in request ? request : { ...request, ReturnConsumedCapacity: 'TOTAL' }),
  // Failed conditions and cancelled transactions are requests too.
  afterSend: (operation, { document, error }) =>
    calls?.push({
      command: `${operation}Command`,
      capacityUnits: unitsOf(document?.ConsumedCapacity),
      ...(error ? { failed: (error as Error).name ?? 'Error' } : {}),
    }),
});

export const table = () => tableName();

/** DynamoDB (or another AWS service) timed out, failed or throttled after the retries (503). */
export const isUnavailable = isServiceUnavailable;

/** The database stayed contended after retries; the caller may try again shortly (503). */
export class Busy extends Error {
  static readonly detail = { zh: '数据正忙，请稍后重试', en: 'The record is busy; retry shortly' };
  constructor() {
    super(Busy.detail.en);
    this.name = 'Busy';
  }
}

type CancellationReason = { Code?: string; Item?: Record<string, never> };

/** A cancelled transaction's reasons, one per item in order (the error's name says what it is). */
const cancellationReasonsOf = (error: unknown): CancellationReason[] =>
  (error as { name?: string })?.name === 'TransactionCanceledException' ? ((error as { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? []) : [];

const reasonsOf = (error: unknown): string[] => cancellationReasonsOf(error).map((r) => r.Code ?? 'None');

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
  const item = cancellationReasonsOf(error)[index]?.Item;
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
