// The code cache of the vendored bundles (src/code-cache.ts): made on the first run, extended once for each
// new command, never in the way. Drives the built CLI with its own NODE_COMPILE_CACHE directory.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { newCli, type CliResult } from './helpers/cli.ts';

const scratch = mkdtempSync(join(tmpdir(), 'voicehooks-code-cache-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** The voicehooks cache files under a compile cache directory (Node adds a per-version directory). */
function cacheFiles(directory: string): string[] {
  return (readdirSync(directory, { recursive: true }) as string[])
    .filter((file) => /(^|\/)voicehooks-\w+-[0-9a-f]{8}$/.test(file))
    .map((file) => join(directory, file))
    .sort();
}

/** A cache file's header: what it was made from and the commands it covers. */
function header(file: string): { source: string; commands: string[] } {
  const bytes = readFileSync(file);
  return JSON.parse(bytes.subarray(4, 4 + bytes.readUInt32LE(0)).toString('utf8')) as {
    source: string;
    commands: string[];
  };
}

let directories = 0;
function runner(env: Record<string, string> = {}) {
  const directory = join(scratch, `cache-${directories++}`);
  const cli = newCli({ env: { NODE_COMPILE_CACHE: directory, ...env } });
  const run = async (args: string[]): Promise<CliResult> => {
    const result = await cli.run(args);
    assert.equal(result.code, 0, result.stderr);
    // Nothing about the cache ever reaches the user: no warning, no error.
    assert.equal(result.stderr, '');
    return result;
  };
  return { directory, run };
}

const EVENTS = ['events', '-p', 'ultravox', '--json'];
const PROVIDERS = ['providers', '--json'];

describe('the code cache of the vendored bundles', () => {
  it('is made on the first run, covers that command, and is not written again for it', async () => {
    const { directory, run } = runner();
    const first = await run(EVENTS);
    const files = cacheFiles(directory);
    assert.equal(files.length, 1, `expected the @oclif/core cache only (events sends no request): ${files}`);
    assert.match(files[0]!, /voicehooks-oclif-/);
    assert.deepEqual(header(files[0]!).commands, ['events']);

    const written = statSync(files[0]!).mtimeMs;
    const again = await run(EVENTS);
    assert.equal(again.stdout, first.stdout);
    assert.equal(statSync(files[0]!).mtimeMs, written, 'a covered command rewrote the cache');
  });

  it('adds each new command once', async () => {
    const { directory, run } = runner();
    await run(EVENTS);
    await run(PROVIDERS);
    const [oclif] = cacheFiles(directory);
    assert.deepEqual(header(oclif!).commands, ['events', 'providers']);
  });

  it('recovers from a damaged cache: same output, and a good cache written in its place', async () => {
    const { directory, run } = runner();
    const clean = await run(EVENTS);
    const [file] = cacheFiles(directory);
    const bytes = readFileSync(file!);
    const length = 4 + bytes.readUInt32LE(0);
    // V8's data damaged under a good header: V8 rejects it (it checks a checksum) and compiles afresh.
    bytes.fill(0x5a, length + 64, length + 4096);
    writeFileSync(file!, bytes);
    assert.equal((await run(EVENTS)).stdout, clean.stdout);
    assert.notDeepEqual(readFileSync(file!), bytes, 'the rejected cache was kept');

    // A file that is not a cache at all.
    writeFileSync(file!, 'not a cache');
    assert.equal((await run(EVENTS)).stdout, clean.stdout);
    assert.deepEqual(header(file!).commands, ['events']);
  });

  it('ignores a cache made from another build of the bundle', async () => {
    const { directory, run } = runner();
    const clean = await run(EVENTS);
    const [file] = cacheFiles(directory);
    const bytes = readFileSync(file!);
    const { source, commands } = header(file!);
    const stale = Buffer.from(JSON.stringify({ source: `0${source.slice(1)}`, commands }));
    const length = Buffer.alloc(4);
    length.writeUInt32LE(stale.length);
    writeFileSync(file!, Buffer.concat([length, stale, bytes.subarray(4 + bytes.readUInt32LE(0))]));

    assert.equal((await run(EVENTS)).stdout, clean.stdout);
    assert.equal(header(file!).source, source, 'the stale cache was not replaced');
  });

  it('is off with NODE_DISABLE_COMPILE_CACHE, and a cache it cannot write is no error', async () => {
    const disabled = runner({ NODE_DISABLE_COMPILE_CACHE: '1' });
    await disabled.run(EVENTS);
    assert.deepEqual(
      cacheFiles(scratch).filter((f) => f.startsWith(disabled.directory)),
      [],
    );

    // A cache that cannot be written (here its name is taken by a directory, which stops root too): the
    // command still answers, and leaves no temporary file behind.
    const blocked = runner();
    const first = await blocked.run(PROVIDERS);
    const [file] = cacheFiles(blocked.directory);
    rmSync(file!);
    mkdirSync(join(file!, 'taken'), { recursive: true });
    const again = await blocked.run(PROVIDERS);
    assert.equal(again.stdout, first.stdout);
    assert.deepEqual(
      readdirSync(join(file!, '..')).filter((name) => name.endsWith('.tmp')),
      [],
      'a temporary cache file was left behind',
    );
  });
});
