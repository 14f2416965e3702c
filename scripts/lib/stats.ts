/** Small numeric and formatting helpers for the benchmark. */
import { performance } from 'node:perf_hooks';

export const percentile = (values: number[], p: number) => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  // Nearest-rank: the smallest value with at least p% of the sample at or below it.
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
};

export const median = (values: number[]) => percentile(values, 50);

export interface LoadResult {
  count: number;
  errors: number;
  firstError?: string;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  latencies: number[];
  /** Share of the wall time this process's event loop was busy (the load generator, gateway and handlers all run in it). */
  eventLoopBusy: number;
  /** CPU time of this process over the wall time (1 = one core fully used). */
  cpuCores: number;
}

/**
 * Runs `task(i)` for i in [0, count) with at most `concurrency` in flight; each task returns
 * its own latency in ms (or throws). Wall time gives the rate.
 */
export const runLoad = async (count: number, concurrency: number, task: (i: number) => Promise<number>): Promise<LoadResult> => {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let next = 0;
  const started = performance.now();
  const elu = performance.eventLoopUtilization();
  const cpu = process.cpuUsage();
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= count) return;
      try {
        latencies.push(await task(i));
      } catch (error) {
        errors++;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return {
    eventLoopBusy: performance.eventLoopUtilization(elu).utilization,
    cpuCores: (used.user + used.system) / 1e6 / seconds,
    count,
    errors,
    firstError,
    seconds,
    perSecond: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    latencies,
  };
};

/** Times one async call in ms. */
export const timed = async (fn: () => Promise<unknown>) => {
  const started = performance.now();
  await fn();
  return performance.now() - started;
};

export const ms = (value: number, digits = 1) => (Number.isFinite(value) ? `${value.toFixed(digits)} ms` : 'n/a');

/** A plain text table: columns padded to their widest cell; numbers right-aligned. */
export const table = (headers: string[], rows: (string | number)[][]) => {
  const cells = [headers, ...rows.map((r) => r.map((c) => String(c)))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number' || /^[-\d.,]+( ms| KB)?$/.test(String(r[i]))));
  const line = (r: string[]) =>
    r
      .map((c, i) => (numeric[i] ? (c ?? '').padStart(widths[i]) : (c ?? '').padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
};
