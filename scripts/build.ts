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
// dist/bundle.json records which packages each output file holds, so a test can still tell which dependencies
// a command loads (test/helpers/module-trace.ts).
import { build, type Plugin } from 'esbuild';
import { globSync, rmSync, writeFileSync } from 'node:fs';
import { constants as http2Constants } from 'node:http2';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

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
 * (node:child_process) or read a flag from stdin (node:readline). oclif reads each as `x.name`, as a call or
 * through `__importDefault`, all of which a deferred stand-in answers.
 */
const DEFERRED_IN_OCLIF = [
  'tinyglobby',
  'minimatch',
  'ejs',
  'cli-spinners',
  'wrap-ansi',
  'string-width',
  'clean-stack',
  'node:child_process',
  'node:readline',
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
 * @oclif/core asks wsl-utils, on every start, whether it runs under WSL; wsl-utils also loads PowerShell
 * helpers and node:child_process, which only Windows paths use. In @oclif/core, wsl-utils is this: the same
 * answer from is-wsl (the package wsl-utils itself asks), and the PowerShell path from the real module.
 */
const wslCheckOnly: Plugin = {
  name: 'wsl-check-only',
  setup(b) {
    b.onResolve({ filter: /^wsl-utils$/ }, async (args) => {
      if (!inPackage(args.importer, '@oclif/core')) return undefined;
      const real = await b.resolve('wsl-utils', { kind: args.kind, resolveDir: args.resolveDir });
      return { path: real.path, namespace: 'wsl-check-only' };
    });
    b.onLoad({ filter: /.*/, namespace: 'wsl-check-only' }, (args) => ({
      loader: 'js',
      resolveDir: dirname(args.path),
      contents: [
        `export { default as isWsl } from 'is-wsl';`,
        `export const powerShellPath = async (...args) =>`,
        `  (await import(${JSON.stringify(args.path)})).powerShellPath(...args);`,
      ].join('\n'),
    }));
  },
};

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

rmSync('dist', { recursive: true, force: true });
const result = await build({
  entryPoints: [...globSync('src/commands/**/*.ts'), ...globSync('src/hooks/*.ts'), 'src/framework.ts'],
  outdir: 'dist',
  outbase: 'src',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  chunkNames: 'chunks/[name]-[hash]',
  // Whitespace and syntax only: names are kept, so stack traces under --debug stay readable.
  minifyWhitespace: true,
  minifySyntax: true,
  // oclif loads a TypeScript compiler only to run a plugin from its sources, which a built CLI never does.
  external: ['typescript', 'ts-node', 'tsx'],
  plugins: [deferInOclif, wslCheckOnly, lazyHttp2, httpInUndici, assertInUndici],
  // CommonJS dependencies call require() for Node's built-in modules; ESM output has no require of its own.
  banner: {
    js: "import{createRequire as __vhRequire}from'node:module';const require=__vhRequire(import.meta.url);",
  },
  metafile: true,
  logLevel: 'warning',
});

/** `…/node_modules/@scope/name/…` → `@scope/name`; a source file → `voicehooks`. */
function packageOf(input: string): string {
  const at = input.lastIndexOf('node_modules/');
  if (at < 0) return 'voicehooks';
  const parts = input.slice(at + 'node_modules/'.length).split('/');
  return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? input);
}

const packages: Record<string, string[]> = {};
for (const [output, { inputs }] of Object.entries(result.metafile.outputs)) {
  packages[output.slice('dist/'.length)] = [...new Set(Object.keys(inputs).map(packageOf))].sort();
}
writeFileSync('dist/bundle.json', `${JSON.stringify({ packages }, null, 1)}\n`);
