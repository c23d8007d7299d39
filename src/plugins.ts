// The command line's plugins, made from their oclif manifests, for oclif's public `plugins` load option
// (issue 18). oclif would make the same plugins itself (Plugin.load), but it sorts each plugin's commands with
// String.prototype.localeCompare, and the first call in a process builds ICU's collator: about 5 ms of every
// start, a tenth of `events --json`. Command ids are ASCII, for which code-point order is the collator's order.
// With the plugins given, oclif also skips looking for user plugins, which voicehooks cannot install.
//
// What each field holds follows oclif's Plugin.load for a plugin with a manifest (which `npm run build` writes
// for voicehooks, and each published plugin ships): test/plugins.test.ts checks, field by field, that these
// plugins equal the ones oclif makes, so an upgrade of @oclif/core that changes them fails there, not here.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Command, Interfaces } from '@oclif/core';

type Manifest = Interfaces.Manifest;
type PJSON = Interfaces.PJSON;

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

/** Code-point order: the order ICU's collator gives ASCII command ids, without building the collator. */
const byId = (a: { id: string }, b: { id: string }): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** A command module's class, found as oclif finds it: the module itself, its default export, or any export. */
function commandClass(module: Record<string, unknown>): Command.Class | undefined {
  const runs = (value: unknown): value is Command.Class =>
    typeof (value as { run?: unknown } | undefined)?.run === 'function';
  if (runs(module)) return module;
  if (runs(module.default)) return module.default;
  return Object.values(module).find(runs);
}

class ManifestPlugin implements Interfaces.Plugin {
  readonly _base: string;
  readonly alias: string;
  readonly commandIDs: string[];
  readonly commands: Command.Loadable[];
  readonly commandsDir = undefined;
  readonly hasManifest = true;
  readonly hooks: Interfaces.Plugin['hooks'];
  readonly isRoot: boolean;
  readonly moduleType: 'commonjs' | 'module';
  readonly name: string;
  readonly options: Interfaces.PluginOptions;
  readonly pjson: PJSON;
  readonly root: string;
  readonly tag = undefined;
  readonly type: string;
  readonly valid: boolean;
  readonly version: string;
  readonly #manifest: Manifest;

  constructor(root: string, options: Interfaces.PluginOptions, pjson: PJSON, manifest: Manifest) {
    this.options = options;
    this.root = root;
    this.type = options.type ?? 'core';
    this.isRoot = options.isRoot ?? false;
    this.pjson = pjson;
    this.#manifest = manifest;
    this.name = pjson.name;
    this.alias = options.name ?? pjson.name;
    this.version = pjson.version;
    this._base = `${pjson.name}@${pjson.version}`;
    this.valid = Boolean(pjson.oclif);
    this.moduleType = pjson.type === 'module' ? 'module' : 'commonjs';
    this.hooks = Object.fromEntries(
      Object.entries(pjson.oclif.hooks ?? {}).map(([event, hooks]) => [
        event,
        [hooks]
          .flat()
          .map((hook) =>
            typeof hook === 'string'
              ? { identifier: 'default', target: hook }
              : { ...hook, identifier: hook.identifier || 'default' },
          ),
      ]),
    );
    this.commandIDs = Object.keys(manifest.commands);
    this.commands = Object.entries(manifest.commands)
      .map(([id, command]) => ({
        ...command,
        load: async () => this.findCommand(id, { must: true }),
        pluginAlias: this.alias,
        pluginType: command.pluginType === 'jit' ? 'jit' : this.type,
      }))
      .sort(byId);
  }

  /** As oclif's: the topics of package.json, each also given its name there, where oclif's help reads it. */
  get topics(): Interfaces.Topic[] {
    const flatten = (
      topics: Record<string, Interfaces.Topic & { subtopics?: object }>,
      base = '',
    ): Interfaces.Topic[] =>
      Object.entries(topics).flatMap(([name, topic]) => [
        { ...Object.assign(topic, { name }), name: `${base}${name}` },
        ...flatten((topic.subtopics ?? {}) as typeof topics, `${base}${name}:`),
      ]);
    return flatten((this.pjson.oclif.topics ?? {}) as Parameters<typeof flatten>[0]);
  }

  findCommand(id: string, opts: { must: true }): Promise<Command.Class>;
  findCommand(id: string, opts?: { must: boolean }): Promise<Command.Class> | undefined;
  findCommand(id: string, opts: { must?: boolean } = {}): Promise<Command.Class> | undefined {
    // As oclif's: a promise, of undefined when the command is not found and not a must.
    return this.#find(id, opts) as Promise<Command.Class>;
  }

  async #find(id: string, opts: { must?: boolean }): Promise<Command.Class | undefined> {
    const cached = this.#manifest.commands[id];
    const relativePath = cached?.relativePath;
    const module = relativePath
      ? ((await import(pathToFileURL(join(this.root, ...relativePath)).href)) as Record<string, unknown>)
      : undefined;
    const command = module && commandClass(module);
    if (!command) {
      if (opts.must) throw new Error(`command ${id} not found`);
      return undefined;
    }
    return Object.assign(command, {
      id,
      plugin: this,
      isESM: cached?.isESM,
      relativePath,
    });
  }

  async load(): Promise<void> {
    // Made whole by the constructor.
  }
}

/**
 * A plugin's package root and package.json, found as oclif finds them: from where its main module resolves, up
 * to the package.json that has its name.
 */
function pluginPackage(name: string, from: string): { root: string; pjson: PJSON } {
  let directory = dirname(createRequire(join(from, 'package.json')).resolve(name));
  for (;;) {
    const candidate = join(directory, 'package.json');
    const pjson = existsSync(candidate) ? readJson<PJSON>(candidate) : undefined;
    if (pjson?.name === name) return { root: directory, pjson };
    const parent = dirname(directory);
    if (parent === directory) throw new Error(`could not find the package.json of the plugin ${name}`);
    directory = parent;
  }
}

/** A plugin made from its manifest, or undefined where oclif must load it its own way. */
function manifestPlugin(
  root: string,
  pjson: PJSON,
  options: Interfaces.PluginOptions,
): ManifestPlugin | undefined {
  // Without an oclif section (oclif would look for an rc file), without a manifest (a checkout before
  // `npm run build`), or a core plugin with plugins of its own (which oclif loads as its children): oclif's way.
  if (!pjson.oclif || (!options.isRoot && pjson.oclif.plugins?.length)) return undefined;
  let manifest: Manifest;
  try {
    manifest = readJson<Manifest>(join(root, 'oclif.manifest.json'));
  } catch {
    return undefined;
  }
  return new ManifestPlugin(root, options, pjson, manifest);
}

/**
 * voicehooks and the plugins its package.json names (`oclif.plugins`), keyed by name, for oclif's `plugins`
 * load option; or undefined when any of them must be loaded oclif's own way (see manifestPlugin), in which
 * case oclif loads them all.
 */
export function loadPlugins(directory: string): Map<string, Interfaces.Plugin> | undefined {
  const root = resolve(directory); // as oclif has it: no trailing separator
  const rootPjson = readJson<PJSON>(join(root, 'package.json'));
  const names = rootPjson.oclif?.plugins ?? [];
  // A pattern (`@scope/plugin-*`) is matched against the dependencies by oclif.
  if (names.some((name) => typeof name !== 'string' || name.includes('*'))) return undefined;
  const main = manifestPlugin(root, rootPjson, { isRoot: true, root });
  if (!main) return undefined;
  const plugins = new Map<string, Interfaces.Plugin>([[main.name, main]]);
  for (const name of names) {
    const found = pluginPackage(name, root);
    const plugin = manifestPlugin(found.root, found.pjson, { name, root, type: 'core' });
    if (!plugin) return undefined;
    plugins.set(plugin.name, plugin);
  }
  return plugins;
}
