/**
 * Every function bundled as the stack bundles it (infra/stack.ts BUNDLING) stays under the
 * 300 KB target and self-contained. `npm run bench` measures the same bundles in full; this
 * catches a regression on every test run, e.g. a module that hands zod out as one object (the
 * bundler then keeps all of zod: 420 KB) or an AWS SDK client slipping back in.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../shared/functions.js';
import { BUNDLING } from '../../infra/stack.js';
import { bundleFunction, sdkPackagesIn } from '../../scripts/lib/bundle.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const MAX_BYTES = 300 * 1024;
const outDir = mkdtempSync(path.join(tmpdir(), 'redstar-bundles-'));

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('function bundles', () => {
  it.each(FUNCTIONS.map((f) => [f.name, f.entry]))('%s is self-contained and under 300 KB, with zod/mini only', async (name, entry) => {
    const bundle = await bundleFunction(BUNDLING, path.join(ROOT, entry), path.join(outDir, name));
    expect(bundle.externals).toEqual([]);
    expect(bundle.bytes).toBeLessThan(MAX_BYTES);
    expect(sdkPackagesIn(bundle)).toEqual([]);
    const packages = Object.fromEntries(bundle.byPackage);
    // zod/mini with what a function uses is 25–40 KB; the whole of zod would be ten times that.
    expect(packages.zod ?? 0).toBeLessThan(80 * 1024);
  });
});
