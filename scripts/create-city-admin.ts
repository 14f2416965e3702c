/**
 * Bootstraps the first city admin of a deployment (nobody is above them to grant it):
 *
 *   AWS_REGION=<region> TABLE_NAME=<table> PII_HASH_SECRET_ARN=<arn> npx tsx scripts/create-city-admin.ts 13800138000
 *
 * with administrator AWS credentials for the account and region (environment, profile or SSO).
 * Against the running local system, `npx tsx scripts/create-city-admin.ts --local 13800138000`
 * reads .local/runtime.json.
 * The account is created and audited exactly as POST /v1/accounts does; the person then logs in
 * by SMS. A phone that already has an account is refused (grant the role through the API).
 */
import { normalizeMobile } from '../shared/domain/identity.js';
import { readRuntimeState } from '../infra/local/state.js';

const args = process.argv.slice(2);
const local = args.includes('--local');
const phone = normalizeMobile(args.filter((a) => a !== '--local')[0] ?? '');
if (!phone) {
  console.error('Usage: npx tsx scripts/create-city-admin.ts [--local] <mainland mobile>');
  process.exit(2);
}
if (local) Object.assign(process.env, readRuntimeState().env);
else {
  // An operator's machine: credentials from the usual places (environment, profile, SSO), as the
  // AWS CLI finds them; the functions' own clients only read Lambda's environment.
  const { defaultProvider } = await import('@aws-sdk/credential-provider-node');
  const { useCredentials } = await import('../shared/aws/request.js');
  const chain = defaultProvider();
  useCredentials(() => chain());
}

// After the environment is set: the data layer builds its client on load.
const { createAccountByAdmin } = await import('../shared/data/accounts.js');
const found = await createAccountByAdmin({
  phone,
  grant: { role: 'city_admin', scope: 'sz', orgUnitId: 'sz' },
  actor: { subject: 'bootstrap', role: 'city_admin', scope: 'sz' },
});
console.log(`city admin account ${found.account.id} for ${phone.slice(0, 3)}****${phone.slice(-4)} (grant ${found.grants[0]!.id})`);
