/**
 * The synthesized template's identity parts: TTL on the table, the WeChat AppSecret secret and
 * who may read it, and nothing local-only reaching AWS. Synthesized like stack.test.ts (stub
 * handlers, no bundling).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedstarStack } from '../../infra/stack.js';
import { DEFAULT_WECHAT_API_BASE, ENV } from '../../shared/config.js';
import { FUNCTIONS } from '../../shared/functions.js';
import { TABLE } from '../../shared/table.js';

type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string };

const deployed = FUNCTIONS.filter((f) => !(f.kind === 'http' && f.localOnly));
let stubRoot: string;
let resources: Record<string, Resource>;

const synth = (context: Record<string, unknown> = {}) => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
  return Template.fromStack(new RedstarStack(app, 'Redstar', { repoRoot: stubRoot })).toJSON().Resources as Record<string, Resource>;
};
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const refOf = (value: any): string | undefined => value?.Ref ?? value?.['Fn::GetAtt']?.[0];
const functionOf = (name: string) => {
  const entry = FUNCTIONS.find((f) => f.name === name)!.entry;
  return ofType('AWS::Lambda::Function').find(([, r]) => r.Properties.Description === entry)!;
};
const statementsOf = (fnId: string) => {
  const roleId = refOf(resources[fnId]!.Properties.Role);
  return ofType('AWS::IAM::Policy')
    .filter(([, p]) => p.Properties.Roles.some((role: any) => refOf(role) === roleId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as any[]);
};

beforeAll(() => {
  stubRoot = mkdtempSync(path.join(tmpdir(), 'redstar-identity-'));
  writeFileSync(path.join(stubRoot, 'package-lock.json'), '{"lockfileVersion":3}');
  for (const f of FUNCTIONS) {
    const file = path.join(stubRoot, f.entry);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, 'export const handler = async () => {};\n');
  }
  resources = synth({ wechatAppId: 'wx1234567890abcdef' });
}, 120_000);

afterAll(() => {
  if (stubRoot) rmSync(stubRoot, { recursive: true, force: true });
});

describe('table TTL', () => {
  it('DynamoDB deletes expired login codes, rate windows and sessions by the declared attribute', () => {
    const [, table] = ofType('AWS::DynamoDB::GlobalTable')[0]!;
    expect(table.Properties.TimeToLiveSpecification).toEqual({ AttributeName: TABLE.ttlAttribute, Enabled: true });
    expect(TABLE.ttlAttribute).toBe('expiresAt');
  });
});

describe('WeChat AppSecret', () => {
  const wechatSecretId = () => {
    const secrets = ofType('AWS::SecretsManager::Secret').filter(([id]) => id.startsWith('WechatAppSecret'));
    expect(secrets).toHaveLength(1);
    return secrets[0]!;
  };

  it('is a secret the stack creates with a generated placeholder (no value in the template), retained', () => {
    const [, secret] = wechatSecretId();
    expect(secret.Properties.SecretString).toBeUndefined();
    expect(secret.Properties.GenerateSecretString).toBeDefined();
    expect(secret.DeletionPolicy).toBe('Retain');
  });

  it('only the functions that declare wechatSecret get its ARN, the AppID and the API base', () => {
    const withSecret = deployed.filter((f) => f.access.wechatSecret);
    expect(withSecret.map((f) => f.name)).toEqual(['auth-wechat']);
    const [secretId] = wechatSecretId();
    for (const f of deployed) {
      const [, fn] = functionOf(f.name);
      const env: Record<string, any> = fn.Properties.Environment.Variables;
      expect(ENV.wechatAppSecretArn in env, f.name).toBe(Boolean(f.access.wechatSecret));
      expect(ENV.wechatAppSecret in env, `${f.name} must never carry the secret itself`).toBe(false);
      if (f.access.wechatSecret) {
        expect(refOf(env[ENV.wechatAppSecretArn])).toBe(secretId);
        expect(env[ENV.wechatAppId]).toBe('wx1234567890abcdef');
        expect(env[ENV.wechatApiBase]).toBe(DEFAULT_WECHAT_API_BASE);
      } else {
        expect(ENV.wechatAppId in env).toBe(false);
        expect(ENV.wechatApiBase in env).toBe(false);
      }
    }
  });

  it('only the functions that declare wechatSecret may read it', () => {
    const [secretId] = wechatSecretId();
    for (const f of deployed) {
      const [fnId] = functionOf(f.name);
      const reads = statementsOf(fnId)
        .filter((s) => [s.Action].flat().includes('secretsmanager:GetSecretValue'))
        .flatMap((s) => [s.Resource].flat().map(refOf));
      expect(reads.includes(secretId), f.name).toBe(Boolean(f.access.wechatSecret));
    }
  });
});

describe('nothing local-only is deployed', () => {
  it('no deployed function runs with REDSTAR_RUNTIME=local (dev tokens would work there)', () => {
    const fns = ofType('AWS::Lambda::Function');
    expect(fns.length).toBe(deployed.length);
    for (const [, fn] of fns) expect(fn.Properties.Environment.Variables[ENV.runtime]).toBe('aws');
  });

  it('the dev-token route and its function are not in the template', () => {
    const json = JSON.stringify(resources);
    expect(json).not.toContain('/v1/dev/tokens');
    expect(json).not.toContain('functions/http/dev/');
  });

  it('the login routes are deployed, without a token authorizer (they are public)', () => {
    const routes = ofType('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties);
    for (const key of ['POST /v1/auth/wechat', 'POST /v1/auth/sms-codes', 'POST /v1/auth/sms', 'POST /v1/auth/refresh', 'POST /v1/auth/logout']) {
      const route = routes.find((r) => r.RouteKey === key);
      expect(route, key).toBeDefined();
      expect(route!.AuthorizationType ?? 'NONE').toBe('NONE');
    }
  });
});
