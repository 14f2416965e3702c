/**
 * GET /v1/rankings/volunteers?orgUnitId=&year=&limit= — most minutes first. A name is shown only
 * while the volunteer's `public-name` consent holds, otherwise masked: the tally items carry a
 * `namePublic` flag that the consent and its withdrawal set in their own transaction
 * (shared/data/consents.ts), so this stays one Query.
 */
import { displayHours } from '../../../shared/domain/hours.js';
import { requireKnownNodeIfEmpty } from '../../../shared/data/org-units.js';
import { ranking } from '../../../shared/data/tallies.js';
import { httpRoute, ok } from '../../../shared/http/route.js';
import { maskName } from '../../../shared/http/views.js';
import { rankingQuery } from '../../../shared/schemas/rankings.js';

export const handler = httpRoute({
  action: 'ranking:read',
  query: rankingQuery,
  handle: async ({ query }) => {
    const page = await ranking('volunteers', query.orgUnitId, query.year ? `${query.year}` : 'ALL', query.limit, query.cursor);
    // As list-children: an empty first page of an unknown node is a 404, not an empty ranking.
    await requireKnownNodeIfEmpty(page, query.orgUnitId, query.cursor);
    return ok({
      orgUnitId: query.orgUnitId,
      year: query.year ?? null,
      items: page.items.map((entry) => ({ volunteerId: entry.id, name: entry.namePublic ? entry.name : maskName(entry.name), minutes: entry.minutes, hours: displayHours(entry.minutes) })),
      nextCursor: page.nextCursor,
    });
  },
});
