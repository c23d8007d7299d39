// The provider boundary (docs/adding-a-provider.md): outside src/providers/, no string literal is a provider's
// name and no module of a provider's folder is imported; a provider is reached through the registry only. And
// the repository explains itself: nothing under src/ or test/ reads or cites a document outside it.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { PROVIDER_NAMES } from '../src/providers/index.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PROVIDERS_DIR = join(ROOT, 'src', 'providers');

function files(dir: string, ext: RegExp): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path, ext);
    return ext.test(name) ? [path] : [];
  });
}

/** Every crossing of the boundary in one module: provider-name literals and imports of provider modules. */
export function violations(path: string, text: string, names: readonly string[]): string[] {
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: string[] = [];
  const where = (node: ts.Node) => {
    const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
    return `${relative(ROOT, path)}:${line + 1}`;
  };
  const isProviderModule = (specifier: string) => {
    if (!specifier.startsWith('.')) return false;
    const target = resolve(dirname(path), specifier);
    const inside = relative(PROVIDERS_DIR, target);
    // A module in a provider's folder: src/providers/<name>/… (types.ts and index.ts beside them are the interface).
    return !inside.startsWith('..') && inside.includes('/');
  };
  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier !== undefined &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      if (isProviderModule(node.moduleSpecifier.text)) {
        found.push(`${where(node)} imports ${node.moduleSpecifier.text}`);
      }
      return;
    }
    if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] !== undefined &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      if (isProviderModule(node.arguments[0].text)) {
        found.push(`${where(node)} imports ${node.arguments[0].text}`);
      }
      return;
    }
    if (
      (ts.isStringLiteral(node) ||
        ts.isNoSubstitutionTemplateLiteral(node) ||
        ts.isTemplateHead(node) ||
        ts.isTemplateMiddle(node) ||
        ts.isTemplateTail(node)) &&
      names.includes(node.text)
    ) {
      found.push(`${where(node)} names the provider "${node.text}"`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('the provider boundary', () => {
  it('the registry lists providers', () => {
    assert.ok(PROVIDER_NAMES.length >= 4, `providers: ${PROVIDER_NAMES.join(', ')}`);
  });

  it('outside src/providers/, no provider is named by a string literal or imported by module', () => {
    const outside = files(join(ROOT, 'src'), /\.ts$/).filter((f) => !f.startsWith(`${PROVIDERS_DIR}/`));
    assert.ok(outside.length > 40, 'the modules outside src/providers/ were found');
    const found = outside.flatMap((file) => violations(file, readFileSync(file, 'utf8'), PROVIDER_NAMES));
    assert.deepEqual(found, []);
  });

  it('the check finds each kind of crossing (it can fail)', () => {
    const file = join(ROOT, 'src', 'commands', 'example.ts');
    const crossing = [
      "if (descriptor.name === 'polyai') region();",
      'const label = `daily`;',
      'const key = `${x}ultravox`;',
      "import { talkover } from '../providers/talkover/index.ts';",
      "export { x } from '../providers/daily/adapter.ts';",
      "const m = await import('../providers/polyai/emulator.ts');",
    ];
    for (const line of crossing) {
      assert.equal(violations(file, line, PROVIDER_NAMES).length, 1, line);
    }
    const allowed = [
      "import { getProvider } from '../providers/index.ts';",
      "import type { ProviderDescriptor } from '../providers/types.ts';",
      "const text = 'Talkover and PolyAI are words in a sentence, not names';",
      '// ultravox in a comment',
    ];
    for (const line of allowed) assert.deepEqual(violations(file, line, PROVIDER_NAMES), [], line);
  });
});

describe('the repository explains itself', () => {
  it('nothing under src/, test/, scripts/ or bench/ reads or cites ../shared', () => {
    const own = fileURLToPath(import.meta.url);
    const sources = ['src', 'test', 'scripts', 'bench'].flatMap((dir) =>
      files(join(ROOT, dir), /\.(ts|js|mjs|json|ya?ml)$/),
    );
    assert.ok(sources.length > 60);
    const found = sources
      .filter((file) => file !== own)
      .filter((file) => /\.\.\/shared|shared\/(specs|reference)/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(ROOT, file));
    assert.deepEqual(found, []);
  });
});
