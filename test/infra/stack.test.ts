/**
 * The synthesized CloudFormation template, checked against the declarations in shared/.
 * Bundling is skipped (context `aws:cdk:bundling-stacks` = []) and entries resolve to stub
 * handlers in a temporary directory, so this needs neither esbuild runs nor real handler files.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_THROTTLE, RedstarStack, type RedstarStackProps } from '../../infra/stack.js';
import { ENV } from '../../shared/config.js';
import {
  FUNCTIONS,
  QUEUES,
  VISIBILITY_TIMEOUT_FACTOR,
  timeoutOf,
  toAwsCron,
  visibilityTimeoutOf,
  type FunctionDeclaration,
  type QueueName,
} from '../../shared/functions.js';
import { TABLE } from '../../shared/table.js';

type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string; UpdateReplacePolicy?: string };
type Resources = Record<string, Resource>;

const deployed = FUNCTIONS.filter((f) => !(f.kind === 'http' && f.localOnly));
const localOnly = FUNCTIONS.filter((f) => f.kind === 'http' && f.localOnly);
const queueNames = Object.keys(QUEUES) as QueueName[];

let stubRoot: string;

/** A directory that looks like the repo to NodejsFunction: a lock file and every entry, stubbed. */
const makeStubRoot = () => {
  const root = mkdtempSync(path.join(tmpdir(), 'redstar-infra-'));
  writeFileSync(path.join(root, 'package-lock.json'), '{"lockfileVersion":3}');
  for (const f of FUNCTIONS) {
    const file = path.join(root, f.entry);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, 'export const handler = async () => {};\n');
  }
  return root;
};

const synth = (props: RedstarStackProps = {}, context: Record<string, unknown> = {}) => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
  const stack = new RedstarStack(app, 'Redstar', { repoRoot: stubRoot, ...props });
  return Template.fromStack(stack);
};

const ofType = (resources: Resources, type: string) =>
  Object.entries(resources).filter(([, r]) => r.Type === type);

const refOf = (value: any): string | undefined => value?.Ref ?? value?.['Fn::GetAtt']?.[0];

let template: Template;
let resources: Resources;
/** Function logical id → its declaration (each function's Description is its entry). */
let declarationOf: Map<string, FunctionDeclaration>;
let logicalIdOf: Map<string, string>;

beforeAll(() => {
  stubRoot = makeStubRoot();
  template = synth();
  resources = template.toJSON().Resources;
  declarationOf = new Map();
  logicalIdOf = new Map();
  for (const [id, r] of ofType(resources, 'AWS::Lambda::Function')) {
    const declaration = FUNCTIONS.find((f) => f.entry === r.Properties.Description);
    if (declaration) {
      declarationOf.set(id, declaration);
      logicalIdOf.set(declaration.name, id);
    }
  }
}, 120_000);

afterAll(() => {
  if (stubRoot) rmSync(stubRoot, { recursive: true, force: true });
});

const policyStatementsOfFunction = (fnId: string) => {
  const roleId = refOf(resources[fnId]!.Properties.Role);
  return ofType(resources, 'AWS::IAM::Policy')
    .filter(([, p]) => p.Properties.Roles.some((role: any) => refOf(role) === roleId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as any[]);
};
const actionsOf = (statement: any): string[] => [statement.Action].flat();

describe('table', () => {
  it('is retained, deletion-protected, on-demand, with point-in-time recovery', () => {
    const tables = ofType(resources, 'AWS::DynamoDB::GlobalTable');
    expect(tables).toHaveLength(1);
    const [, table] = tables[0]!;
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.UpdateReplacePolicy).toBe('Retain');
    expect(table.Properties.BillingMode).toBe('PAY_PER_REQUEST');
    const replicas = table.Properties.Replicas as any[];
    expect(replicas.length).toBeGreaterThan(0);
    for (const replica of replicas) {
      expect(replica.PointInTimeRecoverySpecification?.PointInTimeRecoveryEnabled).toBe(true);
      expect(replica.DeletionProtectionEnabled).toBe(true);
    }
  });

  it('has the keys and every index declared in TABLE', () => {
    const [, table] = ofType(resources, 'AWS::DynamoDB::GlobalTable')[0]!;
    const props = table.Properties;
    expect(props.KeySchema).toEqual([
      { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
    ]);
    const attributeType = new Map((props.AttributeDefinitions as any[]).map((a) => [a.AttributeName, a.AttributeType]));
    expect(attributeType.get(TABLE.partitionKey)).toBe('S');
    expect(attributeType.get(TABLE.sortKey)).toBe('S');

    const indexes = props.GlobalSecondaryIndexes as any[];
    expect(indexes.map((i) => i.IndexName).sort()).toEqual(TABLE.indexes.map((i) => i.name).sort());
    for (const declared of TABLE.indexes) {
      const index = indexes.find((i) => i.IndexName === declared.name);
      expect(index.KeySchema).toEqual([
        { AttributeName: declared.partitionKey, KeyType: 'HASH' },
        { AttributeName: declared.sortKey.name, KeyType: 'RANGE' },
      ]);
      expect(index.Projection).toEqual({ ProjectionType: 'ALL' });
      expect(attributeType.get(declared.partitionKey)).toBe('S');
      expect(attributeType.get(declared.sortKey.name)).toBe(declared.sortKey.type);
    }
  });
});

describe('queues', () => {
  const queueByName = (name: string) => {
    const found = ofType(resources, 'AWS::SQS::Queue').filter(([, q]) => q.Properties.QueueName === `Redstar-${name}`);
    expect(found, `queue Redstar-${name}`).toHaveLength(1);
    return found[0]!;
  };

  it.each(queueNames)('%s has a dead-letter queue with the declared maxReceiveCount', (key) => {
    const [, queue] = queueByName(QUEUES[key].name);
    const [dlqId, dlq] = queueByName(`${QUEUES[key].name}-dlq`);
    expect(queue.Properties.RedrivePolicy.maxReceiveCount).toBe(QUEUES[key].maxReceiveCount);
    expect(refOf(queue.Properties.RedrivePolicy.deadLetterTargetArn)).toBe(dlqId);
    expect(dlq.Properties.MessageRetentionPeriod).toBe(14 * 24 * 60 * 60);
  });

  it.each(queueNames)("%s's visibility timeout is at least six times its consumer's timeout", (key) => {
    const [queueId, queue] = queueByName(QUEUES[key].name);
    expect(queue.Properties.VisibilityTimeout).toBe(visibilityTimeoutOf(key));
    const mappings = ofType(resources, 'AWS::Lambda::EventSourceMapping').filter(
      ([, m]) => refOf(m.Properties.EventSourceArn) === queueId,
    );
    const consumers = deployed.filter((f) => f.kind === 'queue' && f.queue === key);
    expect(mappings).toHaveLength(consumers.length);
    for (const [, mapping] of mappings) {
      const fn = resources[refOf(mapping.Properties.FunctionName)!]!;
      expect(queue.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(VISIBILITY_TIMEOUT_FACTOR * fn.Properties.Timeout);
    }
  });

  it.each(queueNames)('%s enforces TLS on the queue and its dead-letter queue', (key) => {
    for (const name of [QUEUES[key].name, `${QUEUES[key].name}-dlq`]) {
      const [queueId] = queueByName(name);
      const policies = ofType(resources, 'AWS::SQS::QueuePolicy').filter(([, p]) =>
        p.Properties.Queues.some((q: any) => refOf(q) === queueId),
      );
      const statements = policies.flatMap(([, p]) => p.Properties.PolicyDocument.Statement as any[]);
      expect(statements.some((s) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false')).toBe(true);
    }
  });

  it.each(queueNames)('%s has an alarm on its dead-letter queue', (key) => {
    const [dlqId] = queueByName(`${QUEUES[key].name}-dlq`);
    const alarms = ofType(resources, 'AWS::CloudWatch::Alarm').filter(([, a]) =>
      (a.Properties.Dimensions ?? []).some((d: any) => d.Name === 'QueueName' && refOf(d.Value) === dlqId),
    );
    expect(alarms).toHaveLength(1);
    const [, alarm] = alarms[0]!;
    expect(alarm.Properties).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
    });
    // Someone hears of it, going into alarm and coming back.
    const [topicId] = ofType(resources, 'AWS::SNS::Topic')[0]!;
    expect(alarm.Properties.AlarmActions.map(refOf)).toEqual([topicId]);
    expect(alarm.Properties.OKActions.map(refOf)).toEqual([topicId]);
  });

  it('e-mails the alarm topic to the addresses in context `alarmEmails`, and to nobody without it', () => {
    expect(ofType(resources, 'AWS::SNS::Subscription')).toHaveLength(0);
    const withEmails = synth({}, { alarmEmails: 'ops@example.org, duty@example.org' });
    const subscriptions = ofType(withEmails.toJSON().Resources, 'AWS::SNS::Subscription').map(([, r]) => r.Properties);
    expect(subscriptions.map((p) => [p.Protocol, p.Endpoint]).sort()).toEqual([
      ['email', 'duty@example.org'],
      ['email', 'ops@example.org'],
    ]);
  }, 120_000);

  it('every queue event source mapping reports partial batch failures and uses the declared batching', () => {
    const mappings = ofType(resources, 'AWS::Lambda::EventSourceMapping');
    expect(mappings).toHaveLength(deployed.filter((f) => f.kind === 'queue').length);
    for (const [, mapping] of mappings) {
      expect(mapping.Properties.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
      const declaration = declarationOf.get(refOf(mapping.Properties.FunctionName)!);
      expect(declaration?.kind).toBe('queue');
      if (declaration?.kind !== 'queue') continue;
      expect(mapping.Properties.BatchSize).toBe(declaration.batchSize);
      expect(mapping.Properties.MaximumBatchingWindowInSeconds).toBe(declaration.maxBatchingWindowSeconds);
      const [queueId] = queueByName(QUEUES[declaration.queue].name);
      expect(refOf(mapping.Properties.EventSourceArn)).toBe(queueId);
    }
  });
});

describe('functions', () => {
  it('deploys exactly one function per non-local declaration', () => {
    expect(ofType(resources, 'AWS::Lambda::Function')).toHaveLength(deployed.length);
    expect([...declarationOf.values()].map((f) => f.name).sort()).toEqual(deployed.map((f) => f.name).sort());
  });

  it('runs every function on nodejs22.x and arm64', () => {
    for (const [, fn] of ofType(resources, 'AWS::Lambda::Function')) {
      expect(fn.Properties.Runtime).toBe('nodejs22.x');
      expect(fn.Properties.Architectures).toEqual(['arm64']);
    }
  });

  it.each(deployed.map((f) => [f.name, f] as const))('%s: timeout, memory, logs and environment', (_, f) => {
    const fnId = logicalIdOf.get(f.name)!;
    const props = resources[fnId]!.Properties;
    expect(props.Handler).toBe('index.handler');
    expect(props.Timeout).toBe(timeoutOf(f));
    expect(props.MemorySize).toBe(f.memoryMb ?? 512);
    expect(resources[refOf(props.LoggingConfig?.LogGroup)!]?.Properties.RetentionInDays).toBe(30);

    const env: Record<string, any> = props.Environment.Variables;
    expect(refOf(env[ENV.tableName])).toBe(ofType(resources, 'AWS::DynamoDB::GlobalTable')[0]![0]);
    expect(env.NODE_OPTIONS).toBe('--enable-source-maps');
    expect(env[ENV.runtime]).not.toBe('local');
    expect(ENV.jwtSecretArn in env).toBe(Boolean(f.access.jwtSecret));
    expect(ENV.piiKeyId in env).toBe(Boolean(f.access.piiKey));
    expect(ENV.piiHashSecretArn in env).toBe(Boolean(f.access.piiHash));
    if (f.access.piiKey) expect(refOf(env[ENV.piiKeyId])).toBe(ofType(resources, 'AWS::KMS::Key')[0]![0]);
    // The local stand-ins never reach AWS.
    expect(ENV.piiLocalKey in env).toBe(false);
    expect(ENV.piiHashKey in env).toBe(false);
    for (const q of queueNames) expect(QUEUES[q].urlEnv in env).toBe(Boolean(f.access.sendsTo?.includes(q)));
  });

  it('never deploys the local-only functions', () => {
    const json = JSON.stringify(template.toJSON());
    for (const f of localOnly) {
      expect(declarationOf.has(f.name)).toBe(false);
      expect(logicalIdOf.has(f.name)).toBe(false);
      expect(json).not.toContain(f.entry);
      if (f.kind === 'http') expect(json).not.toContain(f.path);
    }
    expect(json).not.toContain('/v1/dev/tokens');
  });
});

describe('size', () => {
  it('stays well under CloudFormation\'s 500 resources per stack: functions with the same access share a role', () => {
    const profiles = new Set(deployed.map((f) => JSON.stringify({ ...f.access, consumes: f.kind === 'queue' ? f.queue : undefined })));
    expect(ofType(resources, 'AWS::IAM::Role').filter(([id]) => id.startsWith('ExecutionRole'))).toHaveLength(profiles.size);
    // Room for the routes still to come (about 5 resources each): grow past this and split the stack.
    expect(Object.keys(resources).length).toBeLessThan(400);
  });
});

describe('least privilege', () => {
  const writeActions = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];

  it('no dynamodb or sqs statement has a wildcard resource', () => {
    const statements = ofType(resources, 'AWS::IAM::Policy').flatMap(
      ([, p]) => p.Properties.PolicyDocument.Statement as any[],
    );
    const scoped = statements.filter((s) => actionsOf(s).some((a) => /^(dynamodb|sqs):/.test(a)));
    expect(scoped.length).toBeGreaterThan(0);
    for (const statement of scoped) {
      expect(actionsOf(statement).some((a) => a === '*' || a.endsWith(':*'))).toBe(false);
      for (const resource of [statement.Resource].flat()) expect(resource).not.toBe('*');
    }
  });

  it.each(deployed.map((f) => [f.name, f] as const))('%s gets only what its declaration asks for', (_, f) => {
    const actions = policyStatementsOfFunction(logicalIdOf.get(f.name)!).flatMap(actionsOf);
    expect(actions.some((a) => a.startsWith('dynamodb:Get') || a === 'dynamodb:Query')).toBe(f.access.table !== undefined);
    expect(actions.some((a) => writeActions.includes(a))).toBe(f.access.table === 'readWrite');
    expect(actions.includes('sqs:SendMessage')).toBe((f.access.sendsTo ?? []).length > 0);
    const secretReads = policyStatementsOfFunction(logicalIdOf.get(f.name)!)
      .filter((s) => actionsOf(s).includes('secretsmanager:GetSecretValue'))
      .flatMap((s) => [s.Resource].flat().map(refOf));
    expect(secretReads.some((id) => id?.startsWith('JwtSecret'))).toBe(Boolean(f.access.jwtSecret));
    expect(secretReads.some((id) => id?.startsWith('PiiHashSecret'))).toBe(Boolean(f.access.piiHash));
    expect(actions.includes('sqs:ReceiveMessage')).toBe(f.kind === 'queue');
  });

  it.each(deployed.map((f) => [f.name, f] as const))('%s uses the personal-data key only as declared, on that key only', (_, f) => {
    const [keyId] = ofType(resources, 'AWS::KMS::Key')[0]!;
    const kmsStatements = policyStatementsOfFunction(logicalIdOf.get(f.name)!).filter((s) => actionsOf(s).some((a) => a.startsWith('kms:')));
    const expected = f.access.piiKey === 'encrypt' ? ['kms:GenerateDataKey'] : f.access.piiKey === 'decrypt' ? ['kms:Decrypt'] : [];
    expect(kmsStatements.flatMap(actionsOf).sort()).toEqual(expected);
    for (const statement of kmsStatements) {
      expect([statement.Resource].flat().map(refOf)).toEqual([keyId]);
    }
  });

  it('only the functions that show identity numbers or sensitive details in full may decrypt them', () => {
    const decrypting = deployed.filter((f) =>
      policyStatementsOfFunction(logicalIdOf.get(f.name)!).some((s) => actionsOf(s).some((a) => a === 'kms:Decrypt' || a === 'kms:*')),
    );
    // volunteers-get (?reveal=idNumber), beneficiaries-get (sensitive details), and the rights
    // routes that read or erase a person's data (me-export, deletion-requests-decide).
    expect(decrypting.map((f) => f.name).sort()).toEqual(['beneficiaries-get', 'deletion-requests-decide', 'me-export', 'volunteers-get']);
  });

  it('no ARN has a literal partition', () => {
    expect(JSON.stringify(template.toJSON())).not.toMatch(/arn:aws(-cn|-us-gov)?:/);
  });
});

describe('personal data keys', () => {
  it('one symmetric KMS key with rotation on, retained on delete and replace', () => {
    const keys = ofType(resources, 'AWS::KMS::Key');
    expect(keys).toHaveLength(1);
    const [, key] = keys[0]!;
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(key.Properties.KeySpec ?? 'SYMMETRIC_DEFAULT').toBe('SYMMETRIC_DEFAULT');
    expect(key.Properties.KeyUsage ?? 'ENCRYPT_DECRYPT').toBe('ENCRYPT_DECRYPT');
    expect(key.DeletionPolicy).toBe('Retain');
    expect(key.UpdateReplacePolicy).toBe('Retain');
  });

  it("the key policy names no function role: access is granted only by each function's declared policy", () => {
    const [, key] = ofType(resources, 'AWS::KMS::Key')[0]!;
    const principals = (key.Properties.KeyPolicy.Statement as any[]).map((s) => JSON.stringify(s.Principal));
    for (const principal of principals) expect(principal).toContain(':root');
  });

  it('the HMAC secret is generated by the stack and retained', () => {
    const secrets = ofType(resources, 'AWS::SecretsManager::Secret').filter(([id]) => id.startsWith('PiiHashSecret'));
    expect(secrets).toHaveLength(1);
    const [, secret] = secrets[0]!;
    expect(secret.Properties.GenerateSecretString).toMatchObject({ PasswordLength: 64 });
    expect(secret.Properties.SecretString).toBeUndefined();
    expect(secret.DeletionPolicy).toBe('Retain');
    expect(secret.UpdateReplacePolicy).toBe('Retain');
  });
});

describe('HTTP API', () => {
  const httpDeclarations = deployed.filter((f) => f.kind === 'http');

  it.each(httpDeclarations.map((f) => [`${f.method} ${f.path}`, f] as const))('routes %s to its function', (routeKey, f) => {
    const routes = ofType(resources, 'AWS::ApiGatewayV2::Route').filter(([, r]) => r.Properties.RouteKey === routeKey);
    expect(routes).toHaveLength(1);
    const target = routes[0]![1].Properties.Target['Fn::Join'][1] as any[];
    const integration = resources[refOf(target[1])!]!;
    expect(refOf(integration.Properties.IntegrationUri)).toBe(logicalIdOf.get(f.name));
  });

  it('has no other routes', () => {
    expect(ofType(resources, 'AWS::ApiGatewayV2::Route')).toHaveLength(httpDeclarations.length);
  });

  it('throttles the default stage', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: {
        ThrottlingRateLimit: API_THROTTLE.rateLimit,
        ThrottlingBurstLimit: API_THROTTLE.burstLimit,
      },
    });
  });

  it('has no CORS unless origins are configured', () => {
    const [, api] = ofType(resources, 'AWS::ApiGatewayV2::Api')[0]!;
    expect(api.Properties.CorsConfiguration).toBeUndefined();
  });

  it('takes CORS origins from context (comma list) or props', () => {
    const fromContext = synth({}, { allowedOrigins: 'https://a.example, https://b.example' });
    fromContext.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: { AllowOrigins: ['https://a.example', 'https://b.example'] },
    });
    const fromProps = synth({ allowedOrigins: ['https://c.example'] }, { allowedOrigins: 'https://a.example' });
    fromProps.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: { AllowOrigins: ['https://c.example'] },
    });
  }, 120_000);
});

describe('schedules', () => {
  const scheduled = deployed.filter((f) => f.kind === 'schedule');

  it.each(scheduled.map((f) => [f.name, f] as const))('%s fires on its cron in Asia/Shanghai', (_, f) => {
    if (f.kind !== 'schedule') throw new Error('unreachable');
    const fnId = logicalIdOf.get(f.name)!;
    const schedules = ofType(resources, 'AWS::Scheduler::Schedule').filter(
      ([, s]) => refOf(s.Properties.Target.Arn) === fnId,
    );
    expect(schedules).toHaveLength(1);
    const [, schedule] = schedules[0]!;
    expect(schedule.Properties.ScheduleExpression).toBe(toAwsCron(f.cron));
    expect(schedule.Properties.ScheduleExpressionTimezone).toBe(f.timezone);
    expect(schedule.Properties.ScheduleExpressionTimezone).toBe('Asia/Shanghai');
    expect(schedule.Properties.State ?? 'ENABLED').toBe('ENABLED');

    const roleId = refOf(schedule.Properties.Target.RoleArn)!;
    const statements = ofType(resources, 'AWS::IAM::Policy')
      .filter(([, p]) => p.Properties.Roles.some((r: any) => refOf(r) === roleId))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as any[]);
    const invoke = statements.filter((s) => actionsOf(s).includes('lambda:InvokeFunction'));
    expect(invoke.length).toBeGreaterThan(0);
    for (const s of invoke) for (const r of [s.Resource].flat()) expect(JSON.stringify(r)).toContain(fnId);
  });

  it('has one schedule per scheduled declaration', () => {
    expect(ofType(resources, 'AWS::Scheduler::Schedule')).toHaveLength(scheduled.length);
  });
});

describe('outputs', () => {
  it('exports the API URL and the table name', () => {
    const outputs = template.toJSON().Outputs;
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining(['ApiUrl', 'TableName']));
    // The endpoint comes from API Gateway itself (execute-api.<region>.amazonaws.com[.cn]), not a literal.
    expect(outputs.ApiUrl.Value).toEqual({ 'Fn::GetAtt': [ofType(resources, 'AWS::ApiGatewayV2::Api')[0]![0], 'ApiEndpoint'] });
    expect(refOf(outputs.TableName.Value)).toBe(ofType(resources, 'AWS::DynamoDB::GlobalTable')[0]![0]);
  });
});
