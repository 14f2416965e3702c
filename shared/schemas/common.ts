/** Building blocks shared by the request schemas of every route. */
import * as z from 'zod';

/** ULIDs: 26 Crockford base-32 characters. */
export const ulidSchema = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a ULID');

/** Org ids: `sz`, `futian`, `futian.yuanling`, `futian.yuanling.<community>`. */
export const orgUnitIdSchema = z
  .string()
  .min(1)
  .max(120)
  .regex(/^[a-z0-9-]+(\.[a-z0-9-]+){0,3}$/, 'must be an org unit id such as futian.yuanling');

const EARLIEST = Date.parse('1950-01-01T00:00:00Z');
const LATEST = Date.parse('2100-01-01T00:00:00Z');

/**
 * ISO 8601 instant with an explicit offset (Z or ±hh:mm), stored as UTC. Limited to 1950–2099 so
 * every stored instant has the same shape and sorts as a string (keys and ranges rely on it).
 */
export const instantSchema = z.iso
  .datetime({ offset: true })
  .transform((value) => Date.parse(value))
  .refine((ms) => ms >= EARLIEST && ms < LATEST, 'must lie between 1950 and 2099')
  .transform((ms) => new Date(ms).toISOString());

export const idParams = z.object({ id: ulidSchema });
export const orgIdParams = z.object({ id: orgUnitIdSchema });

export const limitSchema = z.coerce.number().int().min(1).max(100).default(20);
export const cursorSchema = z.string().min(1).max(2048).optional();

export const pageQuery = z.object({ limit: limitSchema, cursor: cursorSchema });

export const yearSchema = z.coerce.number().int().min(2000).max(2100);

/** Six decimals (about 0.1 m) is all a check-in needs, and keeps numbers DynamoDB can store. */
const coordinate = (limit: number) =>
  z
    .number()
    .min(-limit)
    .max(limit)
    .transform((v) => Math.round(v * 1e6) / 1e6);

export const positionSchema = {
  lat: coordinate(90).optional(),
  lng: coordinate(180).optional(),
};
