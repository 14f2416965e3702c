import { readFileSync, existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FUNCTIONS, httpFunctions } from '../../shared/functions.js';

process.env.TABLE_NAME ??= 'test';

describe('sample events', () => {
  it('every declared function has a sample event in events/', () => {
    const missing = FUNCTIONS.filter((f) => !existsSync(`events/${f.name}.json`)).map((f) => f.name);
    expect(missing).toEqual([]);
  });

  it.each(httpFunctions().map((f) => [f.name, f] as const))('the sample request for %s passes its route schemas', async (name, f) => {
    const event = JSON.parse(readFileSync(`events/${name}.json`, 'utf8'));
    expect(event.routeKey).toBe(`${f.method} ${f.path}`);
    const { handler } = await import(`../../${f.entry}`);
    const { params, query, body } = handler.schemas;
    if (params) expect(params.safeParse(event.pathParameters).success).toBe(true);
    if (query) expect(query.safeParse(event.queryStringParameters ?? {}).success).toBe(true);
    if (body) expect(body.safeParse(JSON.parse(event.body)).success).toBe(true);
  });
});
