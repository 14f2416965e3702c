/** POST /v1/dev/tokens — local runtime only: a token for any role, to try the API. */
import * as z from 'zod';
import { signToken } from '../../../shared/auth/tokens.js';
import { isLocalRuntime } from '../../../shared/config.js';
import { ROLES } from '../../../shared/domain/access.js';
import { notFound } from '../../../shared/errors.js';
import { created, httpRoute } from '../../../shared/http/route.js';

const body = z.object({
  role: z.enum(ROLES),
  scope: z.string().min(1).max(120).optional(),
  subject: z.string().min(1).max(64).optional(),
});

export const handler = httpRoute({
  action: 'public',
  body,
  handle: async ({ body }) => {
    // Never deployed; and should it ever be, it refuses to work outside the local runtime.
    if (!isLocalRuntime()) throw notFound({ zh: '路由', en: 'Route' });
    const token = await signToken({
      subject: body.subject ?? `dev-${body.role}`,
      role: body.role,
      scope: body.scope ?? (body.role === 'city_admin' ? 'sz' : undefined),
      volunteerId: body.role === 'volunteer' ? body.subject : undefined,
    });
    return created({ token });
  },
});
