// The shared adapter contract for PolyAI, then what only PolyAI has (docs/providers/polyai.md §3): regional hosts, an
// `enabled` field set by PATCH, a signing secret shown only on create and rotate (kept in the profile's secret
// store by the CLI), the 10-endpoint account limit, and two error shapes. CLI-level tests spawn the BUILT CLI
// (`npm run build` first).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '../src/emulator/server.ts';
import type { RunningEmulator } from '../src/emulator/server.ts';
import { UsageError } from '../src/errors.ts';
import { closeConnections } from '../src/http.ts';
import { readPolyAIError } from '../src/providers/polyai/adapter.ts';
import { createPolyAIEmulator } from '../src/providers/polyai/emulator.ts';
import type { PolyAIEmulator, PolyAIEmulatorOptions } from '../src/providers/polyai/emulator.ts';
import { polyai } from '../src/providers/polyai/index.ts';
import type { ProviderDescriptor, Scope } from '../src/providers/types.ts';
import { CONTRACT_API_KEY, adapterContract, collect, makeAdapter, rejectsWithKind } from './contract.ts';
import { newCli, removeTempRoots } from './helpers/cli.ts';
import type { Cli, CliResult } from './helpers/cli.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const HOOK_URL = 'https://example.com/hooks/polyai';

adapterContract({
  spec: 'polyai.openapi.json',
  descriptor: polyai,
  start: async (apiKey) => {
    const emulator = await startEmulator({ apiKey });
    return { emulator, baseUrl: emulator.baseUrl('polyai') };
  },
  scope: { region: 'us' },
  createInput: () => ({
    name: 'Contract alerts',
    url: HOOK_URL,
    events: ['alerts.triggered', 'alerts.resolved'],
  }),
  unknownId: 'whe_0NoSuchEndpoint000000000',
  // PolyAI delivers only to https (docs/providers/polyai.md §3.3): a plain-http public URL is refused by the API itself.
  rejectedInput: () => ({
    name: 'Plain http',
    url: 'http://example.com/hooks',
    events: ['alerts.triggered'],
  }),
});

/** An emulator whose PolyAI state the test can reach while the adapter talks HTTP. */
async function polyaiEmulator(
  options: PolyAIEmulatorOptions = {},
): Promise<{ emulator: RunningEmulator; state: PolyAIEmulator; baseUrl: string }> {
  const state = createPolyAIEmulator({ apiKey: CONTRACT_API_KEY, ...options });
  const emulator = await startEmulator({ providers: { polyai: state } });
  return { emulator, state, baseUrl: emulator.baseUrl('polyai') };
}

const adapterAt = (baseUrl: string) => makeAdapter(polyai, baseUrl, { region: 'us' });
const newHook = { name: 'Alerts', url: HOOK_URL, events: ['alerts.triggered'] };

describe('PolyAI adapter specifics', { timeout: 20_000 }, () => {
  after(closeConnections);

  it('the 11th endpoint answers 409: rejected (exit 7), with a hint that names the limit', async () => {
    const { emulator, state, baseUrl } = await polyaiEmulator();
    try {
      const adapter = await adapterAt(baseUrl);
      for (let i = 0; i < 10; i++) await adapter.create({ ...newHook, name: `Alerts ${i}` });
      const error = await rejectsWithKind(adapter.create(newHook), 'rejected');
      assert.equal(error.status, 409);
      assert.match(error.hint ?? '', /at most 10 webhook endpoints per account/);
      assert.equal(state.endpoints().length, 10);
      // Deleting one makes room again.
      await adapter.delete(state.endpoints()[0]?.id ?? '');
      await adapter.create(newHook);
      assert.equal(state.endpoints().length, 10);
    } finally {
      await emulator.close();
    }
  });

  it('create returns the signing secret once; reads never show it', async () => {
    const { emulator, state, baseUrl } = await polyaiEmulator();
    try {
      const trace: string[] = [];
      const adapter = await makeAdapter(polyai, baseUrl, {}, { debug: (line) => trace.push(line) });
      const hook = await adapter.create(newHook);
      assert.deepEqual(hook.secrets, [state.signingSecret(hook.id)]);
      // --debug shows the exchange with the key and the secret redacted.
      assert.match(trace.join('\n'), /"signing_secret":"\[redacted\]"/);
      assert.match(trace.join('\n'), /x-api-key: \[redacted\]/);
      for (const secret of [hook.secrets[0] ?? '', CONTRACT_API_KEY]) {
        assert.ok(!trace.join('\n').includes(secret), 'a secret in the --debug trace');
      }
      assert.deepEqual((await adapter.get(hook.id)).secrets, []);
      assert.deepEqual((await collect(adapter.list()))[0]?.secrets, []);
      assert.equal('signing_secret' in (await adapter.get(hook.id)).raw, false);
    } finally {
      await emulator.close();
    }
  });

  it('rotateSecret replaces the secret through the native endpoint; the old one is gone at once', async () => {
    const { emulator, state, baseUrl } = await polyaiEmulator();
    try {
      const adapter = await adapterAt(baseUrl);
      const hook = await adapter.create(newHook);
      const old = hook.secrets[0];
      emulator.requests.length = 0;
      const result = await adapter.rotateSecret(hook.id, { revokeOld: false });
      assert.notEqual(result.secret, old);
      assert.equal(
        state.signingSecret(hook.id),
        result.secret,
        'the emulator does not sign with the new one',
      );
      assert.deepEqual(result.webhook.secrets, [result.secret]);
      assert.equal(result.webhook.id, hook.id);
      assert.match(result.notice, /old secret at once/);
      // Read first, so a failed read can never lose a secret that has already replaced the old one.
      assert.deepEqual(
        emulator.requests.map((r) => `${r.method} ${r.path}`),
        [`GET /v1/webhook-endpoints/${hook.id}`, `POST /v1/webhook-endpoints/${hook.id}/rotate-secret`],
      );
    } finally {
      await emulator.close();
    }
  });

  it('list passes the enabled and event filters to PolyAI', async () => {
    const { emulator, baseUrl } = await polyaiEmulator();
    try {
      const adapter = await adapterAt(baseUrl);
      const on = await adapter.create({ ...newHook, events: ['alerts.triggered'] });
      const off = await adapter.create({ ...newHook, events: ['alerts.resolved'], enabled: false });
      emulator.requests.length = 0;
      const ids = async (options: Parameters<typeof adapter.list>[0]) =>
        (await collect(adapter.list(options))).map((w) => w.id);
      assert.deepEqual(await ids({ enabled: false }), [off.id]);
      assert.deepEqual(await ids({ enabled: true }), [on.id]);
      assert.deepEqual(await ids({ event: 'alerts.resolved' }), [off.id]);
      assert.deepEqual(await ids({ enabled: true, event: 'alerts.resolved' }), []);
      assert.deepEqual(
        emulator.requests.map((r) => r.query),
        [
          'enabled=false',
          'enabled=true',
          'event_type=alerts.resolved',
          'enabled=true&event_type=alerts.resolved',
        ],
      );
    } finally {
      await emulator.close();
    }
  });

  it('a malformed id that gets past the CLI is refused by PolyAI with 422: rejected (exit 7)', async () => {
    const { emulator, baseUrl } = await polyaiEmulator();
    try {
      const error = await rejectsWithKind((await adapterAt(baseUrl)).get('whe-not-an-id'), 'rejected');
      assert.equal(error.status, 422);
      assert.match(error.message, /^PolyAI: Malformed endpoint_id/);
    } finally {
      await emulator.close();
    }
  });

  it('reads the current error envelope: message, code and correlation id', async () => {
    const { emulator, baseUrl } = await polyaiEmulator();
    try {
      const error = await rejectsWithKind((await adapterAt(baseUrl)).get('whe_Missing0000'), 'notFound');
      assert.equal(error.message, 'PolyAI: Webhook endpoint not found. (NOT_FOUND)');
      assert.match(error.requestId ?? '', /^[0-9a-f-]{36}$/);
    } finally {
      await emulator.close();
    }
  });

  it('reads the earlier {message, errors} shape, field errors included', async () => {
    const { emulator, baseUrl } = await polyaiEmulator({ errorShape: 'message' });
    try {
      const adapter = await adapterAt(baseUrl);
      const missing = await rejectsWithKind(adapter.get('whe_Missing0000'), 'notFound');
      assert.equal(missing.message, 'PolyAI: Webhook endpoint not found.');
      assert.equal(missing.requestId, undefined);
      const refused = await rejectsWithKind(
        adapter.create({ ...newHook, url: 'http://example.com/plain' }),
        'rejected',
      );
      assert.equal(refused.message, 'PolyAI: Validation error');
      assert.deepEqual(refused.fieldErrors, ['url: must start with https://']);
    } finally {
      await emulator.close();
    }
  });

  it('readPolyAIError takes error_message, then error, then message; error_id is the request id', () => {
    const envelope = {
      success: false,
      error: 'short',
      error_id: 'corr-1',
      error_code: 'BAD_THING',
      error_message: 'The long message',
      data: null,
    };
    assert.deepEqual(readPolyAIError(400, envelope), {
      message: 'PolyAI: The long message (BAD_THING)',
      requestId: 'corr-1',
    });
    assert.equal(readPolyAIError(400, { error: 'Only error', error_id: 'x' }).message, 'PolyAI: Only error');
    assert.equal(readPolyAIError(400, { message: 'Old shape' }).message, 'PolyAI: Old shape');
    assert.equal(readPolyAIError(500, { error_code: 'BOOM' }).message, 'PolyAI answered 500 (BOOM).');
    assert.equal(
      readPolyAIError(502, '<html>bad gateway</html>').message,
      'PolyAI: <html>bad gateway</html>',
    );
    assert.deepEqual(readPolyAIError(500, {}), {});
    assert.match(readPolyAIError(409, { message: 'Conflict' }).hint ?? '', /at most 10 webhook endpoints/);
    assert.equal(readPolyAIError(400, { message: 'x' }).hint, undefined);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Region: which production host the CLI would use. Nothing is sent anywhere: the command is stopped at the
// point where it would make its adapter, after resolving the base URL.

class ResolutionStopped extends UsageError {}

async function resolvedBaseUrl(argv: string[], env: Record<string, string> = {}, profile?: object) {
  const { default: List } = await import('../src/commands/list.ts');
  let seen: string | undefined;
  class ResolveOnly extends List {
    protected override async adapter(descriptor: ProviderDescriptor, scope: Scope): Promise<never> {
      seen = (await this.connection(descriptor, scope, 'resolution-only')).baseUrl;
      throw new ResolutionStopped('resolved');
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'voicehooks-region-'));
  if (profile) writeFileSync(join(dir, 'config.json'), JSON.stringify({ profiles: { default: profile } }));
  const names = ['VOICEHOOKS_CONFIG_DIR', 'VOICEHOOKS_POLYAI_REGION', 'VOICEHOOKS_POLYAI_BASE_URL'];
  const saved = Object.fromEntries(names.map((n) => [n, process.env[n]]));
  for (const name of names) delete process.env[name];
  Object.assign(process.env, { VOICEHOOKS_CONFIG_DIR: dir, ...env });
  const write = process.stderr.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    await ResolveOnly.run(['-p', 'polyai', '--no-input', ...argv], ROOT);
  } finally {
    process.stderr.write = write;
    process.exitCode = undefined;
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    rmSync(dir, { recursive: true, force: true });
  }
  return seen;
}

describe('PolyAI region', { timeout: 20_000 }, () => {
  it('each region has its own production host', () => {
    assert.equal(polyai.defaultBaseUrl({ region: 'us' }), 'https://api.us.poly.ai');
    assert.equal(polyai.defaultBaseUrl({ region: 'uk' }), 'https://api.uk.poly.ai');
    assert.equal(polyai.defaultBaseUrl({ region: 'eu' }), 'https://api.eu.poly.ai');
    assert.equal(polyai.defaultBaseUrl({}), 'https://api.us.poly.ai');
  });

  it('the region comes from --region, then VOICEHOOKS_POLYAI_REGION, then the profile, then us', async () => {
    assert.equal(await resolvedBaseUrl([]), 'https://api.us.poly.ai');
    assert.equal(await resolvedBaseUrl([], {}, { region: 'uk' }), 'https://api.uk.poly.ai');
    assert.equal(
      await resolvedBaseUrl([], { VOICEHOOKS_POLYAI_REGION: 'eu' }, { region: 'uk' }),
      'https://api.eu.poly.ai',
    );
    assert.equal(
      await resolvedBaseUrl(['--region', 'eu'], { VOICEHOOKS_POLYAI_REGION: 'uk' }),
      'https://api.eu.poly.ai',
    );
    // An explicit base URL (the emulator's) replaces the regional host altogether.
    assert.equal(
      await resolvedBaseUrl(['--region', 'eu', '--base-url', 'http://127.0.0.1:9/polyai']),
      'http://127.0.0.1:9/polyai',
    );
  });
});

// ---------------------------------------------------------------------------------------------------------
// The built CLI against the emulator, one process per command, as a user or a script would run it.

const KEY = 'polyai-cli-key-5e8b31';

interface WebhookJson {
  id: string;
  url: string;
  enabled: boolean | null;
  name: string | null;
  secrets: string[];
  raw: Record<string, unknown>;
  secretStoredLocally?: boolean;
}

describe('PolyAI through the built CLI', { timeout: 60_000, concurrency: 4 }, () => {
  after(removeTempRoots);

  /** A fresh emulator and a CLI with its own config directory pointed at it; closed when the test ends. */
  async function setup(t: TestContext): Promise<{ c: Cli; state: PolyAIEmulator; emu: RunningEmulator }> {
    const state = createPolyAIEmulator({ apiKey: KEY });
    const emu = await startEmulator({ providers: { polyai: state } });
    t.after(() => emu.close());
    const c = newCli({
      env: { VOICEHOOKS_POLYAI_BASE_URL: emu.baseUrl('polyai'), VOICEHOOKS_POLYAI_API_KEY: KEY },
    });
    return { c, state, emu };
  }
  const createArgs = [
    'create',
    '-p',
    'polyai',
    '--name',
    'Alerts',
    '--url',
    HOOK_URL,
    '--event',
    'alerts.triggered',
  ];
  const ok = (result: CliResult, what: string): CliResult => {
    assert.equal(result.code, 0, `${what}: exit ${result.code}\n${result.stderr}`);
    return result;
  };
  const json = <T>(result: CliResult): T => JSON.parse(result.stdout) as T;

  it('create keeps the secret in a 0600 config file; a later process reads it back; delete forgets it', async (t) => {
    const { c, state } = await setup(t);
    const created = ok(await c.run([...createArgs, '--json']), 'create');
    const hook = json<WebhookJson>(created);
    const secret = state.signingSecret(hook.id);
    assert.ok(secret);
    assert.deepEqual(hook.secrets, [secret], 'the new secret is printed whole once');
    assert.equal(hook.raw.signing_secret, secret);
    assert.match(created.stderr, /shown whole this once/);
    assert.match(created.stderr, /Saved it in .*config\.json \(profile "default"\)/);
    assert.equal(statSync(c.configFile).mode & 0o777, 0o600);
    assert.equal(statSync(c.configDir).mode & 0o777, 0o700);
    assert.deepEqual(storedSecrets(c), { [hook.id]: secret });

    // A later process finds it in the store; the provider itself does not show it again.
    const got = ok(await c.run(['get', hook.id, '-p', 'polyai', '--json']), 'get');
    assert.equal(json<WebhookJson>(got).secretStoredLocally, true);
    assert.deepEqual(json<WebhookJson>(got).secrets, []);
    const row = ok(await c.run(['get', hook.id, '-p', 'polyai']), 'get piped');
    assert.equal(row.stdout.trimEnd().split('\t').at(-1), 'true', row.stdout);

    const deleted = ok(await c.run(['delete', hook.id, '-p', 'polyai', '--yes']), 'delete');
    assert.match(deleted.stderr, /Removed its signing secret from the local secret store/);
    assert.equal(storedSecrets(c), undefined);
    for (const run of [created, got, row, deleted])
      assert.ok(!run.stderr.includes(secret), 'secret on stderr');
  });

  it('--no-save-secret prints the secret whole and keeps nothing', async (t) => {
    const { c, state } = await setup(t);
    const created = ok(await c.run([...createArgs, '--no-save-secret', '--json']), 'create');
    const hook = json<WebhookJson>(created);
    assert.deepEqual(hook.secrets, [state.signingSecret(hook.id)]);
    assert.match(created.stderr, /Not saved \(--no-save-secret\): PolyAI will not show it again/);
    assert.equal(storedSecrets(c), undefined);
    const got = ok(await c.run(['get', hook.id, '-p', 'polyai', '--json']), 'get');
    assert.equal(json<WebhookJson>(got).secretStoredLocally, false);
  });

  it('rotate-secret prints the new secret, replaces the kept one, and says the old stopped working', async (t) => {
    const { c, state } = await setup(t);
    const hook = json<WebhookJson>(ok(await c.run([...createArgs, '--json']), 'create'));
    const old = hook.secrets[0];
    const rotated = ok(await c.run(['rotate-secret', hook.id, '-p', 'polyai']), 'rotate-secret');
    const secret = state.signingSecret(hook.id);
    assert.ok(secret && secret !== old);
    assert.equal(rotated.stdout, `${secret}\n`, 'piped, only the secret is printed');
    assert.match(rotated.stderr, /invalidated the old secret at once/);
    assert.deepEqual(storedSecrets(c), { [hook.id]: secret });

    const again = ok(await c.run(['rotate-secret', hook.id, '-p', 'polyai', '--no-save-secret']), 'again');
    assert.equal(again.stdout, `${state.signingSecret(hook.id)}\n`);
    assert.match(again.stderr, /kept before was removed/);
    assert.equal(storedSecrets(c), undefined, 'a secret that no longer works is still kept');
  });

  it('toggle sets enabled with a PATCH: --off and --on set it, no flag flips', async (t) => {
    const { c, state, emu } = await setup(t);
    const [seeded] = state.seed(1);
    assert.ok(seeded);
    const toggle = async (...flags: string[]) =>
      json<WebhookJson>(ok(await c.run(['toggle', seeded.id, '-p', 'polyai', '--json', ...flags]), 'toggle'))
        .enabled;
    assert.equal(await toggle('--off'), false);
    assert.equal(await toggle(), true);
    assert.equal(await toggle('--on'), true);
    assert.equal(state.endpoints()[0]?.enabled, true);
    assert.deepEqual(
      emu.requests.map((r) => `${r.method} ${r.body}`),
      ['PATCH {"enabled":false}', 'GET ', 'PATCH {"enabled":true}', 'PATCH {"enabled":true}'],
    );
  });

  it('the 11th endpoint exits 7 with a message that names the limit', async (t) => {
    const { c, state } = await setup(t);
    state.seed(10);
    const [refused, asJson] = await Promise.all([c.run(createArgs), c.run([...createArgs, '--json'])]);
    assert.equal(refused.code, 7, refused.stderr);
    assert.match(
      refused.stderr,
      /^Error: PolyAI: Maximum number of webhook endpoints reached\. \(CONFLICT\)$/m,
    );
    assert.match(refused.stderr, /^ {2}request id: [0-9a-f-]{36}$/m);
    assert.match(refused.stderr, /^PolyAI allows at most 10 webhook endpoints per account/m);
    assert.equal(asJson.code, 7);
    assert.equal(asJson.stdout, '');
    const { error } = JSON.parse(asJson.stderr) as { error: Record<string, unknown> };
    assert.equal(error.code, 'rejected');
    assert.equal(error.status, 409);
    assert.match(String(error.hint), /at most 10 webhook endpoints/);
    assert.match(String(error.requestId), /^[0-9a-f-]{36}$/);
    assert.equal(state.endpoints().length, 10);
    assert.equal(storedSecrets(c), undefined, 'a refused create stored a secret');
  });

  it('shows the message and correlation id of the error envelope', async (t) => {
    const { c } = await setup(t);
    const missing = await c.run(['get', 'whe_Missing0000', '-p', 'polyai']);
    assert.equal(missing.code, 5, missing.stderr);
    assert.match(missing.stderr, /^Error: PolyAI: Webhook endpoint not found\. \(NOT_FOUND\)$/m);
    assert.match(missing.stderr, /^ {2}request id: [0-9a-f-]{36}$/m);
  });

  it('checks input before sending: ids, https, --name, --delivery-timeout, flags PolyAI has no field for', async (t) => {
    const { c, emu } = await setup(t);
    const base = ['create', '-p', 'polyai', '--url', HOOK_URL, '--event', 'alerts.triggered', '--no-input'];
    const refusals: [string[], RegExp][] = [
      [['get', 'whe-bad', '-p', 'polyai'], /^Error: "whe-bad" is not a PolyAI webhook id \("whe_" followed/m],
      [['toggle', 'whe_', '-p', 'polyai', '--on'], /"whe_" is not a PolyAI webhook id/],
      [
        [...createArgs.slice(0, 5), '--url', 'http://example.com/x', '--event', 'alerts.triggered'],
        /--url must use https/,
      ],
      [base, /--name/],
      [
        [...base, '--name', 'A', '--delivery-timeout', '31'],
        /--delivery-timeout must be a whole number from 1 to 30/,
      ],
      [[...base, '--name', 'A', '--secret', 'shh'], /PolyAI has no field for --secret/],
    ];
    const results = await Promise.all(refusals.map(([argv]) => c.run(argv)));
    results.forEach((result, i) => {
      const [argv, pattern] = refusals[i] ?? [[], /$^/];
      assert.equal(result.code, 2, `${argv.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, pattern, argv.join(' '));
    });
    assert.deepEqual(emu.requests, [], 'a refused command sent a request');
  });

  it('a loopback http URL is allowed with a warning; timeout and headers are sent as PolyAI names them', async (t) => {
    const { c, emu } = await setup(t);
    const created = await c.run([
      ...['create', '-p', 'polyai', '--name', 'Local', '--url', 'http://127.0.0.1:9/hook'],
      ...['--event', 'alerts.resolved', '--delivery-timeout', '12', '--header', 'X-Env=prod', '--no-enabled'],
    ]);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stderr, /^Warning: PolyAI accepts only https; plain http to 127\.0\.0\.1/m);
    assert.deepEqual(JSON.parse(emu.requests[0]?.body ?? ''), {
      name: 'Local',
      url: 'http://127.0.0.1:9/hook',
      event_types: ['alerts.resolved'],
      headers: { 'X-Env': 'prod' },
      timeout_ms: 12000,
      enabled: false,
    });
  });

  it('list --no-enabled --event is filtered by PolyAI', async (t) => {
    const { c, state, emu } = await setup(t);
    const [first] = state.seed(2);
    assert.ok(first);
    state.restore({
      endpoints: (state.snapshot() as { endpoints: Record<string, unknown>[] }).endpoints.map((e) =>
        e.id === first.id ? { ...e, enabled: false, event_types: ['alerts.resolved'] } : e,
      ),
    });
    const listed = ok(
      await c.run(['list', '-p', 'polyai', '--no-enabled', '--event', 'alerts.resolved', '--json']),
      'list',
    );
    assert.deepEqual(
      json<WebhookJson[]>(listed).map((w) => w.id),
      [first.id],
    );
    assert.equal(emu.requests[0]?.query, 'enabled=false&event_type=alerts.resolved');
  });
});

/** The secrets kept for PolyAI in the default profile (undefined when none or no config file). */
function storedSecrets(c: Cli): Record<string, string> | undefined {
  let text: string;
  try {
    text = readFileSync(c.configFile, 'utf8');
  } catch {
    return undefined;
  }
  const file = JSON.parse(text) as {
    profiles: Record<string, { secrets?: { polyai?: Record<string, string> } }>;
  };
  return file.profiles.default?.secrets?.polyai;
}
