// Loaded with `node --import`, it records every module the process loads and prints their specifiers to
// stderr at exit, so a test can prove which heavy dependencies a command does not load.
//
// The built CLI is bundled (scripts/build.ts): one file of dist/ can hold several packages. dist/bundle.json
// names them, and each is reported as `bundle:/node_modules/<package>/ (dist/<file>)`, so a dependency is seen
// whether it was loaded from node_modules or from the bundle.
import { readFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const loaded = new Set<string>();
const dist = new URL('../../dist/', import.meta.url).href;
let bundled: Record<string, string[]> | undefined;

function packagesIn(url: string): string[] {
  if (!url.startsWith(dist)) return [];
  bundled ??= (
    JSON.parse(readFileSync(new URL('bundle.json', dist), 'utf8')) as { packages: Record<string, string[]> }
  ).packages;
  return bundled[url.slice(dist.length)] ?? [];
}

registerHooks({
  resolve(specifier, context, nextResolve) {
    const result = nextResolve(specifier, context);
    loaded.add(result.url);
    for (const name of packagesIn(result.url)) {
      if (name !== 'voicehooks')
        loaded.add(`bundle:/node_modules/${name}/ (dist/${result.url.slice(dist.length)})`);
    }
    return result;
  },
});
process.on('exit', () => {
  process.stderr.write(`\n[modules] ${JSON.stringify([...loaded])}\n`);
});
