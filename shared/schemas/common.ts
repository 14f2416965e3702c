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

/** ISO 8601 instant with an explicit offset (Z or ±hh:mm). */
export const instantSchema = z.iso.datetime({ offset: true }).transform((value) => new Date(value).toISOString());

export const idParams = z.object({ id: ulidSchema });
export const orgIdParams = z.object({ id: orgUnitIdSchema });

export const limitSchema = z.coerce.number().int().min(1).max(100).default(20);
export const cursorSchema = z.string().min(1).max(2048).optional();

export const pageQuery = z.object({ limit: limitSchema, cursor: cursorSchema });

export const yearSchema = z.coerce.number().int().min(2000).max(2100);

export const positionSchema = {
  lat: z.number().min(-90).max(90).optional(),
  lng: z.number().min(-180).max(180).optional(),
};
