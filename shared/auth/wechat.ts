/**
 * WeChat mini-program login: code2session exchanges the code from `wx.login()` for the user's
 * openid (GET {WECHAT_API_BASE}/sns/jscode2session). The AppSecret comes from Secrets Manager in
 * AWS (WECHAT_APP_SECRET_ARN), fetched once per cold start; the local runtime sets
 * WECHAT_APP_SECRET and points WECHAT_API_BASE at its stand-in (infra/local/wechat.ts).
 *
 * A code WeChat rejects (40029 invalid, 40163 already used, 40226 risky user) is the caller's
 * problem: 401. WeChat not answering, answering garbage, or saying it is busy is ours: 503 with
 * Retry-After, never 500.
 */
import { readSecretString } from '../aws/secrets-manager.js';
import { wechatSettings } from '../config.js';
import { unauthenticated, unavailable } from '../errors.js';
import { logger } from '../log.js';

export const WECHAT_TIMEOUT_MS = 3000;

/** Errors that mean "this code does not log anyone in". */
const REJECTED_CODES = new Set([40029, 40163, 40226]);

export interface WechatSession {
  openid: string;
  unionid?: string;
}

let secret: Promise<string> | undefined;

const loadSecret = async (): Promise<string> => {
  const settings = wechatSettings();
  if (settings.appSecret) return settings.appSecret;
  if (!settings.appSecretArn) throw new Error('Set WECHAT_APP_SECRET or WECHAT_APP_SECRET_ARN');
  return readSecretString(settings.appSecretArn, 'The WeChat app secret');
};

const appSecret = () => {
  secret ??= loadSecret().catch((error) => {
    secret = undefined;
    throw error;
  });
  return secret;
};

const wechatDown = () => unavailable({ zh: '微信登录服务暂不可用，请稍后重试', en: 'WeChat login is unavailable; retry shortly' }, 5);

export const code2session = async (code: string): Promise<WechatSession> => {
  const settings = wechatSettings();
  let secretValue: string;
  try {
    if (!settings.appId) throw new Error('WECHAT_APP_ID is not set');
    secretValue = await appSecret();
  } catch (error) {
    logger.error('WeChat login is not configured', { error: error as Error });
    throw wechatDown();
  }
  const url = new URL(`${settings.apiBase}/sns/jscode2session`);
  url.search = new URLSearchParams({ appid: settings.appId!, secret: secretValue, js_code: code, grant_type: 'authorization_code' }).toString();

  let payload: { openid?: unknown; unionid?: unknown; errcode?: unknown; errmsg?: unknown };
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(WECHAT_TIMEOUT_MS) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    // WeChat answers JSON, sometimes labelled text/plain.
    payload = JSON.parse(await res.text());
  } catch (error) {
    // The URL carries the secret and the code: log neither.
    logger.warn('WeChat code2session failed', { reason: (error as Error).name === 'TimeoutError' ? 'timeout' : String((error as Error).message).slice(0, 80) });
    throw wechatDown();
  }
  const errcode = typeof payload.errcode === 'number' ? payload.errcode : 0;
  if (errcode !== 0) {
    if (REJECTED_CODES.has(errcode)) throw unauthenticated({ zh: '微信登录凭证无效或已使用', en: 'The WeChat login code is invalid or was already used' });
    logger.error('WeChat code2session refused', { errcode, errmsg: String(payload.errmsg ?? '').slice(0, 120) });
    throw wechatDown();
  }
  if (typeof payload.openid !== 'string' || payload.openid === '') {
    logger.error('WeChat code2session answered without an openid');
    throw wechatDown();
  }
  return { openid: payload.openid, ...(typeof payload.unionid === 'string' ? { unionid: payload.unionid } : {}) };
};
