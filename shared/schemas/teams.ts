import * as z from 'zod';
import { TEAM_SPECIALTIES } from '../domain/activities.js';
import { orgUnitIdSchema, textSchema, ulidSchema } from './common.js';

export const createTeamBody = z.object({
  name: textSchema(2, 60),
  orgUnitId: orgUnitIdSchema,
  specialty: z.enum(TEAM_SPECIALTIES).default('general'),
  slogan: textSchema(0, 200).optional(),
});

export const addMemberBody = z.object({
  volunteerId: ulidSchema,
  role: z.enum(['member', 'leader']).default('member'),
});
