// The performance work must not change a byte of what users see: the help printed without the framework is
// oclif's own, and a list written as its pages arrive is the list written whole. (Timings are in `npm run
// bench`, never asserted here.)
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { concurrency, DEFAULT_CONCURRENCY } from '../src/apply/run.ts';
import { startEmulator, type RunningEmulator } from '../src/emulator/server.ts';
import { jsonArrayElements, jsonArrayEnd, safeJson } from '../src/output.ts';
import type { UltravoxEmulator } from '../src/providers/ultravox/emulator.ts';
import { cleanEnv, newCli, removeTempRoots, ROOT } from './helpers/cli.ts';

const BIN = `${ROOT}bin/run.js`.replace(/\/\/bin/, '/bin');
const env = { ...cleanEnv(), NO_COLOR: '1' };

function node(args: string[]): { stdout: string; stderr: string; status: number | null } {
  return spawnSync(process.execPath, args, { cwd: ROOT, env, encoding: 'utf8' });
}

describe('the prerendered root help', () => {
  // oclif itself, without bin/run.js and its shortcut.
  const oclif = node([
    '--input-type=module',
    '-e',
    `import { execute } from '@oclif/core'; await execute({ dir: ${JSON.stringify(pathToFileURL(BIN).href)}, args: ['--help'] });`,
  ]);

  for (const args of [['--help'], ['help']]) {
    it(`voicehooks ${args.join(' ')} prints exactly what oclif prints, without loading it`, () => {
      assert.equal(oclif.status, 0, oclif.stderr);
      const trace = `${ROOT}test/helpers/module-trace.ts`.replace(/\/\/test/, '/test');
      const fast = node(['--import', trace, BIN, ...args]);
      assert.equal(fast.status, 0, fast.stderr);
      assert.equal(fast.stdout, oclif.stdout);
      const line = fast.stderr.split('\n').find((l) => l.startsWith('[modules] ')) ?? '[]';
      const modules = JSON.parse(line.slice('[modules] '.length)) as string[];
      assert.equal(
        modules.find((m) => m.includes('/@oclif/core/')),
        undefined,
        'the shortcut was not taken',
      );
    });
  }
});

describe('a list streamed as its pages arrive', () => {
  let emu: RunningEmulator;
  const KEY = 'stream-key';
  before(async () => {
    emu = await startEmulator({ apiKey: KEY });
    (emu.providers.ultravox as UltravoxEmulator).seed(250); // three pages of 100
  });
  after(async () => {
    await emu.close();
    removeTempRoots();
  });

  it('is byte for byte the JSON and rows of the whole list, with and without --fields', async () => {
    const cli = newCli({ baseUrl: emu.baseUrl('ultravox'), apiKey: KEY });
    const [json, fields, rows, idRows] = await Promise.all([
      cli.run(['list', '-p', 'ultravox', '--json']),
      cli.run(['list', '-p', 'ultravox', '--json', '--fields', 'id,url']),
      cli.run(['list', '-p', 'ultravox']),
      cli.run(['list', '-p', 'ultravox', '--fields', 'id']),
    ]);
    for (const r of [json, fields, rows, idRows]) assert.equal(r.code, 0, r.stderr);
    const all = JSON.parse(json.stdout) as { id: string; url: string }[];
    assert.equal(all.length, 250);
    assert.equal(json.stdout, `${JSON.stringify(all, null, 2)}\n`);
    const picked = all.map((w) => ({ id: w.id, url: w.url }));
    assert.equal(fields.stdout, `${JSON.stringify(picked, null, 2)}\n`);
    assert.equal(rows.stdout.split('\n').length, 251);
    assert.equal(idRows.stdout, all.map((w) => `${w.id}\n`).join(''));
  });

  it('prints an empty list as []', async () => {
    const empty = await startEmulator({ apiKey: KEY });
    try {
      const result = await newCli({ baseUrl: empty.baseUrl('ultravox'), apiKey: KEY }).run([
        'list',
        '-p',
        'ultravox',
        '--json',
      ]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, '[]\n');
    } finally {
      await empty.close();
    }
  });

  it('formats batches of elements as JSON.stringify formats the whole array', () => {
    const lists = [[], [{ a: 1 }], [{ a: [1, { b: 'x\ny' }] }, 'two', null, { c: {} }, [], 'a\u202eb', 3]];
    for (const list of lists) {
      for (const size of [1, 2, 3, 100]) {
        let streamed = '';
        for (let i = 0; i < list.length; i += size) {
          streamed += jsonArrayElements(list.slice(i, i + size), i === 0);
        }
        streamed += jsonArrayEnd(list.length === 0);
        assert.equal(streamed, `${safeJson(JSON.stringify(list, null, 2))}\n`, `batches of ${size}`);
      }
    }
  });
});

describe('apply concurrency', () => {
  it('is VOICEHOOKS_CONCURRENCY when that is a whole number from 1, else the default', () => {
    assert.equal(concurrency({}), DEFAULT_CONCURRENCY);
    assert.equal(concurrency({ VOICEHOOKS_CONCURRENCY: '1' }), 1);
    assert.equal(concurrency({ VOICEHOOKS_CONCURRENCY: '16' }), 16);
    for (const bad of ['0', '-2', '1.5', 'many', '']) {
      assert.equal(concurrency({ VOICEHOOKS_CONCURRENCY: bad }), DEFAULT_CONCURRENCY, bad);
    }
  });
});
