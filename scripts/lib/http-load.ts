/**
 * HTTP load from a worker thread, so the load generator's own work (fetch, parsing responses)
 * runs on another event loop than the gateway and handlers it measures. Only the given base URL
 * is contacted (the bench passes the local gateway on 127.0.0.1).
 */
import { Worker } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { percentile, type LoadResult } from './stats.js';

export interface LoadRequest {
  method: string;
  path: string;
  body?: unknown;
  /** Statuses that count as success. */
  expect: number[];
}

// Plain JavaScript, evaluated in the worker (no TypeScript loader needed there).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { baseUrl, token, concurrency, requests } = workerData;
(async () => {
  const latencies = [];
  const failures = [];
  let next = 0;
  const base = { authorization: 'Bearer ' + token, 'accept-language': 'en' };
  const started = performance.now();
  const run = async () => {
    for (;;) {
      const i = next++;
      if (i >= requests.length) return;
      const r = requests[i];
      const t = performance.now();
      try {
        const res = await fetch(baseUrl + r.path, {
          method: r.method,
          headers: r.body === undefined ? base : { ...base, 'content-type': 'application/json' },
          body: r.body === undefined ? undefined : JSON.stringify(r.body),
          signal: AbortSignal.timeout(30000),
        });
        const text = await res.text();
        const ms = performance.now() - t;
        if (r.expect.includes(res.status)) latencies.push(ms);
        else failures.push(r.method + ' ' + r.path + ' -> ' + res.status + ' ' + text.slice(0, 200));
      } catch (error) {
        failures.push(r.method + ' ' + r.path + ' -> ' + (error && error.message));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, requests.length) }, run));
  parentPort.postMessage({ latencies, failed: failures.length, firstError: failures[0], seconds: (performance.now() - started) / 1000 });
})();
`;

/** Sends every request, `concurrency` at a time, from a worker; rates and percentiles as runLoad. */
export const httpLoadInWorker = async (baseUrl: string, token: string, concurrency: number, requests: LoadRequest[]): Promise<LoadResult> => {
  const elu = performance.eventLoopUtilization();
  const cpu = process.cpuUsage();
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { baseUrl, token, concurrency, requests } });
  const result = await new Promise<{ latencies: number[]; failed: number; firstError?: string; seconds: number }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`load worker exited with code ${code}`)));
  });
  await worker.terminate();
  const used = process.cpuUsage(cpu);
  return {
    count: requests.length,
    errors: result.failed,
    firstError: result.firstError,
    seconds: result.seconds,
    perSecond: result.latencies.length / result.seconds,
    p50: percentile(result.latencies, 50),
    p99: percentile(result.latencies, 99),
    latencies: result.latencies,
    // The main thread's loop: gateway, handlers and SQS emulator (the load runs in the worker).
    eventLoopBusy: performance.eventLoopUtilization(elu).utilization,
    // process.cpuUsage counts every thread, the worker's included.
    cpuCores: (used.user + used.system) / 1e6 / result.seconds,
  };
};
