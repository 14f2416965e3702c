/**
 * CDK entry point (cdk.json: `npx tsx infra/app.ts`). Environment-agnostic unless the CLI
 * supplies an account/region, so the same app deploys to global and China regions.
 */
import { App } from 'aws-cdk-lib';
import { RedstarStack } from './stack.js';

const app = new App();

new RedstarStack(app, 'Redstar', {
  stackName: 'Redstar',
  description: "Redstar: Shenzhen veterans' volunteer-service backend",
  env: {
    account: process.env.CDK_DEFAULT_ACCOUNT,
    region: process.env.CDK_DEFAULT_REGION,
  },
});

app.synth();
