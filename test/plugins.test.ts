// The plugins src/plugins.ts makes from their manifests must be the plugins oclif makes itself (issue 18): the
// same fields, commands in the same order, the same command classes, and a Config made with them the same as
// one oclif makes on its own. An upgrade of @oclif/core that changes what a plugin holds fails here.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Command, Config, type Interfaces } from '@oclif/core';
import { loadPlugins } from '../src/plugins.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const theirs = await Config.load({ root });
const ours = loadPlugins(root);

/**
 * What a plugin holds, as plain data: every field oclif's Config, help and command loading read. Not `_base`:
 * oclif gives every plugin its own package's name and version there, and reads it only to tell a Config apart.
 */
function fields(plugin: Interfaces.Plugin): Record<string, unknown> {
  const commands = plugin.commands.map(({ load: _load, ...command }) => command);
  return {
    name: plugin.name,
    alias: plugin.alias,
    version: plugin.version,
    type: plugin.type,
    isRoot: plugin.isRoot,
    valid: plugin.valid,
    moduleType: plugin.moduleType,
    root: plugin.root,
    tag: plugin.tag,
    parent: plugin.parent,
    pjson: plugin.pjson,
    hooks: plugin.hooks,
    hasManifest: plugin.hasManifest,
    commandIDs: plugin.commandIDs,
    commandsDir: plugin.commandsDir,
    topics: plugin.topics,
    commands,
    options: { isRoot: plugin.options.isRoot, name: plugin.options.name, type: plugin.options.type },
  };
}

describe('plugins made from their manifests', () => {
  it('are made for this build (so the comparisons below compare something)', () => {
    assert.ok(ours, 'loadPlugins gave undefined for the built checkout');
    assert.deepEqual([...ours.keys()], [...theirs.plugins.keys()]);
    assert.ok(theirs.plugins.size >= 2, 'voicehooks and @oclif/plugin-autocomplete');
  });

  for (const [name, plugin] of theirs.plugins) {
    it(`${name}: every field equals oclif's own plugin, commands in the same order`, () => {
      const mine = ours?.get(name);
      assert.ok(mine);
      assert.deepEqual(fields(mine), fields(plugin));
    });

    it(`${name}: each command loads the same class, with the same id and plugin data`, async () => {
      const mine = ours!.get(name)!;
      // Both set their data on the same class, so each is read right after its own load.
      const data = (c: Command.Class, by: Interfaces.Plugin) => {
        const { isESM, relativePath } = c as { isESM?: boolean; relativePath?: string[] };
        return { id: c.id, isESM, relativePath, plugin: c.plugin === by };
      };
      for (const { id } of plugin.commands) {
        const a = await mine.findCommand(id, { must: true });
        const fromMine = data(a, mine);
        const b = await plugin.findCommand(id, { must: true });
        assert.equal(a, b, id);
        assert.deepEqual(fromMine, data(b, plugin));
        assert.equal(fromMine.id, id);
      }
      await assert.rejects(mine.findCommand('no:such:command', { must: true }), /not found/);
      assert.equal(await mine.findCommand('no:such:command'), undefined);
    });
  }

  it('code-point order is the collator order for every command id (why no collator is needed)', () => {
    const ids = theirs.commands.map((c) => c.id);
    assert.ok(ids.length > 30);
    assert.deepEqual(
      [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
      [...ids].sort((a, b) => a.localeCompare(b)),
    );
  });

  it("a Config made with them has oclif's commands, topics and hooks", async () => {
    const config = await Config.load({ root, plugins: ours });
    assert.deepEqual(config.commandIDs, theirs.commandIDs);
    assert.deepEqual(
      config.topics.map((t) => t.name),
      theirs.topics.map((t) => t.name),
    );
    assert.deepEqual(
      config.findCommand('autocomplete')?.pluginName,
      theirs.findCommand('autocomplete')?.pluginName,
    );
    const hooks = (c: Config) => [...c.plugins.values()].map((p) => p.hooks);
    assert.deepEqual(hooks(config), hooks(theirs));
  });
});

describe('plugins that oclif must load its own way', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'voicehooks-plugins-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));
  const copy = (
    name: string,
    edit: (pjson: Record<string, Record<string, unknown>>) => void,
    manifest = true,
  ) => {
    const dir = join(scratch, name);
    // No node_modules: each of these is told apart before any plugin is looked for.
    cpSync(join(root, 'package.json'), join(dir, 'package.json'));
    if (manifest) cpSync(join(root, 'oclif.manifest.json'), join(dir, 'oclif.manifest.json'));
    const pjson = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<
      string,
      Record<string, unknown>
    >;
    edit(pjson);
    writeFileSync(join(dir, 'package.json'), JSON.stringify(pjson));
    return dir;
  };

  it('a checkout without a manifest (before its build)', () => {
    assert.equal(loadPlugins(copy('no-manifest', () => {}, false)), undefined);
  });

  it('plugins named by a pattern, which oclif matches against the dependencies', () => {
    assert.equal(loadPlugins(copy('pattern', (p) => (p.oclif!.plugins = ['@oclif/plugin-*']))), undefined);
  });

  it('a package without an oclif section (oclif looks for an rc file)', () => {
    assert.equal(loadPlugins(copy('no-oclif', (p) => delete p.oclif)), undefined);
  });
});
