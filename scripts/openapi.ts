/**
 * Writes docs/openapi.json from the zod schemas the handlers validate with, so the document
 * cannot drift from what the API accepts. `npm run openapi`.
 */
import { writeFileSync } from 'node:fs';
import * as z from '../shared/zod.js';
import { httpFunctions } from '../shared/functions.js';

process.env.TABLE_NAME ??= 'openapi';

const toSchema = (schema: z.ZodMiniType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'openapi-3.0' });

const problem = {
  description: 'RFC 9457 problem details',
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
};

export const buildOpenApi = async () => {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const f of httpFunctions().filter((fn) => !fn.localOnly)) {
    const { handler } = await import(`../${f.entry}`);
    const { params, query, body, action } = handler.schemas as { params?: z.ZodMiniObject; query?: z.ZodMiniObject; body?: z.ZodMiniType; action: string };
    const parameters = [
      ...Object.entries((params && toSchema(params).properties) ?? {}).map(([name, schema]) => ({ name, in: 'path', required: true, schema })),
      ...Object.entries((query && toSchema(query).properties) ?? {}).map(([name, schema]) => ({ name, in: 'query', required: false, schema })),
    ];
    paths[f.path] ??= {};
    paths[f.path][f.method.toLowerCase()] = {
      operationId: f.name,
      // Public routes (login, refresh, logout) take no token.
      security: action === 'public' ? [] : [{ bearer: [] }],
      ...(parameters.length ? { parameters } : {}),
      ...(body ? { requestBody: { required: true, content: { 'application/json': { schema: toSchema(body) } } } } : {}),
      responses: { '2XX': { description: 'Success' }, '400': problem, '401': problem, '403': problem, '404': problem, '409': problem },
    };
  }
  return {
    openapi: '3.0.3',
    info: { title: 'Redstar API', version: '1', description: 'Generated from the request schemas; see ../shared/API.md for the contract.' },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: {
        Problem: {
          type: 'object',
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            errors: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } },
          },
        },
      },
    },
    paths,
  };
};

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync('docs/openapi.json', `${JSON.stringify(await buildOpenApi(), null, 2)}\n`);
  console.log('wrote docs/openapi.json');
}
