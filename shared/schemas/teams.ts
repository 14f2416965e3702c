import * as z from '../zod.js';
import { TEAM_SPECIALTIES } from '../domain/activities.js';
import { orgUnitIdSchema, textSchema, ulidSchema } from './common.js';

export const createTeamBody = z.object({
  name: textSchema(2, 60),
  orgUnitId: orgUnitIdSchema,
  specialty: z._default(z.enum(TEAM_SPECIALTIES), 'general'),
  slogan: z.optional(textSchema(0, 200)),
});

export const addMemberBody = z.object({
  volunteerId: ulidSchema,
  role: z._default(z.enum(['member', 'leader']), 'member'),
});
