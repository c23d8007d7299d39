// Holds OpenAI's wire traffic against its own API description, test/specs/openai-webhooks.openapi.yaml
// (provenance in test/specs/README.md): every request the adapter sends for each operation (method, path,
// Bearer key, the OpenAI-Organization/OpenAI-Project headers, query, body against the request schema with
// `additionalProperties: false`), and every answer the emulator gives, errors included, against the response
// schema of its status. The checker is test/helpers/spec-check.ts, the contract suite's.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startEmulator } from '../src/emulator/server.ts';
import type { RunningEmulator } from '../src/emulator/server.ts';
import { closeConnections } from '../src/http.ts';
import { createOpenAIEmulator } from '../src/providers/openai/emulator.ts';
import type { OpenAIEmulator } from '../src/providers/openai/emulator.ts';
import { openai } from '../src/providers/openai/index.ts';
import { CONTRACT_API_KEY, collect, makeAdapter } from './contract.ts';
import { resolveRef, validate } from './helpers/json-schema.ts';
import { specChecker } from './helpers/spec-check.ts';

const check = specChecker('openai-webhooks.openapi.yaml');
const spec = check.document;
const schemaOf = (name: string) => resolveRef(spec, `#/components/schemas/${name}`);

/** A loopback endpoint that answers 204 to everything, for the native test. */
async function sink(): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('OpenAI spec: the schema checker', () => {
  it('reads anyOf and the spec examples, and refuses what the spec refuses', () => {
    const create = schemaOf('PublicCreateEndpointBody');
    const valid = { name: 'Calls', url: 'https://example.com/hook', event_types: ['realtime.call.incoming'] };
    assert.deepEqual(validate(valid, create, spec), []);
    const refused: [Record<string, unknown>, RegExp][] = [
      [{ ...valid, enabled: true }, /property "enabled" is not allowed/],
      [{ ...valid, url: 'http://example.com/hook' }, /does not match \^https:\/\//],
      [{ ...valid, event_types: [] }, /fewer than 1 items/],
      [{ ...valid, event_types: ['call.ended'] }, /is not one of/],
      [{ ...valid, name: '' }, /shorter than 1/],
      [{ url: valid.url, event_types: valid.event_types }, /required property "name" is missing/],
    ];
    for (const [body, pattern] of refused) {
      assert.match(validate(body, create, spec).join('\n'), pattern, JSON.stringify(body));
    }
    const endpoint = schemaOf('WebhookEndpointBody');
    const item = {
      id: 'whe_123',
      object: 'webhook_endpoint',
      created_at: 1750861210,
      name: 'x',
      url: 'https://example.com',
      event_types: [],
    };
    assert.deepEqual(validate({ ...item, signing_secret_hint: null }, endpoint, spec), []);
    assert.match(
      validate({ ...item, signing_secret_hint: 5 }, endpoint, spec).join(),
      /matches none of the 2 schemas of anyOf/,
    );
  });
});

describe('OpenAI spec: requests the adapter sends', { timeout: 30_000 }, () => {
  let emulator: RunningEmulator;
  let state: OpenAIEmulator;

  before(async () => {
    state = createOpenAIEmulator({ apiKey: CONTRACT_API_KEY });
    emulator = await startEmulator({ providers: { openai: state } });
  });
  after(async () => {
    await closeConnections();
    await emulator.close();
  });

  it('every operation matches the spec: method, path, Bearer key, account headers, query and body', async () => {
    const receiver = await sink();
    try {
      const adapter = await makeAdapter(openai, emulator.baseUrl('openai'), {
        organization: 'org-spec',
        project: 'proj_spec',
      });
      const hook = await adapter.create({
        name: 'Spec calls',
        url: 'https://example.com/hooks/openai',
        events: ['realtime.call.incoming', 'response.completed'],
      });
      state.seed(120);
      await collect(adapter.list());
      await collect(adapter.list({ limit: 3 }));
      await adapter.get(hook.id);
      await adapter.update(hook.id, { url: 'https://example.com/hooks/openai-v2' });
      await adapter.update(hook.id, { name: 'Renamed', events: ['batch.completed'] });
      await adapter.rotateSecret(hook.id, { revokeOld: false });
      await adapter.rotateSecret(hook.id, { revokeOld: true });
      const local = await adapter.create({ name: 'Local', url: receiver.url, events: ['batch.completed'] });
      await adapter.test?.(local.id, { event: 'batch.completed' });
      await adapter.liveEvents?.();
      await adapter.delete(hook.id);

      // The one departure is on purpose: the native test needs an endpoint the emulator can reach (loopback).
      const loopback = `POST /webhook_endpoints body.url: ${JSON.stringify(receiver.url)} does not match ^https://`;
      assert.deepEqual(
        emulator.requests.flatMap((r) => check.problems(r, CONTRACT_API_KEY)),
        [loopback],
      );
      for (const r of emulator.requests) {
        assert.equal(r.headers['openai-organization'], 'org-spec');
        assert.equal(r.headers['openai-project'], 'proj_spec');
      }
      const covered = new Set(emulator.requests.map((r) => check.operationIdOf(r.method, r.path)));
      assert.deepEqual(
        [...covered].sort(),
        [...check.operationIds].sort(),
        'an operation of the spec went untried',
      );
      // Bodies carry exactly the fields given, named as the spec names them; a partial update sends one field.
      const bodies = emulator.requests
        .filter((r) => r.body !== '')
        .map((r) => [r.path.replace(/whe_\w+/, 'ID'), JSON.parse(r.body)]);
      assert.deepEqual(bodies, [
        [
          '/webhook_endpoints',
          {
            name: 'Spec calls',
            url: 'https://example.com/hooks/openai',
            event_types: ['realtime.call.incoming', 'response.completed'],
          },
        ],
        ['/webhook_endpoints/ID', { url: 'https://example.com/hooks/openai-v2' }],
        ['/webhook_endpoints/ID', { name: 'Renamed', event_types: ['batch.completed'] }],
        ['/webhook_endpoints/ID/rotate_secret', { keep_old_secret_active_for_24_hours: true }],
        ['/webhook_endpoints/ID/rotate_secret', { keep_old_secret_active_for_24_hours: false }],
        ['/webhook_endpoints', { name: 'Local', url: receiver.url, event_types: ['batch.completed'] }],
        ['/webhook_endpoints/ID/test', { event_type: 'batch.completed' }],
      ]);
      // Pages of 100, newest first, the next one after the last id of the previous (§2.3).
      const pages = emulator.requests.filter((r) => r.method === 'GET' && r.path === '/webhook_endpoints');
      assert.deepEqual(
        pages.map((r) => new URLSearchParams(r.query).get('limit')),
        ['100', '100', '3'],
      );
      assert.match(pages[1]?.query ?? '', /after=whe_/);
    } finally {
      await receiver.close();
    }
  });

  it('a loopback http URL departs from the spec on purpose (emulator and listen), and the check sees it', async () => {
    emulator.requests.length = 0;
    const adapter = await makeAdapter(openai, emulator.baseUrl('openai'));
    await adapter.create({ name: 'Local', url: 'http://127.0.0.1:9/hook', events: ['batch.completed'] });
    const problems = emulator.requests.flatMap((r) => check.problems(r, CONTRACT_API_KEY));
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0] ?? '', /body\.url: "http:\/\/127\.0\.0\.1:9\/hook" does not match \^https:\/\//);
  });
});

describe('OpenAI spec: answers the emulator gives', { timeout: 20_000 }, () => {
  let emulator: RunningEmulator;
  const problems: string[] = [];

  before(async () => {
    emulator = await startEmulator({
      providers: { openai: createOpenAIEmulator({ apiKey: CONTRACT_API_KEY }) },
    });
  });
  after(() => emulator.close());

  /** Sends one request straight to the emulator and checks its answer against the spec. */
  async function call(method: string, path: string, body?: unknown, key = CONTRACT_API_KEY) {
    const res = await fetch(`${emulator.baseUrl('openai')}${path}`, {
      method,
      headers: {
        ...(key === '' ? {} : { authorization: `Bearer ${key}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const parsed = text === '' ? undefined : (JSON.parse(text) as unknown);
    problems.push(...check.answerProblems(method, path.split('?')[0] ?? path, res.status, parsed));
    return { status: res.status, body: parsed as Record<string, unknown>, headers: res.headers };
  }

  it('every answer, errors included, has the shape the spec declares for its status', async () => {
    const valid = { name: 'A', url: 'https://example.com/a', event_types: ['batch.completed'] };
    const created = await call('POST', '/webhook_endpoints', valid);
    assert.equal(created.status, 200);
    assert.match(String(created.body.signing_secret), /^whsec_[A-Za-z0-9+/]{43}=$/);
    assert.match(String(created.body.id), /^whe_[0-9a-f]{32}$/);
    const id = String(created.body.id);
    const item = `/webhook_endpoints/${id}`;
    assert.equal((await call('GET', '/webhook_endpoints')).status, 200);
    assert.equal((await call('GET', `/webhook_endpoints?limit=1&after=${id}`)).status, 200);
    const got = await call('GET', item);
    assert.equal(got.status, 200);
    assert.equal('signing_secret' in got.body, false, 'a read shows the signing secret');
    assert.equal(typeof got.body.signing_secret_hint, 'string');
    assert.equal((await call('POST', item, { event_types: ['batch.failed'] })).status, 200);
    assert.equal((await call('POST', `${item}/rotate_secret`)).status, 200);
    assert.equal(
      (await call('POST', `${item}/rotate_secret`, { keep_old_secret_active_for_24_hours: true })).status,
      200,
    );
    // The endpoint is example.com, which the emulator never reaches: the test reports status 0.
    const tested = await call('POST', `${item}/test`, { event_type: 'batch.completed' });
    assert.equal(tested.status, 200);
    assert.equal(tested.body.status_code, 0);
    assert.equal((await call('GET', '/webhook_event_types')).status, 200);

    // Errors: OpenAI's shape, with the request id in x-request-id.
    const missing = await call('GET', '/webhook_endpoints/whe_missing');
    assert.equal(missing.status, 404);
    assert.match(missing.headers.get('x-request-id') ?? '', /^req_[0-9a-f]{32}$/);
    const unknown = await call('POST', '/webhook_endpoints', { ...valid, enabled: true });
    assert.equal(unknown.status, 400);
    assert.equal(
      (unknown.body.error as Record<string, unknown>).message,
      'Unrecognized request argument supplied: enabled',
    );
    const plain = await call('POST', '/webhook_endpoints', { ...valid, url: 'http://example.com' });
    assert.equal(plain.status, 400);
    assert.equal((plain.body.error as Record<string, unknown>).param, 'url');
    assert.equal((await call('POST', '/webhook_endpoints', { ...valid, event_types: [] })).status, 400);
    assert.equal((await call('POST', '/webhook_endpoints', { ...valid, name: 'n'.repeat(257) })).status, 400);
    assert.equal((await call('POST', `${item}/test`, {})).status, 400);
    assert.equal(
      (await call('POST', `${item}/rotate_secret`, { keep_old_secret_active_for_24_hours: 'yes' })).status,
      400,
    );
    assert.equal((await call('GET', '/webhook_endpoints?limit=101')).status, 400);
    assert.equal((await call('GET', '/webhook_endpoints?after=whe_gone')).status, 400);
    assert.equal((await call('GET', '/webhook_endpoints', undefined, '')).status, 401);
    assert.equal((await call('DELETE', item, undefined, 'wrong-key')).status, 401);
    const deleted = await call('DELETE', item);
    assert.deepEqual(deleted.body, { id, object: 'webhook_endpoint.deleted', deleted: true });
    assert.equal((await call('DELETE', item)).status, 404);

    assert.deepEqual(problems, []);
  });
});
