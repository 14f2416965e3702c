/**
 * A stand-in for WeChat's code2session on loopback, so mini-program login works on one machine:
 * `GET /sns/jscode2session?appid=&secret=&js_code=&grant_type=authorization_code`.
 *
 * - `ok-<anything>` → `{ openid, session_key }`; the openid follows from the code
 *   deterministically (`ok-alice` always logs in the same WeChat user).
 * - `down-<anything>` → HTTP 502 (WeChat unreachable); `slow-<anything>` → no answer for 10 s
 *   (longer than the handler's timeout). Both let tests see the 503.
 * - anything else → `{ errcode: 40029, errmsg: 'invalid code' }`, as WeChat answers.
 * - a wrong appid or secret → 40013 / 40125, as WeChat does.
 */
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Log } from './log.js';

export interface LocalWechat {
  /** http://127.0.0.1:port — the WECHAT_API_BASE handlers get. */
  url: string;
  appId: string;
  appSecret: string;
  stop(): Promise<void>;
}

/** The openid the stand-in gives `ok-<name>`: what tests can compute too. */
export const localOpenidOf = (code: string) => `o${createHash('sha256').update(`redstar-local:${code}`).digest('base64url').slice(0, 27)}`;

export const startLocalWechat = async ({ log, appId = 'wx-local-redstar' }: { log: Log; appId?: string }): Promise<LocalWechat> => {
  const appSecret = randomBytes(16).toString('hex');
  const slow = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const send = (status: number, body: unknown) => {
      // WeChat labels its JSON text/plain.
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'GET' || url.pathname !== '/sns/jscode2session') return send(404, { errcode: 404, errmsg: 'not found' });
    const q = url.searchParams;
    const code = q.get('js_code') ?? '';
    if (q.get('appid') !== appId) return send(200, { errcode: 40013, errmsg: 'invalid appid' });
    if (q.get('secret') !== appSecret) return send(200, { errcode: 40125, errmsg: 'invalid appsecret' });
    if (q.get('grant_type') !== 'authorization_code') return send(200, { errcode: 40002, errmsg: 'invalid grant_type' });
    if (code.startsWith('down-')) return send(502, { errmsg: 'bad gateway' });
    if (code.startsWith('slow-')) {
      slow.add(res);
      const timer = setTimeout(() => {
        slow.delete(res);
        send(200, { errcode: -1, errmsg: 'system error' });
      }, 10_000);
      res.on('close', () => {
        clearTimeout(timer);
        slow.delete(res);
      });
      return;
    }
    if (!code.startsWith('ok-') || code.length <= 3) return send(200, { errcode: 40029, errmsg: 'invalid code' });
    send(200, { openid: localOpenidOf(code), session_key: randomBytes(16).toString('base64') });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1' }, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  log.info(`WeChat stand-in on ${url}`);
  return {
    url,
    appId,
    appSecret,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const res of slow) res.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
};
