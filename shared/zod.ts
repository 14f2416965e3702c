/**
 * zod as every module here uses it: the functional `zod/mini` API (a schema costs about half
 * as much to build at a cold start as with the chained API; docs/performance.md, a), with
 * English messages as the default. The chained API sets that default itself; `zod/mini` does
 * not, and without it every message outside a route (config checks, queue messages, a schema
 * parsed inside another's refinement) would read only "Invalid input". Routes still pass the
 * caller's language on each parse (shared/http/route.ts).
 */
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());

// Re-exported name by name (not as one object), so each bundle keeps only the parts it uses.
export * from 'zod/mini';
