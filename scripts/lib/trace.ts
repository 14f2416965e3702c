/**
 * A measuring instrument for the benchmark that needs no change to the code under test:
 * `traceGatewayRequests`: per HTTP request served by the local gateway, its time in the server
 *   and the time it spent waiting on DynamoDB and SQS (union of its outbound HTTP requests),
 *   attributed with node:diagnostics_channel and AsyncLocalStorage.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import diagnostics from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage } from 'node:http';

// ---- time per gateway request ----------------------------------------------------------------

export interface RequestSample {
  method: string;
  path: string;
  status: number;
  /** Request received → response finished, in the gateway's process. */
  totalMs: number;
  /** Union of the request's outbound calls to DynamoDB Local. */
  dynamoMs: number;
  sqsMs: number;
  /** Union of every outbound call (DynamoDB and SQS; overlapping ones count once). */
  ioMs: number;
  dynamoCalls: number;
  sqsCalls: number;
}

interface Store {
  started: number;
  calls: { target: 'dynamo' | 'sqs' | 'other'; start: number; end: number }[];
}

const unionMs = (intervals: { start: number; end: number }[]) => {
  const sorted = [...intervals].sort((a, b) => a.start - b.start);
  let total = 0;
  let from = -Infinity;
  let to = -Infinity;
  for (const { start, end } of sorted) {
    if (start > to) {
      if (to > from) total += to - from;
      from = start;
      to = end;
    } else if (end > to) {
      to = end;
    }
  }
  if (to > from) total += to - from;
  return total;
};

const portOfHost = (host: unknown) => Number(String(host ?? '').split(':').pop());

export const traceGatewayRequests = (ports: { gateway: number; dynamo: number; sqs: number }) => {
  const als = new AsyncLocalStorage<Store>();
  const stores = new WeakMap<IncomingMessage, Store>();
  const outbound = new WeakMap<ClientRequest, Store['calls'][number]>();
  let samples: RequestSample[] = [];
  let enabled = false;

  const onServerStart = (message: unknown) => {
    const { request } = message as { request: IncomingMessage };
    if (!enabled || request.socket.localPort !== ports.gateway) return;
    const store: Store = { started: performance.now(), calls: [] };
    stores.set(request, store);
    // Everything the gateway does for this request, including the handler, runs in this context.
    als.enterWith(store);
  };
  const onServerFinish = (message: unknown) => {
    const { request, response } = message as { request: IncomingMessage; response: { statusCode: number } };
    const store = stores.get(request);
    if (!store) return;
    stores.delete(request);
    // A call that never got a response (an error) counts until now.
    const now = performance.now();
    for (const c of store.calls) if (Number.isNaN(c.end)) c.end = now;
    const of = (target: 'dynamo' | 'sqs') => store.calls.filter((c) => c.target === target);
    samples.push({
      method: request.method ?? '',
      path: (request.url ?? '').split('?')[0],
      status: response.statusCode,
      totalMs: performance.now() - store.started,
      dynamoMs: unionMs(of('dynamo')),
      sqsMs: unionMs(of('sqs')),
      ioMs: unionMs(store.calls),
      dynamoCalls: of('dynamo').length,
      sqsCalls: of('sqs').length,
    });
  };
  const onClientStart = (message: unknown) => {
    const store = als.getStore();
    if (!store) return;
    const { request } = message as { request: ClientRequest };
    const port = portOfHost(request.getHeader('host'));
    const entry: Store['calls'][number] = {
      target: port === ports.dynamo ? 'dynamo' : port === ports.sqs ? 'sqs' : 'other',
      start: performance.now(),
      end: NaN,
    };
    store.calls.push(entry);
    outbound.set(request, entry);
  };
  const onClientFinish = (message: unknown) => {
    const { request } = message as { request: ClientRequest };
    const entry = outbound.get(request);
    if (entry) entry.end = performance.now();
  };

  diagnostics.subscribe('http.server.request.start', onServerStart);
  diagnostics.subscribe('http.server.response.finish', onServerFinish);
  diagnostics.subscribe('http.client.request.start', onClientStart);
  diagnostics.subscribe('http.client.response.finish', onClientFinish);

  return {
    /** Start (or stop) recording; samples are kept until taken. */
    enable: (on: boolean) => {
      enabled = on;
    },
    take: () => {
      const taken = samples.map((s) => s);
      samples = [];
      return taken;
    },
    close: () => {
      diagnostics.unsubscribe('http.server.request.start', onServerStart);
      diagnostics.unsubscribe('http.server.response.finish', onServerFinish);
      diagnostics.unsubscribe('http.client.request.start', onClientStart);
      diagnostics.unsubscribe('http.client.response.finish', onClientFinish);
    },
  };
};
