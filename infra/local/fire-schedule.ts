/**
 * `npm run fire-schedule -- <name>`: fires one schedule now, inside the running system (through
 * the gateway's local control route), and prints how it went.
 */
import { scheduledFunctions } from '../../shared/functions.js';
import { NotRunningError, readRuntimeState } from './state.js';

const names = scheduledFunctions().map((f) => f.name);
const name = process.argv[2];
if (!name || process.argv.length > 3) {
  console.error(`Usage: npm run fire-schedule -- <name>   (schedules: ${names.join(', ') || 'none'})`);
  process.exit(2);
}

let apiUrl: string;
try {
  apiUrl = readRuntimeState().apiUrl;
} catch (error) {
  console.error(error instanceof NotRunningError ? error.message : String(error));
  process.exit(1);
}

let response: Response;
try {
  response = await fetch(`${apiUrl}/_local/schedules/${encodeURIComponent(name)}`, {
    method: 'POST',
    headers: { 'accept-language': 'en' },
  });
} catch (error) {
  console.error(`Could not reach Redstar at ${apiUrl} (${error instanceof Error ? error.message : String(error)}); is \`npm start\` still running?`);
  process.exit(1);
}
const body = (await response.json()) as { detail?: string; durationMs?: number; result?: unknown };
if (!response.ok) {
  console.error(`${name}: ${body.detail ?? response.statusText}`);
  process.exit(1);
}
console.log(`${name} ran in ${body.durationMs} ms${body.result === undefined ? '' : `; it returned ${JSON.stringify(body.result, null, 2)}`}`);
