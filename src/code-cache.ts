// Loads the two large dependencies, @oclif/core and undici, with a V8 code cache taken after the
// command has run (issue 10).
//
// Why not Node's own compile cache (bin/run.js turns it on for every other file)? Node saves a file's cache
// right after compiling it, when V8 has compiled only the top level; every function is compiled on its first
// call, on every run. For @oclif/core and undici that was about 30 ms of a `get`. A cache taken at exit holds
// every function the command called, so the next run compiles almost nothing.
//
// scripts/build.ts bundles each of them into dist/vendor/<name>.cjs and replaces the imports of them with a
// module that calls loadCached(). The caches sit in Node's compile cache directory, which is per Node version,
// V8 flags and user (NODE_COMPILE_CACHE moves it; NODE_DISABLE_COMPILE_CACHE=1 turns this off too, and
// VOICEHOOKS_CODE_CACHE=0 turns off this one alone). Measured with `npm run bench` (issue 18): without it,
// `events --json` takes about 10 ms more and `get` over TLS about 15 ms more.
import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire, getCompileCacheDir } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants as vmConstants, Script } from 'node:vm';

/** A process that has run this long rewrites no cache that works (see the exit handler). */
const LONG_RUN_SECONDS = 60;

/** The id of the command this process runs, once it has started. */
let command: string | undefined;

/**
 * Called by every command as it starts. A cache is rewritten at exit when it lacks this command, so after
 * each command has run once, no run writes again.
 */
export function noteCommand(id: string | undefined): void {
  command = id;
}

/**
 * The cache file: a 4-byte length, a JSON header, then V8's data. The header names the bundle the data was
 * made from, the commands it covers, and a checksum of the data.
 */
interface Header {
  /** The bundle's content hash (taken at build time), size and modification time. */
  source: string;
  commands: string[];
  check: string;
}

/**
 * A checksum of V8's data, which must be checked before V8 sees it: V8 checks the data's version, flags and
 * length, but (outside debug builds) not its content, and damaged data crashes the process. Node checks its own
 * cache with zlib's CRC32, but loading node:zlib costs 7 ms, and a JavaScript loop over every byte about 2 ms.
 * This one reads the length and every 64th byte, in a fraction of a millisecond: it catches what a crash or a
 * bad disk leaves in a file (zeroes, a short file, a damaged block), which is what the check is for.
 */
function checksum(data: Buffer): string {
  let hash = Math.imul(0x811c9dc5 ^ data.length, 0x01000193);
  for (let i = 0; i < data.length; i += 64) hash = Math.imul(hash ^ data[i]!, 0x01000193);
  return (hash >>> 0).toString(16);
}

function readCache(path: string): { header: Header; data: Buffer } | undefined {
  try {
    const file = readFileSync(path);
    const length = file.readUInt32LE(0);
    const header = JSON.parse(file.subarray(4, 4 + length).toString('utf8')) as Header;
    const data = file.subarray(4 + length);
    if (typeof header.source !== 'string' || !Array.isArray(header.commands)) return undefined;
    if (header.check !== checksum(data)) return undefined;
    return { header, data };
  } catch {
    return undefined; // none yet, unreadable or damaged: compile as if there were none
  }
}

function writeCache(path: string, header: Omit<Header, 'check'>, data: Buffer): void {
  const json = Buffer.from(JSON.stringify({ ...header, check: checksum(data) }));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(json.length);
  // Written aside and renamed, so that a command running at the same time reads the old file or the new one.
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    // Flushed before the rename, so that a power cut cannot leave the new name on data never written.
    writeFileSync(temporary, Buffer.concat([length, json, data]), { mode: 0o600, flush: true });
    renameSync(temporary, path);
  } catch {
    // A cache is only an optimisation: a full disk or a read-only directory must not fail the command.
    rmSync(temporary, { force: true });
  }
}

/**
 * Node prints a notice that `vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER` is experimental the first time a
 * vendored bundle calls `import()`. How voicehooks loads its own code is no concern of its user, and the notice
 * would land in the middle of a command's stderr; this drops that one notice and passes every other warning.
 */
let quiet = false;
function quietLoaderNotice(): void {
  if (quiet) return;
  quiet = true;
  const emit = process.emitWarning;
  process.emitWarning = function (this: unknown, warning: string | Error, ...rest: unknown[]) {
    if (typeof warning === 'string' && warning.startsWith('vm.USE_MAIN_CONTEXT_DEFAULT_LOADER ')) return;
    Reflect.apply(emit, this, [warning, ...rest]);
  } as typeof process.emitWarning;
}

/** FNV-1a: a short, stable file name for a bundle's path (node:crypto would cost more than it saves). */
function nameOf(path: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < path.length; i++) hash = Math.imul(hash ^ path.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(16).padStart(8, '0');
}

/**
 * Evaluates dist/vendor/<name>.cjs as a CommonJS module and returns its exports. `build` is a hash of the
 * bundle taken at build time: with the file's size and time, it tells whether a cache was made from this file.
 * Like Node's own cache, there is one file per bundle path, replaced when the bundle changes.
 */
export function loadCached(name: string, build: string): Record<string, unknown> {
  // This module is bundled into some file under dist/ (a chunk, or a command), so find dist/ by name.
  const dist = import.meta.url.slice(0, import.meta.url.lastIndexOf('/dist/') + '/dist/'.length);
  const filename = fileURLToPath(new URL(`vendor/${name}.cjs`, dist));
  // The off switch, VOICEHOOKS_CODE_CACHE=0 (for measuring what the cache is worth): an ordinary require, with
  // Node's own compile cache only.
  if (process.env.VOICEHOOKS_CODE_CACHE === '0')
    return createRequire(import.meta.url)(filename) as Record<string, unknown>;
  const source = readFileSync(filename, 'utf8');
  const directory = getCompileCacheDir?.();
  const path =
    directory === undefined ? undefined : join(directory, `voicehooks-${name}-${nameOf(filename)}`);
  const { size, mtimeMs } = statSync(filename);
  const made = `${build} ${size} ${Math.trunc(mtimeMs)}`;
  const found = path === undefined ? undefined : readCache(path);
  const cached = found?.header.source === made ? found : undefined;

  quietLoaderNotice();
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename,
    cachedData: cached?.data,
    // The bundle's own `import()` (oclif loading command files and plugins, by absolute URL) goes to Node's
    // loader, as from any file; without it, a vm.Script may not import at all.
    importModuleDynamically: vmConstants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const module = { exports: {} as Record<string, unknown> };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run(module.exports, createRequire(filename), module, filename, dirname(filename));

  if (path !== undefined) {
    const covered = cached && !script.cachedDataRejected ? cached.header.commands : undefined;
    process.once('exit', () => {
      if (covered && (command === undefined || covered.includes(command))) return;
      // A long run (`emulator`, `listen`) keeps a good cache as it is: V8 drops the compiled code of functions
      // it has not run for a while, so its cache could lack what the commands already covered need.
      if (covered && process.uptime() > LONG_RUN_SECONDS) return;
      const commands = [...(covered ?? []), ...(command === undefined ? [] : [command])];
      writeCache(path, { source: made, commands }, script.createCachedData());
    });
  }
  return module.exports;
}
