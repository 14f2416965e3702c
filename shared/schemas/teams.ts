import * as z from 'zod';
import { TEAM_SPECIALTIES } from '../domain/activities.js';
import { orgUnitIdSchema, ulidSchema } from './common.js';

export const createTeamBody = z.object({
  name: z.string().trim().min(2).max(60),
  orgUnitId: orgUnitIdSchema,
  specialty: z.enum(TEAM_SPECIALTIES).default('general'),
  slogan: z.string().trim().max(200).optional(),
});

export const addMemberBody = z.object({
  volunteerId: ulidSchema,
  role: z.enum(['member', 'leader']).default('member'),
});
