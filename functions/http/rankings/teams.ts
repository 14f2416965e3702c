/** GET /v1/rankings/teams?orgUnitId=&year=&limit= — most minutes first; team names are public. */
import { displayHours } from '../../../shared/domain/hours.js';
import { requireKnownNodeIfEmpty } from '../../../shared/data/org-units.js';
import { ranking } from '../../../shared/data/tallies.js';
import { httpRoute, ok } from '../../../shared/http/route.js';

import { rankingQuery } from '../../../shared/schemas/rankings.js';

export const handler = httpRoute({
  action: 'ranking:read',
  query: rankingQuery,
  handle: async ({ query }) => {
    const page = await ranking('teams', query.orgUnitId, query.year ? `${query.year}` : 'ALL', query.limit, query.cursor);
    // As list-children: an empty first page of an unknown node is a 404, not an empty ranking.
    await requireKnownNodeIfEmpty(page, query.orgUnitId, query.cursor);
    return ok({
      orgUnitId: query.orgUnitId,
      year: query.year ?? null,
      items: page.items.map((entry) => ({ teamId: entry.id, name: entry.name, minutes: entry.minutes, hours: displayHours(entry.minutes) })),
      nextCursor: page.nextCursor,
    });
  },
});
