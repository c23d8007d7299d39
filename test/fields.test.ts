// `--fields` on every command that takes it, through the BUILT command line (`npm run build` first) against
// the in-process emulators: an unknown name is a usage error (exit 2) sent before any request, naming it and
// the valid names; every valid name works, and the valid names are exactly the keys the JSON output has.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startEmulator, type RunningEmulator } from '../src/emulator/server.ts';
import { newCli, removeTempRoots, tempRoots, type Cli, type CliResult } from './helpers/cli.ts';

const KEY = 'fields-test-key-0b7d';
const AGENT = '9fbef0b7-8d4e-4a08-9207-66c22155721d';

let emu: RunningEmulator;
/** Answers 500 to anything, so that test deliveries fail and Talkover logs a delivery that can be retried. */
let endpoint: Server;
let endpointUrl: string;
let c: Cli;
let applyFile: string;
const ids = { ultravox: '', polyai: '', talkover: '', log: '' };

interface ErrorJson {
  error: { code: string; message: string; hint: string | null };
}

function voicehooks(args: readonly string[], stdin?: string): Promise<CliResult> {
  const env: Record<string, string> = {};
  for (const p of ['ultravox', 'talkover', 'polyai', 'daily']) {
    env[`VOICEHOOKS_${p.toUpperCase()}_BASE_URL`] = emu.baseUrl(p);
    env[`VOICEHOOKS_${p.toUpperCase()}_API_KEY`] = KEY;
  }
  return c.run(args, { baseUrl: null, apiKey: null, env, ...(stdin === undefined ? {} : { stdin }) });
}

async function ok(args: readonly string[], codes: readonly number[] = [0]): Promise<CliResult> {
  const result = await voicehooks(args);
  assert.ok(
    codes.includes(result.code),
    `voicehooks ${args.join(' ')} exited ${result.code}\n--- stdout\n${result.stdout}--- stderr\n${result.stderr}`,
  );
  return result;
}

async function created(args: readonly string[]): Promise<string> {
  return (JSON.parse((await ok([...args, '--json'])).stdout) as { id: string }).id;
}

before(async () => {
  endpoint = createServer((req, res) => {
    req.resume();
    res.writeHead(500).end('no');
  });
  await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
  endpointUrl = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/hooks`;
  emu = await startEmulator({ apiKey: KEY });
  c = newCli();
  ids.ultravox = await created(['create', '-p', 'ultravox', '--url', endpointUrl, '--event', 'call.ended']);
  ids.polyai = await created([
    'create',
    ...['-p', 'polyai', '--name', 'Alerts', '--url', 'https://hooks.example.com/p'],
    ...['--event', 'alerts.triggered'],
  ]);
  ids.talkover = await created([
    'create',
    ...['-p', 'talkover', '--agent', AGENT, '--name', 'Calls', '--url', endpointUrl],
    ...['--event', 'event_phone_call_ended'],
  ]);
  await ok(['test', ids.talkover, '-p', 'talkover', '--agent', AGENT], [8]);
  const logs = await ok(['logs', ids.talkover, '-p', 'talkover', '--agent', AGENT, '--json']);
  ids.log = (JSON.parse(logs.stdout) as { id: string }[])[0]?.id ?? '';
  assert.ok(ids.log, `no delivery log to redeliver: ${logs.stdout}`);
  const dir = mkdtempSync(join(tmpdir(), 'voicehooks-fields-'));
  tempRoots.push(dir);
  applyFile = join(dir, 'webhooks.yaml');
  writeFileSync(
    applyFile,
    `webhooks:\n  - provider: ultravox\n    url: https://hooks.example.com/applied\n    events: [call.ended]\n`,
  );
});

after(async () => {
  await emu?.close();
  await new Promise<void>((resolve) => endpoint.close(() => resolve()));
  removeTempRoots();
});

interface Case {
  command: string;
  /** The arguments, made afresh for each run (a delete needs a webhook of its own). */
  args: () => Promise<string[]>;
  /** Exit codes of a run that worked (a failed test delivery still prints its report, and exits 8). */
  codes?: number[];
  stdin?: string;
}

const talkover = (): string[] => ['-p', 'talkover', '--agent', AGENT];
const CASES: Case[] = [
  { command: 'list', args: async () => ['list', '-p', 'ultravox'] },
  { command: 'get', args: async () => ['get', ids.ultravox, '-p', 'ultravox'] },
  { command: 'get (PolyAI)', args: async () => ['get', ids.polyai, '-p', 'polyai'] },
  {
    command: 'create',
    args: async () => [
      'create',
      '-p',
      'ultravox',
      '--url',
      'https://hooks.example.com/c',
      '--event',
      'call.ended',
    ],
  },
  {
    command: 'update',
    args: async () => ['update', ids.ultravox, '-p', 'ultravox', '--event', 'call.ended'],
  },
  { command: 'toggle', args: async () => ['toggle', ids.polyai, '-p', 'polyai', '--on'] },
  { command: 'rotate-secret', args: async () => ['rotate-secret', ids.ultravox, '-p', 'ultravox'] },
  {
    command: 'delete',
    args: async () => [
      'delete',
      await created([
        'create',
        '-p',
        'ultravox',
        '--url',
        'https://hooks.example.com/d',
        '--event',
        'call.ended',
      ]),
      ...['-p', 'ultravox', '--yes'],
    ],
  },
  { command: 'events', args: async () => ['events', '-p', 'ultravox'] },
  { command: 'export', args: async () => ['export', '-p', 'ultravox'] },
  { command: 'test', args: async () => ['test', ids.ultravox, '-p', 'ultravox'], codes: [8] },
  { command: 'test (Talkover)', args: async () => ['test', ids.talkover, ...talkover()], codes: [8] },
  { command: 'logs', args: async () => ['logs', ids.talkover, ...talkover()] },
  { command: 'redeliver', args: async () => ['redeliver', ids.talkover, ids.log, ...talkover()] },
  {
    command: 'auth login',
    args: async () => ['auth', 'login', '-p', 'ultravox', '--with-token'],
    stdin: `${KEY}\n`,
  },
  { command: 'diff', args: async () => ['diff', '-f', applyFile], codes: [10] },
  { command: 'apply', args: async () => ['apply', '-f', applyFile, '--dry-run'] },
];

/** The valid names the usage error lists, after checking that it is one and that nothing was sent. */
async function validFields(kase: Case, json: boolean): Promise<string[]> {
  const args = [...(await kase.args()), '--fields', 'bogus,nonsense', ...(json ? ['--json'] : [])];
  const sentBefore = emu.requests.length; // a case's own set-up (a webhook to delete) may send requests
  const result = await voicehooks(args, kase.stdin);
  assert.equal(
    result.code,
    2,
    `${kase.command}: exit ${result.code}, expected 2\n${result.stdout}${result.stderr}`,
  );
  assert.equal(result.stdout, '', `${kase.command}: data on stdout`);
  assert.equal(
    emu.requests.length,
    sentBefore,
    `${kase.command}: a request was sent before --fields was checked`,
  );
  let hint: string;
  if (json) {
    const error = (JSON.parse(result.stderr) as ErrorJson).error;
    assert.equal(error.code, 'usage');
    assert.match(error.message, /"bogus", "nonsense"/);
    hint = error.hint ?? '';
  } else {
    assert.match(result.stderr, /^Error: .*"bogus", "nonsense"/);
    hint = result.stderr;
  }
  const listed = /Valid fields: ([^\n]+)\./.exec(hint)?.[1];
  assert.ok(listed, `${kase.command}: the valid fields are not listed: ${hint}`);
  return listed.split(', ');
}

/** The top-level keys of each object a --json run printed. */
function printedKeys(stdout: string): string[][] {
  const value = JSON.parse(stdout) as unknown;
  const objects = Array.isArray(value) ? value : [value];
  return objects.map((o) => Object.keys(o as object));
}

describe('--fields', { timeout: 240_000 }, () => {
  it('an unknown name exits 2 naming it and the valid ones, as text and as --json', async () => {
    const text = await voicehooks(['list', '-p', 'ultravox', '--fields', 'id,bogus']);
    assert.equal(text.code, 2, text.stderr);
    assert.equal(text.stdout, '');
    const lines = text.stderr.trimEnd().split('\n');
    assert.equal(lines[0], `Error: --fields: "bogus" is not a field of this command's output.`);
    assert.match(text.stderr, /Valid fields: provider, id, url, events, enabled, status, name, agentId, /);

    const typo = await voicehooks(['list', '-p', 'ultravox', '--fields', 'url,agentid', '--json']);
    assert.equal(typo.code, 2);
    assert.equal(typo.stdout, '');
    assert.equal(typo.stderr.trimEnd().split('\n').length, 1, 'a --json error is one line');
    const { error } = JSON.parse(typo.stderr) as ErrorJson;
    assert.equal(error.code, 'usage');
    assert.match(error.hint ?? '', /^Did you mean "agentId"\? Valid fields: provider, id, url, /);
  });

  for (const kase of CASES) {
    it(`${kase.command}: unknown names refused before any request; every valid one printed`, async () => {
      const codes = kase.codes ?? [0];
      // JSON: the valid names are exactly the keys printed, and each one is printed when asked for.
      const jsonFields = await validFields(kase, true);
      const plain = await voicehooks([...(await kase.args()), '--json'], kase.stdin);
      assert.ok(codes.includes(plain.code), `${kase.command} --json: exit ${plain.code}\n${plain.stderr}`);
      for (const keys of printedKeys(plain.stdout)) {
        const missing = keys.filter((k) => !jsonFields.includes(k));
        assert.deepEqual(missing, [], `${kase.command}: keys printed that --fields refuses`);
      }
      const picked = await voicehooks(
        [...(await kase.args()), '--json', '--fields', jsonFields.join(',')],
        kase.stdin,
      );
      assert.ok(
        codes.includes(picked.code),
        `${kase.command} --fields: exit ${picked.code}\n${picked.stderr}`,
      );
      for (const keys of printedKeys(picked.stdout)) assert.deepEqual(keys, jsonFields);

      // Rows: every valid name is accepted, one cell each.
      const rowFields = await validFields(kase, false);
      const rows = await voicehooks([...(await kase.args()), '--fields', rowFields.join(',')], kase.stdin);
      assert.ok(codes.includes(rows.code), `${kase.command} rows: exit ${rows.code}\n${rows.stderr}`);
    });
  }
});
