/**
 * `npm run outbox [-- --status pending|sent|failed|cancelled] [--limit N]`: the notification
 * outbox of the running system, as a table.
 * Reads through the data layer's `listOutbox()` (shared/data/notifications.ts) with the
 * running system's environment, so it sees exactly what the handlers wrote.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { NotRunningError, readRuntimeState, repoRoot } from './state.js';

const DATA_MODULE = 'shared/data/notifications.ts';

const USAGE = 'Usage: npm run outbox [-- --status pending|sent|failed|cancelled] [--limit N]';
const options: Record<string, string> = { '--status': 'pending', '--limit': '50' };
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i += 2) {
  if (!(args[i] in options) || args[i + 1] === undefined) {
    console.error(USAGE);
    process.exit(2);
  }
  options[args[i]] = args[i + 1];
}
const status = options['--status'];
const limit = Number(options['--limit']);
if (!Number.isInteger(limit) || limit < 1 || !['pending', 'sent', 'failed', 'cancelled'].includes(status)) {
  console.error(USAGE);
  process.exit(2);
}

try {
  // Before the data layer is imported: it creates its clients from these at module load.
  Object.assign(process.env, readRuntimeState().env);
} catch (error) {
  console.error(error instanceof NotRunningError ? error.message : String(error));
  process.exit(1);
}

const file = path.join(repoRoot, DATA_MODULE);
if (!existsSync(file)) {
  console.error(`${DATA_MODULE} is not there yet, so there is no outbox to read.`);
  process.exit(1);
}
const { listOutbox } = (await import(pathToFileURL(file).href)) as {
  listOutbox?: (q: { status: string; limit: number }) => Promise<unknown>;
};
if (typeof listOutbox !== 'function') {
  console.error(`${DATA_MODULE} does not export listOutbox().`);
  process.exit(1);
}

const page = await listOutbox({ status, limit });
// A page ({ items, nextCursor }) or a plain array: print either.
const items = (Array.isArray(page) ? page : ((page as { items?: unknown[] }).items ?? [])) as Record<string, unknown>[];
const more = !Array.isArray(page) && Boolean((page as { nextCursor?: unknown }).nextCursor);
if (items.length === 0) {
  console.log(`No ${status} notifications in the outbox.`);
  process.exit(0);
}

// The columns a reader looks for first, then whatever else the items carry, up to a width.
const PREFERRED = ['createdAt', 'status', 'channel', 'template', 'recipientVolunteerId', 'recipient', 'subject', 'params', 'id'];
const keys = [...new Set(items.flatMap((item) => Object.keys(item)))].filter((k) => !['pk', 'sk'].includes(k) && !/^gsi|Pk$|Sk$/.test(k));
const columns = [...PREFERRED.filter((k) => keys.includes(k)), ...keys.filter((k) => !PREFERRED.includes(k))].slice(0, 7);

/** Chinese characters take two columns in a terminal. */
const width = (s: string) => [...s].reduce((w, ch) => w + (/[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1), 0);
const cell = (value: unknown) => {
  const text = value === undefined || value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  const chars = [...text.replace(/\s+/g, ' ')];
  let out = '';
  for (const ch of chars) {
    if (width(out + ch) > 40) return `${out}…`;
    out += ch;
  }
  return out;
};
const rows = [columns, ...items.map((item) => columns.map((c) => cell(item[c])))];
const widths = columns.map((_, i) => Math.max(...rows.map((r) => width(r[i]))));
const line = (r: string[]) => r.map((v, i) => v + ' '.repeat(widths[i] - width(v))).join('  ').trimEnd();
console.log(line(rows[0]));
console.log(widths.map((w) => '─'.repeat(w)).join('  '));
for (const r of rows.slice(1)) console.log(line(r));
console.log(`\n${items.length} ${status} item(s)${more ? `; more exist (--limit ${limit * 2})` : ''}`);
