// The shared adapter contract for Talkover, then what only Talkover has (docs/providers/talkover.md §2): webhooks under an
// agent, an `enabled` field plus a flip endpoint that must never be repeated, a test endpoint, delivery logs
// and redelivery, and four error shapes. Adapter-level tests drive the real adapter over HTTP against the
// in-process emulator; CLI-level tests spawn the built CLI (`npm run build` first).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { startEmulator } from '../src/emulator/server.ts';
import type { RecordedRequest, RunningEmulator } from '../src/emulator/server.ts';
import { ApiError, UsageError } from '../src/errors.ts';
import { closeConnections } from '../src/http.ts';
import { createTalkoverEmulator } from '../src/providers/talkover/emulator.ts';
import type { TalkoverEmulator, TalkoverWireLog } from '../src/providers/talkover/emulator.ts';
import { talkover } from '../src/providers/talkover/index.ts';
import type { DeliveryLog, ProviderAdapter } from '../src/providers/types.ts';
import { CONTRACT_API_KEY, adapterContract, collect, makeAdapter, rejectsWithKind } from './contract.ts';
import { ROOT, newCli, removeTempRoots } from './helpers/cli.ts';
import { inputFromFlags } from '../src/webhook-flags.ts';
import type { WebhookFlagValues } from '../src/webhook-flags.ts';
import type { Cli, CliResult } from './helpers/cli.ts';

const AGENT = '9fbef0b7-8d4e-4a08-9207-66c22155721d';
const OTHER_AGENT = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
const UNKNOWN_ID = '9fcafbf2-7593-44d6-8cd7-1b221beba62a';

const CAMPAIGN = '11111111-1111-4111-8111-111111111111';

// Both scopes, held against the full description (agent and campaign routes, docs/providers/talkover.md §2, §3).
adapterContract({
  spec: 'talkover-full.reconstructed.openapi.yaml',
  descriptor: talkover,
  label: 'agent webhooks',
  start: async (apiKey) => {
    const emulator = await startEmulator({ apiKey });
    return { emulator, baseUrl: emulator.baseUrl('talkover') };
  },
  scope: { agent: AGENT },
  createInput: () => ({
    url: 'https://example.com/hooks/talkover',
    events: ['event_phone_call_started', 'event_phone_call_ended'],
    name: 'Contract webhook',
  }),
  unknownId: UNKNOWN_ID,
});

adapterContract({
  spec: 'talkover-full.reconstructed.openapi.yaml',
  descriptor: talkover,
  start: async (apiKey) => {
    const emulator = await startEmulator({ apiKey });
    return { emulator, baseUrl: emulator.baseUrl('talkover') };
  },
  label: 'campaign webhooks',
  scope: { campaign: CAMPAIGN },
  createInput: () => ({
    url: 'https://example.com/hooks/talkover-campaign',
    events: ['campaign.started', 'campaign.completed', 'campaign_call.completed'],
    name: 'Contract campaign webhook',
    includeCallEvents: false,
  }),
  unknownId: UNKNOWN_ID,
});

// ---------------------------------------------------------------------------------------------------------
// Fixtures

interface Endpoint {
  url: string;
  hits: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[];
  close(): Promise<void>;
}

/** A delivery endpoint on 127.0.0.1 answering `status`, recording what it received. */
async function endpoint(status: number, answer = 'ok'): Promise<Endpoint> {
  const hits: Endpoint['hits'] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      hits.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    hits,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A stand-in for Talkover itself, answering every request with `respond`. */
async function fakeTalkover(
  respond: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ baseUrl: string; hits: string[]; close(): Promise<void> }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(`${req.method ?? ''} ${req.url ?? ''}`);
    req.resume();
    req.on('end', () => respond(req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`,
    hits,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

const LIVE_EVENTS = {
  event_phone_call_started: 'Phone call has started',
  event_phone_call_ended: 'Phone call has ended',
  event_call_transcript: 'A transcript is ready (live only)',
};

let emu: RunningEmulator;
let state: TalkoverEmulator;
let adapter: ProviderAdapter;
const endpoints: Endpoint[] = [];

after(async () => {
  await Promise.all(endpoints.map((e) => e.close()));
  removeTempRoots();
});

async function localEndpoint(status: number, body?: string): Promise<Endpoint> {
  const made = await endpoint(status, body);
  endpoints.push(made);
  return made;
}

async function hook(url = 'https://example.com/hooks/talkover', extra: Record<string, unknown> = {}) {
  return adapter.create({ url, events: ['event_phone_call_ended'], name: 'Specifics', ...extra });
}

const calls = (filter: (r: RecordedRequest) => boolean = () => true) =>
  emu.requests.filter(filter).map((r) => `${r.method} ${r.path}`);

// ---------------------------------------------------------------------------------------------------------
// Adapter level

describe('Talkover specifics: adapter', { timeout: 20_000 }, () => {
  before(async () => {
    state = createTalkoverEmulator({ apiKey: CONTRACT_API_KEY });
    emu = await startEmulator({ providers: { talkover: state } });
    adapter = await makeAdapter(talkover, emu.baseUrl('talkover'), { agent: AGENT });
  });
  after(async () => {
    await closeConnections();
    await emu.close();
  });
  beforeEach(() => {
    emu.faults.clear();
    state.restore({ webhooks: [] });
    emu.requests.length = 0;
  });
  afterEach(() => emu.faults.clear());

  it('every path is under the agent, with a Bearer token', async () => {
    const created = await hook();
    await adapter.get(created.id);
    for (const request of emu.requests) {
      assert.ok(request.path.startsWith(`/agents/${AGENT}/webhooks`), request.path);
      assert.equal(request.headers.authorization, `Bearer ${CONTRACT_API_KEY}`);
    }
    assert.equal(created.agentId, AGENT);
  });

  it('another agent does not see the webhook', async () => {
    const created = await hook();
    const other = await makeAdapter(talkover, emu.baseUrl('talkover'), { agent: OTHER_AGENT });
    assert.deepEqual(await collect(other.list()), []);
    await rejectsWithKind(other.get(created.id), 'notFound');
  });

  it('a missing or malformed agent is a usage error before any request', async () => {
    for (const scope of [{}, { agent: 'not-a-uuid' }]) {
      await assert.rejects(makeAdapter(talkover, emu.baseUrl('talkover'), scope), UsageError);
    }
    assert.deepEqual(emu.requests, []);
  });

  it('input checks: ranges, enums, lengths, a single secret, templates, foreign flags (exit 2)', () => {
    const base = { url: 'https://example.com/x', event: ['event_action'], name: 'x' };
    const dir = mkdtempSync(join(tmpdir(), 'vh-template-'));
    const file = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    const cases: [WebhookFlagValues, RegExp][] = [
      [{ 'delivery-timeout': 4 }, /^--delivery-timeout must be a whole number from 5 to 120 s, got 4\.$/],
      [{ 'delivery-timeout': 121 }, /^--delivery-timeout/],
      [{ 'max-retries': -1 }, /^--max-retries must be a whole number from 0 to 10/],
      [{ 'max-retries': 11 }, /^--max-retries must be a whole number from 0 to 10/],
      [{ 'http-method': 'GET' }, /^--http-method must be one of POST, PUT, PATCH/],
      [{ 'auth-scheme': 'digest' }, /^--auth-scheme must be one of none, bearer, basic, api_key, custom/],
      [{ name: 'n'.repeat(256) }, /^--name must be 1 to 255 characters/],
      [
        { url: `https://example.com/${'a'.repeat(481)}` },
        /^--url is 501 characters; Talkover accepts at most 500/,
      ],
      [{ secret: ['a-secret-1', 'a-secret-2'] }, /^--secret is given more than once/],
      [{ secret: ['s'.repeat(256)] }, /^--secret must be at most 255/],
      [{ 'retry-type': 'exponential' }, /no field for --retry-type/],
      [{ 'basic-auth': 'u:p' }, /no field for --basic-auth/],
      [
        { event: ['event_phone_call_endd'] },
        /^--event "event_phone_call_endd" is not a Talkover agent event/,
      ],
      [{ 'payload-template': [`event_nope=${file('a.json', '{}')}`] }, /^--payload-template "event_nope"/],
      [{ 'payload-template': [`event_action=${file('b.json', '[1]')}`] }, /must hold a JSON object/],
      [{ 'payload-template': [`event_action=${file('c.json', 'nope')}`] }, /is not JSON/],
      [{ header: ['Bad Header=x'] }, /--header name "Bad Header"/],
    ];
    try {
      for (const [flags, pattern] of cases) {
        assert.throws(
          () => inputFromFlags({ ...base, ...flags }, talkover),
          (error: unknown) => {
            assert.ok(error instanceof UsageError, String(error));
            assert.match(error.message, pattern);
            return true;
          },
        );
      }
      // The edges of each range pass, and the enums are read case-insensitively.
      const edges: WebhookFlagValues[] = [
        { 'delivery-timeout': 5, 'max-retries': 0 },
        { 'delivery-timeout': 120, 'max-retries': 10 },
        { 'http-method': 'put', 'auth-scheme': 'API_KEY', url: `https://example.com/${'a'.repeat(480)}` },
      ];
      for (const flags of edges) inputFromFlags({ ...base, ...flags }, talkover);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('update sends PUT with only the fields given', async () => {
    const created = await hook();
    emu.requests.length = 0;
    const updated = await adapter.update(created.id, { deliveryTimeout: 45 });
    const [put] = emu.requests;
    assert.equal(put?.method, 'PUT');
    assert.deepEqual(JSON.parse(put?.body ?? ''), { timeout: 45 });
    assert.equal(updated.raw.timeout, 45);
    assert.equal(updated.name, 'Specifics');
  });

  it('create sends every field in its wire form', async () => {
    await adapter.create({
      url: 'https://example.com/all',
      events: ['event_phone_call_ended'],
      name: 'All fields',
      secrets: ['s3cret-value-123'],
      deliveryTimeout: 5,
      maxRetries: 10,
      enabled: false,
      httpMethod: 'patch',
      authScheme: 'BEARER',
      headers: { 'X-Token': 'abc', 'X-Route': 'r1' },
      payloadTemplates: { event_phone_call_ended: '{"call": "{{call.id}}"}' },
    });
    assert.deepEqual(JSON.parse(emu.requests[0]?.body ?? ''), {
      name: 'All fields',
      webhook_url: 'https://example.com/all',
      webhook_secret: 's3cret-value-123',
      events: ['event_phone_call_ended'],
      timeout: 5,
      max_retries: 10,
      enabled: false,
      http_method: 'PATCH',
      authorization_scheme: 'bearer',
      custom_headers: [
        { key: 'X-Token', value: 'abc' },
        { key: 'X-Route', value: 'r1' },
      ],
      payload_templates: { event_phone_call_ended: { call: '{{call.id}}' } },
    });
    const [stored] = state.webhooks();
    assert.equal(stored?.webhook_secret, 's3cret-value-123');
    assert.equal(stored?.enabled, false);
  });

  it('the secret is never returned, and rotateSecret replaces it', async () => {
    const created = await hook('https://example.com/s', { secrets: ['first-secret-value'] });
    assert.deepEqual(created.secrets, []);
    assert.ok(!('webhook_secret' in created.raw));
    const rotated = await adapter.rotateSecret(created.id, { revokeOld: false });
    assert.ok(rotated.secret.length >= 32);
    assert.equal(state.webhooks()[0]?.webhook_secret, rotated.secret);
    assert.deepEqual(JSON.parse(emu.requests.at(-1)?.body ?? ''), { webhook_secret: rotated.secret });
    assert.ok(!JSON.stringify(await adapter.get(created.id)).includes(rotated.secret));
  });

  it('setEnabled uses PUT {enabled}, idempotently; flip uses PATCH …/toggle', async () => {
    const created = await hook();
    emu.requests.length = 0;
    for (const wanted of [false, false, true, true]) {
      assert.equal((await adapter.setEnabled?.(created.id, wanted))?.enabled, wanted);
    }
    assert.deepEqual(calls(), Array(4).fill(`PUT /agents/${AGENT}/webhooks/${created.id}`));
    assert.deepEqual(
      emu.requests.map((r) => JSON.parse(r.body) as unknown),
      [{ enabled: false }, { enabled: false }, { enabled: true }, { enabled: true }],
    );
    emu.requests.length = 0;
    const flipped = await adapter.flip?.(created.id);
    assert.equal(flipped?.enabled, false);
    assert.equal(flipped?.status, 'disabled');
    assert.deepEqual(calls(), [`PATCH /agents/${AGENT}/webhooks/${created.id}/toggle`]);
    assert.equal(emu.requests[0]?.body, '', 'the toggle has no body');
  });

  it('a flip whose answer is lost is not retried: exactly one toggle request', async () => {
    const created = await hook();
    emu.requests.length = 0;
    emu.faults.add({ kind: 'reset-after', provider: 'talkover', method: 'PATCH', path: '/toggle', times: 1 });
    const error = await rejectsWithKind(adapter.flip?.(created.id) ?? Promise.resolve(), 'unavailable');
    assert.match(error.hint ?? '', /may have reached Talkover/);
    assert.deepEqual(calls(), [`PATCH /agents/${AGENT}/webhooks/${created.id}/toggle`]);
    // It did reach Talkover: flipped once, not twice.
    assert.equal(state.webhooks()[0]?.enabled, false);
  });

  it('test sends the webhook.test payload with the configured method and headers, and logs it', async () => {
    const target = await localEndpoint(204, '');
    const created = await hook(target.url, { httpMethod: 'PUT', headers: { 'X-Route': 'blue' } });
    emu.requests.length = 0;
    const result = await adapter.test?.(created.id);
    assert.equal(result?.success, true);
    assert.equal(result?.statusCode, 204);
    assert.equal(typeof result?.responseTimeMs, 'number');
    assert.equal(result?.url, target.url);
    const test = emu.requests.find((r) => r.path.endsWith('/test'));
    assert.deepEqual(JSON.parse(test?.body ?? ''), { url: target.url });
    const [delivery] = target.hits;
    assert.equal(delivery?.method, 'PUT');
    assert.equal(delivery?.headers['x-route'], 'blue');
    const payload = JSON.parse(delivery?.body ?? '') as Record<string, unknown>;
    assert.equal(payload.event, 'webhook.test');
    assert.equal(payload.test, true);
    assert.equal(payload.webhook_id, created.id);
    assert.equal(payload.agent_id, AGENT);
    const [entry] = state.logs(created.id);
    assert.equal(entry?.event, 'webhook.test');
    assert.equal(entry?.status, 'success');
    assert.equal(entry?.http_status, 204);
  });

  it('test against an endpoint answering 500 reports the failure with its status', async () => {
    const target = await localEndpoint(500, 'boom');
    const created = await hook(target.url);
    const result = await adapter.test?.(created.id);
    assert.equal(result?.success, false);
    assert.equal(result?.statusCode, 500);
    assert.equal(result?.message, 'Webhook test failed: HTTP 500 Internal Server Error');
    assert.equal(state.logs(created.id)[0]?.status, 'failed');
  });

  it('the emulator delivers to loopback only, and says so', async () => {
    const created = await hook('https://example.com/never-contacted');
    const result = await adapter.test?.(created.id);
    assert.equal(result?.success, false);
    assert.equal(result?.statusCode, null);
    assert.match(result?.message ?? '', /loopback/);
  });

  it('a failed test answered with an error status and only a message is still a test result', async () => {
    const fake = await fakeTalkover((req, res) => {
      if (req.method === 'GET') {
        answer(res, 200, {
          success: true,
          data: { id: UNKNOWN_ID, webhook_url: 'https://example.com/x', events: [], enabled: true },
        });
      } else
        answer(res, 500, { success: false, message: 'Webhook test failed: HTTP 503 Service Unavailable' });
    });
    try {
      const remote = await makeAdapter(talkover, fake.baseUrl, { agent: AGENT });
      const result = await remote.test?.(UNKNOWN_ID);
      assert.deepEqual(result, {
        url: 'https://example.com/x',
        success: false,
        statusCode: 503,
        responseTimeMs: null,
        message: 'Webhook test failed: HTTP 503 Service Unavailable',
      });
      assert.equal(fake.hits.filter((h) => h.startsWith('POST')).length, 1, 'a test is never repeated');
    } finally {
      await fake.close();
    }
  });

  it('test of an unknown webhook is notFound, not a failed test', async () => {
    await rejectsWithKind(
      adapter.test?.(UNKNOWN_ID, { url: 'http://127.0.0.1:9/x' }) ?? Promise.resolve(),
      'notFound',
    );
  });

  it('logs follow page/per_page to the end, newest first; limit and status stop and filter', async () => {
    const created = await hook();
    const seeded = [
      ...state.seedLogs(created.id, 4, { status: 'success' }),
      ...state.seedLogs(created.id, 3, { status: 'failed' }),
    ];
    const expected = state.logs(created.id).map((l) => l.id);
    assert.equal(expected.length, seeded.length);
    emu.requests.length = 0;
    const all: DeliveryLog[] = [];
    for await (const entry of adapter.logs?.(created.id, { perPage: 3 }) ?? []) all.push(entry);
    assert.deepEqual(
      all.map((l) => l.id),
      expected,
    );
    assert.deepEqual(
      emu.requests.map((r) => r.query),
      ['page=1&per_page=3', 'page=2&per_page=3', 'page=3&per_page=3'],
    );
    emu.requests.length = 0;
    const limited: DeliveryLog[] = [];
    for await (const entry of adapter.logs?.(created.id, { perPage: 3, limit: 4 }) ?? []) limited.push(entry);
    assert.deepEqual(
      limited.map((l) => l.id),
      expected.slice(0, 4),
    );
    assert.equal(emu.requests.length, 2, 'the limit stops the paging');
    const failed: DeliveryLog[] = [];
    for await (const entry of adapter.logs?.(created.id, { perPage: 2, status: 'failed' }) ?? [])
      failed.push(entry);
    assert.deepEqual(
      failed.map((l) => l.status),
      ['failed', 'failed', 'failed'],
    );
    const [first] = all;
    assert.equal(first?.webhookId, created.id);
    assert.ok(first?.raw.request_payload !== undefined);
  });

  it('logs end on a server that ignores page', async () => {
    const fake = await fakeTalkover((_req, res) =>
      answer(res, 200, {
        success: true,
        data: [{ id: 'a1', status: 'failed' }],
        pagination: { current_page: 1, per_page: 1, total: 5, last_page: 5 },
      }),
    );
    try {
      const remote = await makeAdapter(talkover, fake.baseUrl, { agent: AGENT });
      const entries: DeliveryLog[] = [];
      for await (const entry of remote.logs?.(UNKNOWN_ID) ?? []) entries.push(entry);
      // The second page is the first again: its entry is not shown twice, and the walk ends there.
      assert.equal(entries.length, 1);
      assert.equal(fake.hits.length, 2);
    } finally {
      await fake.close();
    }
  });

  it('redeliver sends a failed delivery again with the current settings', async () => {
    const target = await localEndpoint(200);
    const created = await hook(target.url);
    const [failed] = state.seedLogs(created.id, 1, { status: 'failed' });
    assert.ok(failed);
    const result = await adapter.redeliver?.(created.id, failed.id);
    assert.equal(result?.originalLogId, failed.id);
    assert.equal(result?.message, 'Webhook retry queued successfully');
    const newest = state.logs(created.id)[0] as TalkoverWireLog;
    assert.equal(result?.logId, newest.id);
    assert.equal(newest.attempt, 2);
    assert.equal(newest.status, 'success');
    assert.deepEqual(JSON.parse(target.hits[0]?.body ?? ''), failed.request_payload);
  });

  it('LOG_NOT_RETRIABLE is rejected (exit 7) with Talkover’s reason; an unknown log is notFound', async () => {
    const created = await hook();
    const [done] = state.seedLogs(created.id, 1, { status: 'success' });
    const [old] = state.seedLogs(created.id, 1, { status: 'failed', ageDays: 31 });
    const [failed] = state.seedLogs(created.id, 1, { status: 'failed' });
    assert.ok(done && old && failed);
    for (const logId of [done.id, old.id]) {
      const error = await rejectsWithKind(
        adapter.redeliver?.(created.id, logId) ?? Promise.resolve(),
        'rejected',
      );
      assert.equal(error.message, 'Talkover: Log cannot be retried (LOG_NOT_RETRIABLE)');
      assert.match(error.hint ?? '', /30 days/);
    }
    await adapter.setEnabled?.(created.id, false);
    await rejectsWithKind(adapter.redeliver?.(created.id, failed.id) ?? Promise.resolve(), 'rejected');
    await rejectsWithKind(adapter.redeliver?.(created.id, UNKNOWN_ID) ?? Promise.resolve(), 'notFound');
    const retries = emu.requests.filter((r) => r.path.endsWith('/retry'));
    assert.equal(retries.length, 4, 'a refused retry is not repeated');
  });

  it('liveEvents is the agent’s available_events', async () => {
    const live = createTalkoverEmulator({ apiKey: CONTRACT_API_KEY, availableEvents: LIVE_EVENTS });
    const server = await startEmulator({ providers: { talkover: live } });
    try {
      const remote = await makeAdapter(talkover, server.baseUrl('talkover'), { agent: AGENT });
      assert.deepEqual(await remote.liveEvents?.(), [
        { name: 'event_phone_call_started', description: 'Phone call has started' },
        { name: 'event_phone_call_ended', description: 'Phone call has ended' },
        { name: 'event_call_transcript', description: 'A transcript is ready (live only)' },
      ]);
    } finally {
      await server.close();
    }
  });

  it('an agent marked missing answers 404 "Agent not found in this environment." (exit 5)', async () => {
    state.setAgentMissing(AGENT);
    try {
      const error = await rejectsWithKind(collect(adapter.list()), 'notFound');
      assert.equal(error.message, 'Talkover: Agent not found in this environment.');
      assert.match(error.hint ?? '', /environment/);
    } finally {
      state.setAgentMissing(AGENT, false);
    }
    // The same switch over the emulator's control route.
    const control = `${emu.baseUrl('talkover')}/_emulator/missing-agents`;
    const post = await fetch(control, { method: 'POST', body: JSON.stringify({ agentId: OTHER_AGENT }) });
    assert.equal(post.status, 204);
    const other = await makeAdapter(talkover, emu.baseUrl('talkover'), { agent: OTHER_AGENT });
    await rejectsWithKind(collect(other.list()), 'notFound');
    assert.equal((await fetch(`${control}/${OTHER_AGENT}`, { method: 'DELETE' })).status, 204);
    assert.deepEqual(await collect(other.list()), []);
  });

  it('the emulator keeps its state through snapshot and restore', async () => {
    const created = await hook('https://example.com/s', { secrets: ['kept-secret-value'] });
    state.seedLogs(created.id, 2);
    state.setAgentMissing(OTHER_AGENT);
    const saved = JSON.parse(JSON.stringify(state.snapshot())) as unknown;
    state.restore({ webhooks: [] });
    assert.deepEqual(state.webhooks(), []);
    state.restore(saved);
    assert.equal(state.webhooks()[0]?.webhook_secret, 'kept-secret-value');
    assert.equal(state.logs(created.id).length, 2);
    await rejectsWithKind(
      collect((await makeAdapter(talkover, emu.baseUrl('talkover'), { agent: OTHER_AGENT })).list()),
      'notFound',
    );
    state.setAgentMissing(OTHER_AGENT, false);
    assert.throws(() => state.restore({ webhooks: [{ id: 1 }] }), TypeError);
  });

  describe('error shapes', () => {
    // Every shape of docs/providers/talkover.md §2.4, with the status Talkover pairs it with, and the exit-code kind.
    const shapes: {
      name: string;
      status: number;
      body: unknown;
      kind: string;
      message: string;
      fields?: string[];
    }[] = [
      {
        name: '{message}',
        status: 401,
        body: { message: 'Missing Bearer Token' },
        kind: 'auth',
        message: 'Talkover: Missing Bearer Token',
      },
      {
        name: '{success:false, message}',
        status: 404,
        body: { success: false, message: 'Webhook not found.' },
        kind: 'notFound',
        message: 'Talkover: Webhook not found.',
      },
      {
        name: 'Laravel 422 {message, errors}',
        status: 422,
        body: {
          message: 'The given data was invalid.',
          errors: {
            webhook_url: ['The webhook url field is required.'],
            events: ['The events field must contain at least 1 items.'],
          },
        },
        kind: 'rejected',
        message: 'Talkover: The given data was invalid.',
        fields: [
          'webhook_url (--url): The webhook url field is required.',
          'events (--event): The events field must contain at least 1 items.',
        ],
      },
      {
        name: '{success:false, error:{code, message, details}}',
        status: 400,
        body: {
          success: false,
          error: { code: 'VALIDATION_ERROR', message: 'Invalid input', details: { timeout: ['Too long.'] } },
        },
        kind: 'rejected',
        message: 'Talkover: Invalid input (VALIDATION_ERROR)',
        fields: ['timeout (--delivery-timeout): Too long.'],
      },
      {
        name: '{success:false, error:{code, message}} for a bad key',
        status: 401,
        body: { success: false, error: { code: 'INVALID_API_KEY', message: 'Invalid API key.' } },
        kind: 'auth',
        message: 'Talkover: Invalid API key. (INVALID_API_KEY)',
      },
    ];

    for (const shape of shapes) {
      it(`${shape.name} → ${shape.kind}`, async () => {
        const fake = await fakeTalkover((_req, res) => answer(res, shape.status, shape.body));
        try {
          const remote = await makeAdapter(talkover, fake.baseUrl, { agent: AGENT });
          const error = await rejectsWithKind(
            remote.create({ url: 'https://example.com/x', events: ['event_action'], name: 'x' }),
            shape.kind as 'auth',
          );
          assert.equal(error.message, shape.message);
          assert.deepEqual(error.fieldErrors, shape.fields ?? []);
          assert.equal(error.status, shape.status);
        } finally {
          await fake.close();
        }
      });
    }

    it('the emulator speaks the 401 shapes', async () => {
      const noToken = await fetch(`${emu.baseUrl('talkover')}/agents/${AGENT}/webhooks`);
      assert.equal(noToken.status, 401);
      assert.deepEqual(await noToken.json(), { message: 'Missing Bearer Token' });
      const bad = await makeAdapter(talkover, emu.baseUrl('talkover'), { agent: AGENT }, { apiKey: 'wrong' });
      const error = await rejectsWithKind(collect(bad.list()), 'auth');
      assert.match(error.message, /INVALID_API_KEY/);
      assert.ok(error instanceof ApiError);
    });
  });
});

// ---------------------------------------------------------------------------------------------------------
// CLI level (the built CLI, spawned). Tests run concurrently, so each uses an agent of its own, and the
// requests and webhooks of a test are those under its agent.

const KEY = CONTRACT_API_KEY;
let cliEmu: RunningEmulator;
let cliState: TalkoverEmulator;
/** A second emulator whose agents have a live catalog unlike the documented one. */
let liveEmu: RunningEmulator;

function cli(extraEnv: Record<string, string | undefined> = {}): Cli {
  return newCli({
    baseUrl: null,
    apiKey: null,
    env: {
      VOICEHOOKS_TALKOVER_BASE_URL: cliEmu.baseUrl('talkover'),
      VOICEHOOKS_TALKOVER_API_KEY: KEY,
      ...extraEnv,
    },
  });
}

/** The requests made under one agent. */
const requestsOf = (agent: string, server = cliEmu) =>
  server.requests.filter((r) => r.path.startsWith(`/agents/${agent}/`));

function expectCode(result: CliResult, code: number, what: string): void {
  assert.equal(
    result.code,
    code,
    `${what} exited ${result.code}, expected ${code}\n--- stdout\n${result.stdout}--- stderr\n${result.stderr}`,
  );
}

interface WebhookJson {
  id: string;
  enabled: boolean;
  secrets: string[];
  raw: Record<string, unknown>;
}

/** A webhook made through the adapter (set-up for a CLI test, without spending a spawn on it). */
async function seedHook(agent: string, url: string): Promise<WebhookJson> {
  const direct = await makeAdapter(talkover, cliEmu.baseUrl('talkover'), { agent });
  const made = await direct.create({ url, events: ['event_phone_call_ended'], name: 'CLI hook' });
  return { id: made.id, enabled: made.enabled === true, secrets: made.secrets, raw: made.raw };
}

describe('Talkover specifics: the CLI', { timeout: 90_000, concurrency: 4 }, () => {
  before(async () => {
    cliState = createTalkoverEmulator({ apiKey: KEY });
    cliEmu = await startEmulator({ providers: { talkover: cliState } });
    liveEmu = await startEmulator({
      providers: { talkover: createTalkoverEmulator({ apiKey: KEY, availableEvents: LIVE_EVENTS }) },
    });
  });
  after(async () => {
    await closeConnections();
    await cliEmu.close();
    await liveEmu.close();
  });

  it('toggle --off/--on set the state idempotently; no flag flips through …/toggle', async () => {
    const agent = randomUUID();
    const c = cli();
    const created = await seedHook(agent, 'https://example.com/toggle');
    const base = ['-p', 'talkover', '--agent', agent, '--json'];
    for (const [flag, wanted] of [
      ['--off', false],
      ['--off', false],
      ['--on', true],
    ] as const) {
      const result = await c.run(['toggle', created.id, flag, ...base]);
      expectCode(result, 0, `toggle ${flag}`);
      assert.equal((JSON.parse(result.stdout) as WebhookJson).enabled, wanted);
    }
    const flipped = await c.run(['toggle', created.id, ...base]);
    expectCode(flipped, 0, 'toggle');
    assert.equal((JSON.parse(flipped.stdout) as WebhookJson).enabled, false);
    assert.deepEqual(
      requestsOf(agent).map((r) => `${r.method} ${r.path.slice(`/agents/${agent}/webhooks`.length)}`),
      [
        'POST ',
        `PUT /${created.id}`,
        `PUT /${created.id}`,
        `PUT /${created.id}`,
        `PATCH /${created.id}/toggle`,
      ],
    );
  });

  it('test: a 2xx endpoint passes (exit 0), a 500 endpoint fails (exit 8), the report on stdout either way', async () => {
    const agent = randomUUID();
    const good = await localEndpoint(200);
    const bad = await localEndpoint(500, 'broken');
    const c = cli();
    const passing = await seedHook(agent, good.url);
    const failing = await seedHook(agent, bad.url);

    const ok = await c.run(['test', passing.id, '-p', 'talkover', '--agent', agent]);
    expectCode(ok, 0, 'test (passing)');
    const cells = ok.stdout.replace(/\n$/, '').split('\t');
    // The same fields as every provider's test report, the event (which Talkover's own test has not) blank.
    assert.deepEqual(cells.slice(0, 5), [passing.id, good.url, '', 'passed', '200']);
    assert.match(cells[5] ?? '', /^\d+$/);
    assert.equal(cells.length, 8);
    assert.equal(good.hits.length, 1);

    const failed = await c.run(['test', failing.id, '-p', 'talkover', '--agent', agent, '--json']);
    expectCode(failed, 8, 'test (failing)');
    const report = JSON.parse(failed.stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(report).sort(), [
      'id',
      'message',
      'passed',
      'provider',
      'responseTimeMs',
      'statusCode',
      'success',
      'url',
    ]);
    assert.equal(report.passed, false);
    assert.equal(report.success, false);
    assert.equal(report.statusCode, 500);
    assert.equal(typeof report.responseTimeMs, 'number');
    assert.equal(report.message, 'Webhook test failed: HTTP 500 Internal Server Error');
    const error = JSON.parse(failed.stderr.trim()) as { error: { code: string } };
    assert.equal(error.error.code, 'test_failed');

    const plain = await c.run(['test', failing.id, '-p', 'talkover', '--agent', agent]);
    expectCode(plain, 8, 'test (failing, piped)');
    assert.match(plain.stdout, new RegExp(`^${failing.id}\t${bad.url}\t\tfailed\t500\t\\d+\t`));
    assert.match(plain.stderr, /^Error: The test delivery to .* failed \(HTTP 500\)/);
    assert.equal(bad.hits.length, 2);
  });

  it('logs and redeliver on a provider without delivery logs exit 6, sending nothing', async () => {
    const server = await startEmulator({ apiKey: 'any' });
    try {
      const c = newCli({ baseUrl: server.baseUrl('ultravox'), apiKey: 'any' });
      expectCode(await c.run(['logs', UNKNOWN_ID, '-p', 'ultravox']), 6, 'logs -p ultravox');
      expectCode(await c.run(['redeliver', UNKNOWN_ID, 'abc', '-p', 'ultravox']), 6, 'redeliver -p ultravox');
      assert.deepEqual(server.requests, []);
    } finally {
      await server.close();
    }
  });

  it('logs pages through everything, with --limit and --status; redeliver; LOG_NOT_RETRIABLE exits 7', async () => {
    const agent = randomUUID();
    const target = await localEndpoint(200);
    const c = cli();
    const created = await seedHook(agent, target.url);
    cliState.seedLogs(created.id, 3, { status: 'success' });
    cliState.seedLogs(created.id, 2, { status: 'failed' });
    const newestFirst = cliState.logs(created.id);
    const base = ['-p', 'talkover', '--agent', agent];

    const all = await c.run(['logs', created.id, ...base, '--per-page', '2', '--json']);
    expectCode(all, 0, 'logs');
    assert.deepEqual(
      (JSON.parse(all.stdout) as DeliveryLog[]).map((l) => l.id),
      newestFirst.map((l) => l.id),
    );
    assert.equal(
      requestsOf(agent).filter((r) => r.path.endsWith('/logs')).length,
      3,
      'pages of 2 for 5 entries',
    );
    const limited = await c.run([
      'logs',
      created.id,
      ...base,
      '--per-page',
      '2',
      '--limit',
      '3',
      '--fields',
      'id,status',
    ]);
    expectCode(limited, 0, 'logs --limit');
    assert.equal(
      limited.stdout,
      newestFirst
        .slice(0, 3)
        .map((l) => `${l.id}\t${l.status}\n`)
        .join(''),
    );
    const failedOnly = await c.run(['logs', created.id, ...base, '--status', 'failed', '--json']);
    const failedLogs = JSON.parse(failedOnly.stdout) as DeliveryLog[];
    assert.deepEqual(
      failedLogs.map((l) => l.status),
      ['failed', 'failed'],
    );

    const toRetry = failedLogs[0]?.id ?? '';
    const retried = await c.run(['redeliver', created.id, toRetry, ...base, '--json']);
    expectCode(retried, 0, 'redeliver');
    const retriedJson = JSON.parse(retried.stdout) as Record<string, unknown>;
    assert.equal(retriedJson.originalLogId, toRetry);
    assert.equal(retriedJson.logId, cliState.logs(created.id)[0]?.id);
    assert.equal(target.hits.length, 1);

    const done = newestFirst.find((l) => l.status === 'success')?.id ?? '';
    const refused = await c.run(['redeliver', created.id, done, ...base]);
    expectCode(refused, 7, 'redeliver of a delivered log');
    assert.match(refused.stderr, /Log cannot be retried \(LOG_NOT_RETRIABLE\)/);
    assert.match(refused.stderr, /30 days/);
  });

  it('a missing agent without a terminal exits 2 naming --agent, sending nothing', async () => {
    const server = await startEmulator({ apiKey: KEY });
    try {
      const c = newCli({
        baseUrl: null,
        apiKey: null,
        env: { VOICEHOOKS_TALKOVER_BASE_URL: server.baseUrl('talkover'), VOICEHOOKS_TALKOVER_API_KEY: KEY },
      });
      for (const args of [['list'], ['test', UNKNOWN_ID]]) {
        const result = await c.run([...args, '-p', 'talkover']);
        expectCode(result, 2, args[0] ?? '');
        assert.match(
          result.stderr,
          /Missing --agent or --campaign \(Talkover webhooks belong to an agent or a campaign\)/,
        );
      }
      const badAgent = await c.run(['list', '-p', 'talkover', '--agent', 'nope']);
      expectCode(badAgent, 2, 'list --agent nope');
      assert.match(badAgent.stderr, /not a UUID/);
      assert.deepEqual(server.requests, []);
    } finally {
      await server.close();
    }
  });

  it('the agent comes from VOICEHOOKS_TALKOVER_AGENT too', async () => {
    const agent = randomUUID();
    const result = await cli({ VOICEHOOKS_TALKOVER_AGENT: agent }).run(['list', '-p', 'talkover', '--json']);
    expectCode(result, 0, 'list');
    assert.equal(result.stdout.trim(), '[]');
    assert.equal(requestsOf(agent).length, 1);
  });

  it('an agent marked missing exits 5 with Talkover’s words', async () => {
    const agent = randomUUID();
    cliState.setAgentMissing(agent);
    const result = await cli().run(['list', '-p', 'talkover', '--agent', agent]);
    expectCode(result, 5, 'list (missing agent)');
    assert.match(result.stderr, /Agent not found in this environment\./);
  });

  it('a field Talkover refuses exits 7 with its field errors shown; a bad key exits 4', async () => {
    // An event in the documented catalog (so the CLI sends it) that this agent's live catalog lacks.
    const result = await cli({ VOICEHOOKS_TALKOVER_BASE_URL: liveEmu.baseUrl('talkover') }).run([
      'create',
      '-p',
      'talkover',
      '--agent',
      AGENT,
      '--name',
      'x',
      '--url',
      'https://example.com/x',
      '--event',
      'event_phone_call_ended',
      '--event',
      'event_action_failed',
    ]);
    expectCode(result, 7, 'create with an event the agent lacks');
    assert.match(result.stderr, /Talkover: The given data was invalid\./);
    assert.match(result.stderr, /events\.1 \(--event\): The selected events\.1 is invalid\./);
    const badKey = await cli({ VOICEHOOKS_TALKOVER_API_KEY: 'wrong-key' }).run([
      'list',
      '-p',
      'talkover',
      '--agent',
      AGENT,
    ]);
    expectCode(badKey, 4, 'list with a bad key');
    assert.match(badKey.stderr, /INVALID_API_KEY/);
  });

  it('checks the input before sending (exit 2, naming the flag)', async () => {
    const agent = randomUUID();
    const c = cli();
    const base = ['create', '-p', 'talkover', '--agent', agent, '--event', 'event_action'];
    const cases: [string[], RegExp][] = [
      [['--url', 'https://example.com/x'], /Missing --name/],
      [
        ['--url', 'https://example.com/x', '--name', 'x', '--delivery-timeout', '4'],
        /--delivery-timeout must be a whole number from 5 to 120/,
      ],
      [
        ['--url', `https://example.com/${'a'.repeat(481)}`, '--name', 'x'],
        /--url is 501 characters; Talkover accepts at most 500/,
      ],
    ];
    for (const [extra, pattern] of cases) {
      const result = await c.run([...base, ...extra]);
      expectCode(result, 2, extra.join(' '));
      assert.match(result.stderr, pattern);
    }
    assert.deepEqual(requestsOf(agent), [], 'a request was sent');
  });

  it('--header and --payload-template reach Talkover as custom_headers and payload_templates, masked on output', async () => {
    const agent = randomUUID();
    const dir = mkdtempSync(join(tmpdir(), 'vh-template-'));
    try {
      const file = join(dir, 'ended.json');
      writeFileSync(file, '{"call": "{{call.id}}", "kind": "ended"}');
      const c = cli();
      const result = await c.run([
        'create',
        '-p',
        'talkover',
        '--agent',
        agent,
        '--name',
        'Headers',
        '--url',
        'https://example.com/h',
        '--event',
        'event_phone_call_ended',
        '--header',
        'X-Token=tok-1234567890',
        '--payload-template',
        `event_phone_call_ended=${file}`,
        '--secret',
        'given-secret-0987654321',
        '--debug',
        '--json',
      ]);
      expectCode(result, 0, 'create --header --payload-template --debug');
      const created = JSON.parse(result.stdout) as WebhookJson;
      // The trace shows the exchange but neither the key, the secret nor a header value.
      assert.match(result.stderr, /\[debug\] > POST http:\/\/127\.0\.0\.1:\d+\/talkover\/agents\//);
      for (const hidden of [KEY, 'given-secret-0987654321', 'tok-1234567890']) {
        assert.ok(!result.stderr.includes(hidden), `the trace shows ${hidden}`);
      }
      const stored = cliState.webhooks().find((w) => w.id === created.id);
      assert.deepEqual(stored?.custom_headers, [{ key: 'X-Token', value: 'tok-1234567890' }]);
      assert.deepEqual(stored?.payload_templates, {
        event_phone_call_ended: { call: '{{call.id}}', kind: 'ended' },
      });
      assert.ok(!result.stdout.includes('tok-1234567890'), 'a header value was printed');
      assert.equal(stored?.webhook_secret, 'given-secret-0987654321');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rotate-secret prints the new secret once; get shows none', async () => {
    const agent = randomUUID();
    const c = cli();
    const created = await seedHook(agent, 'https://example.com/r');
    const rotated = await c.run(['rotate-secret', created.id, '-p', 'talkover', '--agent', agent]);
    expectCode(rotated, 0, 'rotate-secret');
    const secret = rotated.stdout.trim();
    assert.equal(cliState.webhooks().find((w) => w.id === created.id)?.webhook_secret, secret);
    assert.match(rotated.stderr, /never shows a secret again/);
    const got = await c.run([
      'get',
      created.id,
      '-p',
      'talkover',
      '--agent',
      agent,
      '--json',
      '--show-secrets',
    ]);
    expectCode(got, 0, 'get');
    assert.ok(!got.stdout.includes(secret));
    assert.deepEqual((JSON.parse(got.stdout) as WebhookJson).secrets, []);
  });

  it('events: the live catalog when an agent is known, else the documented one', async () => {
    const c = cli({ VOICEHOOKS_TALKOVER_BASE_URL: liveEmu.baseUrl('talkover') });
    const live = await c.run(['events', '-p', 'talkover', '--agent', AGENT, '--json']);
    expectCode(live, 0, 'events --agent');
    assert.deepEqual(
      (JSON.parse(live.stdout) as { name: string }[]).map((e) => e.name),
      Object.keys(LIVE_EVENTS),
    );
    const documented = await c.run(['events', '-p', 'talkover', '--json']);
    expectCode(documented, 0, 'events');
    assert.equal((JSON.parse(documented.stdout) as unknown[]).length, 22);
    assert.match(documented.stderr, /documented Talkover catalog/);
  });

  it('the Talkover guide’s sequence runs as written (on free ports), every command exiting 0', async () => {
    // Its ports are swapped for free ones so that it can run beside the README test (which takes 4747); here
    // the output of each command is checked too.
    const source = readFileSync(join(ROOT, 'docs', 'providers', 'talkover.md'), 'utf8');
    const start = source.indexOf('<!-- talkover-quickstart -->');
    const end = source.indexOf('<!-- talkover-quickstartstop -->');
    const code = /```bash\n([\s\S]*?)```/.exec(source.slice(start, end))?.[1];
    assert.ok(start >= 0 && end > start && code, 'no talkover-quickstart block');
    const [emulatorPort, endpointPort] = [await freePort(), await freePort()];
    const script = code
      .replace('voicehooks emulator &', `voicehooks emulator --port ${emulatorPort} &`)
      .replace('voicehooks emulator env', `voicehooks emulator env --port ${emulatorPort}`)
      .replaceAll('8787', String(endpointPort));
    assert.notEqual(script, code);
    const config = mkdtempSync(join(tmpdir(), 'vh-readme-talkover-'));
    try {
      const run = await runBash(
        `set -e -o pipefail\ntrap 'echo "FAILED: $BASH_COMMAND (exit $?)" >&2' ERR\ntrap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n${script}`,
        { PATH: process.env.PATH ?? '', HOME: config, VOICEHOOKS_CONFIG_DIR: config, NO_COLOR: '1' },
      );
      assert.equal(run.code, 0, `the sequence failed:\n${run.stdout}\n${run.stderr}`);
      const lines = run.stdout.trim().split('\n');
      // list, toggle --off, toggle, test, logs, get: one line each.
      assert.equal(lines.length, 6, run.stdout);
      assert.match(lines[1] ?? '', /\tfalse\tdisabled\t/);
      assert.match(lines[2] ?? '', /\ttrue\tactive\t/);
      assert.match(lines[3] ?? '', /\tpassed\t200\t\d+\tTest webhook sent successfully\t$/);
      assert.match(lines[4] ?? '', /\twebhook\.test\t1\tsuccess\t200\t/);
    } finally {
      rmSync(config, { recursive: true, force: true });
    }
  });

  it('auth login checks the key against an agent when one is known, else stores it with a notice', async () => {
    const c = cli({ VOICEHOOKS_TALKOVER_API_KEY: undefined });
    const login = ['auth', 'login', '-p', 'talkover', '--with-token', '--json'];
    const refused = await c.run([...login, '--agent', AGENT], { stdin: 'wrong-key\n' });
    expectCode(refused, 4, 'login with a bad key');
    const checked = await c.run([...login, '--agent', AGENT], { stdin: `${KEY}\n` });
    expectCode(checked, 0, 'login');
    assert.equal((JSON.parse(checked.stdout) as { verified: boolean }).verified, true);
    const unchecked = await c.run(login, { stdin: 'unchecked-key\n' });
    expectCode(unchecked, 0, 'login without an agent');
    assert.equal((JSON.parse(unchecked.stdout) as { verified: boolean }).verified, false);
    assert.match(unchecked.stderr, /was not checked/);
  });
});

/** A port on 127.0.0.1 that was free a moment ago. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Runs a bash script without blocking the event loop (the emulators of this file serve meanwhile). */
function runBash(script: string, env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}
