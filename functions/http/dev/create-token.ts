/**
 * POST /v1/dev/tokens — local runtime only: a token for any role, to try the API. The token must
 * be able to work: admins below the city name their org node as `scope`, a team leader their team
 * id, a volunteer their volunteer id as `subject`; a city admin's scope is `sz`. Whether the node,
 * team or volunteer exists is not checked (a local tool).
 */
import * as z from '../../../shared/zod.js';
import { signToken } from '../../../shared/auth/tokens.js';
import { isLocalRuntime } from '../../../shared/config.js';
import { CITY_ID, ROLES } from '../../../shared/domain/access.js';
import { notFound } from '../../../shared/errors.js';
import { bilingual } from '../../../shared/http/messages.js';
import { created, httpRoute } from '../../../shared/http/route.js';
import { orgUnitIdSchema, ulidSchema } from '../../../shared/schemas/common.js';

const CITY_SCOPE = bilingual(`for role city_admin the scope must be ${CITY_ID}`, `角色 city_admin 的 scope 须为 ${CITY_ID}`);
const ORG_SCOPE = bilingual('for this role the scope must be an org unit id such as futian.yuanling', '该角色的 scope 须为组织节点编号，如 futian.yuanling');
const TEAM_SCOPE = bilingual('for role team_leader the scope must be a team id (ULID)', '角色 team_leader 的 scope 须为服务队编号（ULID）');
const VOLUNTEER_SUBJECT = bilingual('for role volunteer the subject must be a volunteer id (ULID)', '角色 volunteer 的 subject 须为志愿者编号（ULID）');

const body = z
  .object({
    role: z.enum(ROLES),
    scope: z.optional(z.string().check(z.minLength(1), z.maxLength(120))),
    subject: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
  })
  .check(z.superRefine((b, ctx) => {
    const fits = (schema: z.ZodMiniType, value: string | undefined) => value !== undefined && schema.safeParse(value).success;
    switch (b.role) {
      case 'city_admin':
        if (b.scope !== undefined && b.scope !== CITY_ID) ctx.addIssue({ code: 'custom', path: ['scope'], message: CITY_SCOPE });
        break;
      case 'district_admin':
      case 'station_liaison':
        if (!fits(orgUnitIdSchema, b.scope)) ctx.addIssue({ code: 'custom', path: ['scope'], message: ORG_SCOPE });
        break;
      case 'team_leader':
        if (!fits(ulidSchema, b.scope)) ctx.addIssue({ code: 'custom', path: ['scope'], message: TEAM_SCOPE });
        break;
      case 'volunteer':
        if (!fits(ulidSchema, b.subject)) ctx.addIssue({ code: 'custom', path: ['subject'], message: VOLUNTEER_SUBJECT });
        break;
    }
  }));

export const handler = httpRoute({
  action: 'public',
  body,
  handle: async ({ body }) => {
    // Never deployed; and should it ever be, it refuses to work outside the local runtime.
    if (!isLocalRuntime()) throw notFound({ zh: '路由', en: 'Route' });
    const token = await signToken({
      subject: body.subject ?? `dev-${body.role}`,
      role: body.role,
      scope: body.role === 'city_admin' ? CITY_ID : body.scope,
      volunteerId: body.role === 'volunteer' ? body.subject : undefined,
    });
    return created({ token });
  },
});
