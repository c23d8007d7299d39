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
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
process.chdir(root);

/**
 * undici's HTTP/1.1 client requires node:http2 (and with it node:tls) when it loads, to be ready for HTTP/2,
 * which costs ~20 ms of every start; it only calls `connect` once a server agrees to HTTP/2. This stands in for
 * node:http2 inside undici: the constants it reads at load (copied from this Node), and the real module loaded
 * by the first `connect`.
 */
const lazyHttp2: Plugin = {
  name: 'lazy-http2',
  setup(b) {
    b.onResolve({ filter: /^(node:)?http2$/ }, (args) =>
      args.importer.includes('/node_modules/undici/')
        ? { path: 'http2', namespace: 'lazy-http2' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy-http2' }, () => ({
      loader: 'js',
      contents: [
        `const constants = ${JSON.stringify(http2Constants)};`,
        `let real;`,
        `module.exports = { constants, connect: (...args) => (real ??= require('node:http2')).connect(...args) };`,
      ].join('\n'),
    }));
  },
};

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
  plugins: [lazyHttp2],
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
