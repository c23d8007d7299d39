// Commands that need no network must not load the HTTP client, the prompt library or the table renderer:
// start-up time is a feature (issue: foundation; house style "Startup is a feature").
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const trace = fileURLToPath(new URL('./helpers/module-trace.ts', import.meta.url));

function loadedModules(
  args: string[],
  env: Record<string, string> = {},
): { modules: string[]; stdout: string; status: number | null } {
  const run = spawnSync(process.execPath, ['--import', trace, 'bin/run.js', ...args], {
    cwd: root,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      HOME: '/nonexistent',
      NO_COLOR: '1',
      VOICEHOOKS_ULTRAVOX_API_KEY: 'trace-key',
      ...env,
    },
  });
  const line = run.stderr.split('\n').find((l) => l.startsWith('[modules] '));
  assert.ok(line, `no module trace in stderr: ${run.stderr}`);
  return {
    modules: JSON.parse(line.slice('[modules] '.length)) as string[],
    stdout: run.stdout,
    status: run.status,
  };
}

const HEAVY = [
  '/node_modules/undici/',
  '/node_modules/@inquirer/',
  '/node_modules/cli-table3/',
  '/node_modules/conf/',
];

/** A command that sends one request (to a closed port on loopback). */
const SENDS_A_REQUEST = ['list', '-p', 'ultravox', '--base-url', 'http://127.0.0.1:9', '--json'];

describe('start-up loads only what a command needs', () => {
  for (const args of [['--version'], ['events', '-p', 'ultravox', '--json'], ['--help']]) {
    it(`voicehooks ${args.join(' ')}`, () => {
      const { modules, status } = loadedModules(args);
      assert.equal(status, 0);
      for (const heavy of HEAVY) {
        const hit = modules.find((m) => m.includes(heavy));
        assert.equal(hit, undefined, `${args.join(' ')} loaded ${hit}`);
      }
    });
  }

  it('the trace itself sees heavy modules when a command does load them', () => {
    const { modules } = loadedModules(SENDS_A_REQUEST);
    assert.ok(modules.some((m) => m.includes('/node_modules/undici/')));
  });

  it('the config file is read without conf, which only a command that writes it loads', () => {
    const dir = mkdtempSync(join(tmpdir(), 'voicehooks-startup-'));
    try {
      const env = { VOICEHOOKS_CONFIG_DIR: dir };
      const set = loadedModules(['config', 'set', 'provider', 'ultravox'], env);
      assert.equal(set.status, 0);
      assert.ok(
        set.modules.some((m) => m.includes('/node_modules/conf/')),
        'config set writes with conf',
      );
      const read = loadedModules(['config', 'get', 'provider'], env);
      assert.equal(read.stdout.trim(), 'ultravox', 'what was written is read back');
      const list = loadedModules(SENDS_A_REQUEST, env);
      for (const { modules } of [read, list]) {
        const hit = modules.find((m) => m.includes('/node_modules/conf/'));
        assert.equal(hit, undefined, `a command that only reads the config loaded ${hit}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
