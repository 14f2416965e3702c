import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { buildOpenApi } from '../../scripts/openapi.js';

it('docs/openapi.json is the document the request schemas generate (run npm run openapi)', async () => {
  const committed = JSON.parse(readFileSync('docs/openapi.json', 'utf8'));
  expect(committed).toEqual(JSON.parse(JSON.stringify(await buildOpenApi())));
});
