/**
 * The functions' code loads no AWS SDK client: each would add its 45–60 ms load to every cold
 * start (docs/performance.md, a). They call AWS through shared/aws; type-only imports (erased
 * by the build) and the SDK's small marshaller, util-dynamodb, are allowed. Likewise schemas
 * are built with `zod/mini`: the chained API (`zod`) costs about 10 ms more per cold start.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const ALLOWED = new Set(['@aws-sdk/util-dynamodb']);

const sourcesUnder = (dir: string): string[] =>
  readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourcesUnder(path.join(dir, entry.name)) : entry.name.endsWith('.ts') ? [path.join(dir, entry.name)] : [],
  );

/** Every module specifier a file loads at run time: static imports that are not `import type`, re-exports, dynamic imports, require. */
const runtimeImports = (source: string) => {
  const found: string[] = [];
  for (const m of source.matchAll(/^\s*(import|export)\s+(type\s+)?[^'";]*?from\s+['"]([^'"]+)['"]/gm)) if (!m[2]) found.push(m[3]!);
  for (const m of source.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) found.push(m[1]!);
  for (const m of source.matchAll(/\b(?:import|require)\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push(m[1]!);
  return found;
};

describe('the code bundled into functions', () => {
  const files = [...sourcesUnder('functions'), ...sourcesUnder('shared')];

  it('finds the files and their imports (the check below has something to check)', () => {
    expect(files.length).toBeGreaterThan(80);
    expect(runtimeImports(readFileSync(path.join(ROOT, 'shared/aws/dynamodb.ts'), 'utf8'))).toContain('@aws-sdk/util-dynamodb');
    expect(runtimeImports("import type { X } from '@aws-sdk/lib-dynamodb';")).toEqual([]);
    expect(runtimeImports("const { A } = await import('@aws-sdk/client-kms');")).toEqual(['@aws-sdk/client-kms']);
  });

  it('imports no AWS SDK package at run time except util-dynamodb', () => {
    const offending = files.flatMap((file) =>
      runtimeImports(readFileSync(path.join(ROOT, file), 'utf8'))
        .filter((spec) => /^@(aws-sdk|smithy)\//.test(spec) && !ALLOWED.has(spec))
        .map((spec) => `${file}: ${spec}`),
    );
    expect(offending).toEqual([]);
  });

  it("builds schemas with shared/zod.ts (zod/mini with its default messages), never the chained API of 'zod' or 'zod/v4'", () => {
    const offending = files.flatMap((file) =>
      runtimeImports(readFileSync(path.join(ROOT, file), 'utf8'))
        .filter((spec) => spec === 'zod' || spec === 'zod/v4' || spec.startsWith('zod/v4/classic') || (spec === 'zod/mini' && file !== path.join('shared', 'zod.ts')))
        .map((spec) => `${file}: ${spec}`),
    );
    expect(offending).toEqual([]);
    expect(runtimeImports(readFileSync(path.join(ROOT, 'shared/schemas/common.ts'), 'utf8'))).toContain('../zod.js');
  });
});
