/**
 * Building blocks shared by the request schemas of every route, built with zod's functional
 * `zod/mini` API (see shared/zod.ts).
 */
import * as z from '../zod.js';
import { normalizeMobile } from '../domain/identity.js';
import { bilingual } from '../http/messages.js';

/** ULIDs: 26 Crockford base-32 characters. */
export const ulidSchema = z.string().check(z.regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, bilingual('must be a ULID', '须为 ULID（26 位）')));

/** Org ids: `sz`, `futian`, `futian.yuanling`, `futian.yuanling.<community>`. */
export const orgUnitIdSchema = z
  .string()
  .check(
    z.minLength(1),
    z.maxLength(120),
    z.regex(/^[a-z0-9-]+(\.[a-z0-9-]+){0,3}$/, bilingual('must be an org unit id such as futian.yuanling', '须为组织节点编号，如 futian.yuanling')),
  );

const EARLIEST = Date.parse('1950-01-01T00:00:00Z');
const LATEST = Date.parse('2100-01-01T00:00:00Z');

/**
 * ISO 8601 instant with an explicit offset (Z or ±hh:mm), stored as UTC. Limited to 1950–2099 so
 * every stored instant has the same shape and sorts as a string (keys and ranges rely on it).
 */
export const instantSchema = z.pipe(
  z.pipe(z.iso.datetime({ offset: true }), z.transform((value) => Date.parse(value))).check(
    z.refine((ms) => ms >= EARLIEST && ms < LATEST, bilingual('must lie between 1950 and 2099', '须在 1950 至 2099 年之间')),
  ),
  z.transform((ms) => new Date(ms).toISOString()),
);

export const idParams = z.object({ id: ulidSchema });
export const orgIdParams = z.object({ id: orgUnitIdSchema });

export const limitSchema = z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100)), 20);
export const cursorSchema = z.optional(z.string().check(z.minLength(1), z.maxLength(2048)));

export const pageQuery = z.object({ limit: limitSchema, cursor: cursorSchema });

export const yearSchema = z.coerce.number().check(z.int(), z.minimum(2000), z.maximum(2100));

/** Six decimals (about 0.1 m) is all a check-in needs, and keeps numbers DynamoDB can store. */
const coordinate = (limit: number) =>
  z.pipe(
    z.number().check(z.minimum(-limit), z.maximum(limit)),
    z.transform((v) => Math.round(v * 1e6) / 1e6),
  );

/**
 * Free text (names, titles, notes…): zero-width characters (U+200B–U+200D, U+2060, U+FEFF) are
 * removed and the ends trimmed before the length is checked; control characters (U+0000–U+001F,
 * U+007F, bidirectional overrides; `multiline` allows line feed and tab), lone surrogates and
 * U+FFFD (the trace of bytes that were not UTF-8) are refused. The schema stays a string
 * schema, so min/max still show in the OpenAPI document.
 */
const ZERO_WIDTH = /[\u200B-\u200D\u2060\uFEFF]/g;
// Bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069) count as control
// characters: they reorder what is shown, so "钱\u202E…" could display as another name in a list.
const CONTROL = /[\u0000-\u001F\u007F\u202A-\u202E\u2066-\u2069]/;
const CONTROL_BUT_LINES = /[\u0000-\u0008\u000B-\u001F\u007F\u202A-\u202E\u2066-\u2069]/;
const NO_CONTROL = bilingual('must not contain control characters', '不得包含控制字符');
const NO_CONTROL_BUT_LINES = bilingual('must not contain control characters other than line breaks and tabs', '除换行和制表符外不得包含控制字符');
const WELL_FORMED = bilingual('must be well-formed Unicode text', '须为有效的 Unicode 文本');
// U+FFFD is what a decoder leaves for bytes that were not UTF-8: the text sent is already lost.
const REPLACEMENT = bilingual('contains U+FFFD: the text was not valid UTF-8 where it was sent from', '包含替换字符 U+FFFD：发送的文本不是有效的 UTF-8');
const isWellFormed = (s: string) => (s as string & { isWellFormed(): boolean }).isWellFormed();

export const textSchema = (min: number, max: number, opts: { multiline?: boolean } = {}) =>
  z
    .string()
    .check(
      z.overwrite((s) => s.replace(ZERO_WIDTH, '')),
      z.trim(),
      ...(min > 0 ? [z.minLength(min)] : []),
      z.maxLength(max),
      z.refine(isWellFormed, WELL_FORMED),
      z.refine((s) => !s.includes('\uFFFD'), REPLACEMENT),
      z.refine((s) => !(opts.multiline ? CONTROL_BUT_LINES : CONTROL).test(s), opts.multiline ? NO_CONTROL_BUT_LINES : NO_CONTROL),
    );

export const positionSchema = {
  lat: z.optional(coordinate(90)),
  lng: z.optional(coordinate(180)),
};

const MOBILE_MESSAGE = bilingual('must be a mainland mobile number (11 digits starting 13–19, optional +86)', '须为大陆手机号（以 13–19 开头的 11 位数字，可带 +86）');

/** A mainland mobile number, normalised to its 11 digits (+86, spaces and dashes dropped). */
export const mobileSchema = z.pipe(
  z.string().check(z.maxLength(20)),
  z.transform((raw: string, ctx) => {
    const phone = normalizeMobile(raw);
    if (!phone) {
      ctx.issues.push({ code: 'custom', message: MOBILE_MESSAGE, input: raw });
      return z.NEVER;
    }
    return phone;
  }),
);
