/**
 * Imported first by scripts/bench.ts, before anything that could load a handler: the handlers'
 * Powertools logger reads its level when it is created, and an info line per request would bury
 * the benchmark's own output. Warnings and errors still show.
 */
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';

/** The AWS SDK warns once that it will soon need Node 22; the bench runs on Node 20 on purpose. */
const printWarning = process.listeners('warning');
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  if (warning.name === 'NodeVersionSupportWarning' || warning.message.startsWith('NodeVersionSupportWarning')) return;
  for (const listener of printWarning) listener(warning);
});
