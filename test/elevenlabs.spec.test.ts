// Holds ElevenLabs' wire traffic against its own API description, test/specs/elevenlabs.openapi.yaml (see
// test/specs/README.md) beyond what the contract suite checks: every request the adapter sends for every operation it uses (method, path, `xi-api-key`,
// query, body against the request schema), and every answer the emulator gives (against the response the spec
// declares for its status). Where ElevenLabs is silent (a 404 for an unknown webhook, a refused delete of a
// webhook in use) the emulator's answer departs from the spec on purpose, and the test names each departure.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startEmulator } from '../src/emulator/server.ts';
import type { RunningEmulator } from '../src/emulator/server.ts';
import { closeConnections } from '../src/http.ts';
import { createElevenLabsEmulator } from '../src/providers/elevenlabs/emulator.ts';
import { elevenlabs } from '../src/providers/elevenlabs/index.ts';
import { CONTRACT_API_KEY, collect, makeAdapter } from './contract.ts';
import { resolveRef, validate } from './helpers/json-schema.ts';
import { specChecker } from './helpers/spec-check.ts';

const FILE = 'elevenlabs.openapi.yaml';
const check = specChecker(FILE);
const spec = check.document;
const schemaOf = (name: string) => resolveRef(spec, `#/components/schemas/${name}`);
const AGENT = 'agent_7101k5zvyjhmfg983brhmhkd98n6';

describe('ElevenLabs spec: the schema checker', () => {
  it('accepts what the spec allows and refuses what it refuses', () => {
    const create = schemaOf('Body_Create_workspace_webhook_v1_workspace_webhooks_post');
    const good = { settings: { auth_type: 'hmac', name: 'A', webhook_url: 'https://example.com/a' } };
    assert.deepEqual(validate(good, create, spec), []);
    const refused: [unknown, RegExp][] = [
      [{ settings: { ...good.settings, auth_type: 'oauth2' } }, /is not "hmac"/],
      [{ settings: { auth_type: 'hmac', name: 'A' } }, /required property "webhook_url" is missing/],
      [
        { settings: { ...good.settings, request_headers: { A: 1 } } },
        /matches none of the 2 schemas of anyOf/,
      ],
    ];
    for (const [body, pattern] of refused) assert.match(validate(body, create, spec).join('\n'), pattern);
    const update = schemaOf('Body_Update_workspace_webhook_v1_workspace_webhooks__webhook_id__patch');
    assert.match(validate({ is_disabled: false }, update, spec).join(), /"name" is missing/);
    assert.match(
      validate({ is_disabled: false, name: 'A', events: ['transcript'] }, update, spec).join(),
      /matches none/,
    );
    const settings = schemaOf('PatchConvAISettingsRequest');
    assert.match(validate({ rag_retention_period_days: 0 }, settings, spec).join(), /not more than 0/);
  });
});

describe('ElevenLabs spec: requests the adapter sends', { timeout: 20_000 }, () => {
  let emulator: RunningEmulator;

  before(async () => {
    emulator = await startEmulator({
      providers: { elevenlabs: createElevenLabsEmulator({ apiKey: CONTRACT_API_KEY }) },
    });
  });
  after(async () => {
    await closeConnections();
    await emulator.close();
  });

  it('every operation it uses matches the spec: method, path, xi-api-key, query and body', async () => {
    const base = emulator.baseUrl('elevenlabs');
    const adapter = await makeAdapter(elevenlabs, base);
    const agentAdapter = await makeAdapter(elevenlabs, base, { agent: AGENT });
    const hook = await adapter.create({
      name: 'Spec calls',
      url: 'https://example.com/hooks/elevenlabs',
      events: ['post_call_transcription', 'speech_to_text'],
      headers: { 'X-Env': 'test' },
      maxRetries: 5,
    });
    const agentHook = await agentAdapter.create({
      name: 'Spec agent',
      url: 'https://example.com/hooks/agent',
      events: ['call_initiation_failure'],
      agentId: AGENT,
    });
    await collect(adapter.list());
    await adapter.get(hook.id);
    await adapter.update(hook.id, { name: 'Renamed', enabled: false, headers: {} });
    await adapter.update(hook.id, { events: ['flows'] });
    await adapter.setEnabled?.(hook.id, true);
    const recreated = await agentAdapter.recreate?.(agentHook.id, {});
    await agentAdapter.delete(recreated?.webhook.id ?? '');
    await adapter.delete(hook.id);

    const requests = emulator.requests;
    assert.deepEqual(
      requests.flatMap((r) => check.problems(r, CONTRACT_API_KEY)),
      [],
    );
    const covered = new Set(requests.map((r) => check.operationIdOf(r.method, r.path)));
    assert.deepEqual(
      [...covered].sort(),
      [...check.operationIds].sort(),
      'an operation of the spec went untried',
    );
    // The update always carries the two required fields, read from the list when not being changed.
    const patches = requests
      .filter((r) => r.method === 'PATCH' && r.path.startsWith('/v1/workspace/webhooks/'))
      .map((r) => JSON.parse(r.body) as Record<string, unknown>);
    assert.ok(patches.length >= 4);
    for (const body of patches) {
      assert.equal(typeof body.name, 'string');
      assert.equal(typeof body.is_disabled, 'boolean');
    }
  });
});

describe('ElevenLabs spec: answers the emulator gives', { timeout: 20_000 }, () => {
  let emulator: RunningEmulator;
  const problems: string[] = [];

  before(async () => {
    emulator = await startEmulator({
      providers: { elevenlabs: createElevenLabsEmulator({ apiKey: CONTRACT_API_KEY }) },
    });
  });
  after(() => emulator.close());

  async function call(method: string, path: string, body?: unknown, key = CONTRACT_API_KEY) {
    const res = await fetch(`${emulator.baseUrl('elevenlabs')}${path}`, {
      method,
      headers: { 'xi-api-key': key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const parsed = text === '' ? undefined : (JSON.parse(text) as unknown);
    problems.push(...check.answerProblems(method, path.split('?')[0] ?? path, res.status, parsed));
    return { status: res.status, body: parsed as Record<string, unknown> };
  }

  it('every answer, errors included, has the shape the spec declares for its status', async () => {
    const settings = { auth_type: 'hmac', name: 'A', webhook_url: 'https://example.com/a' };
    const created = await call('POST', '/v1/workspace/webhooks', { settings });
    assert.equal(created.status, 200);
    assert.equal(typeof created.body.webhook_secret, 'string');
    const id = String(created.body.webhook_id);
    const item = `/v1/workspace/webhooks/${id}`;
    const listed = await call('GET', '/v1/workspace/webhooks?include_usages=true');
    assert.equal(listed.status, 200);
    assert.equal(JSON.stringify(listed.body).includes(String(created.body.webhook_secret)), false);
    assert.equal((await call('GET', '/v1/workspace/webhooks')).status, 200);
    assert.equal(
      (await call('PATCH', item, { name: 'B', is_disabled: true, events: ['flows'] })).status,
      200,
    );
    assert.equal((await call('GET', '/v1/convai/settings')).status, 200);
    const webhooks = { post_call_webhook_id: id, events: ['transcript'] };
    assert.equal((await call('PATCH', '/v1/convai/settings', { webhooks })).status, 200);
    assert.equal((await call('GET', `/v1/convai/agents/${AGENT}`)).status, 200);
    const platform = { workspace_overrides: { webhooks } };
    assert.equal(
      (await call('PATCH', `/v1/convai/agents/${AGENT}`, { platform_settings: platform })).status,
      200,
    );

    // Validation errors: FastAPI's `{detail: [{loc, msg, type}]}`.
    assert.equal(
      (await call('POST', '/v1/workspace/webhooks', { settings: { ...settings, auth_type: 'mtls' } })).status,
      422,
    );
    assert.equal(
      (
        await call('POST', '/v1/workspace/webhooks', {
          settings: { ...settings, webhook_url: 'http://example.com' },
        })
      ).status,
      422,
    );
    assert.equal((await call('PATCH', item, { is_disabled: false })).status, 422);
    assert.equal(
      (await call('PATCH', item, { name: 'B', is_disabled: false, events: ['transcript'] })).status,
      422,
    );
    assert.equal((await call('GET', '/v1/workspace/webhooks?include_usages=maybe')).status, 422);
    assert.equal(
      (await call('PATCH', '/v1/convai/settings', { webhooks: { events: ['speech_to_text'] } })).status,
      422,
    );
    assert.equal((await call('GET', '/v1/workspace/webhooks', undefined, '')).status, 401);
    assert.equal((await call('GET', '/v1/workspace/webhooks', undefined, 'another-key')).status, 401);
    assert.deepEqual(problems, []);

    // Departures where ElevenLabs is silent: named, so that a new one cannot slip in.
    const inUse = await call('DELETE', item);
    assert.equal(inUse.status, 400);
    assert.equal((await call('DELETE', '/v1/workspace/webhooks/NoSuchWebhook')).status, 404);
    assert.deepEqual(problems, [
      `DELETE ${item} → 400: the spec declares no 400 for delete_workspace_webhook_route`,
      'DELETE /v1/workspace/webhooks/NoSuchWebhook → 404: the spec declares no 404 for delete_workspace_webhook_route',
    ]);
    problems.length = 0;
    await call('PATCH', '/v1/convai/settings', { webhooks: { post_call_webhook_id: null } });
    await call('PATCH', `/v1/convai/agents/${AGENT}`, {
      platform_settings: { workspace_overrides: { webhooks: { post_call_webhook_id: null } } },
    });
    assert.equal((await call('DELETE', item)).status, 200);
    assert.deepEqual(problems, []);
  });
});
