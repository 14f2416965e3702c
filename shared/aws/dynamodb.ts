/**
 * DynamoDB as the SDK's document client presents it (lib-dynamodb): items, keys and expression
 * values are plain JavaScript values, converted with the SDK's own marshaller (util-dynamodb,
 * the one lib-dynamodb uses) on the way in and out. Inputs and outputs are lib-dynamodb's types;
 * only the commands the data layer uses are here.
 *
 * As lib-dynamodb does, a cancelled transaction's CancellationReasons keep their items in
 * DynamoDB's attribute-value form (shared/data/client.ts unmarshalls the one it needs).
 */
import { randomUUID } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type {
  BatchGetCommandInput,
  BatchGetCommandOutput,
  DeleteCommandInput,
  DeleteCommandOutput,
  GetCommandInput,
  GetCommandOutput,
  PutCommandInput,
  PutCommandOutput,
  QueryCommandInput,
  QueryCommandOutput,
  TransactWriteCommandInput,
  TransactWriteCommandOutput,
  UpdateCommandInput,
  UpdateCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { JsonClient, JsonCommand } from './client.js';
import { bytesFromBase64, type AwsService } from './request.js';

export type {
  BatchGetCommandInput,
  BatchGetCommandOutput,
  DeleteCommandInput,
  GetCommandInput,
  PutCommandInput,
  QueryCommandInput,
  QueryCommandOutput,
  TransactWriteCommandInput,
  UpdateCommandInput,
};

/** Binary attribute values (`B`, `BS`) arrive base64-encoded; the marshaller expects bytes. */
const binaryValues = (key: string, value: unknown) => {
  if (key === 'B' && typeof value === 'string') return bytesFromBase64(value);
  if (key === 'BS' && Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.map(bytesFromBase64);
  return value;
};

export const DYNAMODB: AwsService = {
  name: 'dynamodb',
  endpointEnv: 'DYNAMODB',
  targetPrefix: 'DynamoDB_20120810',
  jsonVersion: '1.0',
  // `"B":"…"` or `"BS":[…]` appear unescaped only as binary attribute values.
  revive: { when: /"BS?"\s*:\s*[["]/, reviver: binaryValues },
};

type Native = Record<string, unknown>;
type Wire = Record<string, AttributeValue>;

// lib-dynamodb as the data layer configured it: undefined attributes are left out, not an error.
const toWire = (value: Native | undefined): Wire | undefined => (value === undefined ? undefined : marshall(value, { removeUndefinedValues: true }));
const fromWire = (value: unknown): Native | undefined => (value === undefined ? undefined : unmarshall(value as Wire));
const fromWireAll = (values: unknown): Native[] | undefined => (Array.isArray(values) ? values.map((v) => unmarshall(v as Wire)) : undefined);

/** The parts of a request that carry item values. */
const withWireValues = <T extends { ExpressionAttributeValues?: Native; Key?: Native; Item?: Native; ExclusiveStartKey?: Native }>(input: T) => ({
  ...input,
  ...(input.ExpressionAttributeValues ? { ExpressionAttributeValues: toWire(input.ExpressionAttributeValues) } : {}),
  ...(input.Key ? { Key: toWire(input.Key) } : {}),
  ...(input.Item ? { Item: toWire(input.Item) } : {}),
  ...(input.ExclusiveStartKey ? { ExclusiveStartKey: toWire(input.ExclusiveStartKey) } : {}),
});

/** A command on one item or one query: its values go out in attribute-value form. */
abstract class ValuesCommand<Input, Output> extends JsonCommand<Input, Output> {
  toRequest() {
    return withWireValues(this.input as Native);
  }
}

/** Put, Update and Delete: what comes back is the item's attributes (ReturnValues), if asked. */
abstract class WriteItemCommand<Input, Output> extends ValuesCommand<Input, Output> {
  fromResponse(document: Native) {
    return { ...document, ...(document.Attributes ? { Attributes: fromWire(document.Attributes) } : {}) } as Output;
  }
}

export class GetCommand extends ValuesCommand<GetCommandInput, GetCommandOutput> {
  readonly operation = 'GetItem';
  readonly idempotent = true;
  fromResponse(document: Native) {
    return { ...document, Item: fromWire(document.Item) } as GetCommandOutput;
  }
}

export class PutCommand extends WriteItemCommand<PutCommandInput, PutCommandOutput> {
  readonly operation = 'PutItem';
}

export class UpdateCommand extends WriteItemCommand<UpdateCommandInput, UpdateCommandOutput> {
  readonly operation = 'UpdateItem';
}

export class DeleteCommand extends WriteItemCommand<DeleteCommandInput, DeleteCommandOutput> {
  readonly operation = 'DeleteItem';
}

export class QueryCommand extends ValuesCommand<QueryCommandInput, QueryCommandOutput> {
  readonly operation = 'Query';
  readonly idempotent = true;
  fromResponse(document: Native) {
    return { ...document, Items: fromWireAll(document.Items), LastEvaluatedKey: fromWire(document.LastEvaluatedKey) } as QueryCommandOutput;
  }
}

type KeysAndAttributes = { Keys?: Native[] } & Native;

export class BatchGetCommand extends JsonCommand<BatchGetCommandInput, BatchGetCommandOutput> {
  readonly operation = 'BatchGetItem';
  readonly idempotent = true;
  toRequest() {
    const requestItems = (this.input.RequestItems ?? {}) as Record<string, KeysAndAttributes>;
    return {
      ...this.input,
      RequestItems: Object.fromEntries(Object.entries(requestItems).map(([table, wanted]) => [table, { ...wanted, Keys: wanted.Keys?.map((k) => toWire(k)) }])),
    };
  }
  fromResponse(document: Native) {
    const responses = (document.Responses ?? {}) as Record<string, unknown[]>;
    const unprocessed = document.UnprocessedKeys as Record<string, KeysAndAttributes> | undefined;
    return {
      ...document,
      Responses: Object.fromEntries(Object.entries(responses).map(([table, items]) => [table, fromWireAll(items) ?? []])),
      UnprocessedKeys: unprocessed && Object.fromEntries(Object.entries(unprocessed).map(([table, left]) => [table, { ...left, Keys: fromWireAll(left.Keys) }])),
    } as BatchGetCommandOutput;
  }
}

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export class TransactWriteCommand extends JsonCommand<TransactWriteCommandInput, TransactWriteCommandOutput> {
  readonly operation = 'TransactWriteItems';
  /** Every attempt of one send carries the same ClientRequestToken, so DynamoDB applies it once. */
  readonly idempotent = true;
  toRequest() {
    return {
      // As the SDK does: a token per call, so DynamoDB runs a transaction retried after a lost
      // answer only once (its idempotency window is ten minutes).
      ClientRequestToken: randomUUID(),
      ...this.input,
      TransactItems: (this.input.TransactItems ?? []).map((item: TransactItem) =>
        Object.fromEntries(Object.entries(item).map(([kind, action]) => [kind, action && withWireValues(action as Native)])),
      ),
    };
  }
}

export class DynamoDocumentClient extends JsonClient.of(DYNAMODB) {}
