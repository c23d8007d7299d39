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
// @oclif/core and undici's request path are bundled apart, as CommonJS in dist/vendor/, and loaded with a code
// cache taken after the command has run (src/code-cache.ts explains why).
//
// dist/bundle.json records which packages each output file holds, so a test can still tell which dependencies
// a command loads (test/helpers/module-trace.ts).
import { build, type Metafile, type Plugin } from 'esbuild';
import { createHash } from 'node:crypto';
import { globSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { constants as http2Constants } from 'node:http2';
import { createRequire, isBuiltin } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
process.chdir(root);

// ---- Stand-ins: modules that a dependency loads at start but uses only on rare paths ----
//
// Each was measured with `npm run bench` and with paired, order-rotated runs of `get` and `events`; together
// they took 10 to 48 ms off `get` (three comparisons) and 12 off `events`. A stand-in changes only when a
// module is loaded, never what it does, except where a comment says otherwise.

/** True when `importer` is a file of the package `name` in node_modules. */
const inPackage = (importer: string, name: string): boolean => importer.includes(`/node_modules/${name}/`);

/** The package `pkg`'s imports of the built-in `builtin` (with or without `node:`) get this source instead. */
function standIn(pkg: string, builtin: string, source: string[]): Plugin {
  const namespace = `${builtin}-in-${pkg}`;
  return {
    name: namespace,
    setup(b) {
      b.onResolve({ filter: new RegExp(`^(node:)?${builtin}$`) }, (args) =>
        inPackage(args.importer, pkg) ? { path: builtin, namespace } : undefined,
      );
      b.onLoad({ filter: /.*/, namespace }, () => ({ loader: 'js', contents: source.join('\n') }));
    },
  };
}

/**
 * CommonJS source for a module that requires `specifier` on first use of any of its exports (or first call,
 * for a module that is a function). The target is an arrow function, which has no own keys (such as
 * `prototype`) that would break the proxy's invariants; `__esModule` is answered without loading, so that
 * `__importDefault` does not load it either.
 */
function deferred(specifier: string): string {
  return [
    `let real;`,
    `const load = () => (real ??= require(${JSON.stringify(specifier)}));`,
    `module.exports = new Proxy(() => {}, {`,
    `  apply: (_, self, args) => Reflect.apply(load(), self, args),`,
    `  get: (_, key) => (key === '__esModule' ? undefined : load()[key]),`,
    `  has: (_, key) => key in load(),`,
    `  ownKeys: () => Reflect.ownKeys(load()),`,
    `  getOwnPropertyDescriptor: (_, key) => Reflect.getOwnPropertyDescriptor(load(), key),`,
    `});`,
  ].join('\n');
}

/**
 * What @oclif/core requires when it loads but uses only to find commands without a manifest (tinyglobby),
 * filter plugins by pattern (minimatch), render help templates (ejs), draw its own spinner (cli-spinners),
 * format errors and help (wrap-ansi, string-width, clean-stack), ask Windows for its shell
 * (node:child_process), read a flag from stdin (node:readline) or time itself under OCLIF_PERFORMANCE
 * (node:perf_hooks). semver is for its check of Node's version, which never gets that far in a bundle: it looks
 * for its package.json next to itself, finds none and gives up (voicehooks's own `engines` ask for the same
 * Node). oclif reads each as `x.name`, as a call or through `__importDefault`, all of which a deferred stand-in
 * answers.
 */
const DEFERRED_IN_OCLIF = [
  'tinyglobby',
  'minimatch',
  'ejs',
  'cli-spinners',
  'wrap-ansi',
  'string-width',
  'clean-stack',
  'semver',
  'node:child_process',
  'node:readline',
  'node:perf_hooks',
];

const deferInOclif: Plugin = {
  name: 'defer-in-oclif',
  setup(b) {
    const names = DEFERRED_IN_OCLIF.map((n) => n.replace(/[^\w]/g, '\\$&')).join('|');
    b.onResolve({ filter: new RegExp(`^(${names})$`) }, (args) =>
      inPackage(args.importer, '@oclif/core') && args.namespace === 'file'
        ? { path: args.path, namespace: 'deferred', pluginData: args.resolveDir }
        : undefined,
    );
    // The stand-in's own require: the real package, bundled as usual (a built-in stays external).
    b.onResolve({ filter: /^real:/ }, (args) =>
      b.resolve(args.path.slice('real:'.length), { kind: 'require-call', resolveDir: args.resolveDir }),
    );
    b.onLoad({ filter: /.*/, namespace: 'deferred' }, (args) => ({
      loader: 'js',
      resolveDir: args.pluginData as string,
      contents: deferred(args.path.startsWith('node:') ? args.path : `real:${args.path}`),
    }));
  },
};

/**
 * In @oclif/core, the package `name` is a module of this source instead, given the path of the real one (which
 * the source may still load, on the rare path that needs it).
 */
function wrapInOclif(name: string, source: (real: string) => string[]): Plugin {
  const namespace = `${name}-in-oclif`;
  return {
    name: namespace,
    setup(b) {
      b.onResolve({ filter: new RegExp(`^${name}$`) }, async (args) => {
        if (!inPackage(args.importer, '@oclif/core') || args.namespace !== 'file') return undefined;
        const real = await b.resolve(name, { kind: args.kind, resolveDir: args.resolveDir });
        return { path: real.path, namespace };
      });
      b.onLoad({ filter: /.*/, namespace }, (args) => ({
        loader: 'js',
        resolveDir: dirname(args.path),
        contents: source(args.path).join('\n'),
      }));
    },
  };
}

/**
 * @oclif/core asks wsl-utils, on every start, whether it runs under WSL; wsl-utils also loads PowerShell
 * helpers and node:child_process, which only Windows paths use. In @oclif/core, wsl-utils is this: the same
 * answer from is-wsl (the package wsl-utils itself asks), and the PowerShell path from the real module.
 */
const wslCheckOnly = wrapInOclif('wsl-utils', (real) => [
  `export { default as isWsl } from 'is-wsl';`,
  `export const powerShellPath = async (...args) =>`,
  `  (await import(${JSON.stringify(real)})).powerShellPath(...args);`,
]);

/**
 * debug, oclif's logger, reads DEBUG once, as it loads: when DEBUG is unset every logger is off for the life of
 * the process, and loading debug (supports-color, util.inspect's set-up) is ~4 ms. In @oclif/core, debug is
 * then a logger that is off; with DEBUG set, the real one.
 */
const debugWhenAsked = wrapInOclif('debug', (real) => [
  `const off = () => Object.assign(() => {}, { enabled: false });`,
  `module.exports = process.env.DEBUG ? require(${JSON.stringify(real)}) : off;`,
]);

/**
 * undici's HTTP/1.1 client requires node:http2 (and with it node:tls) when it loads, to be ready for HTTP/2;
 * it calls `connect` only once a server agrees to HTTP/2. Inside undici, node:http2 is the constants it reads
 * at load (copied from this Node) and a `connect` that loads the real module.
 */
const lazyHttp2 = standIn('undici', 'http2', [
  `const constants = ${JSON.stringify(http2Constants)};`,
  `let real;`,
  `module.exports = { constants, connect: (...args) => (real ??= require('node:http2')).connect(...args) };`,
]);

/**
 * undici takes two things from node:http, whose loading is ~10 ms: `maxHeaderSize`, read when it loads, and
 * `IncomingMessage`, to leave the socket alone when it destroys a request body that is an incoming request.
 * Inside undici they are Node's default header limit (16 KiB; only `node --max-http-header-size` would change
 * it) and a class of its own: voicehooks never sends an incoming request as a body (`listen --forward-to`
 * sends a Buffer), so no body is ever one.
 */
const httpInUndici = standIn('undici', 'http', [
  `module.exports = { maxHeaderSize: 16 * 1024, IncomingMessage: class IncomingMessage {} };`,
]);

/**
 * undici calls node:assert only as `assert(condition)` (a check of its own invariants), and loading it is ~5 ms.
 * Inside undici, assert is a function that passes a condition and hands a failing one to the real module,
 * which throws as it always would.
 */
const assertInUndici = standIn('undici', 'assert', [
  `module.exports = (value, message) => { if (!value) require('node:assert')(value, message); };`,
]);

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

const STAND_INS = [deferInOclif, wslCheckOnly, debugWhenAsked, lazyHttp2, httpInUndici, assertInUndici];
/** Minified for size, with names kept, so stack traces under --debug stay readable. */
const MINIFY = { minifyWhitespace: true, minifySyntax: true } as const;
/** oclif loads a TypeScript compiler only to run a plugin from its sources, which a built CLI never does. */
const EXTERNAL = ['typescript', 'ts-node', 'tsx'];

// ---- Vendored: the large dependencies, loaded with a code cache taken at exit (src/code-cache.ts) ----

/**
 * Each is bundled from `entry` (a package, or a file of src/); `imports` matches how the sources import it.
 * `packages` are the packages it holds, which no other output may hold again.
 */
const VENDORED = [
  { name: 'oclif', entry: '@oclif/core', imports: /^@oclif\/core$/, packages: ['@oclif/core'] },
  { name: 'undici', entry: resolve('src/undici.ts'), imports: /\/undici\.ts$/, packages: ['undici'] },
];

/**
 * A dynamic `import(` of a computed specifier, in code, not in a string. A vm.Script may not use `import()`
 * without an experimental flag, so the vendored code calls the loader's own import function instead (what it
 * imports this way, command files and plugins, are absolute URLs, which resolve the same from anywhere). An
 * import of a string literal is left to esbuild, which bundles it.
 */
const DYNAMIC_IMPORT = /(?<![\w$.'"`])import\((?![)'"`])/g;

const importThroughLoader: Plugin = {
  name: 'import-through-loader',
  setup(b) {
    b.onLoad({ filter: /\.[cm]?js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      if (source.search(DYNAMIC_IMPORT) < 0) return undefined;
      return { loader: 'js', contents: source.replace(DYNAMIC_IMPORT, '__voicehooksImport(') };
    });
  },
};

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
    plugins: [importThroughLoader, ...STAND_INS],
    metafile: true,
    logLevel: 'warning',
  });
  const code = readFileSync(outfile, 'utf8');
  if (code.search(DYNAMIC_IMPORT) >= 0)
    throw new Error(`${outfile} still calls import(), which a vm.Script cannot`);
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
        const target = entry.startsWith('/') ? resolve(args.resolveDir, args.path) : args.path;
        return target === entry ? { path: name, namespace: 'vendored' } : undefined;
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
  plugins: [coreInEveryEntry, loadVendored, requireBuiltins, ...STAND_INS],
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
