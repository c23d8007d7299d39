// Talkover campaign webhooks (docs/providers/talkover.md §3): every command of the CLI run for a campaign
// against the emulator (the built CLI, spawned: `npm run build` first), the documented differences of the
// campaign answers read through the real adapter (partial objects, a test without status or time, log pages
// without `last_page`, the four 401 shapes), and apply of an agent webhook beside a campaign webhook.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startEmulator } from '../src/emulator/server.ts';
import type { RecordedRequest, RunningEmulator } from '../src/emulator/server.ts';
import { closeConnections } from '../src/http.ts';
import { createTalkoverEmulator } from '../src/providers/talkover/emulator.ts';
import type { TalkoverEmulator } from '../src/providers/talkover/emulator.ts';
import { talkover } from '../src/providers/talkover/index.ts';
import type { DeliveryLog } from '../src/providers/types.ts';
import type { TriggerDelivery } from '../src/emulator/trigger.ts';
import { CONTRACT_API_KEY, collect, makeAdapter, rejectsWithKind } from './contract.ts';
import { newCli, removeTempRoots } from './helpers/cli.ts';
import type { Cli, CliResult } from './helpers/cli.ts';

const KEY = CONTRACT_API_KEY;
const EVENTS = ['campaign.started', 'campaign.completed'];

let emu: RunningEmulator;
let state: TalkoverEmulator;
const servers: { close(): Promise<void> }[] = [];

before(async () => {
  state = createTalkoverEmulator({ apiKey: KEY });
  emu = await startEmulator({ providers: { talkover: state } });
});
after(async () => {
  await closeConnections();
  await Promise.all(servers.map((s) => s.close()));
  await emu.close();
  removeTempRoots();
});

function cli(env: Record<string, string | undefined> = {}): Cli {
  return newCli({
    baseUrl: null,
    apiKey: null,
    env: { VOICEHOOKS_TALKOVER_BASE_URL: emu.baseUrl('talkover'), VOICEHOOKS_TALKOVER_API_KEY: KEY, ...env },
  });
}

function expectCode(result: CliResult, code: number, what: string): void {
  assert.equal(
    result.code,
    code,
    `${what} exited ${result.code}, expected ${code}\n--- stdout\n${result.stdout}--- stderr\n${result.stderr}`,
  );
}

/** The requests made under one campaign (or agent). */
const under = (kind: 'campaigns' | 'agents', id: string): RecordedRequest[] =>
  emu.requests.filter((r) => r.path.startsWith(`/${kind}/${id}/`));
const writes = (requests: RecordedRequest[]) => requests.filter((r) => r.method !== 'GET');

interface Endpoint {
  url: string;
  hits: { method: string; body: string }[];
}

/** A delivery endpoint on 127.0.0.1 answering `status`. */
async function endpoint(status: number): Promise<Endpoint> {
  const hits: Endpoint['hits'] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      hits.push({ method: req.method ?? '', body });
      res.writeHead(status).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push({
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`, hits };
}

interface WebhookJson {
  id: string;
  url: string;
  name: string | null;
  events: string[];
  enabled: boolean;
  agentId: string | null;
  raw: Record<string, unknown>;
}

describe('Talkover campaign webhooks: every command', { timeout: 120_000, concurrency: 4 }, () => {
  it('create shows the whole webhook (read back) and says so; get, list, update, toggle, delete', async () => {
    const campaign = randomUUID();
    const c = cli();
    const base = ['-p', 'talkover', '--campaign', campaign];
    const made = await c.run([
      'create',
      ...base,
      '--name',
      'Lifecycle',
      '--url',
      'https://example.com/campaign-events',
      '--event',
      'campaign.started',
      '--event',
      'campaign.completed',
      '--include-call-events',
      '--json',
    ]);
    expectCode(made, 0, 'create');
    const created = JSON.parse(made.stdout) as WebhookJson;
    // Talkover's create answer has no webhook_url: the webhook shown was read back, and stderr says so.
    assert.equal(created.url, 'https://example.com/campaign-events');
    assert.equal(created.raw.campaign_id, campaign);
    assert.equal(created.raw.include_call_events, true);
    assert.equal(created.raw.timeout, 30);
    assert.equal(created.agentId, null);
    assert.match(
      made.stderr,
      /part of the webhook \(no webhook_url, timeout, max_retries\); the webhook shown was read back with GET/,
    );
    assert.match(made.stderr, new RegExp(`test ${created.id} -p talkover --campaign ${campaign}`));
    assert.deepEqual(
      under('campaigns', campaign).map((r) => `${r.method} ${r.path.split('/webhooks')[1] ?? ''}`),
      ['POST ', `GET /${created.id}`],
    );

    const got = await c.run(['get', created.id, ...base, '--json']);
    expectCode(got, 0, 'get');
    assert.equal((JSON.parse(got.stdout) as WebhookJson).name, 'Lifecycle');

    const listed = await c.run(['list', ...base, '--event', 'campaign.completed', '--json']);
    expectCode(listed, 0, 'list');
    assert.deepEqual(
      (JSON.parse(listed.stdout) as WebhookJson[]).map((w) => w.id),
      [created.id],
    );
    // The event filter is checked against the campaign catalog: an agent event is refused before any request.
    const before = under('campaigns', campaign).length;
    const wrongFilter = await c.run(['list', ...base, '--event', 'event_phone_call_ended']);
    expectCode(wrongFilter, 2, 'list --event (agent event)');
    assert.equal(under('campaigns', campaign).length, before);

    const updated = await c.run([
      'update',
      created.id,
      ...base,
      '--add-event',
      'campaign_call.failed',
      '--no-include-call-events',
      '--json',
    ]);
    expectCode(updated, 0, 'update');
    const afterUpdate = JSON.parse(updated.stdout) as WebhookJson;
    // The update answer has only id, events, include_call_events and updated_at: the rest was read back.
    assert.equal(afterUpdate.url, 'https://example.com/campaign-events');
    assert.equal(afterUpdate.name, 'Lifecycle');
    assert.deepEqual(afterUpdate.events, [...EVENTS, 'campaign_call.failed']);
    assert.equal(afterUpdate.raw.include_call_events, false);
    assert.match(updated.stderr, /campaign webhook update with part of the webhook/);

    const off = await c.run(['toggle', created.id, ...base, '--off', '--json']);
    expectCode(off, 0, 'toggle --off');
    assert.equal((JSON.parse(off.stdout) as WebhookJson).enabled, false);
    const flipped = await c.run(['toggle', created.id, ...base, '--json']);
    expectCode(flipped, 0, 'toggle');
    const whole = JSON.parse(flipped.stdout) as WebhookJson;
    // The toggle answer is {id, enabled}: the webhook shown is whole.
    assert.equal(whole.enabled, true);
    assert.equal(whole.url, 'https://example.com/campaign-events');
    assert.match(flipped.stderr, /campaign webhook toggle with part of the webhook/);
    assert.ok(under('campaigns', campaign).some((r) => r.method === 'PATCH' && r.path.endsWith('/toggle')));

    const deleted = await c.run(['delete', created.id, ...base, '--yes']);
    expectCode(deleted, 0, 'delete');
    expectCode(await c.run(['get', created.id, ...base]), 5, 'get after delete');
    assert.equal(state.webhooks().filter((w) => w.campaign_id === campaign).length, 0);
  });

  it('agent events, and --include-call-events on an agent webhook, are usage errors before any request', async () => {
    const campaign = randomUUID();
    const agent = randomUUID();
    const c = cli();
    const agentEvent = await c.run([
      'create',
      '-p',
      'talkover',
      '--campaign',
      campaign,
      '--name',
      'x',
      '--url',
      'https://example.com/x',
      '--event',
      'event_phone_call_ended',
    ]);
    expectCode(agentEvent, 2, 'create with an agent event');
    assert.match(
      agentEvent.stderr,
      /--event "event_phone_call_ended" is a Talkover agent event; Talkover campaign webhooks take the campaign catalog\./,
    );
    assert.match(agentEvent.stderr, new RegExp(`voicehooks events -p talkover --campaign ${campaign}`));
    assert.match(agentEvent.stderr, /For an agent webhook pass --agent UUID/);
    const flagOnAgent = await c.run([
      'create',
      '-p',
      'talkover',
      '--agent',
      agent,
      '--name',
      'x',
      '--url',
      'https://example.com/x',
      '--event',
      'event_phone_call_ended',
      '--include-call-events',
    ]);
    expectCode(flagOnAgent, 2, 'create --include-call-events for an agent');
    assert.match(flagOnAgent.stderr, /--include-call-events is for campaign webhooks only/);
    const campaignEventOnAgent = await c.run([
      'update',
      randomUUID(),
      '-p',
      'talkover',
      '--agent',
      agent,
      '--event',
      'campaign.completed',
    ]);
    expectCode(campaignEventOnAgent, 2, 'update an agent webhook with a campaign event');
    assert.match(
      campaignEventOnAgent.stderr,
      /is a Talkover campaign event; Talkover agent webhooks take the agent catalog/,
    );
    assert.deepEqual(
      [...under('campaigns', campaign), ...under('agents', agent)],
      [],
      'a refused command sent a request',
    );
  });

  it('scope from flag, env and profile: a flag wins; agent and campaign at one level are refused', async () => {
    const campaign = randomUUID();
    const agent = randomUUID();
    const both = cli({ VOICEHOOKS_TALKOVER_AGENT: agent, VOICEHOOKS_TALKOVER_CAMPAIGN: campaign });
    const refused = await both.run(['list', '-p', 'talkover']);
    expectCode(refused, 2, 'list with both scopes in env');
    assert.match(
      refused.stderr,
      /VOICEHOOKS_TALKOVER_AGENT and VOICEHOOKS_TALKOVER_CAMPAIGN are alternatives/,
    );
    const flagWins = await both.run(['list', '-p', 'talkover', '--campaign', campaign, '--json']);
    expectCode(flagWins, 0, 'list --campaign over env');
    assert.ok(emu.requests.some((r) => r.path === `/campaigns/${campaign}/webhooks`));

    const fromEnv = cli({ VOICEHOOKS_TALKOVER_CAMPAIGN: campaign });
    expectCode(await fromEnv.run(['list', '-p', 'talkover', '--json']), 0, 'list, campaign from env');
    const profile = cli();
    expectCode(
      await profile.run(['config', 'set', 'talkover.campaign', campaign]),
      0,
      'config set talkover.campaign',
    );
    const listed = await profile.run(['list', '-p', 'talkover', '--json']);
    expectCode(listed, 0, 'list, campaign from the profile');
    const flags = await profile.run(['list', '-p', 'talkover', '--agent', agent, '--json']);
    expectCode(flags, 0, 'list --agent over a profile campaign');
    assert.ok(emu.requests.some((r) => r.path === `/agents/${agent}/webhooks`));
  });

  it('test: no status code or time from Talkover, the delivery in the logs; logs pages without last_page; redeliver', async () => {
    const campaign = randomUUID();
    const target = await endpoint(200);
    const c = cli();
    const base = ['-p', 'talkover', '--campaign', campaign];
    const direct = await makeAdapter(talkover, emu.baseUrl('talkover'), { campaign });
    const hook = await direct.create({ url: target.url, events: EVENTS, name: 'Tested' });

    const tested = await c.run(['test', hook.id, ...base, '--json']);
    expectCode(tested, 0, 'test');
    const report = JSON.parse(tested.stdout) as Record<string, unknown>;
    assert.equal(report.passed, true);
    assert.equal(report.statusCode, null);
    assert.equal(report.responseTimeMs, null);
    assert.equal(report.message, 'Test payload dispatched');
    assert.equal(report.url, target.url);
    assert.match(tested.stderr, /no status code or time for a campaign webhook test/);
    const test = under('campaigns', campaign).find((r) => r.path.endsWith('/test'));
    assert.equal(test?.body, '', 'the campaign test has no body');
    // "one synthetic event matching the webhook's subscribed events"
    assert.equal((JSON.parse(target.hits[0]?.body ?? '{}') as { event?: string }).event, 'campaign.started');
    const url = await c.run(['test', hook.id, ...base, '--url', 'http://127.0.0.1:9/x']);
    expectCode(url, 2, 'test --url of a campaign webhook');
    assert.match(url.stderr, /--url cannot be given for a campaign webhook/);

    state.seedLogs(hook.id, 4, { status: 'failed', event: 'campaign.completed' });
    const all = await c.run(['logs', hook.id, ...base, '--per-page', '2', '--json']);
    expectCode(all, 0, 'logs');
    const entries = JSON.parse(all.stdout) as DeliveryLog[];
    assert.equal(entries.length, 5, 'the test delivery and the 4 seeded, over 3 pages without last_page');
    const pages = under('campaigns', campaign).filter((r) => r.path.endsWith('/logs'));
    assert.deepEqual(
      pages.map((r) => new URLSearchParams(r.query).get('page')),
      ['1', '2', '3'],
    );
    const failed = entries.find((e) => e.status === 'failed');
    assert.ok(failed);
    const redone = await c.run(['redeliver', hook.id, failed.id, ...base, '--json']);
    expectCode(redone, 0, 'redeliver');
    const redelivery = JSON.parse(redone.stdout) as Record<string, unknown>;
    assert.equal(redelivery.originalLogId, failed.id);
    assert.equal(redelivery.queuedAt, null);
    assert.equal(redelivery.message, 'Webhook retry queued');
    assert.equal(target.hits.length, 2);
  });

  it('events: the campaign catalog (13), live with a key, documented without one', async () => {
    const campaign = randomUUID();
    const live = await cli().run(['events', '-p', 'talkover', '--campaign', campaign, '--json']);
    expectCode(live, 0, 'events --campaign');
    const names = (JSON.parse(live.stdout) as { name: string }[]).map((e) => e.name);
    assert.equal(names.length, 13);
    assert.ok(names.includes('campaign_call.retry_scheduled') && names.includes('event_call_report'));
    assert.ok(emu.requests.some((r) => r.path === `/campaigns/${campaign}/webhooks`));
    const documented = await cli({ VOICEHOOKS_TALKOVER_API_KEY: undefined }).run([
      'events',
      '-p',
      'talkover',
      '--campaign',
      campaign,
      '--json',
    ]);
    expectCode(documented, 0, 'events --campaign without a key');
    assert.deepEqual(
      (JSON.parse(documented.stdout) as { name: string }[]).map((e) => e.name),
      talkover.events({ campaign }).map((e) => e.name),
    );
  });

  it('auth login checks the key against a campaign', async () => {
    const campaign = randomUUID();
    const c = cli({ VOICEHOOKS_TALKOVER_API_KEY: undefined });
    const login = ['auth', 'login', '-p', 'talkover', '--with-token', '--campaign', campaign, '--json'];
    expectCode(await c.run(login, { stdin: 'wrong-key-123456\n' }), 4, 'login with a bad key');
    const checked = await c.run(login, { stdin: `${KEY}\n` });
    expectCode(checked, 0, 'login');
    assert.equal((JSON.parse(checked.stdout) as { verified: boolean }).verified, true);
    assert.ok(emu.requests.some((r) => r.path === `/campaigns/${campaign}/webhooks`));
  });

  it('rotate-secret sets a new secret on a campaign webhook', async () => {
    const campaign = randomUUID();
    const direct = await makeAdapter(talkover, emu.baseUrl('talkover'), { campaign });
    const hook = await direct.create({ url: 'https://example.com/r', events: EVENTS, name: 'R' });
    const rotated = await cli().run(['rotate-secret', hook.id, '-p', 'talkover', '--campaign', campaign]);
    expectCode(rotated, 0, 'rotate-secret');
    assert.equal(state.webhooks().find((w) => w.id === hook.id)?.webhook_secret, rotated.stdout.trim());
  });

  it('emulator trigger campaign.completed --campaign: its webhooks only; per-call events only with include_call_events', async () => {
    const campaign = randomUUID();
    const other = randomUUID();
    const target = await endpoint(200);
    const mine = await makeAdapter(talkover, emu.baseUrl('talkover'), { campaign });
    const theirs = await makeAdapter(talkover, emu.baseUrl('talkover'), { campaign: other });
    const plain = await mine.create({ url: target.url, events: EVENTS, name: 'Plain' });
    const calls = await mine.create({
      url: target.url,
      events: EVENTS,
      name: 'With calls',
      includeCallEvents: true,
    });
    await theirs.create({ url: target.url, events: EVENTS, name: 'Other campaign' });
    const c = cli();
    const run = (event: string) =>
      c.run([
        'emulator',
        'trigger',
        event,
        '-p',
        'talkover',
        '--campaign',
        campaign,
        '--emulator',
        emu.url,
        '--json',
      ]);
    const lines = (r: CliResult) =>
      r.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as TriggerDelivery);

    const completed = await run('campaign.completed');
    expectCode(completed, 0, 'trigger campaign.completed');
    assert.deepEqual(
      lines(completed)
        .map((d) => d.webhookId)
        .sort(),
      [plain.id, calls.id].sort(),
    );
    const payload = JSON.parse(target.hits[0]?.body ?? '{}') as Record<string, unknown>;
    assert.equal(payload.event, 'campaign.completed');
    assert.equal(payload.campaign_id, campaign);

    const perCall = await run('event_call_report');
    expectCode(perCall, 0, 'trigger event_call_report');
    assert.deepEqual(
      lines(perCall).map((d) => d.webhookId),
      [calls.id],
    );
    assert.equal(state.logs(calls.id).length, 2);

    // An agent event is not a campaign event: refused before the emulator is asked; and without --campaign a
    // campaign event is not an agent one.
    const wrong = await run('event_phone_call_ended');
    expectCode(wrong, 2, 'trigger an agent event for a campaign');
    const unscoped = await c.run([
      'emulator',
      'trigger',
      'campaign.completed',
      '-p',
      'talkover',
      '--emulator',
      emu.url,
    ]);
    expectCode(unscoped, 2, 'trigger a campaign event without --campaign');
    assert.match(unscoped.stderr, /For a campaign webhook pass --campaign UUID/);
    assert.equal(state.logs(calls.id).length, 2, 'a refused trigger delivered');
  });
});

describe(
  'Talkover campaign webhooks: apply, diff and export with an agent webhook beside',
  { timeout: 120_000 },
  () => {
    it('apply converges, a second apply sends no write, diff agrees, export writes agent: and campaign: entries', async () => {
      const agent = randomUUID();
      const campaign = randomUUID();
      const c = cli();
      const file = join(c.configDir, '..', 'webhooks.yaml');
      writeFileSync(
        file,
        [
          'webhooks:',
          '  - provider: talkover',
          `    agent: ${agent}`,
          '    name: Calls',
          '    url: https://example.com/agent-hook',
          '    events: [event_phone_call_ended]',
          '    maxRetries: 5',
          '  - provider: talkover',
          `    campaign: ${campaign}`,
          '    name: Lifecycle',
          '    url: https://example.com/campaign-hook',
          '    events: [campaign.started, campaign.completed]',
          '    includeCallEvents: true',
          '    deliveryTimeout: 45',
          '',
        ].join('\n'),
      );
      const first = await c.run(['apply', '-f', file, '--json']);
      expectCode(first, 0, 'apply');
      const summary = JSON.parse(first.stdout) as {
        counts: Record<string, number>;
        items: { scope: string }[];
      };
      assert.equal(summary.counts.created, 2);
      assert.deepEqual(
        summary.items.map((i) => i.scope).sort(),
        [`agent:${agent}`, `campaign:${campaign}`].sort(),
      );
      const stored = state.webhooks().find((w) => w.campaign_id === campaign);
      assert.equal(stored?.include_call_events, true);
      assert.equal(stored?.timeout, 45);

      const mark = emu.requests.length;
      const second = await c.run(['apply', '-f', file, '--json']);
      expectCode(second, 0, 'second apply');
      assert.equal((JSON.parse(second.stdout) as { counts: Record<string, number> }).counts.unchanged, 2);
      const sent = emu.requests.slice(mark);
      assert.deepEqual(writes(sent), [], 'the second apply sent a write');
      assert.ok(sent.some((r) => r.path === `/campaigns/${campaign}/webhooks`));
      assert.ok(sent.some((r) => r.path === `/agents/${agent}/webhooks`));
      expectCode(await c.run(['diff', '-f', file]), 0, 'diff after apply');

      // Drift on the campaign side is found and fixed field by field.
      const direct = await makeAdapter(talkover, emu.baseUrl('talkover'), { campaign });
      await direct.update(stored?.id ?? '', { includeCallEvents: false });
      const drift = await c.run(['diff', '-f', file, '--json']);
      expectCode(drift, 10, 'diff with drift');
      assert.match(drift.stdout, /"field": "includeCallEvents"/);
      expectCode(await c.run(['apply', '-f', file]), 0, 'apply fixing drift');
      assert.equal(state.webhooks().find((w) => w.campaign_id === campaign)?.include_call_events, true);

      const exported = await c.run(['export', '-p', 'talkover', '--agent', agent, '--campaign', campaign]);
      expectCode(exported, 0, 'export');
      assert.match(exported.stdout, new RegExp(`agent: ${agent}`));
      assert.match(exported.stdout, new RegExp(`campaign: ${campaign}`));
      assert.match(exported.stdout, /includeCallEvents: true/);
      const again = join(c.configDir, '..', 'exported.yaml');
      writeFileSync(again, exported.stdout);
      const mark2 = emu.requests.length;
      const reapplied = await c.run(['apply', '-f', again, '--json']);
      expectCode(reapplied, 0, 'apply of the export');
      assert.deepEqual(writes(emu.requests.slice(mark2)), [], 'applying the export sent a write');

      const bothKeys = join(c.configDir, '..', 'both.yaml');
      writeFileSync(
        bothKeys,
        `webhooks:\n  - provider: talkover\n    agent: ${agent}\n    campaign: ${campaign}\n    name: x\n    url: https://example.com/x\n    events: [campaign.started]\n`,
      );
      const refused = await c.run(['apply', '-f', bothKeys]);
      expectCode(refused, 2, 'an entry with agent and campaign');
      assert.match(refused.stderr, /campaign and "agent" are alternatives/);
    });
  },
);

// ---------------------------------------------------------------------------------------------------------
// The adapter against a stand-in Talkover that answers as the docs show and as they leave open.

async function fakeTalkover(
  respond: (req: IncomingMessage, res: ServerResponse, body: string) => void,
): Promise<{ baseUrl: string; hits: string[]; close(): Promise<void> }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    hits.push(`${req.method ?? ''} ${req.url ?? ''}`);
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => respond(req, res, body));
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

const json = (res: ServerResponse, status: number, body: unknown) =>
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

describe(
  'Talkover campaign webhooks: the adapter and the documented differences',
  { timeout: 30_000 },
  () => {
    const CAMPAIGN = '11111111-1111-4111-8111-111111111111';
    const HOOK = '22222222-2222-4222-8222-222222222222';

    it('the four 401 shapes become exit 4 with Talkover’s words', async () => {
      const shapes: [unknown, RegExp][] = [
        [{ message: 'Missing Bearer Token' }, /Talkover: Missing Bearer Token/],
        [{ success: false, message: 'Unauthorized' }, /Talkover: Unauthorized/],
        [
          { error: 'TOKEN_EXPIRED', message: 'The token has expired.', status_code: 401 },
          /Talkover: The token has expired\. \(TOKEN_EXPIRED\)/,
        ],
        [
          { success: false, error: { code: 'INVALID_API_KEY', message: 'Invalid API key.', details: {} } },
          /Talkover: Invalid API key\. \(INVALID_API_KEY\)/,
        ],
      ];
      for (const [body, message] of shapes) {
        const fake = await fakeTalkover((_req, res) => json(res, 401, body));
        try {
          const adapter = await makeAdapter(talkover, fake.baseUrl, { campaign: CAMPAIGN });
          const error = await rejectsWithKind(collect(adapter.list()), 'auth');
          assert.match(error.message, message);
        } finally {
          await fake.close();
        }
      }
    });

    it('a partial answer whose read-back fails is merged with what was sent, and the notice says so', async () => {
      const fake = await fakeTalkover((req, res) => {
        if (req.method === 'POST') {
          json(res, 200, {
            success: true,
            data: {
              id: HOOK,
              campaign_id: CAMPAIGN,
              name: 'Lifecycle Webhook',
              events: ['campaign.started'],
              enabled: true,
              include_call_events: false,
              created_at: '2024-01-15T15:00:00Z',
            },
          });
        } else json(res, 500, { success: false, message: 'Internal server error.' });
      });
      const warnings: string[] = [];
      try {
        const adapter = await makeAdapter(
          talkover,
          fake.baseUrl,
          { campaign: CAMPAIGN },
          { warn: (line) => warnings.push(line), maxWaitMs: 0 },
        );
        const made = await adapter.create({
          url: 'https://example.com/campaign-events',
          events: ['campaign.started'],
          name: 'Lifecycle Webhook',
        });
        assert.equal(made.id, HOOK);
        assert.equal(made.url, 'https://example.com/campaign-events');
        assert.equal(made.raw.campaign_id, CAMPAIGN);
        assert.match(warnings.join('\n'), /merged with what was sent/);
        assert.equal(fake.hits.filter((h) => h.startsWith('POST')).length, 1, 'the create was repeated');
      } finally {
        await fake.close();
      }
    });

    it('log pages without last_page or total end at a short page; "Campaign not found" hints at the campaign', async () => {
      const entry = (n: number) => ({
        id: `log-${n}`,
        event: 'campaign.started',
        attempt: 1,
        status: 'success',
      });
      const fake = await fakeTalkover((req, res) => {
        const url = new URL(req.url ?? '/', 'http://x');
        if (url.pathname.endsWith('/logs')) {
          const page = Number(url.searchParams.get('page'));
          const data = page === 1 ? [entry(1), entry(2)] : page === 2 ? [entry(3)] : [];
          json(res, 200, { success: true, data, pagination: { current_page: page, per_page: 2 } });
        } else json(res, 404, { success: false, message: 'Campaign not found' });
      });
      try {
        const adapter = await makeAdapter(talkover, fake.baseUrl, { campaign: CAMPAIGN });
        const logs: DeliveryLog[] = [];
        for await (const log of adapter.logs?.(HOOK, { perPage: 2 }) ?? []) logs.push(log);
        assert.deepEqual(
          logs.map((l) => l.id),
          ['log-1', 'log-2', 'log-3'],
        );
        assert.equal(fake.hits.filter((h) => h.includes('/logs')).length, 2);
        const error = await rejectsWithKind(adapter.get(HOOK), 'notFound');
        assert.match(error.hint ?? '', /Check the campaign id \(--campaign, VOICEHOOKS_TALKOVER_CAMPAIGN/);
      } finally {
        await fake.close();
      }
    });
  },
);
