/**
 * POST /v1/auth/wechat — public: mini-program login. Exchanges the wx.login() code for the
 * openid (WeChat code2session), finds or creates the account bound to it and starts a session.
 * With `phone` and `smsCode` the WeChat user is bound to that phone's account instead.
 */
import { logIn } from '../../../shared/auth/login.js';
import { code2session } from '../../../shared/auth/wechat.js';
import { accountForOpenid, accountForPhone, bindOpenid, getAccount } from '../../../shared/data/accounts.js';
import { consumeLoginCode } from '../../../shared/data/login-codes.js';
import { unauthenticated } from '../../../shared/errors.js';
import { httpRoute, ok } from '../../../shared/http/route.js';
import { wechatLoginBody } from '../../../shared/schemas/auth.js';

export const handler = httpRoute({
  action: 'public',
  body: wechatLoginBody,
  handle: async ({ body }) => {
    // WeChat first: a rejected or unavailable WeChat login must not spend the SMS code.
    const { openid } = await code2session(body.code);
    if (body.phone && body.smsCode) {
      if (!(await consumeLoginCode(body.phone, body.smsCode))) {
        throw unauthenticated({ zh: '验证码错误或已失效', en: 'The code is wrong or no longer valid' });
      }
      const byPhone = await accountForPhone(body.phone);
      await bindOpenid(byPhone.account.id, openid);
      return ok(await logIn(await getAccount(byPhone.account.id)));
    }
    return ok(await logIn(await accountForOpenid(openid)));
  },
});
