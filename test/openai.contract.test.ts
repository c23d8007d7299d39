// The shared adapter contract for OpenAI, then what only OpenAI has (docs/providers/openai.md): project
// webhook endpoints with newest-first cursor pages, a secret shown only on create and rotate (kept in the
// profile's secret store), rotation that may keep the old secret 24 hours with two signatures meanwhile, a
// native test of a chosen event, the live event catalog, organization and project headers, OpenAI's error
// body, and the emulator's delivery and retry policy. CLI-level tests spawn the BUILT CLI (`npm run build`).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import { startEmulator } from '../src/emulator/server.ts';
import { trigger } from '../src/emulator/trigger.ts';
import { closeConnections } from '../src/http.ts';
import { readOpenAIError } from '../src/providers/openai/adapter.ts';
import { GRACE_MS, OPENAI_RETRIES_S, createOpenAIEmulator } from '../src/providers/openai/emulator.ts';
import { openai } from '../src/providers/openai/index.ts';
import { standardWebhooksSignature as sw } from '../src/schemes/standard-webhooks.ts';
import { CONTRACT_API_KEY, adapterContract, collect, makeAdapter, rejectsWithKind } from './contract.ts';
import { ROOT, cleanEnv, newCli, removeTempRoots } from './helpers/cli.ts';
import type { Cli, CliResult } from './helpers/cli.ts';
import { VECTORS } from './helpers/standard-webhooks-vectors.ts';

const HOOK_URL = 'https://example.com/hooks/openai';

adapterContract({
  descriptor: openai,
  start: async (apiKey) => {
    const emulator = await startEmulator({ apiKey });
    return { emulator, baseUrl: emulator.baseUrl('openai') };
  },
  createInput: () => ({
    name: 'Contract calls',
    url: HOOK_URL,
    events: ['realtime.call.incoming', 'response.completed'],
  }),
  unknownId: 'whe_00000000000000000000000000000000',
  spec: 'openai-webhooks.openapi.yaml',
  // OpenAI delivers only to https (`pattern: ^https://`): a plain-http public URL is refused by the API itself.
  rejectedInput: () => ({ name: 'Plain http', url: 'http://example.com/hooks', events: ['batch.completed'] }),
});

interface Clock {
  now(): number;
  advance(ms: number): void;
}

/** An emulator whose OpenAI state (and clock) the test can reach while the adapter talks HTTP. */
async function openaiEmulator(t: TestContext, key = CONTRACT_API_KEY) {
  let offset = 0;
  const clock: Clock = { now: () => Date.now() + offset, advance: (ms) => (offset += ms) };
  const state = createOpenAIEmulator({ apiKey: key, clock: clock.now });
  const emulator = await startEmulator({ providers: { openai: state } });
  t.after(() => emulator.close());
  return { emulator, state, clock, baseUrl: emulator.baseUrl('openai') };
}

const newHook = { name: 'Calls', url: HOOK_URL, events: ['realtime.call.incoming'] };

interface Received {
  body: Buffer;
  headers: IncomingMessage['headers'];
}

/** A loopback endpoint answering each delivery with the next status of `statuses` (the last one repeats). */
async function endpoint(t: TestContext, statuses: number[] = [200]) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ body: Buffer.concat(chunks), headers: req.headers });
      const status = statuses[Math.min(received.length - 1, statuses.length - 1)] ?? 200;
      res.writeHead(status, status >= 300 && status < 400 ? { location: 'https://example.com/' } : {}).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hooks`, received };
}

/** Whether each `v1,` entry of a delivery's webhook-signature verifies with exactly one of `secrets`. */
function signatureEntries(delivery: Received, secrets: string[]): boolean[] {
  const entries = String(delivery.headers['webhook-signature']).split(' ');
  return entries.map((entry) =>
    secrets.some(
      (secret) =>
        sw.verify({
          body: delivery.body,
          headers: { ...delivery.headers, 'webhook-signature': entry },
          secrets: [secret],
          // The emulator's clock may be moved a day ahead; the signature itself is what is checked here.
          toleranceSeconds: 0,
        }).valid,
    ),
  );
}

describe('OpenAI adapter specifics', { timeout: 30_000 }, () => {
  after(closeConnections);

  it('create returns the signing secret once; reads give only signing_secret_hint; --debug redacts both', async (t) => {
    const { state, baseUrl } = await openaiEmulator(t);
    const trace: string[] = [];
    const adapter = await makeAdapter(
      openai,
      baseUrl,
      { organization: 'org-trace', project: 'proj_trace' },
      { debug: (line) => trace.push(line) },
    );
    const hook = await adapter.create(newHook);
    assert.deepEqual(hook.secrets, state.signingSecrets(hook.id));
    assert.match(hook.secrets[0] ?? '', /^whsec_/);
    const got = await adapter.get(hook.id);
    assert.deepEqual(got.secrets, []);
    assert.equal('signing_secret' in got.raw, false);
    assert.equal(
      got.raw.signing_secret_hint,
      `whsec_...${(hook.secrets[0] ?? '').replace(/=+$/, '').slice(-4)}`,
    );
    assert.deepEqual((await collect(adapter.list()))[0]?.secrets, []);
    assert.equal(got.enabled, null);
    assert.match(got.createdAt ?? '', /^\d{4}-\d{2}-\d{2}T/);
    const text = trace.join('\n');
    assert.match(text, /"signing_secret":"\[redacted\]"/);
    assert.match(text, /authorization: \[redacted\]/);
    // The account headers are not secrets: the trace shows them.
    assert.match(text, /OpenAI-Organization: org-trace/);
    assert.match(text, /OpenAI-Project: proj_trace/);
    for (const secret of [hook.secrets[0] ?? '', CONTRACT_API_KEY]) assert.ok(!text.includes(secret));
  });

  it('no organization or project given: neither header is sent', async (t) => {
    const { emulator, baseUrl } = await openaiEmulator(t);
    await collect((await makeAdapter(openai, baseUrl)).list());
    assert.equal(emulator.requests[0]?.headers['openai-organization'], undefined);
    assert.equal(emulator.requests[0]?.headers['openai-project'], undefined);
  });

  it('list follows after/has_more newest first, 100 a page, and stops at a limit', async (t) => {
    const { emulator, state, baseUrl } = await openaiEmulator(t);
    state.seed(250);
    const adapter = await makeAdapter(openai, baseUrl);
    const all = await collect(adapter.list());
    assert.deepEqual(
      all.map((w) => w.id),
      state.endpoints().map((e) => e.id),
    );
    assert.equal(new Set(all.map((w) => w.id)).size, 250);
    const queries = emulator.requests.map((r) => new URLSearchParams(r.query));
    assert.deepEqual(
      queries.map((q) => q.get('after')),
      [null, all[99]?.id, all[199]?.id],
    );
    emulator.requests.length = 0;
    assert.equal((await collect(adapter.list({ limit: 150 }))).length, 150);
    assert.deepEqual(
      emulator.requests.map((r) => new URLSearchParams(r.query).get('limit')),
      ['100', '50'],
    );
  });

  it('update is a POST that replaces the whole event set', async (t) => {
    const { emulator, baseUrl } = await openaiEmulator(t);
    const adapter = await makeAdapter(openai, baseUrl);
    const hook = await adapter.create({ ...newHook, events: ['batch.completed', 'batch.failed'] });
    const updated = await adapter.update(hook.id, { events: ['response.completed'] });
    assert.deepEqual(updated.events, ['response.completed']);
    assert.deepEqual(adapter.inputOf?.(updated), {
      url: HOOK_URL,
      events: ['response.completed'],
      name: 'Calls',
    });
    assert.equal(emulator.requests.at(-1)?.method, 'POST');
  });

  it('rotation revokes the old secret at once by default; keeping it gives 24 hours of two signatures', async (t) => {
    const { state, clock, baseUrl } = await openaiEmulator(t);
    const adapter = await makeAdapter(openai, baseUrl);
    const hook = await adapter.create(newHook);
    const first = hook.secrets[0] ?? '';
    const revoked = await adapter.rotateSecret(hook.id, { revokeOld: true });
    assert.deepEqual(state.signingSecrets(hook.id), [revoked.secret]);
    assert.match(revoked.notice, /invalidated the old secret at once/);
    assert.notEqual(revoked.secret, first);

    const kept = await adapter.rotateSecret(hook.id, { revokeOld: false });
    assert.deepEqual(state.signingSecrets(hook.id), [kept.secret, revoked.secret]);
    assert.match(kept.notice, /stays valid for 24 hours/);
    assert.deepEqual(kept.webhook.secrets, [kept.secret]);
    clock.advance(GRACE_MS - 1000);
    assert.deepEqual(state.signingSecrets(hook.id), [kept.secret, revoked.secret]);
    clock.advance(2000);
    assert.deepEqual(state.signingSecrets(hook.id), [kept.secret], 'the old secret outlived its 24 hours');
  });

  it('the native test sends a signed sample of the chosen event and reports the status', async (t) => {
    const { baseUrl } = await openaiEmulator(t);
    const adapter = await makeAdapter(openai, baseUrl);
    const good = await endpoint(t, [204]);
    const hook = await adapter.create({ ...newHook, url: good.url, events: ['batch.completed'] });
    const passed = await adapter.test?.(hook.id, { event: 'realtime.call.incoming' });
    assert.deepEqual(passed, {
      url: good.url,
      success: true,
      statusCode: 204,
      responseTimeMs: null,
      message: 'OpenAI sent a realtime.call.incoming sample; the endpoint answered HTTP 204.',
    });
    const delivery = good.received[0];
    assert.ok(delivery);
    const body = JSON.parse(delivery.body.toString('utf8')) as Record<string, unknown>;
    assert.equal(body.type, 'realtime.call.incoming');
    assert.equal(body.object, 'event');
    assert.match(String((body.data as Record<string, unknown>).call_id), /^rtc_/);
    assert.deepEqual(signatureEntries(delivery, hook.secrets), [true]);
    assert.match(String(delivery.headers['user-agent']), /^OpenAI\/1\.0/);
    // Without --event, the first event the endpoint subscribes to.
    await adapter.test?.(hook.id);
    assert.equal(JSON.parse(good.received[1]?.body.toString('utf8') ?? '{}').type, 'batch.completed');

    const bad = await endpoint(t, [500]);
    const failing = await adapter.create({ ...newHook, url: bad.url });
    const failed = await adapter.test?.(failing.id);
    assert.equal(failed?.success, false);
    assert.equal(failed?.statusCode, 500);
    const nobody = await adapter.create({ ...newHook, url: 'http://127.0.0.1:9/closed' });
    const unanswered = await adapter.test?.(nobody.id);
    assert.equal(unanswered?.success, false);
    assert.equal(unanswered?.statusCode, null);
    await assert.rejects(
      adapter.test?.(hook.id, { url: 'https://example.com/' }) ?? Promise.resolve(),
      /--url does not apply/,
    );
  });

  it('liveEvents reads /webhook_event_types, with the documented descriptions', async (t) => {
    const { emulator, baseUrl } = await openaiEmulator(t);
    const live = (await (await makeAdapter(openai, baseUrl)).liveEvents?.()) ?? [];
    assert.equal(live.length, 27);
    assert.deepEqual(
      live.map((e) => e.name),
      openai.events().map((e) => e.name),
    );
    assert.ok(live.every((e) => e.description !== ''));
    assert.equal(emulator.requests[0]?.path, '/webhook_event_types');
  });

  it("OpenAI's refusals are read: message, field, request id; an unknown id is notFound", async (t) => {
    const { baseUrl } = await openaiEmulator(t);
    const adapter = await makeAdapter(openai, baseUrl);
    const refused = await rejectsWithKind(
      adapter.create({ ...newHook, url: 'http://example.com/x' }),
      'rejected',
    );
    assert.equal(
      refused.message,
      "OpenAI: Invalid 'url': the URL must start with https://. (invalid_request_error)",
    );
    assert.deepEqual(refused.fieldErrors, ["url: Invalid 'url': the URL must start with https://."]);
    assert.match(refused.requestId ?? '', /^req_[0-9a-f]{32}$/);
    const missing = await rejectsWithKind(adapter.get('whe_missing'), 'notFound');
    assert.match(
      missing.message,
      /^OpenAI: No webhook endpoint found with id 'whe_missing'\. \(not_found\)$/,
    );
  });

  it('readOpenAIError reads {error: {message, type, param, code}} and x-request-id', () => {
    assert.deepEqual(
      readOpenAIError(
        400,
        { error: { message: 'Bad value.', type: 'invalid_request_error', param: 'name', code: 'bad' } },
        { 'x-request-id': 'req_1' },
      ),
      { message: 'OpenAI: Bad value. (bad)', fieldErrors: ['name: Bad value.'], requestId: 'req_1' },
    );
    assert.equal(
      readOpenAIError(500, { error: { type: 'server_error' } }).message,
      'OpenAI answered 500 (server_error).',
    );
    assert.equal(
      readOpenAIError(502, '<html>bad gateway</html>').message,
      'OpenAI: <html>bad gateway</html>',
    );
    assert.deepEqual(readOpenAIError(500, {}), {});
    assert.match(
      readOpenAIError(401, { error: { message: 'Incorrect API key provided.' } }).hint ?? '',
      /project/,
    );
  });
});

describe('OpenAI emulator deliveries (emulator trigger)', { timeout: 30_000 }, () => {
  const now = { timeScale: 0 };

  it('retries a failing endpoint on the schedule, the same webhook-id on every attempt, then delivers', async (t) => {
    const { emulator, state } = await openaiEmulator(t);
    const target = await endpoint(t, [500, 302, 503, 200]);
    const adapter = await makeAdapter(openai, emulator.baseUrl('openai'));
    const hook = await adapter.create({ ...newHook, url: target.url, events: ['batch.completed'] });
    await adapter.create({ ...newHook, url: target.url, events: ['batch.failed'] });
    const [delivery, ...others] = await trigger(
      { openai: state },
      { provider: 'openai', event: 'batch.completed', ...now },
    );
    assert.equal(others.length, 0, 'an endpoint not subscribed to the event got it');
    assert.ok(delivery);
    assert.equal(delivery.delivered, true);
    assert.deepEqual(
      delivery.attempts.map((a) => a.status),
      [500, 302, 503, 200],
      'a redirect is a failure, and is not followed',
    );
    assert.equal(target.received.length, 4);
    const ids = new Set(target.received.map((r) => r.headers['webhook-id']));
    assert.equal(ids.size, 1);
    assert.match(String([...ids][0]), /^wh_[0-9a-f]{32}$/);
    assert.equal(delivery.deliveryId, [...ids][0]);
    for (const r of target.received) assert.deepEqual(signatureEntries(r, hook.secrets), [true]);
    // One body for every attempt; each attempt signed with its own timestamp.
    assert.equal(new Set(target.received.map((r) => r.body.toString('utf8'))).size, 1);
  });

  it('gives up after the 72-hour schedule: nine retries; the real waits add up to under 72 hours', async (t) => {
    const { emulator, state } = await openaiEmulator(t);
    const target = await endpoint(t, [503]);
    const adapter = await makeAdapter(openai, emulator.baseUrl('openai'));
    await adapter.create({ ...newHook, url: target.url, events: ['response.failed'] });
    const [delivery] = await trigger(
      { openai: state },
      { provider: 'openai', event: 'response.failed', ...now },
    );
    assert.equal(delivery?.delivered, false);
    assert.equal(delivery?.attempts.length, OPENAI_RETRIES_S.length + 1);
    const total = OPENAI_RETRIES_S.reduce((sum, s) => sum + s, 0);
    assert.ok(total > 70 * 3600 && total <= 72 * 3600, `${total} s`);
    // --time-scale compresses the real waits: 1/100 000 of each.
    const scaled = await trigger(
      { openai: state },
      { provider: 'openai', event: 'response.failed', timeScale: 1 / 100_000, maxAttempts: 3 },
    );
    assert.deepEqual(
      scaled[0]?.attempts.map((a) => a.retryInMs),
      [Math.round((5 * 1000) / 100_000), Math.round((300 * 1000) / 100_000), null],
    );
  });

  it('410 Gone stops the retries of a safety event only', async (t) => {
    const { emulator, state } = await openaiEmulator(t);
    const target = await endpoint(t, [410]);
    const adapter = await makeAdapter(openai, emulator.baseUrl('openai'));
    await adapter.create({ ...newHook, url: target.url, events: ['safety.alert.created', 'batch.expired'] });
    const options = { maxAttempts: 3, ...now };
    const [safety] = await trigger(
      { openai: state },
      { provider: 'openai', event: 'safety.alert.created', ...options },
    );
    assert.equal(safety?.attempts.length, 1);
    const [batch] = await trigger(
      { openai: state },
      { provider: 'openai', event: 'batch.expired', ...options },
    );
    assert.equal(batch?.attempts.length, 3);
  });

  it('while an old secret is kept, each delivery carries two signatures: the new, then the old', async (t) => {
    const { emulator, state, clock } = await openaiEmulator(t);
    const target = await endpoint(t, [200]);
    const adapter = await makeAdapter(openai, emulator.baseUrl('openai'));
    const hook = await adapter.create({ ...newHook, url: target.url });
    const old = hook.secrets[0] ?? '';
    const { secret } = await adapter.rotateSecret(hook.id, { revokeOld: false });
    await trigger({ openai: state }, { provider: 'openai', event: 'realtime.call.incoming', ...now });
    const [during] = target.received;
    assert.ok(during);
    assert.deepEqual(signatureEntries(during, [secret]), [true, false]);
    assert.deepEqual(signatureEntries(during, [old]), [false, true]);
    clock.advance(GRACE_MS + 1000);
    await trigger({ openai: state }, { provider: 'openai', event: 'realtime.call.incoming', ...now });
    const [, afterGrace] = target.received;
    assert.ok(afterGrace);
    assert.deepEqual(signatureEntries(afterGrace, [secret]), [true]);
  });

  it('the state file keeps secrets and the grace period across a restart', async (t) => {
    const { emulator, state } = await openaiEmulator(t);
    const adapter = await makeAdapter(openai, emulator.baseUrl('openai'));
    const hook = await adapter.create(newHook);
    await adapter.rotateSecret(hook.id, { revokeOld: false });
    const restored = createOpenAIEmulator();
    restored.restore(JSON.parse(JSON.stringify(state.snapshot())));
    assert.deepEqual(restored.signingSecrets(hook.id), state.signingSecrets(hook.id));
    assert.deepEqual(restored.endpoints(), state.endpoints());
    assert.throws(() => restored.restore({ endpoints: [{ id: 'whe_1' }] }), /OpenAI emulator state must be/);
  });
});

// ---------------------------------------------------------------------------------------------------------
// The built CLI against the emulator, one process per command, as a user or a script would run it.

const KEY = 'openai-cli-key-7d2c90';

interface WebhookJson {
  id: string;
  url: string;
  events: string[];
  enabled: boolean | null;
  name: string | null;
  secrets: string[];
  raw: Record<string, unknown>;
  secretStoredLocally?: boolean;
}

describe('OpenAI through the built CLI', { timeout: 90_000, concurrency: 4 }, () => {
  after(removeTempRoots);

  async function setup(t: TestContext, env: Record<string, string> = {}) {
    const { emulator, state, clock } = await openaiEmulator(t, KEY);
    const c = newCli({
      env: { VOICEHOOKS_OPENAI_BASE_URL: emulator.baseUrl('openai'), VOICEHOOKS_OPENAI_API_KEY: KEY, ...env },
    });
    return { c, state, emu: emulator, clock };
  }
  const ok = (result: CliResult, what: string): CliResult => {
    assert.equal(result.code, 0, `${what}: ${result.stderr}`);
    return result;
  };
  const json = <T>(result: CliResult): T => JSON.parse(result.stdout) as T;
  const createArgs = [
    'create',
    '-p',
    'openai',
    '--name',
    'Calls',
    '--url',
    HOOK_URL,
    '--event',
    'realtime.call.incoming',
  ];

  it('create, get, list, update --add-event, delete: the secret is kept once and forgotten on delete', async (t) => {
    const { c, state } = await setup(t);
    const created = ok(await c.run([...createArgs, '--json']), 'create');
    const hook = json<WebhookJson>(created);
    assert.deepEqual(hook.secrets, state.signingSecrets(hook.id));
    assert.match(created.stderr, /Saved it in .*config\.json \(profile "default"\)/);
    assert.deepEqual(storedSecrets(c), { [hook.id]: hook.secrets[0] });
    const got = json<WebhookJson>(ok(await c.run(['get', hook.id, '-p', 'openai', '--json']), 'get'));
    assert.equal(got.secretStoredLocally, true);
    assert.deepEqual(got.secrets, []);
    const listed = json<WebhookJson[]>(ok(await c.run(['list', '-p', 'openai', '--json']), 'list'));
    assert.deepEqual(
      listed.map((w) => w.id),
      [hook.id],
    );
    const updated = json<WebhookJson>(
      ok(
        await c.run(['update', hook.id, '-p', 'openai', '--add-event', 'batch.completed', '--json']),
        'update',
      ),
    );
    assert.deepEqual(updated.events, ['realtime.call.incoming', 'batch.completed']);
    const removed = json<WebhookJson>(
      ok(
        await c.run([
          'update',
          hook.id,
          '-p',
          'openai',
          '--remove-event',
          'realtime.call.incoming',
          '--json',
        ]),
        'update',
      ),
    );
    assert.deepEqual(removed.events, ['batch.completed']);
    const deleted = ok(await c.run(['delete', hook.id, '-p', 'openai', '--yes']), 'delete');
    assert.match(deleted.stderr, /Removed its signing secret from the local secret store/);
    assert.equal(storedSecrets(c), undefined);
    assert.equal(state.endpoints().length, 0);
  });

  it('checks input before sending: --name required, https only, events from the catalog, no --enabled', async (t) => {
    const { c, emu } = await setup(t);
    const base = ['create', '-p', 'openai', '--url', HOOK_URL, '--event', 'batch.completed', '--no-input'];
    const refusals: [string[], RegExp][] = [
      [base, /--name/],
      [
        [
          'create',
          '-p',
          'openai',
          '--name',
          'A',
          '--url',
          'http://example.com/x',
          '--event',
          'batch.completed',
        ],
        /--url must use https/,
      ],
      [[...base, '--name', 'A', '--event', 'call.ended'], /"call\.ended" is not an OpenAI event/],
      [[...base, '--name', 'A', '--no-enabled'], /OpenAI has no field for --enabled/],
      [[...base, '--name', 'A', '--secret', 'whsec_abc'], /OpenAI has no field for --secret/],
      [['get', 'whe/1', '-p', 'openai'], /is not an OpenAI webhook id/],
      [
        ['list', '-p', 'openai', '--region', 'eu'],
        /--region is for PolyAI and ElevenLabs only; OpenAI has no regions/,
      ],
    ];
    const results = await Promise.all(refusals.map(([argv]) => c.run(argv)));
    results.forEach((result, i) => {
      const [argv, pattern] = refusals[i] ?? [[], /$^/];
      assert.equal(result.code, 2, `${argv.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, pattern, argv.join(' '));
    });
    assert.deepEqual(emu.requests, [], 'a refused command sent a request');
    const local = ok(
      await c.run([
        'create',
        '-p',
        'openai',
        '--name',
        'L',
        '--url',
        'http://127.0.0.1:9/x',
        '--event',
        'batch.completed',
      ]),
      'loopback create',
    );
    assert.match(local.stderr, /^Warning: OpenAI accepts only https; plain http to 127\.0\.0\.1/m);
  });

  it('toggle exits 6 before any write and says how to stop deliveries', async (t) => {
    const { c, state, emu } = await setup(t);
    const [seeded] = state.seed(1);
    assert.ok(seeded);
    for (const flags of [['--off'], ['--on'], []]) {
      const result = await c.run(['toggle', seeded.id, '-p', 'openai', ...flags]);
      assert.equal(result.code, 6, result.stderr);
      assert.match(result.stderr, /OpenAI webhooks have no on\/off switch; nothing was changed/);
      assert.match(result.stderr, /voicehooks delete .* or narrow its events/);
    }
    assert.deepEqual(emu.requests, []);
  });

  it('rotate-secret: the default revokes the old secret, --keep-old keeps it 24 h; the kept secret follows', async (t) => {
    const { c, state } = await setup(t);
    const hook = json<WebhookJson>(ok(await c.run([...createArgs, '--json']), 'create'));
    const first = hook.secrets[0] ?? '';
    const rotated = ok(await c.run(['rotate-secret', hook.id, '-p', 'openai']), 'rotate-secret');
    const second = rotated.stdout.trim();
    assert.deepEqual(state.signingSecrets(hook.id), [second]);
    assert.notEqual(second, first);
    assert.match(rotated.stderr, /invalidated the old secret at once/);
    assert.deepEqual(storedSecrets(c), { [hook.id]: second });
    const kept = ok(
      await c.run(['rotate-secret', hook.id, '-p', 'openai', '--keep-old']),
      'rotate --keep-old',
    );
    const third = kept.stdout.trim();
    assert.deepEqual(state.signingSecrets(hook.id), [third, second]);
    assert.match(kept.stderr, /stays valid for 24 hours/);
    assert.deepEqual(storedSecrets(c), { [hook.id]: third });
    const both = await c.run(['rotate-secret', hook.id, '-p', 'openai', '--keep-old', '--revoke-old']);
    assert.equal(both.code, 2);
    const unsaved = ok(await c.run(['rotate-secret', hook.id, '-p', 'openai', '--no-save-secret']), 'rotate');
    assert.deepEqual(state.signingSecrets(hook.id), [unsaved.stdout.trim()]);
    assert.match(unsaved.stderr, /Not saved \(--no-save-secret\): OpenAI will not show it again/);
    assert.equal(storedSecrets(c), undefined, 'a secret that no longer works is still kept');
  });

  it('--keep-old and --revoke-old for every provider: refused where the old secret cannot be kept', async (t) => {
    const { c } = await setup(t);
    const polyai = await c.run(['rotate-secret', 'whe_Abc123', '-p', 'polyai', '--keep-old'], {
      env: { VOICEHOOKS_POLYAI_API_KEY: 'k', VOICEHOOKS_POLYAI_BASE_URL: 'http://127.0.0.1:9' },
    });
    assert.equal(polyai.code, 2, polyai.stderr);
    assert.match(polyai.stderr, /--keep-old does not apply: PolyAI replaces the old secret at once/);
    const help = ok(await c.run(['rotate-secret', '--help']), 'help');
    assert.match(help.stdout, /Ultravox keeps the old secrets/);
    // Help wraps paragraphs to the width: the phrase may span a line break.
    assert.match(help.stdout.replace(/\s+/g, ' '), /OpenAI invalidates the old secret at once by default/);
  });

  it('test asks OpenAI for a sample of --event; test --local signs one with the kept secret', async (t) => {
    const { c, emu } = await setup(t);
    const target = await endpoint(t, [200]);
    const hook = json<WebhookJson>(
      ok(
        await c.run([...createArgs.slice(0, 5), '--url', target.url, '--event', 'batch.completed', '--json']),
        'create',
      ),
    );
    const native = ok(
      await c.run(['test', hook.id, '-p', 'openai', '--event', 'realtime.call.incoming', '--json']),
      'test',
    );
    const report = json<Record<string, unknown>>(native);
    assert.equal(report.passed, true);
    assert.equal(report.statusCode, 200);
    assert.deepEqual(JSON.parse(emu.requests.at(-1)?.body ?? ''), { event_type: 'realtime.call.incoming' });
    assert.equal(emu.requests.at(-1)?.path, `/webhook_endpoints/${hook.id}/test`);

    const local = ok(await c.run(['test', hook.id, '-p', 'openai', '--local', '--json']), 'test --local');
    const sent = json<Record<string, unknown>>(local);
    assert.equal(sent.mode, 'signed');
    assert.equal(sent.event, 'batch.completed');
    const [, fromHere] = target.received;
    assert.ok(fromHere);
    assert.equal(sent.deliveryId, fromHere.headers['webhook-id']);
    assert.deepEqual(signatureEntries(fromHere, hook.secrets), [true]);
    // The native test has no --secret; a failing endpoint exits 8 with the report on stdout.
    assert.equal((await c.run(['test', hook.id, '-p', 'openai', '--secret', 'whsec_x'])).code, 2);
  });

  it("events: the documented catalog without a key, the project's live one with a key", async (t) => {
    const { c, emu } = await setup(t);
    const documented = ok(
      await c.run(['events', '-p', 'openai', '--json'], { env: { VOICEHOOKS_OPENAI_API_KEY: undefined } }),
      'events',
    );
    assert.equal(json<unknown[]>(documented).length, 27);
    assert.match(documented.stderr, /documented OpenAI catalog; with a key set, the account's live one/);
    assert.equal(emu.requests.length, 0);
    const live = ok(await c.run(['events', '-p', 'openai', '--json']), 'events live');
    assert.equal(json<unknown[]>(live).length, 27);
    assert.deepEqual(
      emu.requests.map((r) => r.path),
      ['/webhook_event_types'],
    );
  });

  it('organization and project: flag, then VOICEHOOKS_ env, then OPENAI_ env, then the profile', async (t) => {
    const { c, emu } = await setup(t);
    const sent = () => {
      const r = emu.requests.at(-1);
      return [r?.headers['openai-organization'], r?.headers['openai-project']];
    };
    ok(await c.run(['config', 'set', 'openai.organization', 'org-profile']), 'config set');
    ok(await c.run(['config', 'set', 'openai.project', 'proj_profile']), 'config set');
    const got = ok(await c.run(['config', 'get', 'openai.project', '--json']), 'config get');
    assert.equal(json<{ value: string }>(got).value, 'proj_profile');
    ok(await c.run(['list', '-p', 'openai']), 'list');
    assert.deepEqual(sent(), ['org-profile', 'proj_profile']);
    ok(
      await c.run(['list', '-p', 'openai'], {
        env: { OPENAI_ORG_ID: 'org-openai', OPENAI_PROJECT_ID: 'proj_openai' },
      }),
      'list',
    );
    assert.deepEqual(sent(), ['org-openai', 'proj_openai']);
    const both = {
      OPENAI_ORG_ID: 'org-openai',
      VOICEHOOKS_OPENAI_ORGANIZATION: 'org-vh',
      VOICEHOOKS_OPENAI_PROJECT: 'proj_vh',
    };
    ok(await c.run(['list', '-p', 'openai'], { env: both }), 'list');
    assert.deepEqual(sent(), ['org-vh', 'proj_vh']);
    ok(
      await c.run(['list', '-p', 'openai', '--organization', 'org-flag', '--project', 'proj_flag'], {
        env: both,
      }),
      'list',
    );
    assert.deepEqual(sent(), ['org-flag', 'proj_flag']);
    // The key: VOICEHOOKS_OPENAI_API_KEY, else OPENAI_API_KEY, the variable OpenAI's own tools read.
    ok(
      await c.run(['list', '-p', 'openai'], {
        env: { VOICEHOOKS_OPENAI_API_KEY: undefined, OPENAI_API_KEY: KEY },
      }),
      'OPENAI_API_KEY',
    );
    assert.equal(emu.requests.at(-1)?.headers.authorization, `Bearer ${KEY}`);
    const elsewhere = await c.run(['list', '-p', 'polyai', '--project', 'proj_x']);
    assert.equal(elsewhere.code, 2);
    assert.match(elsewhere.stderr, /--project is for OpenAI only; PolyAI has no projects/);
  });

  it('export writes name, url, events and the project; apply creates from it, then converges with no write', async (t) => {
    const { c, state, emu } = await setup(t, { VOICEHOOKS_OPENAI_PROJECT: 'proj_apply' });
    const [seeded] = state.seed(1);
    assert.ok(seeded);
    const exported = ok(await c.run(['export', '-p', 'openai']), 'export');
    assert.equal(
      exported.stdout,
      `webhooks:
  - provider: openai
    url: ${seeded.url}
    events:
      - realtime.call.incoming
    project: proj_apply
    name: ${seeded.name}
`,
    );
    const file = join(c.configDir, '..', 'hooks.yaml');
    writeFileSync(
      file,
      `${exported.stdout}  - provider: openai\n    name: Batches\n    url: https://example.com/batches\n    events: [batch.completed, batch.failed]\n`,
    );
    emu.requests.length = 0;
    const applied = json<{ counts: Record<string, number> }>(
      ok(await c.run(['apply', '-f', file, '--json']), 'apply'),
    );
    assert.equal(applied.counts.created, 1);
    assert.equal(applied.counts.unchanged, 1);
    const made = state.endpoints().find((e) => e.name === 'Batches');
    assert.deepEqual(made?.event_types, ['batch.completed', 'batch.failed']);
    // The account settings reach apply's requests too.
    assert.ok(emu.requests.every((r) => r.headers['openai-project'] === 'proj_apply'));
    emu.requests.length = 0;
    ok(await c.run(['diff', '-f', file]), 'diff in sync');
    const again = json<{ counts: Record<string, number> }>(
      ok(await c.run(['apply', '-f', file, '--json']), 'apply'),
    );
    assert.equal(again.counts.unchanged, 2);
    assert.deepEqual(
      emu.requests.filter((r) => r.method !== 'GET'),
      [],
      'a second apply wrote',
    );
  });

  it('listen --webhook verifies with the kept secret; verify -p openai checks a delivery', async (t) => {
    const { c, state } = await setup(t);
    const hook = json<WebhookJson>(ok(await c.run([...createArgs, '--json']), 'create'));
    const listener = listen(c, [
      '-p',
      'openai',
      '--webhook',
      hook.id,
      '--port',
      '0',
      '--max-events',
      '1',
      '--json',
    ]);
    const url = await listener.url;
    assert.ok(url, 'listen did not start');
    state.restore({
      endpoints: (state.snapshot() as { endpoints: Record<string, unknown>[] }).endpoints.map((e) => ({
        ...e,
        url,
      })),
    });
    const [delivery] = await trigger(
      { openai: state },
      { provider: 'openai', event: 'realtime.call.incoming', timeScale: 0 },
    );
    assert.equal(delivery?.delivered, true);
    const done = await listener.exit;
    assert.equal(done.code, 0, done.stderr);
    const row = JSON.parse(done.stdout.trim()) as Record<string, unknown>;
    assert.equal(row.verification, 'verified');
    assert.equal(row.event, 'realtime.call.incoming');
    assert.equal(row.id, delivery?.deliveryId);
  });
});

describe('verify -p openai with the official vectors', { timeout: 60_000 }, () => {
  after(removeTempRoots);

  it('accepts every official vector and rejects the negative fixtures', async () => {
    const c = newCli();
    const args = (v: (typeof VECTORS)[number], signature = v.signature) => [
      ...['verify', '-p', 'openai', '--secret', v.secret, '--tolerance', '0', '--json'],
      ...['--header', `webhook-id: ${v.id}`, '--header', `webhook-timestamp: ${v.timestamp}`],
      ...['--header', `webhook-signature: ${signature}`],
    ];
    for (const v of VECTORS) {
      const result = await c.run(args(v), { stdin: v.body });
      assert.equal(result.code, 0, `${v.source}: ${result.stderr}`);
      const report = JSON.parse(result.stdout) as Record<string, unknown>;
      assert.equal(report.provider, 'openai');
      assert.equal(report.scheme, 'standard-webhooks');
    }
    const [openaiVector, js, rust] = VECTORS;
    assert.ok(openaiVector && js && rust);
    const negatives: [(typeof VECTORS)[number], string][] = [
      [js, 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA='],
      [js, 'v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc='],
      [rust, 'v1,R3PTzyfHASBKHH98a7yexTwaJ4yNIcGhFQc1yuN+BPU='],
      [openaiVector, openaiVector.signature.replace('KBY=', 'KBZ=')],
    ];
    // sign -p openai gives the SDKs' headers for their vector.
    const v0 = openaiVector;
    const signed = await c.run(
      ['sign', '-p', 'openai', '--secret', v0.secret, '--id', v0.id, '--timestamp', v0.timestamp],
      { stdin: v0.body },
    );
    assert.equal(signed.code, 0, signed.stderr);
    assert.equal(
      signed.stdout,
      `webhook-signature: ${v0.signature}\nwebhook-timestamp: ${v0.timestamp}\nwebhook-id: ${v0.id}\n`,
    );
    for (const [v, signature] of negatives) {
      const result = await c.run(args(v, signature), { stdin: v.body });
      assert.equal(result.code, 8, signature);
      assert.match(result.stderr, /The OpenAI signature is not valid \(mismatch\)/);
    }
  });
});

/** The secrets kept for OpenAI in the default profile (undefined when none or no config file). */
function storedSecrets(c: Cli): Record<string, string> | undefined {
  let text: string;
  try {
    text = readFileSync(c.configFile, 'utf8');
  } catch {
    return undefined;
  }
  const file = JSON.parse(text) as {
    profiles: Record<string, { secrets?: { openai?: Record<string, string> } }>;
  };
  return file.profiles.default?.secrets?.openai;
}

/** `voicehooks listen …` in the background, with the CLI's config directory and environment. */
function listen(client: Cli, args: string[]) {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'run.js'), 'listen', ...args], {
    cwd: ROOT,
    env: { ...cleanEnv(), NO_COLOR: '1', VOICEHOOKS_CONFIG_DIR: client.configDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let announce: (url: string) => void = () => undefined;
  const url = new Promise<string>((resolve) => (announce = resolve));
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
    const found = / on (http:\/\/\S+) \(/.exec(stderr);
    if (found?.[1]) announce(found[1]);
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const exit = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    child.on('close', (code) => {
      clearTimeout(killer);
      announce('');
      resolve({ code, stdout, stderr });
    });
  });
  return { url, exit };
}
