// Secret hygiene and transport safety (issue 11), through the BUILT command line (`npm run build` first).
// The whole command surface runs with --debug against the emulator (all four providers, keys and webhook
// secrets made distinctive), then every byte printed and every file written is scanned: keys appear only in
// the config file; signing secrets only in the config file, the emulator's state file, the stdout of the
// create/rotate-secret that received them, and with --show-secrets (contract §Security). `listen` is scanned
// too, with a signed delivery received: it verifies with a secret but never prints it.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { startEmulator } from '../src/emulator/server.ts';
import type { RunningEmulator } from '../src/emulator/server.ts';
import { filesUnder, newCli, removeTempRoots, tempRoots } from './helpers/cli.ts';
import type { Cli, CliResult } from './helpers/cli.ts';

type Provider = 'ultravox' | 'talkover' | 'polyai' | 'daily';
const PROVIDERS: Provider[] = ['ultravox', 'talkover', 'polyai', 'daily'];
const AGENT = '6f1c2b8e-3d4a-4b5c-8d9e-0a1b2c3d4e5f';

const KEYS: Record<Provider, string> = {
  ultravox: 'uvx-key-hygiene-a1b2c3d4',
  talkover: 'tko-key-hygiene-e5f6a7b8',
  polyai: 'pai-key-hygiene-c9d0e1f2',
  daily: 'dly-key-hygiene-a3b4c5d6',
};
/** Secrets given on create (PolyAI makes its own; Daily's is base64). */
const GIVEN: Partial<Record<Provider, string>> = {
  ultravox: 'uvx-secret-hygiene-0f9e8d7c',
  talkover: 'tko-secret-hygiene-6b5a4938',
  daily: Buffer.from('dly-secret-hygiene-27160504').toString('base64'),
};
const EVENT: Record<Provider, string> = {
  ultravox: 'call.started',
  talkover: 'event_phone_call_ended',
  polyai: 'alerts.triggered',
  daily: 'recording.started',
};

interface Run {
  args: string[];
  result: CliResult;
  /** Secrets this run may print whole on stdout. */
  mayPrint: Set<string>;
}

let emu: RunningEmulator;
let receiver: Server;
let receiverUrl = '';
const runs: Run[] = [];
/** Every signing secret in play: given, issued by create, issued by rotate-secret. */
const secrets = new Set<string>(Object.values(GIVEN));
let stateFile = '';
let cli: Cli;

before(async () => {
  receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  cli = newCli();
  stateFile = join(cli.configDir, '..', 'emulator-state.json');
  emu = await startEmulator({ stateFile });
});

after(async () => {
  await emu.close();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
  removeTempRoots();
});

function env(): Record<string, string> {
  return {
    VOICEHOOKS_ULTRAVOX_BASE_URL: emu.baseUrl('ultravox'),
    VOICEHOOKS_TALKOVER_BASE_URL: emu.baseUrl('talkover'),
    VOICEHOOKS_POLYAI_BASE_URL: emu.baseUrl('polyai'),
    VOICEHOOKS_DAILY_BASE_URL: emu.baseUrl('daily'),
    VOICEHOOKS_TALKOVER_AGENT: AGENT,
  };
}

async function run(args: string[], mayPrint: string[] = [], stdin?: string): Promise<CliResult> {
  const result = await cli.run([...args, '--debug'], {
    env: env(),
    ...(stdin === undefined ? {} : { stdin }),
  });
  runs.push({ args, result, mayPrint: new Set(mayPrint) });
  return result;
}

function ok(r: CliResult, what: string): void {
  assert.equal(r.code, 0, `${what}: exit ${r.code}\n${r.stderr}`);
}

/** A loopback port nothing listens on (taken, then released). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves once something accepts connections on the port (a bare connection is no delivery). */
async function listening(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (up) return;
    await sleep(50);
  }
  throw new Error(`nothing listens on 127.0.0.1:${port}`);
}

describe('secret hygiene', () => {
  it('the whole command surface with --debug prints keys and secrets only where the contract allows', async () => {
    for (const p of PROVIDERS) {
      ok(
        await run(['auth', 'login', '-p', p, '--with-token', '--no-verify'], [], `${KEYS[p]}\n`),
        `login ${p}`,
      );
    }
    ok(await run(['auth', 'status']), 'auth status');
    ok(await run(['auth', 'status', '--json']), 'auth status --json');
    ok(await run(['config', 'list']), 'config list');

    const ids = new Map<Provider, string>();
    for (const p of PROVIDERS) {
      const args = ['create', '-p', p, '--url', receiverUrl, '--event', EVENT[p], '--json'];
      if (p === 'talkover' || p === 'polyai') args.push('--name', 'hygiene');
      const given = GIVEN[p];
      if (given !== undefined) args.push('--secret', given);
      // The create prints the secret it received; which one PolyAI issues is learnt from that print.
      const r = await cli.run([...args, '--debug'], { env: env() });
      const created = JSON.parse(r.stdout) as { id: string; secrets: string[] };
      const issued = created.secrets.filter((s) => !s.startsWith('****'));
      for (const s of issued) secrets.add(s);
      runs.push({ args, result: r, mayPrint: new Set([...issued, ...(given ? [given] : [])]) });
      ok(r, `create ${p}`);
      ids.set(p, created.id);
    }

    // Providers in parallel (each one's commands in order), to keep the file fast.
    await Promise.all(
      PROVIDERS.map(async (p) => {
        const id = ids.get(p) ?? '';
        ok(await run(['get', id, '-p', p]), `get ${p}`);
        ok(await run(['get', id, '-p', p, '--json']), `get ${p} --json`);
        ok(await run(['list', '-p', p, '--json']), `list ${p}`);
        ok(await run(['list', '-p', p]), `list ${p} (rows)`);
        ok(await run(['update', id, '-p', p, '--event', EVENT[p]]), `update ${p}`);
        const shown = await run(['get', id, '-p', p, '--json', '--show-secrets'], [...secrets]);
        ok(shown, `get --show-secrets ${p}`);
      }),
    );
    ok(await run(['toggle', ids.get('talkover') ?? '', '-p', 'talkover', '--off']), 'toggle talkover');
    ok(await run(['toggle', ids.get('polyai') ?? '', '-p', 'polyai', '--on']), 'toggle polyai');
    ok(await run(['test', ids.get('talkover') ?? '', '-p', 'talkover']), 'test talkover');
    await run(['logs', ids.get('talkover') ?? '', '-p', 'talkover']);
    await run(['test', ids.get('ultravox') ?? '', '-p', 'ultravox']);

    // listen, with a signed test delivery sent to it: verifying with the webhook's secrets read from Ultravox
    // (the GET traced by --debug), with a secret given (--secret is no licence to print it back), and with
    // PolyAI's secret kept in the config file. Every delivery must verify, so the secret was really in use.
    await Promise.all(
      (
        [
          ['ultravox', ['--webhook', ids.get('ultravox') ?? '', '--json']],
          ['ultravox', ['--secret', GIVEN.ultravox ?? '']],
          ['polyai', ['--webhook', ids.get('polyai') ?? '']],
        ] as const
      ).map(async ([p, how]) => {
        const port = await freePort();
        const received = run(['listen', '-p', p, '--port', String(port), '--max-events', '1', ...how]);
        await listening(port);
        const url = `http://127.0.0.1:${port}/hooks`;
        ok(await run(['test', ids.get(p) ?? '', '-p', p, '--url', url]), `test → listen ${p} ${how[0]}`);
        const r = await received;
        ok(r, `listen ${p} ${how[0]}`);
        assert.match(r.stdout, /verified/, `listen ${p} ${how[0]} verified the delivery:\n${r.stdout}`);
      }),
    );
    ok(await run(['export', '--json']), 'export');
    ok(await run(['export']), 'export (yaml)');

    for (const p of ['ultravox', 'polyai', 'talkover'] as const) {
      const r = await cli.run(['rotate-secret', ids.get(p) ?? '', '-p', p, '--json', '--debug'], {
        env: env(),
      });
      ok(r, `rotate-secret ${p}`);
      const fresh = (JSON.parse(r.stdout) as { secret: string }).secret;
      const before = new Set(secrets);
      secrets.add(fresh);
      runs.push({
        args: ['rotate-secret', p],
        result: r,
        mayPrint: new Set([...secrets].filter((s) => !before.has(s))),
      });
    }

    // Offline signature commands: the secret is an argument, never an output.
    const body = join(cli.configDir, '..', 'body.json');
    writeFileSync(body, '{"event":"call.started"}');
    const secret = GIVEN.ultravox ?? '';
    const signed = await run(['sign', '-p', 'ultravox', '--secret', secret, '--body-file', body, '--json']);
    ok(signed, 'sign');
    const headers = Object.entries(JSON.parse(signed.stdout) as Record<string, string>).flatMap(([k, v]) => [
      '--header',
      `${k}: ${v}`,
    ]);
    ok(
      await run(['verify', '-p', 'ultravox', '--secret', secret, '--body-file', body, ...headers]),
      'verify',
    );
    const bad = await run([
      'verify',
      '-p',
      'ultravox',
      '--secret',
      `${secret}x`,
      '--body-file',
      body,
      ...headers,
    ]);
    assert.equal(bad.code, 8);

    // Where secrets are allowed, they really are (so the scan below looks for the right strings).
    const state = readFileSync(stateFile, 'utf8');
    assert.ok(
      [...secrets].some((s) => state.includes(s)),
      'the emulator state file holds the secrets',
    );
    await Promise.all(
      PROVIDERS.map(async (p) =>
        ok(await run(['delete', ids.get(p) ?? '', '-p', p, '--yes']), `delete ${p}`),
      ),
    );
    ok(await run(['auth', 'logout', '-p', 'daily']), 'logout');

    // The scan.
    const keys = Object.values(KEYS);
    for (const { args, result, mayPrint } of runs) {
      for (const key of keys) {
        assert.ok(!result.stdout.includes(key), `a key on stdout of ${args.join(' ')}`);
        assert.ok(!result.stderr.includes(key), `a key on stderr of ${args.join(' ')}`);
      }
      for (const s of secrets) {
        assert.ok(!result.stderr.includes(s), `signing secret ${s} on stderr of ${args.join(' ')}`);
        // sign and verify take the secret as an argument; listen does too, and may not print it even so.
        if (!mayPrint.has(s) && !(args.includes('--secret') && args[0] !== 'listen')) {
          assert.ok(
            !result.stdout.includes(s),
            `a signing secret on stdout of ${args.join(' ')}:\n${result.stdout}`,
          );
        }
      }
    }
    assert.ok(
      runs.some((r) => r.result.stderr.includes('[debug]')),
      'the debug trace was on',
    );
    const allowed = new Set([cli.configFile, stateFile]);
    for (const file of tempRoots.flatMap((root) => filesUnder(root))) {
      if (allowed.has(file)) continue;
      const text = readFileSync(file, 'utf8');
      for (const s of [...keys, ...secrets]) assert.ok(!text.includes(s), `${file} holds a key or secret`);
    }
    assert.ok(readFileSync(cli.configFile, 'utf8').includes(KEYS.ultravox), 'the config file holds the keys');
  });
});

describe('transport safety', () => {
  let proxy: Server;
  let proxied = 0;
  before(async () => {
    // Any request for a non-loopback host goes through this proxy (NO_PROXY exempts only loopback): it counts.
    proxy = createServer((req, res) => {
      proxied++;
      req.resume();
      res.statusCode = 502;
      res.end();
    });
    proxy.on('connect', (_req, socket) => {
      proxied++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  });
  after(() => new Promise<void>((resolve) => proxy.close(() => resolve())));

  for (const [how, extra] of [
    ['--base-url', (url: string) => ({ args: ['--base-url', url], env: {} })],
    [
      'VOICEHOOKS_ULTRAVOX_BASE_URL',
      (url: string) => ({ args: [], env: { VOICEHOOKS_ULTRAVOX_BASE_URL: url } }),
    ],
  ] as const) {
    it(`a plain-http base URL that is not loopback (${how}) is refused with exit 2 before any request`, async () => {
      const before = emu.requests.length;
      proxied = 0;
      const { args, env: extraEnv } = extra('http://api.example.com');
      const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
      const r = await newCli().run(['list', '-p', 'ultravox', '--debug', ...args], {
        env: {
          VOICEHOOKS_ULTRAVOX_API_KEY: KEYS.ultravox,
          HTTP_PROXY: proxyUrl,
          HTTPS_PROXY: proxyUrl,
          ...extraEnv,
        },
      });
      assert.equal(r.code, 2, r.stderr);
      assert.match(
        r.stderr,
        /^Error: Refusing to send the Ultravox API key over plain http to api\.example\.com/m,
      );
      assert.ok(!r.stderr.includes(KEYS.ultravox) && !r.stdout.includes(KEYS.ultravox));
      assert.equal(proxied, 0, 'nothing went out');
      assert.equal(emu.requests.length, before);
    });
  }

  it('plain http to loopback is accepted as a base URL (the refusal is not blanket)', async () => {
    const r = await newCli().run(['list', '-p', 'ultravox'], {
      env: {
        VOICEHOOKS_ULTRAVOX_API_KEY: KEYS.ultravox,
        VOICEHOOKS_ULTRAVOX_BASE_URL: emu.baseUrl('ultravox'),
      },
    });
    assert.equal(r.code, 0, r.stderr);
  });
});
