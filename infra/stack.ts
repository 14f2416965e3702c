/**
 * The whole Redstar backend in one stack. Everything about functions, queues, schedules and the
 * table comes from the declarations in shared/ — this file only turns them into resources.
 *
 * Deploys to global and China partitions alike: no ARN, partition, region or domain suffix is
 * written here; the L2 constructs build them from tokens (AWS::Partition, AWS::URLSuffix).
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CfnOutput, Duration, RemovalPolicy, Stack, TimeZone, type StackProps } from 'aws-cdk-lib';
import { CfnStage, CorsHttpMethod, HttpApi, HttpMethod, type CorsPreflightOptions } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { AttributeType, Billing, ProjectionType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { ManagedPolicy, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction, OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { ContextAttribute, Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { DEFAULT_WECHAT_API_BASE, ENV } from '../shared/config.js';
import {
  FUNCTIONS,
  QUEUES,
  timeoutOf,
  toAwsCron,
  visibilityTimeoutOf,
  type FunctionDeclaration,
  type QueueName,
} from '../shared/functions.js';
import { TABLE } from '../shared/table.js';

/** The repository root: entries in FUNCTIONS are relative to it. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** API Gateway default-stage throttling (requests per second, burst). */
export const API_THROTTLE = { rateLimit: 50, burstLimit: 100 } as const;

/** One bundling configuration for every function. */
export const BUNDLING: BundlingOptions = {
  // CommonJS: the runtime require()s index.js, which skips the ESM loader's scan of the
  // bundle's exports (measured by scripts/bench.ts; see docs/performance.md).
  format: OutputFormat.CJS,
  minify: true,
  sourceMap: true,
  target: 'node22',
  mainFields: ['module', 'main'],
  // Everything is bundled, the runtime's own AWS SDK is never loaded: the functions call AWS
  // through the light clients in shared/aws, whose whole load costs less than a tenth of the
  // SDK's DynamoDB client (a test keeps the SDK out of the functions' code).
  externalModules: [],
  // esbuild is a dev dependency: bundle locally, never in Docker.
  forceDockerBundling: false,
};

export interface RedstarStackProps extends StackProps {
  /** CORS origins for the HTTP API; defaults to context `allowedOrigins` (comma list), else none. */
  allowedOrigins?: string[];
  /**
   * Where function entries and package-lock.json are resolved. Defaults to this repository;
   * tests point it at a directory of stub handlers.
   */
  repoRoot?: string;
  /** The WeChat mini-program AppID; defaults to context `wechatAppId`. Its AppSecret goes into the stack's WechatAppSecret secret. */
  wechatAppId?: string;
  /** Who is e-mailed when an alarm goes off; defaults to context `alarmEmails` (comma list), else nobody (subscribe to the topic later). */
  alarmEmails?: string[];
  /** WeChat API origin; defaults to context `wechatApiBase`, else https://api.weixin.qq.com. */
  wechatApiBase?: string;
}

const pascal = (kebab: string) =>
  kebab
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');

const listFromContext = (value: unknown): string[] => {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : String(value).split(',');
  return list.map((origin) => String(origin).trim()).filter(Boolean);
};

const isDeployed = (f: FunctionDeclaration) => !(f.kind === 'http' && f.localOnly);

export class RedstarStack extends Stack {
  readonly table: TableV2;
  readonly api: HttpApi;
  readonly queues: Record<QueueName, Queue>;
  readonly deadLetterQueues: Record<QueueName, Queue>;
  readonly functions: Record<string, NodejsFunction> = {};
  /** Wraps the data keys that encrypt identity numbers (shared/crypto/envelope.ts). */
  readonly piiKey: Key;
  /** Every alarm notifies this topic, in and out of alarm: operators subscribe to it. */
  readonly alarmTopic: Topic;

  constructor(scope: Construct, id: string, props: RedstarStackProps = {}) {
    super(scope, id, props);
    const repoRoot = props.repoRoot ?? REPO_ROOT;

    // ── Table ────────────────────────────────────────────────────────────────────────────────
    const keyType = (type: 'S' | 'N') => (type === 'N' ? AttributeType.NUMBER : AttributeType.STRING);
    this.table = new TableV2(this, TABLE.logicalName, {
      partitionKey: { name: TABLE.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE.sortKey, type: AttributeType.STRING },
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      timeToLiveAttribute: TABLE.ttlAttribute,
      globalSecondaryIndexes: TABLE.indexes.map((index) => ({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey.name, type: keyType(index.sortKey.type) },
        projectionType: ProjectionType.ALL,
      })),
    });

    // ── Alarms reach people ──────────────────────────────────────────────────────────────────
    this.alarmTopic = new Topic(this, 'AlarmTopic', { displayName: 'Redstar alarms', enforceSSL: true });
    const alarmEmails = props.alarmEmails ?? listFromContext(this.node.tryGetContext('alarmEmails'));
    for (const email of alarmEmails) this.alarmTopic.addSubscription(new EmailSubscription(email));
    const notify = new SnsAction(this.alarmTopic);

    // ── Queues, dead-letter queues and their alarms ──────────────────────────────────────────
    const queues = {} as Record<QueueName, Queue>;
    const deadLetterQueues = {} as Record<QueueName, Queue>;
    for (const key of Object.keys(QUEUES) as QueueName[]) {
      const declaration = QUEUES[key];
      const stem = pascal(declaration.name);
      const dlq = new Queue(this, `${stem}Dlq`, {
        queueName: `${this.stackName}-${declaration.name}-dlq`,
        retentionPeriod: Duration.days(14),
        enforceSSL: true,
      });
      queues[key] = new Queue(this, `${stem}Queue`, {
        queueName: `${this.stackName}-${declaration.name}`,
        visibilityTimeout: Duration.seconds(visibilityTimeoutOf(key)),
        deadLetterQueue: { queue: dlq, maxReceiveCount: declaration.maxReceiveCount },
        enforceSSL: true,
      });
      deadLetterQueues[key] = dlq;
      const alarm = new Alarm(this, `${stem}DlqAlarm`, {
        alarmDescription: `Messages from ${declaration.name} reached its dead-letter queue (docs/operations.md: redrive after fixing the cause)`,
        metric: dlq.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(notify);
      alarm.addOkAction(notify);
    }
    this.queues = queues;
    this.deadLetterQueues = deadLetterQueues;

    // ── JWT signing secret ───────────────────────────────────────────────────────────────────
    // SecretString is the key itself: 64 alphanumeric characters.
    const jwtSecret = new Secret(this, 'JwtSecret', {
      description: 'Redstar JWT signing key',
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
    });

    // ── Personal data: encryption key and lookup-hash key ───────────────────────────────────
    // Retained: without them, stored identity numbers cannot be read and uniqueness items no
    // longer match. Functions get GenerateDataKey or Decrypt only as their declaration says.
    this.piiKey = new Key(this, 'PiiKey', {
      description: 'Redstar: wraps the data keys of encrypted personal data (identity numbers)',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const piiHashSecret = new Secret(this, 'PiiHashSecret', {
      description: 'Redstar: HMAC key for identity-number and phone lookup keys',
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // ── WeChat mini-program AppSecret ───────────────────────────────────────────────────────
    // Created with a random placeholder: operators put the real AppSecret in after the first
    // deployment (docs/operations.md). Only functions declaring `wechatSecret` may read it.
    const wechatSecret = new Secret(this, 'WechatAppSecret', {
      description: 'Redstar: WeChat mini-program AppSecret (replace the placeholder with the real value)',
      generateSecretString: { passwordLength: 32, excludePunctuation: true, includeSpace: false },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const wechatAppId = props.wechatAppId ?? String(this.node.tryGetContext('wechatAppId') ?? '');
    const wechatApiBase = props.wechatApiBase ?? String(this.node.tryGetContext('wechatApiBase') ?? DEFAULT_WECHAT_API_BASE);

    // ── HTTP API ─────────────────────────────────────────────────────────────────────────────
    const allowedOrigins = props.allowedOrigins ?? listFromContext(this.node.tryGetContext('allowedOrigins'));
    const deployed = FUNCTIONS.filter(isDeployed);
    const httpMethods = [...new Set(deployed.flatMap((f) => (f.kind === 'http' ? [f.method] : [])))];
    const cors: CorsPreflightOptions | undefined = allowedOrigins.length
      ? {
          allowOrigins: allowedOrigins,
          allowMethods: httpMethods.map((method) => CorsHttpMethod[method]),
          allowHeaders: ['authorization', 'content-type'],
          maxAge: Duration.hours(1),
        }
      : undefined;
    this.api = new HttpApi(this, 'Api', { apiName: this.stackName, corsPreflight: cors });
    const stage = this.api.defaultStage!.node.defaultChild as CfnStage;
    stage.defaultRouteSettings = {
      throttlingRateLimit: API_THROTTLE.rateLimit,
      throttlingBurstLimit: API_THROTTLE.burstLimit,
    };

    // ── Execution roles: one per access profile ──────────────────────────────────────────────
    // Functions that declare the same access (and consume the same queue) share a role with
    // exactly those grants: least privilege is unchanged, and the stack stays well under
    // CloudFormation's 500 resources as routes are added (a role and its policy per function
    // would be two more resources each).
    const roles = new Map<string, Role>();
    const roleFor = (f: FunctionDeclaration) => {
      const profile = { ...f.access, consumes: f.kind === 'queue' ? f.queue : undefined };
      const key = JSON.stringify(profile, Object.keys(profile).sort());
      let role = roles.get(key);
      if (role) return role;
      // Named by the profile, so adding or reordering functions does not rename (replace) roles.
      role = new Role(this, `ExecutionRole${createHash('sha256').update(key).digest('hex').slice(0, 10)}`, {
        description: `Redstar functions with access ${key}`,
        assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
        managedPolicies: [ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaBasicExecutionRole')],
      });
      if (f.access.table === 'read') this.table.grantReadData(role);
      if (f.access.table === 'readWrite') this.table.grantReadWriteData(role);
      for (const q of f.access.sendsTo ?? []) queues[q].grantSendMessages(role);
      if (f.access.jwtSecret) jwtSecret.grantRead(role);
      if (f.access.piiKey === 'encrypt') this.piiKey.grant(role, 'kms:GenerateDataKey');
      if (f.access.piiKey === 'decrypt') this.piiKey.grant(role, 'kms:Decrypt');
      if (f.access.piiHash) piiHashSecret.grantRead(role);
      if (f.access.wechatSecret) wechatSecret.grantRead(role);
      roles.set(key, role);
      return role;
    };

    // ── Functions and their triggers ─────────────────────────────────────────────────────────
    for (const f of deployed) {
      const fnId = pascal(f.name);
      const environment: Record<string, string> = {
        [ENV.tableName]: this.table.tableName,
        [ENV.runtime]: 'aws',
        NODE_OPTIONS: '--enable-source-maps',
      };
      for (const q of f.access.sendsTo ?? []) environment[QUEUES[q].urlEnv] = queues[q].queueUrl;
      if (f.access.jwtSecret) environment[ENV.jwtSecretArn] = jwtSecret.secretArn;
      if (f.access.piiKey) environment[ENV.piiKeyId] = this.piiKey.keyArn;
      if (f.access.piiHash) environment[ENV.piiHashSecretArn] = piiHashSecret.secretArn;
      if (f.access.wechatSecret) {
        environment[ENV.wechatAppSecretArn] = wechatSecret.secretArn;
        environment[ENV.wechatApiBase] = wechatApiBase;
        if (wechatAppId) environment[ENV.wechatAppId] = wechatAppId;
      }

      const fn = new NodejsFunction(this, fnId, {
        description: f.entry,
        entry: path.join(repoRoot, f.entry),
        handler: 'handler',
        projectRoot: repoRoot,
        depsLockFilePath: path.join(repoRoot, 'package-lock.json'),
        runtime: Runtime.NODEJS_22_X,
        architecture: Architecture.ARM_64,
        timeout: Duration.seconds(timeoutOf(f)),
        memorySize: f.memoryMb ?? 512,
        logGroup: new LogGroup(this, `${fnId}Logs`, { retention: RetentionDays.ONE_MONTH }),
        environment,
        bundling: BUNDLING,
        // Least privilege, straight from the declaration.
        role: roleFor(f),
      });
      this.functions[f.name] = fn;

      switch (f.kind) {
        case 'http':
          this.api.addRoutes({
            path: f.path,
            methods: [HttpMethod[f.method]],
            integration: new HttpLambdaIntegration(`${fnId}Integration`, fn),
          });
          break;
        case 'queue':
          fn.addEventSource(
            new SqsEventSource(queues[f.queue], {
              batchSize: f.batchSize,
              maxBatchingWindow: Duration.seconds(f.maxBatchingWindowSeconds),
              reportBatchItemFailures: true,
            }),
          );
          break;
        case 'schedule':
          new Schedule(this, `${fnId}Schedule`, {
            description: `${f.name}: ${f.cron} (${f.timezone})`,
            schedule: ScheduleExpression.expression(toAwsCron(f.cron), TimeZone.of(f.timezone)),
            // The same event the local scheduler builds (shared/scheduled-event.ts).
            target: new LambdaInvoke(fn, {
              input: ScheduleTargetInput.fromObject({
                scheduleArn: ContextAttribute.scheduleArn,
                scheduledTime: ContextAttribute.scheduledTime,
                executionId: ContextAttribute.executionId,
                attemptNumber: ContextAttribute.attemptNumber,
              }),
            }),
          });
          break;
      }
    }

    new CfnOutput(this, 'ApiUrl', { value: this.api.apiEndpoint });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
  }
}
