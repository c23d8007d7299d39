// A dependency whose internal files voicehooks imports (not its documented API) is pinned to one exact version,
// and every such file must still be where it is imported from: an upgrade that moves one fails here, not for a
// user (issue 18). Today that is undici, in src/undici.ts.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';

const root = new URL('../', import.meta.url);
const require = createRequire(new URL('src/undici.ts', root));
const manifest = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
  dependencies: Record<string, string>;
};

/** `package/path/inside.js` imports of a source file, by package. */
function deepImports(file: string): Map<string, string[]> {
  const source = readFileSync(new URL(file, root), 'utf8');
  const found = new Map<string, string[]>();
  for (const [, specifier] of source.matchAll(/^import\s+(?!type\b)[^'"]*'([^'.][^']*)'/gm)) {
    const parts = specifier!.split('/');
    const name = specifier!.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
    if (specifier === name || specifier!.startsWith('node:')) continue;
    found.set(name, [...(found.get(name) ?? []), specifier!]);
  }
  return found;
}

describe('dependencies imported by internal path', () => {
  const imports = deepImports('src/undici.ts');

  it('src/undici.ts imports undici by internal path (so this test guards something)', () => {
    assert.ok((imports.get('undici') ?? []).length >= 3, `found ${JSON.stringify([...imports])}`);
  });

  for (const [name, specifiers] of imports) {
    it(`${name} is pinned to the exact version installed, and each of its imported files is there`, () => {
      const wanted = manifest.dependencies[name];
      assert.match(wanted ?? '', /^\d+\.\d+\.\d+$/, `package.json must pin ${name} exactly, not "${wanted}"`);
      const installed = (require(`${name}/package.json`) as { version: string }).version;
      assert.equal(installed, wanted, `${name} ${installed} is installed, package.json pins ${wanted}`);
      for (const specifier of specifiers) {
        assert.doesNotThrow(() => require.resolve(specifier), `${specifier} moved in ${name} ${installed}`);
        const loaded = require(specifier) as unknown;
        assert.ok(loaded !== null && loaded !== undefined, `${specifier} exports nothing`);
      }
    });
  }
});
