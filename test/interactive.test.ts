// People at a terminal: the built CLI driven in a real terminal (tmux), answering its prompts with keystrokes
// and reading the screen, against the in-process emulator. `CI` is unset inside the terminal, since CI sets it
// and it rightly turns prompts off. Exit codes are read from a file the shell writes `$?` into.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startEmulator, type RunningEmulator } from '../src/emulator/server.ts';
import { ROOT, cleanEnv, runCli } from './helpers/cli.ts';

const BIN = join(ROOT, 'bin', 'run.js');
const SOCKET = `voicehooks-test-${process.pid}`;
const PROVIDERS = ['ultravox', 'talkover', 'polyai', 'daily'];
const WAIT_MS = 20_000;

let emulator: RunningEmulator;
let root: string;
let sessions = 0;

function tmux(...args: string[]): string {
  const run = spawnSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
  if (run.error || run.status !== 0) {
    throw new Error(`tmux ${args.join(' ')} failed: ${run.error?.message ?? run.stderr}`);
  }
  return run.stdout;
}

function shellQuote(value: string): string {
  return `'${value.replaceAll("'", "'\\''")}'`;
}

/** A terminal session, its own config directory, and a way to run `voicehooks …` in it. */
interface Terminal {
  name: string;
  configDir: string;
  /** Types `voicehooks <args>` (and Enter); the exit code lands in a file read by {@link exitCode}. */
  run(args: string, redirect?: string): void;
  keys(...keys: string[]): void;
  type(text: string): void;
  screen(): string;
  /** Waits (bounded) until the screen matches; fails showing the screen otherwise. */
  waitFor(expected: string | RegExp): Promise<string>;
  exitCode(): Promise<number>;
}

function terminal(extraEnv: Record<string, string> = {}, width = 160): Terminal {
  const name = `t${++sessions}`;
  const dir = mkdtempSync(join(root, `${name}-`));
  const configDir = join(dir, 'config');
  const exitFile = join(dir, 'exit');
  const env: Record<string, string> = {
    ...cleanEnv(),
    VOICEHOOKS_CONFIG_DIR: configDir,
    NO_PROXY: '127.0.0.1,localhost,::1',
    HTTP_PROXY: 'http://127.0.0.1:9',
    HTTPS_PROXY: 'http://127.0.0.1:9',
    PS1: '$ ',
    ...extraEnv,
  };
  for (const p of PROVIDERS) {
    env[`VOICEHOOKS_${p.toUpperCase()}_BASE_URL`] = emulator.baseUrl(p);
    env[`VOICEHOOKS_${p.toUpperCase()}_API_KEY`] ??= 'terminal-test-key';
  }
  const assignments = Object.entries(env).map(([k, v]) => shellQuote(`${k}=${v}`));
  tmux(
    'new-session',
    '-d',
    '-s',
    name,
    '-x',
    String(width),
    '-y',
    '50',
    `env -i ${assignments.join(' ')} env -u CI bash --norc --noprofile -i`,
  );
  const t: Terminal = {
    name,
    configDir,
    run(args, redirect = '') {
      rmSync(exitFile, { force: true });
      t.type(`clear; node ${BIN} ${args}${redirect}; echo $? > ${exitFile}`);
      t.keys('Enter');
    },
    keys: (...keys) => void tmux('send-keys', '-t', name, ...keys),
    type: (text) => void tmux('send-keys', '-t', name, '-l', text),
    screen: () => tmux('capture-pane', '-p', '-t', name),
    async waitFor(expected) {
      const deadline = Date.now() + WAIT_MS;
      for (;;) {
        const screen = t.screen();
        const found = typeof expected === 'string' ? screen.includes(expected) : expected.test(screen);
        if (found) return screen;
        if (Date.now() > deadline) {
          assert.fail(`the terminal never showed ${String(expected)}; it shows:\n${screen}`);
        }
        await sleep(50);
      }
    },
    async exitCode() {
      const deadline = Date.now() + WAIT_MS;
      while (!existsSync(exitFile) || readFileSync(exitFile, 'utf8').trim() === '') {
        if (Date.now() > deadline)
          assert.fail(`the command never finished; the terminal shows:\n${t.screen()}`);
        await sleep(50);
      }
      return Number(readFileSync(exitFile, 'utf8').trim());
    },
  };
  return t;
}

// ESC starts every colour and cursor code; a carriage return is how a spinner redraws.
const escapeOrCr = (text: string): boolean => text.includes('\u001b') || text.includes('\r');
const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
function writesSince(index: number): string[] {
  return emulator.requests
    .slice(index)
    .filter((r) => WRITES.has(r.method))
    .map((r) => `${r.provider} ${r.method} ${r.path}`);
}

async function createWithFlags(): Promise<string> {
  const made = await runCli(
    ['create', '-p', 'ultravox', '--url', 'https://example.com/hooks', '--event', 'call.ended', '--json'],
    { baseUrl: emulator.baseUrl('ultravox'), apiKey: 'terminal-test-key' },
  );
  assert.equal(made.code, 0, made.stderr);
  return (JSON.parse(made.stdout) as { id: string }).id;
}

describe('at a terminal (tmux)', () => {
  before(async () => {
    const probe = spawnSync('tmux', ['-V'], { encoding: 'utf8' });
    if (probe.error || probe.status !== 0) {
      throw new Error(
        'tmux is required for the terminal tests and was not found: install it (apt-get install tmux; .ci/run installs it).',
      );
    }
    emulator = await startEmulator();
    root = mkdtempSync(join(tmpdir(), 'voicehooks-tty-'));
  });

  after(async () => {
    spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
    await emulator?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('creates an Ultravox webhook by prompts alone: provider, URL checked as typed, events', async () => {
    const t = terminal();
    const start = emulator.requests.length;
    t.run('create');
    await t.waitFor(/Provider[\s\S]*Ultravox[\s\S]*Daily/);
    t.keys('Enter'); // Ultravox is first
    await t.waitFor('Delivery URL');
    t.type('not a url');
    t.keys('Enter');
    await t.waitFor(/The URL|absolute/i); // rejected while typing, nothing sent
    assert.deepEqual(writesSince(start), []);
    for (let i = 0; i < 'not a url'.length; i++) t.keys('BSpace');
    t.type('https://example.com/typed');
    t.keys('Enter');
    await t.waitFor(/Events[\s\S]*call\.ended/);
    t.keys('Space', 'Enter');
    const code = await t.exitCode();
    const screen = t.screen();
    assert.equal(code, 0, screen);
    assert.match(screen, /Created Ultravox webhook [0-9a-f-]{36}/);
    assert.match(screen, /Test it: voicehooks test [0-9a-f-]{36} -p ultravox/);
    const posts = emulator.requests.slice(start).filter((r) => r.method === 'POST');
    assert.equal(posts.length, 1);
    assert.equal((JSON.parse(posts[0]!.body) as { url: string }).url, 'https://example.com/typed');
  });

  it('creates a PolyAI webhook by prompts alone, asking for the name it requires', async () => {
    const t = terminal();
    const start = emulator.requests.length;
    t.run('create');
    await t.waitFor(/Provider[\s\S]*PolyAI/);
    for (let i = 0; i < 4 && !/❯ PolyAI/.test(t.screen()); i++) {
      t.keys('Down');
      await t.waitFor(/❯ (Talkover|PolyAI|Daily)/);
    }
    await t.waitFor('❯ PolyAI');
    t.keys('Enter');
    await t.waitFor('Delivery URL');
    t.type('https://example.com/polyai');
    t.keys('Enter');
    await t.waitFor('Events');
    t.keys('Space', 'Enter');
    await t.waitFor('Name');
    t.type('Alerts from the terminal');
    t.keys('Enter');
    const code = await t.exitCode();
    assert.equal(code, 0, t.screen());
    assert.match(t.screen(), /Test it: voicehooks test whe_\S+ -p polyai/);
    const posts = emulator.requests.slice(start).filter((r) => r.method === 'POST');
    assert.equal(posts.length, 1);
    assert.equal(posts[0]!.provider, 'polyai');
    assert.match(posts[0]!.body, /Alerts from the terminal/);
  });

  it('at 80 columns list shows every id whole and diff every changed value whole', async () => {
    const long = 'https://hooks.example.org/a/very/long/path/to/a/receiver/that/goes/on/and/on';
    const made = await runCli(
      [
        'create',
        '-p',
        'ultravox',
        '--url',
        long,
        '--event',
        'call.ended',
        '--event',
        'call.billed',
        '--json',
      ],
      { baseUrl: emulator.baseUrl('ultravox'), apiKey: 'terminal-test-key' },
    );
    assert.equal(made.code, 0, made.stderr);
    const id = (JSON.parse(made.stdout) as { id: string }).id;
    const file = join(root, 'narrow.yaml');
    writeFileSync(
      file,
      `webhooks:\n  - provider: ultravox\n    url: ${long}\n    events: [call.ended, call.billed, call.started]\n`,
    );
    const t = terminal({}, 80);
    t.run('list -p ultravox');
    assert.equal(await t.exitCode(), 0, t.screen());
    const list = t.screen();
    const ids = [...list.matchAll(/^([0-9a-f-]{36})\s/gm)].map((m) => m[1]);
    assert.ok(ids.includes(id), `id ${id} not whole at 80 columns:\n${list}`);
    for (const line of list.split('\n')) assert.ok(line.length <= 80, line);
    assert.doesNotMatch(list, /[0-9a-f]{4}…/, `an id was cut:\n${list}`);
    t.run(`diff -f ${file}`);
    assert.equal(await t.exitCode(), 10, t.screen());
    const diff = t.screen().replaceAll('\n', '');
    assert.ok(diff.includes(`~ update ultravox ${id} ${long}`), t.screen());
    assert.ok(
      diff.includes('events: [call.ended, call.billed] -> [call.ended, call.billed, call.started]'),
      t.screen(),
    );
  });

  it('a Talkover agent asked for at a prompt can be remembered, and is not asked again', async () => {
    const agent = '5b1c8a0e-2f3d-4e6a-9b7c-1d2e3f4a5b6c';
    const t = terminal();
    t.run('list -p talkover');
    // Talkover webhooks belong to an agent or a campaign: which one is asked first (an agent is the default).
    await t.waitFor(/Talkover webhooks of[\s\S]*an agent[\s\S]*a campaign/);
    t.keys('Enter');
    await t.waitFor('Talkover agent');
    t.type(agent);
    t.keys('Enter');
    await t.waitFor(/Remember this agent for Talkover in profile "default" \(talkover\.agent\)\?/);
    t.keys('Enter'); // yes is the default
    assert.equal(await t.exitCode(), 0, t.screen());
    assert.match(t.screen(), /Set talkover\.agent in profile "default"/);
    const stored = readFileSync(join(t.configDir, 'config.json'), 'utf8');
    assert.ok(stored.includes(agent), stored);
    t.run('list -p talkover');
    assert.equal(await t.exitCode(), 0, t.screen());
    assert.doesNotMatch(t.screen(), /Talkover agent/);
  });

  it('asks which Talkover scope, then the campaign, and offers the campaign catalog', async () => {
    const t = terminal();
    const start = emulator.requests.length;
    const campaign = '11111111-1111-4111-8111-111111111111';
    t.run('create -p talkover --name Lifecycle --url https://example.com/campaign');
    await t.waitFor(/Talkover webhooks of[\s\S]*an agent[\s\S]*a campaign/);
    t.keys('Down');
    await t.waitFor('❯ a campaign');
    t.keys('Enter');
    await t.waitFor('Talkover campaign (UUID)');
    t.type(campaign);
    t.keys('Enter');
    // The campaign, like an agent, can be kept in the profile.
    await t.waitFor(/Remember this campaign for Talkover in profile "default" \(talkover\.campaign\)\?/);
    t.keys('Enter');
    // The campaign's own catalog: its first event is campaign.created, not an agent event.
    await t.waitFor(/Events[\s\S]*campaign\.created/);
    assert.doesNotMatch(t.screen(), /event_phone_call_started/);
    t.keys('Space', 'Enter');
    const code = await t.exitCode();
    assert.equal(code, 0, t.screen());
    assert.match(
      t.screen(),
      new RegExp(`Test it: voicehooks test [0-9a-f-]{36} -p talkover --campaign ${campaign}`),
    );
    const posts = emulator.requests.slice(start).filter((r) => r.method === 'POST');
    assert.deepEqual(
      posts.map((r) => r.path),
      [`/campaigns/${campaign}/webhooks`],
    );
    assert.deepEqual((JSON.parse(posts[0]!.body) as { events: string[] }).events, ['campaign.created']);
    assert.match(t.screen(), /Set talkover\.campaign in profile "default"/);
    const stored = readFileSync(join(t.configDir, 'config.json'), 'utf8');
    assert.ok(stored.includes(campaign), stored);
  });

  it('delete asks first, showing URL and events: "no" prints Cancelled. (exit 130), "yes" deletes', async () => {
    const id = await createWithFlags();
    const t = terminal();
    const start = emulator.requests.length;
    t.run(`delete ${id} -p ultravox`);
    const asked = await t.waitFor(`Delete Ultravox webhook ${id}?`);
    // What the id points at, before the question.
    assert.match(asked, /URL\s+https:\/\/example\.com\/hooks\n\s+EVENTS\s+call\.ended\n/);
    t.type('n');
    t.keys('Enter');
    assert.equal(await t.exitCode(), 130, t.screen());
    assert.match(t.screen(), /^Cancelled\.$/m);
    assert.doesNotMatch(t.screen(), /Error: Cancelled/);
    assert.deepEqual(writesSince(start), []);

    t.run(`delete ${id} -p ultravox`);
    await t.waitFor(`Delete Ultravox webhook ${id}?`);
    t.type('y');
    t.keys('Enter');
    assert.equal(await t.exitCode(), 0, t.screen());
    assert.deepEqual(writesSince(start), [`ultravox DELETE /api/webhooks/${id}`]);
  });

  it('Ctrl-D at the delete confirmation exits 130 at once, with nothing deleted and no warning', async () => {
    const id = await createWithFlags();
    const t = terminal();
    const start = emulator.requests.length;
    t.run(`delete ${id} -p ultravox`);
    await t.waitFor(`Delete Ultravox webhook ${id}?`);
    t.keys('C-d');
    assert.equal(await t.exitCode(), 130, t.screen());
    assert.deepEqual(writesSince(start), []);
    assert.doesNotMatch(t.screen(), /unsettled top-level await|Warning/, t.screen());
  });

  it('auth login takes the key at a masked prompt: the key never shows on screen', async () => {
    const key = 'sk-typed-at-the-terminal-0123456789';
    const t = terminal();
    t.run('auth login -p ultravox');
    await t.waitFor('Ultravox API key');
    t.type(key);
    await t.waitFor('*'.repeat(8));
    assert.ok(!t.screen().includes(key.slice(3, 20)), 'the key is echoed while typed');
    t.keys('Enter');
    assert.equal(await t.exitCode(), 0, t.screen());
    const screen = t.screen();
    assert.ok(!screen.includes(key.slice(3, 20)), `the key shows on screen:\n${screen}`);
    assert.match(screen, /Checked and stored the Ultravox key in .*config\.json/);
    assert.match(screen, /VOICEHOOKS_ULTRAVOX_API_KEY or ULTRAVOX_API_KEY, when set, override it/);
    const stored = JSON.parse(readFileSync(join(t.configDir, 'config.json'), 'utf8')) as unknown;
    assert.ok(JSON.stringify(stored).includes(key));
  });

  it('Ctrl-C at a prompt exits 130 and nothing is created', async () => {
    const t = terminal();
    const start = emulator.requests.length;
    t.run('create -p ultravox');
    await t.waitFor('Delivery URL');
    t.type('https://example.com/cancelled');
    t.keys('Enter');
    await t.waitFor(/Events[\s\S]*call\.ended/);
    t.keys('Space');
    t.keys('C-c');
    assert.equal(await t.exitCode(), 130, t.screen());
    assert.deepEqual(writesSince(start), []);
  });

  it('a slow list shows a spinner on the terminal, erases it, and keeps stdout (a file) clean', async () => {
    await createWithFlags();
    const t = terminal();
    const out = join(root, `${t.name}-stdout`);
    emulator.faults.add({ kind: 'delay', provider: 'ultravox', method: 'GET', delayMs: 1500, times: 1 });
    t.run('list -p ultravox', ` > ${out}`);
    await t.waitFor(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] Fetching Ultravox webhooks/);
    assert.equal(await t.exitCode(), 0, t.screen());
    assert.doesNotMatch(t.screen(), /Fetching Ultravox webhooks/, 'the spinner line was not erased');
    const bytes = readFileSync(out, 'latin1');
    assert.match(bytes, /^[0-9a-f-]{36}\thttps:\/\/example\.com\/hooks\t/m);
    assert.ok(!escapeOrCr(bytes), 'escape codes or carriage returns reached stdout');
    assert.ok(!readFileSync(out, 'utf8').includes('Fetching'), 'progress text reached stdout');
  });

  it('rotate-secret, toggle and test show a spinner while they wait, erase it, and keep stdout clean', async () => {
    const id = await createWithFlags();
    const made = await runCli(
      [
        'create',
        '-p',
        'polyai',
        '--name',
        'Alerts',
        '--url',
        'https://example.com/p',
        '--event',
        'alerts.triggered',
        '--json',
      ],
      {
        env: {
          VOICEHOOKS_POLYAI_BASE_URL: emulator.baseUrl('polyai'),
          VOICEHOOKS_POLYAI_API_KEY: 'terminal-test-key',
        },
      },
    );
    assert.equal(made.code, 0, made.stderr);
    const polyai = (JSON.parse(made.stdout) as { id: string }).id;
    // An endpoint slow to answer a test delivery, so the wait is on the delivery itself.
    const slow = createServer((req, res) => {
      req.resume();
      setTimeout(() => res.writeHead(200).end('ok'), 1500);
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    const slowUrl = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/hooks`;
    emulator.faults.add({ kind: 'delay', provider: 'ultravox', delayMs: 1000 });
    emulator.faults.add({ kind: 'delay', provider: 'polyai', delayMs: 1000 });
    try {
      const t = terminal();
      const runs: [string, RegExp][] = [
        [`rotate-secret ${id} -p ultravox`, new RegExp(`Rotating the secret of ${id}`)],
        [`toggle ${polyai} -p polyai --off`, new RegExp(`Disabling ${polyai}`)],
        [
          `test ${id} -p ultravox --url ${slowUrl}`,
          /Sending a test delivery to http:\/\/127\.0\.0\.1:\d+\/hooks/,
        ],
      ];
      for (const [args, label] of runs) {
        const out = join(root, `${t.name}-${args.split(' ')[0] ?? ''}-stdout`);
        t.run(args, ` > ${out}`);
        await t.waitFor(new RegExp(`[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] ${label.source}`));
        assert.equal(await t.exitCode(), 0, t.screen());
        assert.doesNotMatch(t.screen(), label, `${args}: the spinner line was not erased`);
        const bytes = readFileSync(out, 'latin1');
        assert.ok(bytes.length > 0, `${args}: nothing on stdout`);
        assert.ok(!escapeOrCr(bytes), `${args}: escape codes or carriage returns reached stdout`);
        assert.doesNotMatch(bytes, label, `${args}: progress text reached stdout`);
      }
    } finally {
      emulator.faults.clear();
      await new Promise<void>((resolve) => slow.close(() => resolve()));
    }
  });
});
