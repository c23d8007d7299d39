// The fault matrix (issue 11): every command that talks to a provider, times every fault the emulator can act
// out, through the BUILT command line (`npm run build` first) against in-process emulators on 127.0.0.1.
// Each cell asserts the contract's exit code (9: provider unreachable or its answer unusable), a single
// `Error:` line without a stack trace, and for writes that nothing was duplicated or lost: the change is there
// exactly when the emulator handled the request (a reset after handling, a slow answer), never twice. No
// cell may print the API key.
//
// Every row expects exit 9, including the ones added for the declarative commands and credentials: `apply`
// exits with the highest code among its failed items (contract §Exit codes), and its one failed item (the
// faulted create) fails with 9; `diff` exits with a read failure's code rather than 10 (drift cannot be told
// when live state could not be read: `voicehooks diff --help`); `auth login` fails its check request like any
// read. So there is no per-command expected exit: the contract gives none of these rows another code.
//
// Faults are persistent (every matching request), so retries meet them too and the cell ends in the fault's
// final answer. The commands run in this process (test/helpers/cli.ts), so a cell costs almost nothing but its
// waits for backoffs and timeouts: cells run 24 at a time, each worker with its own emulator (fault rules are
// per emulator).
// The results are written to RESULTS_FILE and rendered by scripts/reliability-doc.ts; the last test checks
// that the committed docs/reliability.md is exactly that rendering.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, it } from 'node:test';
import { startEmulator } from '../src/emulator/server.ts';
import type { RunningEmulator } from '../src/emulator/server.ts';
import type { FaultRule } from '../src/emulator/faults.ts';
import type { TalkoverEmulator } from '../src/providers/talkover/emulator.ts';
import { newCli, removeTempRoots, ROOT } from './helpers/cli.ts';
import type { Cli, CliResult } from './helpers/cli.ts';
import {
  cellPasses,
  RESULTS_FILE,
  renderReliabilityDoc,
  type CellResult,
  type FaultResults,
} from '../scripts/reliability-doc.ts';

const KEY = 'fault-matrix-key-5e1d';
const AGENT = '6f1c2b8e-3d4a-4b5c-8d9e-0a1b2c3d4e5f';
const WORKERS = 24;

type Provider = 'ultravox' | 'talkover' | 'polyai' | 'daily';

interface Fault {
  name: string;
  rule: Omit<FaultRule, 'provider' | 'method' | 'path'>;
  /** Whether the emulator handles the request (and so changes its state) despite the fault. */
  handled: boolean;
}

const FAULTS: Fault[] = [
  {
    name: '429, Retry-After 5 s > --max-wait 1',
    rule: { kind: 'rate-limit', retryAfter: '5' },
    handled: false,
  },
  { name: '500', rule: { kind: 'status', status: 500 }, handled: false },
  { name: '503', rule: { kind: 'status', status: 503 }, handled: false },
  { name: 'reset before the response', rule: { kind: 'reset-before' }, handled: false },
  { name: 'reset after the request was handled', rule: { kind: 'reset-after' }, handled: true },
  { name: 'answer slower than --timeout 1', rule: { kind: 'delay', delayMs: 1500 }, handled: true },
  { name: 'malformed JSON', rule: { kind: 'malformed' }, handled: false },
  { name: 'wrong content type (text/html)', rule: { kind: 'html' }, handled: false },
  { name: 'truncated body', rule: { kind: 'truncated' }, handled: false },
  { name: '10 MB body', rule: { kind: 'huge' }, handled: false },
];

/** What a write leaves behind, read back without faults. */
type Effect = 'created' | 'updated' | 'deleted' | 'toggled' | 'rotated' | 'redelivered' | 'key saved' | null;

interface Command {
  name: string;
  provider: Provider;
  /** The request the fault is put on. */
  method: string;
  path: string;
  /** Whether the command needs a webhook to exist first (its id replaces ID in args). */
  needsWebhook: boolean;
  /** ID: the seeded webhook; LOG: its failed delivery (Talkover); FILE: the apply file; URL: the receiver. */
  args: string[];
  effect: Effect;
  /**
   * Where the effect is read: the provider's webhooks (default), its delivery logs (a redelivery adds an
   * entry, and the emulator sends it before it answers), or the config file (`auth login`).
   */
  observe?: 'logs' | 'config';
  /** Text on stdin (`auth login --with-token` reads the key there); the key variables are then left unset. */
  stdin?: string;
  /** A report command (contract §Output): stdout must carry the report whatever the exit code. */
  report?: boolean;
  /** `apply`: a second, fault-free run of the same file must exit 0 and leave exactly one webhook. */
  rerun?: boolean;
  /**
   * What the "may have reached" hint must also say, where the generic advice (`list`, `create
   * --if-not-exists`) would not find the change out.
   */
  howToCheck?: RegExp;
}

const COMMANDS: Command[] = [
  {
    name: 'list',
    provider: 'ultravox',
    method: 'GET',
    path: '/api/webhooks',
    needsWebhook: true,
    args: ['list'],
    effect: null,
  },
  {
    name: 'get',
    provider: 'daily',
    method: 'GET',
    path: '/webhooks/',
    needsWebhook: true,
    args: ['get', 'ID'],
    effect: null,
  },
  {
    name: 'events (live catalog)',
    provider: 'talkover',
    method: 'GET',
    path: '',
    needsWebhook: false,
    args: ['events'],
    effect: null,
  },
  {
    name: 'logs',
    provider: 'talkover',
    method: 'GET',
    path: '/logs',
    needsWebhook: true,
    args: ['logs', 'ID'],
    effect: null,
  },
  {
    name: 'create',
    provider: 'talkover',
    method: 'POST',
    path: '/webhooks',
    needsWebhook: false,
    args: ['create', '--url', 'URL', '--event', 'event_phone_call_ended', '--name', 'matrix'],
    effect: 'created',
  },
  {
    name: 'update',
    provider: 'polyai',
    method: 'PATCH',
    path: '/v1/webhook-endpoints/',
    needsWebhook: true,
    args: ['update', 'ID', '--name', 'renamed'],
    effect: 'updated',
  },
  {
    name: 'delete',
    provider: 'daily',
    method: 'DELETE',
    path: '/webhooks/',
    needsWebhook: true,
    args: ['delete', 'ID', '--yes'],
    effect: 'deleted',
  },
  {
    name: 'toggle (flip)',
    provider: 'talkover',
    method: 'PATCH',
    path: '/toggle',
    needsWebhook: true,
    args: ['toggle', 'ID'],
    effect: 'toggled',
  },
  {
    name: 'rotate-secret',
    provider: 'polyai',
    method: 'POST',
    path: '/rotate-secret',
    needsWebhook: true,
    args: ['rotate-secret', 'ID'],
    effect: 'rotated',
    // PolyAI shows the new secret once, in the lost answer: only another rotation gives one to see.
    howToCheck: /voicehooks rotate-secret \S+ -p polyai` again/,
  },
  {
    name: 'test',
    provider: 'talkover',
    method: 'POST',
    path: '/test',
    needsWebhook: true,
    args: ['test', 'ID'],
    effect: null,
    // A test delivery is a new log entry, which the list shows nothing of.
    howToCheck: /voicehooks logs/,
  },
  {
    // Reads live state first (not faulted), then creates the file's one webhook: the fault is on that create.
    name: 'apply',
    provider: 'ultravox',
    method: 'POST',
    path: '/api/webhooks',
    needsWebhook: false,
    args: ['apply', '-f', 'FILE'],
    effect: 'created',
    report: true,
    rerun: true,
    // The next apply reads live state before it sends, so it is the check (and the safe retry).
    howToCheck: /apply/,
  },
  {
    // The same file: drift (exit 10) when it can be read, but here the read fails, so the report marks the
    // entry unknown and the exit is the read's 9.
    name: 'diff',
    provider: 'ultravox',
    method: 'GET',
    path: '/api/webhooks',
    needsWebhook: false,
    args: ['diff', '-f', 'FILE'],
    effect: null,
    report: true,
  },
  {
    name: 'export',
    provider: 'polyai',
    method: 'GET',
    path: '/v1/webhook-endpoints',
    needsWebhook: true,
    args: ['export'],
    effect: null,
  },
  {
    // Re-sends a failed delivery: the emulator sends it to the receiver and logs a new attempt before it
    // answers, so a handled retry request is one more log entry, and only one.
    name: 'redeliver',
    provider: 'talkover',
    method: 'POST',
    path: '/retry',
    needsWebhook: true,
    args: ['redeliver', 'ID', 'LOG'],
    effect: 'redelivered',
    observe: 'logs',
    // `list` shows nothing of deliveries; the new attempt shows up in the logs.
    howToCheck: /voicehooks logs/,
  },
  {
    // Checks the key with one list request before it saves it. No check succeeds under a fault, so the key
    // is never saved (the config file is left byte for byte as it was), whether or not the emulator handled
    // the request.
    name: 'auth login',
    provider: 'daily',
    method: 'GET',
    path: '/webhooks',
    needsWebhook: false,
    args: ['auth', 'login', '--with-token'],
    effect: 'key saved',
    observe: 'config',
    stdin: `${KEY}\n`,
  },
];

const EVENT: Record<Provider, string> = {
  ultravox: 'call.started',
  talkover: 'event_phone_call_ended',
  polyai: 'alerts.triggered',
  daily: 'recording.started',
};

interface WebhookJson {
  id: string;
  name: string | null;
  enabled: boolean | null;
  secrets: string[];
}

let emulators: RunningEmulator[] = [];
/** Per emulator: every provider's state after one webhook was created, restored before every cell. */
const seededState = new Map<RunningEmulator, Record<string, unknown>>();
/** Per emulator and provider: the seeded webhook. */
const seededHook = new Map<string, WebhookJson>();
/** Per emulator: the id of the failed delivery logged for its seeded Talkover webhook (for `redeliver`). */
const seededLog = new Map<RunningEmulator, string>();
let receiver: Server;
let receiverUrl = '';
/** The apply file (`apply`, `diff`): one Ultravox webhook that does not exist yet. */
let applyFile = '';
let appliedUrl = '';
const results: CellResult[] = [];
const PROVIDERS: Provider[] = ['ultravox', 'talkover', 'polyai', 'daily'];
/** What the config file holds before `auth login` runs: a profile setting that must survive untouched. */
const CONFIG_BEFORE = `${JSON.stringify({ profiles: { default: { provider: 'daily' } } }, null, 2)}\n`;

before(async () => {
  // Daily probes a webhook's URL on create; the test deliveries of `test` and `redeliver` land here too.
  receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  appliedUrl = `${receiverUrl}/applied`;
  const files = newCli();
  mkdirSync(join(files.configDir, '..'), { recursive: true });
  applyFile = join(files.configDir, '..', 'webhooks.json');
  const entry = { provider: 'ultravox', url: appliedUrl, events: [EVENT.ultravox] };
  writeFileSync(applyFile, JSON.stringify({ webhooks: [entry] }));
  emulators = await Promise.all(Array.from({ length: WORKERS }, () => startEmulator({ apiKey: KEY })));
  // One webhook per provider, made through the CLI once, and one failed delivery of the Talkover one; each
  // cell starts from this state.
  await Promise.all(
    emulators.map(async (emu, i) => {
      for (const provider of PROVIDERS) seededHook.set(`${i}/${provider}`, await seed(emu, provider));
      const talkover = emu.providers.talkover as TalkoverEmulator;
      const [failed] = talkover.seedLogs(seededHook.get(`${i}/talkover`)?.id ?? '', 1, { status: 'failed' });
      seededLog.set(emu, failed?.id ?? '');
      seededState.set(emu, snapshot(emu));
    }),
  );
});

after(async () => {
  await Promise.all(emulators.map((e) => e.close()));
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
  removeTempRoots();
});

function snapshot(emu: RunningEmulator): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(emu.providers).map(([n, p]) => [n, structuredClone(p.snapshot())]),
  );
}

/** The provider's stored webhooks, in its own wire shape. */
function stored(emu: RunningEmulator, provider: Provider): Array<Record<string, unknown>> {
  const state = emu.providers[provider]?.snapshot() as Record<string, unknown>;
  const list = provider === 'polyai' ? state.endpoints : state.webhooks;
  return list as Array<Record<string, unknown>>;
}

/** What a command's effect is read from: webhooks, delivery logs, or the config file (one item, or none). */
function observed(emu: RunningEmulator, command: Command, cli: Cli): unknown[] {
  switch (command.observe) {
    case 'logs':
      return (emu.providers.talkover as TalkoverEmulator).logs();
    case 'config':
      return existsSync(cli.configFile) ? [readFileSync(cli.configFile, 'utf8')] : [];
    default:
      return stored(emu, command.provider);
  }
}

function envFor(emu: RunningEmulator): Record<string, string> {
  return {
    VOICEHOOKS_ULTRAVOX_BASE_URL: emu.baseUrl('ultravox'),
    VOICEHOOKS_TALKOVER_BASE_URL: emu.baseUrl('talkover'),
    VOICEHOOKS_POLYAI_BASE_URL: emu.baseUrl('polyai'),
    VOICEHOOKS_DAILY_BASE_URL: emu.baseUrl('daily'),
    VOICEHOOKS_ULTRAVOX_API_KEY: KEY,
    VOICEHOOKS_TALKOVER_API_KEY: KEY,
    VOICEHOOKS_POLYAI_API_KEY: KEY,
    VOICEHOOKS_DAILY_API_KEY: KEY,
    VOICEHOOKS_TALKOVER_AGENT: AGENT,
  };
}

async function runOn(emu: RunningEmulator, provider: Provider, args: string[]): Promise<CliResult> {
  const cli = newCli({ env: envFor(emu) });
  return cli.run([...args, '-p', provider]);
}

async function seed(emu: RunningEmulator, provider: Provider): Promise<WebhookJson> {
  const args = ['create', '--json', '--url', receiverUrl, '--event', EVENT[provider]];
  if (provider === 'talkover' || provider === 'polyai') args.push('--name', 'matrix');
  const r = await runOn(emu, provider, args);
  assert.equal(r.code, 0, `seeding ${provider} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as WebhookJson;
}

/**
 * The change a write left behind, compared with the seeded state: how many webhooks (or delivery log entries)
 * were created or deleted, or whether the seeded one (or the config file) changed.
 */
function observeEffect(
  command: Command,
  before: unknown[],
  now: unknown[],
): { effect: Effect; count: number } {
  switch (command.effect) {
    case 'created':
    case 'redelivered':
      return {
        effect: now.length > before.length ? command.effect : null,
        count: now.length - before.length,
      };
    case 'deleted':
      return { effect: now.length < before.length ? 'deleted' : null, count: before.length - now.length };
    case null:
      return { effect: null, count: 0 };
    default: {
      const changed = now.length !== before.length || JSON.stringify(now) !== JSON.stringify(before);
      return { effect: changed ? command.effect : null, count: changed ? 1 : 0 };
    }
  }
}

async function runCell(emu: RunningEmulator, command: Command, fault: Fault): Promise<CellResult> {
  const state = seededState.get(emu) ?? {};
  for (const [name, p] of Object.entries(emu.providers)) p.restore(structuredClone(state[name]));
  emu.faults.clear();
  const seeded = seededHook.get(`${emulators.indexOf(emu)}/${command.provider}`);
  const env: Record<string, string | undefined> = envFor(emu);
  // `auth login` gets its key from stdin only, and starts from a config file that it must leave as it is.
  if (command.stdin !== undefined) env[`VOICEHOOKS_${command.provider.toUpperCase()}_API_KEY`] = undefined;
  const cli = newCli({ env, ...(command.stdin === undefined ? {} : { stdin: command.stdin }) });
  if (command.observe === 'config') {
    mkdirSync(cli.configDir, { recursive: true, mode: 0o700 });
    writeFileSync(cli.configFile, CONFIG_BEFORE, { mode: 0o600 });
  }
  const beforeList = observed(emu, command, cli);
  const placeholders: Record<string, string> = {
    ID: seeded?.id ?? 'ID',
    LOG: seededLog.get(emu) ?? 'LOG',
    URL: receiverUrl,
    FILE: applyFile,
  };
  const args = command.args.map((a) => placeholders[a] ?? a);
  emu.faults.add({ ...fault.rule, provider: command.provider, method: command.method, path: command.path });
  const r = await cli.run([...args, '-p', command.provider, '--timeout', '1', '--max-wait', '1']);
  emu.faults.clear();
  // A slow answer is still handled once its delay is over, after the CLI gave up: wait for it to land.
  if (fault.rule.kind === 'delay') await sleep((fault.rule.delayMs ?? 0) + 300);
  const errorLines = r.stderr.split('\n').filter((l) => l.startsWith('Error:'));
  const stack = /^\s+at /m.test(r.stderr) || /^\s+at /m.test(r.stdout);
  const expectedEffect: Effect =
    command.effect && fault.handled && command.observe !== 'config' ? command.effect : null;
  const observedEffect = observeEffect(command, beforeList, observed(emu, command, cli));
  // `apply` again without the fault: it must find the webhook if the first run made it, and make it if not.
  let rerun: CellResult['rerun'] = null;
  if (command.rerun) {
    const again = await cli.run([...args, '-p', command.provider]);
    const copies = stored(emu, command.provider).filter((w) => w.url === appliedUrl).length;
    rerun = { exit: again.code, copies };
  }
  return {
    command: command.name,
    provider: command.provider,
    request: `${command.method} …${command.path}`,
    fault: fault.name,
    expectedExit: 9,
    exit: r.code,
    message: errorLines[0] ?? null,
    oneLineNoStack: errorLines.length === 1 && !stack,
    keyPrinted: r.stdout.includes(KEY) || r.stderr.includes(KEY),
    write: command.effect !== null,
    expectedEffect,
    effect: observedEffect.effect,
    copies: observedEffect.count,
    saysMayHaveReached: /may have reached/.test(r.stderr) && (command.howToCheck?.test(r.stderr) ?? true),
    // The report names the file's entry (its URL), as created, failed or unknown.
    report: command.report ? r.stdout.includes(appliedUrl) : null,
    rerun,
  };
}

it('every command × every fault exits 9 with one Error line, no duplicate and no lost change', async () => {
  const cells = COMMANDS.flatMap((command) => FAULTS.map((fault) => ({ command, fault })));
  let next = 0;
  await Promise.all(
    emulators.map(async (emu) => {
      while (next < cells.length) {
        const cell = cells[next++];
        if (cell !== undefined) results.push(await runCell(emu, cell.command, cell.fault));
      }
    }),
  );
  const order = (c: CellResult) =>
    COMMANDS.findIndex((x) => x.name === c.command) * 100 + FAULTS.findIndex((f) => f.name === c.fault);
  results.sort((a, b) => order(a) - order(b));
  const file: FaultResults = { generatedBy: 'test/faults.test.ts', cells: results };
  mkdirSync(join(RESULTS_FILE, '..'), { recursive: true });
  writeFileSync(RESULTS_FILE, `${JSON.stringify(file, null, 2)}\n`);

  const failures = results.filter((c) => !cellPasses(c));
  assert.deepEqual(failures, [], `${failures.length} cells failed`);
});

it('docs/reliability.md is the rendering of these results', async () => {
  assert.ok(results.length > 0, 'the matrix ran');
  const expected = await renderReliabilityDoc({ generatedBy: 'test/faults.test.ts', cells: results });
  const committed = readFileSync(join(ROOT, 'docs', 'reliability.md'), 'utf8');
  assert.equal(committed, expected, 'docs/reliability.md is stale: run `node scripts/reliability-doc.ts`');
});
