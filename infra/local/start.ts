/**
 * `npm start`: the whole system on this machine. `npm start -- --in-memory` (or
 * REDSTAR_IN_MEMORY=1) keeps DynamoDB in memory instead of .local/dynamodb/.
 */
import { JavaMissingError } from './dynamo.js';
import { startLocalRuntime, type LocalRuntime } from './runtime.js';
import { readRuntimeState, removeRuntimeState, writeRuntimeState, NotRunningError } from './state.js';

const args = process.argv.slice(2);
const unknown = args.filter((a) => a !== '--in-memory');
if (unknown.length > 0) {
  console.error(`Unknown option ${unknown.join(' ')}. Usage: npm start [-- --in-memory]`);
  process.exit(2);
}

// A second `npm start` would silently get other ports and overwrite runtime.json: say so instead.
try {
  const running = readRuntimeState();
  console.error(
    `Redstar is already running (pid ${running.pid}, API on ${running.apiUrl}). Stop it first, or delete .local/runtime.json if that process is not Redstar.`,
  );
  process.exit(1);
} catch (error) {
  if (!(error instanceof NotRunningError)) throw error;
}

// Registered before starting, so a Ctrl+C during the start still stops the JVM cleanly.
let runtime: LocalRuntime | undefined;
let stoppingSince = 0;
const shutdown = async (signal: string) => {
  if (stoppingSince) {
    // Ctrl+C reaches us twice at once (from the terminal and forwarded by npm): only a second
    // press, a moment later, means "stop now".
    if (Date.now() - stoppingSince < 1500) return;
    console.error(`${signal} again: exiting without a clean stop`);
    process.exit(1);
  }
  stoppingSince = Date.now();
  if (!runtime) return; // Still starting: the start code below stops it once it is up.
  console.log(`\n${signal}: stopping…`);
  removeRuntimeState();
  await runtime.stop();
  process.exit(0);
};
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
// In Lambda a stray rejection ends one invocation; here it must not take the whole system down.
process.on('unhandledRejection', (reason) => console.error('unhandled rejection (in a handler?):', reason));

const started = Date.now();
try {
  runtime = await startLocalRuntime({ inMemory: args.includes('--in-memory') || undefined });
} catch (error) {
  if (error instanceof JavaMissingError) {
    console.error(error.message);
  } else {
    console.error(`Redstar could not start: ${error instanceof Error ? error.message : String(error)}`);
  }
  process.exit(1);
}
if (stoppingSince) {
  await runtime.stop();
  process.exit(0);
}

writeRuntimeState({
  pid: process.pid,
  startedAt: new Date().toISOString(),
  apiUrl: runtime.apiUrl,
  dynamoEndpoint: runtime.dynamoEndpoint,
  sqsEndpoint: runtime.sqsEndpoint,
  queueUrls: runtime.queueUrls,
  dlqUrls: runtime.dlqUrls,
  inMemory: runtime.inMemory,
  env: runtime.env,
});

console.log(`
Redstar is running (ready in ${((Date.now() - started) / 1000).toFixed(1)} s)
  API       ${runtime.apiUrl}
  DynamoDB  ${runtime.dynamoEndpoint}${runtime.inMemory ? ' (in memory)' : ' (data in .local/dynamodb/)'}
  SQS       ${runtime.sqsEndpoint}
Try: npm run demo · npm run outbox · npm run fire-schedule -- send-reminders   (Ctrl+C stops)
`);
