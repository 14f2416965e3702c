/** Request schemas of login, session and account routes. */
import * as z from '../zod.js';
import { ROLES } from '../domain/access.js';
import { scopeKindOf } from '../domain/accounts.js';
import { SMS_CODE_DIGITS } from '../domain/sessions.js';
import { bilingual } from '../http/messages.js';
import { orgUnitIdSchema, ulidSchema } from './common.js';
import { mobileSchema } from './volunteers.js';

const smsCodeSchema = z
  .string()
  .check(z.regex(new RegExp(`^\\d{${SMS_CODE_DIGITS}}$`), bilingual(`must be the ${SMS_CODE_DIGITS}-digit code from the SMS`, `须为短信中的 ${SMS_CODE_DIGITS} 位验证码`)));

export const wechatLoginBody = z
  .object({
    /** From wx.login(); WeChat's codes are 32 characters, leave room. */
    code: z.string().check(z.trim(), z.minLength(1), z.maxLength(128)),
    /** Optional: bind this WeChat user to the account of a phone proved with an SMS code. */
    phone: z.optional(mobileSchema),
    smsCode: z.optional(smsCodeSchema),
  })
  .check(
    z.refine((b) => (b.phone === undefined) === (b.smsCode === undefined), { message: bilingual('phone and smsCode come together', 'phone 与 smsCode 须同时提供'), path: ['smsCode'] }),
  );

export const smsCodeRequestBody = z.object({ phone: mobileSchema });
export const smsLoginBody = z.object({ phone: mobileSchema, code: smsCodeSchema });

/** `<ULID>.<43 base64url characters>`; anything else is checked as invalid by the data layer. */
export const refreshBody = z.object({ refreshToken: z.string().check(z.minLength(1), z.maxLength(200)) });
export const switchBody = z.object({ grantId: ulidSchema });

/** A role and what its scope names: an org node, a team id (team_leader) or a volunteer id (volunteer). */
const scopeText = () => z.string().check(z.trim(), z.minLength(1), z.maxLength(120));

export const grantBody = z.object({ role: z.enum(ROLES), scope: scopeText() }).check(
  z.superRefine((b, ctx) => {
    const schema = scopeKindOf(b.role) === 'org' ? orgUnitIdSchema : ulidSchema;
    const result = schema.safeParse(b.scope);
    if (!result.success) {
      const kind = scopeKindOf(b.role);
      const what = kind === 'org' ? 'an org unit id' : kind === 'team' ? 'a team id' : 'a volunteer id';
      const whatZh = kind === 'org' ? '组织节点编号' : kind === 'team' ? '服务队编号' : '志愿者编号';
      ctx.addIssue({ code: 'custom', path: ['scope'], message: bilingual(`for role ${b.role} the scope must be ${what}`, `角色 ${b.role} 的 scope 须为${whatZh}`) });
    }
  }),
);

export const createAccountBody = z.object({ phone: mobileSchema, role: z.enum(ROLES), scope: scopeText() }).check(
  z.superRefine((b, ctx) => {
    // Only the role-and-scope rule: the scope's own length is already checked (and reported) above.
    const result = grantBody.safeParse({ role: b.role, scope: b.scope });
    if (!result.success) {
      for (const issue of result.error.issues) if (issue.code === 'custom') ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    }
  }),
);

export const grantParams = z.object({ id: ulidSchema, grantId: ulidSchema });
