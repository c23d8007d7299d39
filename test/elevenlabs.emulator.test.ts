// The ElevenLabs emulator's deliveries (`emulator trigger -p elevenlabs`), received by a real local server:
// who gets a post-call or a workspace event, the signature and custom headers, success as exactly 200, retries
// only for post-call transcriptions with retry_enabled, and the auto-disable rule (10 or more consecutive
// failures and no success for 7 days, the days compressed by the time scale).
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startEmulator } from '../src/emulator/server.ts';
import type { RunningEmulator } from '../src/emulator/server.ts';
import { trigger } from '../src/emulator/trigger.ts';
import { closeConnections } from '../src/http.ts';
import { recordAttempt } from '../src/providers/elevenlabs/deliveries.ts';
import { createElevenLabsEmulator } from '../src/providers/elevenlabs/emulator.ts';
import type { ElevenLabsEmulator, ElevenLabsEntry } from '../src/providers/elevenlabs/emulator.ts';
import { elevenlabs } from '../src/providers/elevenlabs/index.ts';
import { elevenlabsSignature } from '../src/providers/elevenlabs/signature.ts';
import type { ProviderAdapter } from '../src/providers/types.ts';
import { CONTRACT_API_KEY, makeAdapter } from './contract.ts';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

const AGENT = 'agent_emulator_test_0001';

describe('ElevenLabs emulator deliveries', { timeout: 30_000 }, () => {
  let emulator: RunningEmulator;
  let state: ElevenLabsEmulator;
  let receiver: Server;
  let receiverUrl = '';
  const received: Received[] = [];
  /** The status the receiver answers, by path; 200 otherwise. */
  const answers = new Map<string, number>();

  before(async () => {
    state = createElevenLabsEmulator({ apiKey: CONTRACT_API_KEY });
    emulator = await startEmulator({ providers: { elevenlabs: state } });
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({
          path: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        res.statusCode = answers.get(req.url ?? '') ?? 200;
        res.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  });
  after(async () => {
    await closeConnections();
    await emulator.close();
    await new Promise((resolve) => receiver.close(resolve));
  });

  const adapter = (agentId?: string): Promise<ProviderAdapter> =>
    makeAdapter(elevenlabs, emulator.baseUrl('elevenlabs'), agentId ? { agent: agentId } : {});
  const fire = (event: string, timeScale = 0) =>
    trigger(emulator.providers, { provider: 'elevenlabs', event, timeScale });
  const at = (path: string) => received.filter((r) => r.path === path);

  it('post-call events go to the settings webhook and to each agent override, signed, with custom headers', async () => {
    const workspace = await (
      await adapter()
    ).create({
      name: 'Workspace',
      url: `${receiverUrl}/workspace`,
      events: ['post_call_transcription'],
      headers: { 'X-Env': 'test' },
    });
    const agent = await (
      await adapter(AGENT)
    ).create({
      name: 'Agent',
      url: `${receiverUrl}/agent`,
      events: ['post_call_transcription'],
      agentId: AGENT,
    });
    const deliveries = await fire('post_call_transcription');
    assert.deepEqual(deliveries.map((d) => d.webhookId).sort(), [workspace.id, agent.id].sort());
    assert.ok(deliveries.every((d) => d.delivered));
    const [toWorkspace] = at('/workspace');
    const [toAgent] = at('/agent');
    assert.ok(toWorkspace && toAgent);
    assert.equal(toWorkspace.headers['x-env'], 'test');
    for (const [delivery, hook] of [
      [toWorkspace, workspace],
      [toAgent, agent],
    ] as const) {
      const check = elevenlabsSignature.verify({
        body: Buffer.from(delivery.body),
        headers: delivery.headers as Record<string, string>,
        secrets: hook.secrets,
      });
      assert.equal(check.valid, true, check.detail);
      assert.equal((JSON.parse(delivery.body) as { type: string }).type, 'post_call_transcription');
    }
    assert.equal((JSON.parse(toAgent.body) as { data: { agent_id: string } }).data.agent_id, AGENT);
    // Only the switched-on events are sent: audio was not asked for.
    assert.deepEqual(await fire('post_call_audio'), []);
  });

  it('workspace events go to each enabled subscriber; the voice-library one arrives as voice_removal_notice', async () => {
    const a = await adapter();
    const on = await a.create({
      name: 'On',
      url: `${receiverUrl}/on`,
      events: ['voice_library_removal_notice'],
    });
    const off = await a.create({
      name: 'Off',
      url: `${receiverUrl}/off`,
      events: ['voice_library_removal_notice'],
      enabled: false,
    });
    const deliveries = await fire('voice_library_removal_notice');
    assert.deepEqual(
      deliveries.map((d) => d.webhookId),
      [on.id],
    );
    assert.equal((JSON.parse(at('/on')[0]?.body ?? '{}') as { type: string }).type, 'voice_removal_notice');
    assert.equal(at('/off').length, 0);
    void off;
  });

  it('only a 200 is a success, and only post-call transcriptions with retry_enabled are retried', async () => {
    const a = await adapter();
    answers.set('/retry', 503);
    answers.set('/no-content', 204);
    const retried = await a.create(
      {
        name: 'Retried',
        url: `${receiverUrl}/retry`,
        events: ['post_call_transcription', 'flows'],
        maxRetries: 5,
      },
      { replace: true },
    );
    const plain = await a.create({ name: '204', url: `${receiverUrl}/no-content`, events: ['flows'] });
    const transcription = (await fire('post_call_transcription')).find((d) => d.webhookId === retried.id);
    assert.equal(transcription?.attempts.length, 5);
    assert.equal(transcription?.delivered, false);
    const flows = await fire('flows');
    assert.equal(flows.find((d) => d.webhookId === retried.id)?.attempts.length, 1);
    const noContent = flows.find((d) => d.webhookId === plain.id);
    assert.equal(noContent?.delivered, false);
    assert.equal(noContent?.attempts[0]?.status, 204);
    assert.equal(
      state.webhooks().find((w) => w.webhook_id === plain.id)?.most_recent_failure_error_code,
      204,
    );
  });

  it('10 consecutive failures of a webhook never delivered auto-disable it; 9 do not', async () => {
    answers.set('/failing', 500);
    const a = await adapter();
    const hook = await a.create({ name: 'Failing', url: `${receiverUrl}/failing`, events: ['agent_qa'] });
    for (let i = 0; i < 9; i++) await fire('agent_qa');
    assert.equal((await a.get(hook.id)).status, 'active');
    const tenth = await fire('agent_qa');
    assert.equal(tenth[0]?.webhook.is_auto_disabled, true);
    const got = await a.get(hook.id);
    assert.equal(got.status, 'auto_disabled');
    assert.equal(got.enabled, false);
    // An auto-disabled webhook gets nothing more.
    const before = at('/failing').length;
    assert.deepEqual(await fire('agent_qa'), []);
    assert.equal(at('/failing').length, before);
  });

  it('its state survives a restart (--state): webhooks, secrets, hidden fields, settings and agents', () => {
    const copy = createElevenLabsEmulator({ apiKey: CONTRACT_API_KEY });
    copy.restore(JSON.parse(JSON.stringify(state.snapshot())));
    assert.deepEqual(copy.webhooks(), state.webhooks());
    for (const { webhook_id: id } of state.webhooks()) {
      assert.equal(copy.signingSecret(id), state.signingSecret(id));
      assert.deepEqual(copy.hidden(id), state.hidden(id));
    }
    assert.deepEqual(copy.settings(), state.settings());
    assert.deepEqual(copy.agent(AGENT), state.agent(AGENT));
    assert.throws(() => copy.restore({ webhooks: [{ webhook_id: 1 }] }), /malformed webhook/);
    assert.throws(() => copy.restore({ endpoints: [] }), /must be/);
  });

  it('the 7 days of the rule shrink with the time scale', async () => {
    const a = await adapter();
    const hook = await a.create({ name: 'Flaky', url: `${receiverUrl}/flaky`, events: ['flows'] });
    const only = (list: Awaited<ReturnType<typeof fire>>) => list.filter((d) => d.webhookId === hook.id);
    answers.set('/flaky', 200);
    assert.equal(only(await fire('flows'))[0]?.delivered, true);
    answers.set('/flaky', 500);
    // At a time scale of 1, the success is far less than 7 days old: 10 failures do not disable it.
    for (let i = 0; i < 10; i++) await fire('flows', 1);
    assert.equal((await a.get(hook.id)).status, 'active');
    // At a time scale of 0, the 7 days are nothing: the 11th failure does.
    assert.equal(only(await fire('flows', 0))[0]?.webhook.is_auto_disabled, true);
  });

  it('a success within the last 7 days (scaled) keeps a failing webhook enabled', () => {
    const entry = {
      webhook: {
        is_auto_disabled: false,
        most_recent_failure_error_code: null,
        most_recent_failure_timestamp: null,
      },
      consecutiveFailures: 0,
      lastSuccessMs: null,
    } as unknown as ElevenLabsEntry;
    const fail = { ok: false, status: 500, error: 'HTTP 500', latencyMs: 1 };
    const day = 86_400_000;
    const week = 7 * day;
    recordAttempt(entry, { ok: true, status: 200, error: null, latencyMs: 1 }, week, 0);
    for (let i = 0; i < 12; i++) recordAttempt(entry, fail, week, 6 * day);
    assert.equal(entry.consecutiveFailures, 12);
    assert.equal(entry.webhook.is_auto_disabled, false, '12 failures, but a success 6 days ago');
    recordAttempt(entry, fail, week, week + 1);
    assert.equal(entry.webhook.is_auto_disabled, true, 'more than 7 days since the last success');
    // The trigger compresses the 7 days like every wait: at 1/10 000, about a minute.
    const scaled = { ...entry, webhook: { ...entry.webhook, is_auto_disabled: false }, lastSuccessMs: 0 };
    recordAttempt(scaled, fail, week / 10_000, 61_000);
    assert.equal(scaled.webhook.is_auto_disabled, true);
  });
});
