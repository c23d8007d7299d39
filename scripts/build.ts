// `npm run build`: bundles the command line into dist/ with esbuild (issue 10). Node spends most of a short
// command's life finding, reading and linking modules: @oclif/core alone is ~160 files, and a command that
// talks to a provider added undici's and zod's. Bundled, a command loads a handful of files, and code shared
// by several commands sits in chunks (dist/chunks/) that only the commands needing them load; prompts, tables,
// the config store and the emulator stay out of commands that do not use them.
//
// oclif still finds the commands as files (dist/commands/**, named in package.json), reads the manifest, and
// loads plugins (autocomplete) from node_modules as usual. Type checking is `npm run typecheck`; esbuild only
// strips types.
//
// @oclif/core and undici are bundled apart, as CommonJS in dist/vendor/, and loaded with a code cache taken
// after the command has run (src/code-cache.ts explains why).
//
// No line of any dependency is changed: each is bundled exactly as published, @oclif/core from its public
// subpath exports (src/oclif.ts), undici from three of its own modules at a version pinned exactly, which
// test/dependency-pins.test.ts checks (src/undici.ts says why). The one liberty taken is in linking, not in
// code: an `import` of a Node built-in becomes a `require` of the same module (see requireBuiltins).
//
// dist/bundle.json records which packages each output file holds, so a test can still tell which dependencies
// a command loads (test/helpers/module-trace.ts).
import { build, type Metafile, type Plugin } from 'esbuild';
import { createHash } from 'node:crypto';
import { globSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
process.chdir(root);

/**
 * Node's built-in modules are required, not imported. An ESM import of a built-in builds a facade that reads
 * every export, and reading the lazy ones loads their modules: `import 'node:fs'` loads streams, fs/promises
 * and readline, `import 'node:util'` worker_threads, `import 'node:process'` both; about 20 ms of a command
 * that uses none of them. A required built-in is read one property at a time, as the code uses it. A dynamic
 * `import()` of a built-in stays as it is: it runs only when needed, and its result needs the named exports.
 */
const requireBuiltins: Plugin = {
  name: 'require-builtins',
  setup(b) {
    // One small module per importer, so that it is bundled with its importer: shared, it would be a chunk of
    // its own, and every file costs a start-up.
    b.onResolve({ filter: /^[a-z_:/]+$/ }, (args) =>
      args.kind === 'import-statement' && isBuiltin(args.path)
        ? { path: `${args.path} from ${args.importer}`, namespace: 'builtin' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({
      loader: 'js',
      contents: `module.exports = require(${JSON.stringify(args.path.split(' ')[0])});`,
    }));
  },
};

/**
 * The modules that nearly every command runs (the base command and its flags, resolution, errors, input checks,
 * output, prompts, the provider catalogue, the code cache) go in one chunk. esbuild makes a chunk for each set of entry points that
 * reach a module, and every file imported with `import('./…')` counts as an entry point too; left to itself, it
 * split these few modules into a dozen chunks, and each file a command loads costs about half a millisecond of
 * start-up. `get` loaded 26 files of dist/, most of a few hundred bytes; it now loads 9, and `events` 4 instead
 * of 21. So every entry point and every lazily imported file imports all of them first, and they all have the
 * same entry points. A core module must itself be imported statically, or it would be an entry point of its
 * own that reaches only part of the core; the build checks. What only some commands need (the HTTP client, an
 * adapter, zod, the config store) is still loaded on demand.
 */
const ENTRY_POINTS = [...globSync('src/commands/**/*.ts'), ...globSync('src/hooks/*.ts'), 'src/framework.ts'];
const CORE = [
  'src/code-cache.ts',
  'src/base-command.ts',
  'src/errors.ts',
  'src/input.ts',
  'src/output.ts',
  'src/progress.ts',
  'src/prompt.ts',
  'src/providers/index.ts',
  'src/flags.ts',
  'src/resolve.ts',
  'src/records.ts',
  'src/issued-secrets.ts',
  'src/io.ts',
  'src/connection.ts',
  'src/json-output.ts',
  'src/scope-prompt.ts',
  'src/usage-hints.ts',
];
const CORE_PATHS = new Set(CORE.map((file) => resolve(file)));
const ENTRY_PATHS = new Set(ENTRY_POINTS.map((file) => resolve(file)));
/** The files of src/ that some file imports with `import('./…')`: esbuild treats each as an entry point too. */
const LAZY_PATHS = new Set(
  globSync('src/**/*.ts').flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/import\('(\.[^']+\.ts)'\)/g)].map((m) =>
      resolve(dirname(file), m[1]!),
    ),
  ),
);
for (const path of CORE_PATHS) {
  if (LAZY_PATHS.has(path))
    throw new Error(`${path} is in the core chunk: import it statically, not with import()`);
}
const coreInEveryEntry: Plugin = {
  name: 'core-in-every-entry',
  setup(b) {
    b.onLoad({ filter: /\/src\/.*\.ts$/, namespace: 'file' }, (args) => {
      if (CORE_PATHS.has(args.path) || !(ENTRY_PATHS.has(args.path) || LAZY_PATHS.has(args.path)))
        return undefined;
      const core = CORE.map((file) => `import ${JSON.stringify(resolve(file))};`).join('');
      return { loader: 'ts', contents: `${core}\n${readFileSync(args.path, 'utf8')}` };
    });
  },
};

/**
 * Minified for size, with names kept, so stack traces under --debug stay readable. BUILD_NO_MINIFY=1 keeps
 * the layout and the `// node_modules/…` markers, to read a CPU profile by module.
 */
const MINIFY = process.env.BUILD_NO_MINIFY ? {} : ({ minifyWhitespace: true, minifySyntax: true } as const);
/** oclif loads a TypeScript compiler only to run a plugin from its sources, which a built CLI never does. */
const EXTERNAL = ['typescript', 'ts-node', 'tsx'];

// ---- Vendored: the large dependencies, loaded with a code cache taken at exit (src/code-cache.ts) ----

/**
 * Each is bundled from `entry`, a file of src/ that re-exports what voicehooks uses of the package; `imports`
 * matches how the sources import it (by package name, or by a relative path to the entry).
 * `packages` are the packages it holds, which no other output may hold again.
 */
const VENDORED = [
  {
    name: 'oclif',
    entry: resolve('src/oclif.ts'),
    imports: /^@oclif\/core$/,
    packages: ['@oclif/core'],
  },
  {
    name: 'undici',
    entry: resolve('src/undici.ts'),
    imports: /\/undici\.ts$/,
    packages: ['undici'],
  },
];

rmSync('dist', { recursive: true, force: true });

/** name → the hash of its bundle and the names it exports, for the module that loads it. */
const vendored = new Map<string, { hash: string; exports: string[]; metafile: Metafile }>();
for (const { name, entry } of VENDORED) {
  const outfile = `dist/vendor/${name}.cjs`;
  const { metafile } = await build({
    stdin: { contents: `module.exports = require(${JSON.stringify(entry)});`, resolveDir: root },
    outfile,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node22',
    ...MINIFY,
    external: EXTERNAL,
    metafile: true,
    logLevel: 'warning',
  });
  const code = readFileSync(outfile, 'utf8');
  const exports = Object.keys(
    await import(pathToFileURL(createRequire(import.meta.url).resolve(entry)).href),
  );
  const hash = createHash('sha256').update(code).digest('hex').slice(0, 16);
  vendored.set(name, {
    hash,
    exports: exports.filter((e) => !['default', 'module.exports', '__esModule'].includes(e)),
    metafile,
  });
}

/** Every import of a vendored module gets a module that loads it through the cache (src/code-cache.ts). */
const loadVendored: Plugin = {
  name: 'load-vendored',
  setup(b) {
    for (const { name, entry, imports } of VENDORED) {
      b.onResolve({ filter: imports }, (args) => {
        // A package name is the bundle itself; a relative path is the bundle only when it is the entry.
        const relative = args.path.startsWith('.');
        return !relative || resolve(args.resolveDir, args.path) === entry
          ? { path: name, namespace: 'vendored' }
          : undefined;
      });
    }
    b.onLoad({ filter: /.*/, namespace: 'vendored' }, (args) => {
      const { hash, exports } = vendored.get(args.path)!;
      return {
        loader: 'js',
        resolveDir: resolve('src'),
        contents: [
          `import { loadCached } from './code-cache.ts';`,
          `const vendored = loadCached(${JSON.stringify(args.path)}, ${JSON.stringify(hash)});`,
          `export const { ${exports.join(', ')} } = vendored;`,
        ].join('\n'),
      };
    });
  },
};

const result = await build({
  entryPoints: ENTRY_POINTS,
  outdir: 'dist',
  outbase: 'src',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  chunkNames: 'chunks/[name]-[hash]',
  ...MINIFY,
  external: EXTERNAL,
  plugins: [coreInEveryEntry, loadVendored, requireBuiltins],
  metafile: true,
  logLevel: 'warning',
});

// CommonJS modules in the bundle call require() (through esbuild's `__require`, defined in one chunk) for Node's
// built-in modules, and ESM has no require of its own: the files that use it get one. Only those: in a file
// that has no use for it, importing node:module and making a require is start-up time spent for nothing.
const REQUIRE =
  "import{createRequire as __vhRequire}from'node:module';const require=__vhRequire(import.meta.url);\n";
for (const output of Object.keys(result.metafile.outputs).filter((o) => o.endsWith('.js'))) {
  const code = readFileSync(output, 'utf8');
  if (/(?<![\w$.])require\b/.test(code)) writeFileSync(output, REQUIRE + code);
}

/** `…/node_modules/@scope/name/…` → `@scope/name`; a source file → `voicehooks`. */
function packageOf(input: string): string {
  const at = input.lastIndexOf('node_modules/');
  if (at < 0) return 'voicehooks';
  const parts = input.slice(at + 'node_modules/'.length).split('/');
  return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? input);
}

/** The packages bundled in each output of a build; a vendored module stands for the packages it loads. */
function packagesOf(metafile: Metafile): Record<string, string[]> {
  const packages: Record<string, string[]> = {};
  for (const [output, { inputs }] of Object.entries(metafile.outputs)) {
    const names = Object.keys(inputs).flatMap((input) => {
      const vendor = input.startsWith('vendored:')
        ? vendored.get(input.slice('vendored:'.length))
        : undefined;
      return vendor ? Object.values(packagesOf(vendor.metafile)).flat() : [packageOf(input)];
    });
    packages[output.slice('dist/'.length)] = [...new Set(names)].sort();
  }
  return packages;
}

// A vendored package bundled again elsewhere would be a second copy: two @oclif/core Command classes.
for (const [output, { inputs }] of Object.entries(result.metafile.outputs)) {
  const again = Object.keys(inputs)
    .map(packageOf)
    .find((p) => VENDORED.some((v) => v.packages.includes(p)));
  if (again) throw new Error(`${output} bundles ${again}, which must be loaded from dist/vendor/ only`);
}
const packages = packagesOf(result.metafile);
for (const { metafile } of vendored.values()) Object.assign(packages, packagesOf(metafile));
writeFileSync('dist/bundle.json', `${JSON.stringify({ packages }, null, 1)}\n`);
