/**
 * Bundles a function the way the CDK stack does (infra/stack.ts BUNDLING, which NodejsFunction
 * turns into `esbuild --bundle --platform=node ...`) and measures how long a fresh Node process
 * takes to import the bundle.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { median } from './stats.js';

/** The subset of aws-cdk-lib's BundlingOptions that infra/stack.ts sets. */
export interface StackBundling {
  format?: string;
  minify?: boolean;
  sourceMap?: boolean;
  target?: string;
  mainFields?: string[];
  banner?: string;
  externalModules?: string[];
}

/** Used only if infra/stack.ts cannot be imported; mirrors its BUNDLING. */
export const FALLBACK_BUNDLING: StackBundling = {
  format: 'cjs',
  minify: true,
  sourceMap: true,
  target: 'node22',
  mainFields: ['module', 'main'],
  externalModules: [],
};

/** infra/stack.ts's BUNDLING, imported (aws-cdk-lib loads in about a second), else the fallback. */
export const loadStackBundling = async (): Promise<{ bundling: StackBundling; source: string }> => {
  try {
    const stack = (await import('../../infra/stack.js')) as { BUNDLING: StackBundling };
    return { bundling: stack.BUNDLING, source: 'infra/stack.ts BUNDLING' };
  } catch (error) {
    return { bundling: FALLBACK_BUNDLING, source: `built-in copy (infra/stack.ts failed to load: ${error instanceof Error ? error.message : String(error)})` };
  }
};

/** What NodejsFunction passes to esbuild for these options (see aws-lambda-nodejs/lib/bundling.js). */
export const esbuildOptionsOf = (b: StackBundling, entry: string, outfile: string): BuildOptions => ({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  format: b.format === 'esm' ? 'esm' : 'cjs',
  target: b.target ?? 'node22',
  minify: !!b.minify,
  // `--sourcemap`: a linked .map file next to the bundle (sources included, NodejsFunction's default).
  sourcemap: b.sourceMap ? 'linked' : false,
  external: b.externalModules ?? [],
  mainFields: b.mainFields,
  banner: b.banner ? { js: b.banner } : undefined,
  metafile: true,
  logLevel: 'silent',
});

export interface BundleResult {
  file: string;
  bytes: number;
  /** Bytes in the output by package (node_modules/<pkg>) or 'app' for this repo's code. */
  byPackage: [string, number][];
  /** Packages the bundle imports statically but does not contain (the SDK the runtime provides). */
  externals: string[];
  warnings: number;
}

const packageOf = (input: string) => {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  return match ? match[1] : 'app';
};

const outputOf = (metafile: Metafile, outfile: string) =>
  Object.entries(metafile.outputs).find(([name]) => path.resolve(name) === path.resolve(outfile))?.[1];

const sizesByPackage = (metafile: Metafile, outfile: string): [string, number][] => {
  const output = outputOf(metafile, outfile);
  const sums = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    sums.set(packageOf(input), (sums.get(packageOf(input)) ?? 0) + bytesInOutput);
  }
  return [...sums].sort((a, b) => b[1] - a[1]);
};

export const bundleFunction = async (b: StackBundling, entry: string, outDir: string): Promise<BundleResult> => {
  mkdirSync(outDir, { recursive: true });
  // NodejsFunction names an ESM bundle index.mjs and a CommonJS one index.js.
  const outfile = path.join(outDir, b.format === 'esm' ? 'index.mjs' : 'index.js');
  // In Lambda the asset folder has no package.json, so index.js is CommonJS; here the repo's
  // "type": "module" would apply, so the folder says so itself.
  if (b.format !== 'esm') writeFileSync(path.join(outDir, 'package.json'), '{ "type": "commonjs" }\n');
  const result = await build(esbuildOptionsOf(b, entry, outfile));
  return {
    file: outfile,
    bytes: statSync(outfile).size,
    byPackage: sizesByPackage(result.metafile!, outfile),
    externals: [
      ...new Set(
        (outputOf(result.metafile!, outfile)?.imports ?? [])
          .filter((i) => i.external && (i.kind === 'import-statement' || i.kind === 'require-call') && !i.path.startsWith('node:') && !/^[a-z_]+$/.test(i.path))
          .map((i) => i.path),
      ),
    ].sort(),
    warnings: result.warnings.length,
  };
};

/** AWS SDK packages inside a bundle, other than the small marshaller the functions use (util-dynamodb). */
export const sdkPackagesIn = (bundle: Pick<BundleResult, 'byPackage'>) =>
  bundle.byPackage.map(([name]) => name).filter((name) => /^@(aws-sdk|smithy)\//.test(name) && name !== '@aws-sdk/util-dynamodb');

/** A module that only imports `specifiers`: importing it costs what loading those packages costs. */
export const writeImportOnlyModule = (dir: string, specifiers: string[], format: 'esm' | 'cjs' = 'esm') => {
  mkdirSync(dir, { recursive: true });
  const name = `imports-${specifiers.join('+').replace(/[^a-z0-9+-]+/gi, '_')}`;
  // Load the SDK the way the bundle does (require → dist-cjs, import → dist-es).
  const file = path.join(dir, `${name}.${format === 'esm' ? 'mjs' : 'cjs'}`);
  const line = (s: string) => (format === 'esm' ? `import ${JSON.stringify(s)};` : `require(${JSON.stringify(s)});`);
  writeFileSync(file, specifiers.map(line).join('\n') + '\n');
  return file;
};

/** One timed import: `file`, after untimed imports of `preload` (e.g. the SDK alone) in the same process. */
export interface ImportSpec {
  file: string;
  preload?: string[];
}

const isCommonJs = (file: string) => /\.c?js$/.test(file);

/**
 * Milliseconds to load `file` in a fresh Node process, the way the Lambda runtime loads a
 * handler: `require()` for a CommonJS `index.js`, `await import()` for an ESM `index.mjs`
 * (aws-lambda-nodejs-runtime-interface-client, UserFunction.js `_tryRequire`). Importing a
 * CommonJS bundle through `import()` would add the ESM loader's export scan, which Lambda never pays.
 */
export const importOnce = ({ file, preload = [] }: ImportSpec, env: Record<string, string>) => {
  const code = isCommonJs(file)
    ? `${preload.map((f) => `require(${JSON.stringify(f)});`).join(' ')} const t=performance.now(); require(${JSON.stringify(file)}); console.log(performance.now()-t)`
    : `${preload.map((f) => `await import(${JSON.stringify(pathToFileURL(f).href)});`).join(' ')} const t=performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); console.log(performance.now()-t)`;
  const args = isCommonJs(file) ? ['-e', code] : ['--input-type=module', '-e', code];
  const out = spawnSync(process.execPath, args, {
    // Inside the repository: the external SDK packages resolve from its node_modules, as they
    // would from the Lambda runtime's.
    cwd: path.dirname(file),
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  const value = Number(out.stdout.trim().split('\n').pop());
  if (out.status !== 0 || !Number.isFinite(value)) {
    throw new Error(`importing ${file} failed (exit ${out.status}): ${(out.stderr || out.stdout).trim().split('\n').slice(-3).join(' | ')}`);
  }
  return value;
};

/**
 * Import time of each spec, `runs` fresh processes each, interleaved (a, b, a, b, …) so that a
 * burst of load on the machine affects all of them alike; the median and every sample per spec.
 */
export const measureImports = (specs: ImportSpec[], env: Record<string, string>, runs = 5) => {
  const samples = specs.map(() => [] as number[]);
  for (let i = 0; i < runs; i++) specs.forEach((spec, n) => samples[n].push(importOnce(spec, env)));
  return samples.map((s) => ({ median: median(s), samples: s }));
};
