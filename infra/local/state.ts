/**
 * Where the local runtime keeps its files, and the `.local/runtime.json` hand-off through which
 * the other CLIs (outbox, fire-schedule, demo, bench) find the running system.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { QueueName } from '../../shared/functions.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Git-ignored. */
export const localDir = path.join(repoRoot, '.local');
export const dynamoDataDir = path.join(localDir, 'dynamodb');
export const runtimeFile = path.join(localDir, 'runtime.json');

export interface RuntimeState {
  pid: number;
  startedAt: string;
  apiUrl: string;
  dynamoEndpoint: string;
  sqsEndpoint: string;
  queueUrls: Record<QueueName, string>;
  dlqUrls: Record<QueueName, string>;
  inMemory: boolean;
  /** The environment handlers run with; a CLI that calls the data layer sets it first. */
  env: Record<string, string>;
}

export const writeRuntimeState = (state: RuntimeState) => {
  mkdirSync(localDir, { recursive: true });
  writeFileSync(runtimeFile, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
};

/** Only removes the file if it is ours: a second `npm start` must not delete the first one's. */
export const removeRuntimeState = (pid = process.pid) => {
  try {
    const state = JSON.parse(readFileSync(runtimeFile, 'utf8')) as RuntimeState;
    if (state.pid === pid) rmSync(runtimeFile, { force: true });
  } catch {
    // Missing or unreadable: nothing to clean up.
  }
};

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

export class NotRunningError extends Error {}

/** The running system's state, or a NotRunningError that says how to start it. */
export const readRuntimeState = (): RuntimeState => {
  const hint = 'Redstar is not running locally: start it with `npm start` in another terminal.';
  if (!existsSync(runtimeFile)) throw new NotRunningError(hint);
  let state: RuntimeState;
  try {
    state = JSON.parse(readFileSync(runtimeFile, 'utf8')) as RuntimeState;
  } catch {
    throw new NotRunningError(`${runtimeFile} is unreadable. ${hint}`);
  }
  if (!isAlive(state.pid)) throw new NotRunningError(hint);
  return state;
};
