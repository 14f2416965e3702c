/**
 * Seeds the org tree into the local table through the data layer's own `seedOrgTree()`
 * (shared/data/seed.ts), which writes with conditional puts, so running it on every start is
 * harmless. The runtime only decides when; the data layer decides what.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { errorMessage, type Log } from './log.js';
import { repoRoot } from './state.js';

const SEED_MODULE = 'shared/data/seed.ts';

/** Never fails the start: without a seed the API still runs, and the warning says why. */
export const seedLocalData = async (log: Log): Promise<void> => {
  const file = path.join(repoRoot, SEED_MODULE);
  if (!existsSync(file)) {
    log.warn(`${SEED_MODULE} is not there yet; the org tree was not seeded`);
    return;
  }
  try {
    const module = (await import(pathToFileURL(file).href)) as { seedOrgTree?: () => Promise<unknown> };
    if (typeof module.seedOrgTree !== 'function') {
      log.warn(`${SEED_MODULE} does not export seedOrgTree(); the org tree was not seeded`);
      return;
    }
    const started = Date.now();
    const result = await module.seedOrgTree();
    const summary = result === undefined ? '' : `: ${typeof result === 'object' ? JSON.stringify(result) : String(result)}`;
    log.info(`org tree seeded (${Date.now() - started} ms)${summary}`);
  } catch (error) {
    log.error(`seeding the org tree failed: ${errorMessage(error)}`);
  }
};
