import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startEmulator } from '../src/emulator/server.ts';
import type { RecordedRequest, RunningEmulator } from '../src/emulator/server.ts';
import { createUltravoxEmulator } from '../src/providers/ultravox/emulator.ts';
import type { UltravoxWireWebhook } from '../src/providers/ultravox/emulator.ts';

const KEY = 'Zk9Ht7Lm.wX7pN9fM3kLj6tRq2bGhA8yE5cZvD4sT';
const AGENT = '1b4e28ba-2fa1-11d2-883f-0016d3cca427';
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface Page {
  next: string | null;
  previous: string | null;
  results: UltravoxWireWebhook[];
  total: number;
}

let emu: RunningEmulator;

function uv(path: string, init: RequestInit = {}, key: string | null = KEY): Promise<Response> {
  const headers = new Headers(init.headers);
  if (key !== null) headers.set('x-api-key', key);
  if (init.body !== undefined && !headers.has('content-type'))
    headers.set('content-type', 'application/json');
  return fetch(`${emu.baseUrl('ultravox')}${path}`, { ...init, headers });
}

function json(method: string, body: unknown): RequestInit {
  return { method, body: JSON.stringify(body) };
}

async function createHook(body: unknown = { url: 'https://hooks.example.com/a', events: ['call.ended'] }) {
  const res = await uv('/api/webhooks', json('POST', body));
  assert.equal(res.status, 201);
  return (await res.json()) as UltravoxWireWebhook;
}

async function listAll(): Promise<UltravoxWireWebhook[]> {
  const res = await uv('/api/webhooks?pageSize=1000');
  assert.equal(res.status, 200);
  return ((await res.json()) as Page).results;
}

before(async () => {
  emu = await startEmulator({ apiKey: KEY });
});

after(async () => {
  await emu.close();
});

beforeEach(() => {
  emu.faults.clear();
  emu.providers.ultravox?.restore({ webhooks: [] });
  emu.requests.length = 0;
});

describe('ultravox webhooks CRUD', { timeout: 5000 }, () => {
  it('creates, reads, patches, replaces and deletes a webhook', async () => {
    const created = await createHook({
      url: 'https://hooks.example.com/a',
      events: ['call.started', 'call.ended'],
      webhookId: '00000000-0000-0000-0000-000000000000', // read-only: ignored
      status: 'unhealthy', // read-only: ignored
      colour: 'blue', // unknown: ignored
    });
    assert.match(created.webhookId, UUID_RE);
    assert.notEqual(created.webhookId, '00000000-0000-0000-0000-000000000000');
    assert.equal(created.agentId, null);
    assert.equal(created.url, 'https://hooks.example.com/a');
    assert.deepEqual(created.events, ['call.started', 'call.ended']);
    assert.equal(created.status, 'normal');
    assert.equal(created.lastStatusChange, null);
    assert.deepEqual(created.recentFailures, []);
    assert.ok(!Number.isNaN(Date.parse(created.created)));
    assert.equal(created.secrets.length, 1);
    assert.match(created.secrets[0] ?? '', /^[A-Za-z0-9_-]{32}$/);
    assert.equal('colour' in created, false);

    const got = await uv(`/api/webhooks/${created.webhookId}`);
    assert.equal(got.status, 200);
    assert.deepEqual(await got.json(), created);

    const patched = await uv(
      `/api/webhooks/${created.webhookId}`,
      json('PATCH', { events: ['call.billed'], agentId: AGENT }),
    );
    assert.equal(patched.status, 200);
    const afterPatch = (await patched.json()) as UltravoxWireWebhook;
    assert.deepEqual(afterPatch.events, ['call.billed']);
    assert.equal(afterPatch.agentId, AGENT);
    assert.equal(afterPatch.url, created.url);
    assert.deepEqual(afterPatch.secrets, created.secrets);

    const put = await uv(
      `/api/webhooks/${created.webhookId}`,
      json('PUT', { url: 'https://hooks.example.com/b', events: ['call.joined'], secrets: ['s1', 's2'] }),
    );
    assert.equal(put.status, 200);
    const afterPut = (await put.json()) as UltravoxWireWebhook;
    assert.equal(afterPut.url, 'https://hooks.example.com/b');
    assert.deepEqual(afterPut.events, ['call.joined']);
    assert.deepEqual(afterPut.secrets, ['s1', 's2']);
    assert.equal(afterPut.created, created.created);
    assert.equal(afterPut.webhookId, created.webhookId);

    const del = await uv(`/api/webhooks/${created.webhookId}`, { method: 'DELETE' });
    assert.equal(del.status, 204);
    assert.equal(await del.text(), '');
    assert.equal((await uv(`/api/webhooks/${created.webhookId}`)).status, 404);
    assert.deepEqual(await listAll(), []);
  });

  it('keeps secrets given on create and accepts an agentId', async () => {
    const hook = await createHook({
      url: 'http://127.0.0.1:9000/hook',
      events: ['call.ended'],
      secrets: ['mine'],
      agentId: AGENT.toUpperCase(),
    });
    assert.deepEqual(hook.secrets, ['mine']);
    assert.equal(hook.agentId, AGENT);
  });

  it('answers 401 without a key or with a wrong one, and changes nothing', async () => {
    for (const key of [null, '', 'wrong.key']) {
      const res = await uv(
        '/api/webhooks',
        json('POST', { url: 'https://a.example.com', events: ['call.ended'] }),
        key,
      );
      assert.equal(res.status, 401);
      assert.deepEqual(await res.json(), { detail: 'Invalid API key.' });
    }
    assert.equal((await uv('/api/webhooks', {}, null)).status, 401);
    assert.equal(createdCount(), 0);
  });

  it('accepts any non-empty key when no apiKey is configured', async () => {
    const open = await startEmulator();
    try {
      const res = await fetch(`${open.baseUrl('ultravox')}/api/webhooks`, {
        headers: { 'x-api-key': 'anything' },
      });
      assert.equal(res.status, 200);
      const none = await fetch(`${open.baseUrl('ultravox')}/api/webhooks`);
      assert.equal(none.status, 401);
    } finally {
      await open.close();
    }
  });

  it('answers 400 with DRF-style field errors', async () => {
    const cases: [unknown, unknown][] = [
      [{ url: 'not a url', events: ['call.ended'] }, { url: ['Enter a valid URL.'] }],
      [{ url: 'https://a.example.com' }, { events: ['This field is required.'] }],
      [{}, { url: ['This field is required.'], events: ['This field is required.'] }],
      [
        { url: 'https://a.example.com', events: ['call.ended', 'x'] },
        { events: { '1': ['"x" is not a valid choice.'] } },
      ],
      [
        { url: `https://a.example.com/${'p'.repeat(200)}`, events: ['call.ended'] },
        { url: ['Ensure this field has no more than 200 characters.'] },
      ],
      [
        { url: 'https://a.example.com', events: ['call.ended'], secrets: ['ok', 's'.repeat(121)] },
        { secrets: { '1': ['Ensure this field has no more than 120 characters.'] } },
      ],
      [
        { url: 'https://a.example.com', events: ['call.ended'], agentId: 'agent-7' },
        { agentId: ['Must be a valid UUID.'] },
      ],
      [
        { url: 'https://a.example.com', events: 'call.ended' },
        { events: ['Expected a list of items but got type "str".'] },
      ],
    ];
    for (const [body, expected] of cases) {
      const res = await uv('/api/webhooks', json('POST', body));
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.deepEqual(await res.json(), expected, JSON.stringify(body));
    }
    const longSecret = await uv(
      '/api/webhooks',
      json('POST', { url: 'https://a.example.com', events: ['call.ended'], secrets: ['s'.repeat(120)] }),
    );
    assert.equal(longSecret.status, 201);

    const broken = await uv('/api/webhooks', { method: 'POST', body: '{"url": ' });
    assert.equal(broken.status, 400);
    const detail = ((await broken.json()) as { detail: string }).detail;
    assert.match(detail, /^JSON parse error - /);

    const plain = await uv('/api/webhooks', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ url: 'https://a.example.com', events: ['call.ended'] }),
    });
    assert.equal(plain.status, 415);
    assert.equal(createdCount(), 1);
  });

  it('validates PATCH fields it is given and PUT as a full write', async () => {
    const hook = await createHook();
    const badPatch = await uv(`/api/webhooks/${hook.webhookId}`, json('PATCH', { url: 'ftp//nope' }));
    assert.equal(badPatch.status, 400);
    assert.deepEqual(await badPatch.json(), { url: ['Enter a valid URL.'] });
    const partialPut = await uv(
      `/api/webhooks/${hook.webhookId}`,
      json('PUT', { url: 'https://b.example.com' }),
    );
    assert.equal(partialPut.status, 400);
    assert.deepEqual(await partialPut.json(), { events: ['This field is required.'] });
    const okPatch = await uv(`/api/webhooks/${hook.webhookId}`, json('PATCH', {}));
    assert.equal(okPatch.status, 200);
    assert.deepEqual(await okPatch.json(), hook);
  });

  it('answers 404 for unknown and non-UUID ids, and for unknown paths and providers', async () => {
    const missing = await uv('/api/webhooks/8c1b2a3e-0000-4000-8000-000000000000');
    assert.equal(missing.status, 404);
    assert.deepEqual(await missing.json(), { detail: 'Not found.' });
    const bogus = await uv('/api/webhooks/not-a-uuid', { method: 'DELETE' });
    assert.equal(bogus.status, 404);
    assert.deepEqual(await bogus.json(), { detail: 'Not found.' });
    assert.equal((await uv('/api/agents')).status, 404);
    const unknown = await fetch(`${emu.url}/nobody/api/webhooks`);
    assert.equal(unknown.status, 404);
    assert.deepEqual(await unknown.json(), { detail: 'Not found.' });
  });

  it('rejects request bodies over 1 MiB with 413', async () => {
    const res = await uv('/api/webhooks', { method: 'POST', body: `"${'x'.repeat(1024 * 1024)}"` });
    assert.equal(res.status, 413);
    assert.equal(createdCount(), 0);
  });
});

function createdCount(): number {
  const state = emu.providers.ultravox?.snapshot() as { webhooks: unknown[] };
  return state.webhooks.length;
}

describe('ultravox pagination', { timeout: 5000 }, () => {
  it('pages 250 webhooks as 100/100/50 following next, with total 250', async () => {
    const provider = createUltravoxEmulator();
    provider.seed(250);
    emu.providers.ultravox?.restore(provider.snapshot());

    const sizes: number[] = [];
    const seen = new Set<string>();
    let next: string | null = `${emu.baseUrl('ultravox')}/api/webhooks?pageSize=100`;
    let last: Page | undefined;
    while (next !== null) {
      assert.ok(next.startsWith(`${emu.baseUrl('ultravox')}/api/webhooks?`), next);
      const res = await fetch(next, { headers: { 'x-api-key': KEY } });
      assert.equal(res.status, 200);
      last = (await res.json()) as Page;
      assert.equal(last.total, 250);
      sizes.push(last.results.length);
      for (const hook of last.results) seen.add(hook.webhookId);
      if (last.next !== null) {
        const query = new URL(last.next).searchParams;
        assert.equal(query.get('pageSize'), '100');
        assert.match(query.get('cursor') ?? '', /^[A-Za-z0-9+/]+=*$/);
      }
      next = last.next;
      assert.ok(sizes.length <= 3, 'next never became null');
    }
    assert.deepEqual(sizes, [100, 100, 50]);
    assert.equal(seen.size, 250);
    assert.equal(last?.next, null);
    assert.notEqual(last?.previous, null);

    // Results come in creation order.
    const order = provider.webhooks().map((hook) => hook.webhookId);
    const first = (await (await uv('/api/webhooks?pageSize=3')).json()) as Page;
    assert.deepEqual(
      first.results.map((hook) => hook.webhookId),
      order.slice(0, 3),
    );
    assert.equal(first.previous, null);

    // `previous` walks back.
    const prev = (await (
      await fetch(last?.previous ?? '', { headers: { 'x-api-key': KEY } })
    ).json()) as Page;
    assert.deepEqual(
      prev.results.map((hook) => hook.webhookId),
      order.slice(100, 200),
    );
  });

  it('uses the default page size, caps pageSize, filters by agentId and keeps it in next', async () => {
    const provider = createUltravoxEmulator();
    provider.seed(120);
    provider.seed(3, AGENT);
    emu.providers.ultravox?.restore(provider.snapshot());

    const byDefault = (await (await uv('/api/webhooks')).json()) as Page;
    assert.equal(byDefault.results.length, 100);
    assert.equal(byDefault.total, 123);
    assert.equal(new URL(byDefault.next ?? '').searchParams.get('pageSize'), null);

    const small = await startEmulator({ apiKey: KEY, providerOptions: { ultravox: { maxPageSize: 10 } } });
    try {
      small.providers.ultravox?.restore(provider.snapshot());
      const res = await fetch(`${small.baseUrl('ultravox')}/api/webhooks?pageSize=500`, {
        headers: { 'x-api-key': KEY },
      });
      assert.equal(((await res.json()) as Page).results.length, 10);
    } finally {
      await small.close();
    }

    const filtered = (await (await uv(`/api/webhooks?agentId=${AGENT}&pageSize=2`)).json()) as Page;
    assert.equal(filtered.total, 3);
    assert.equal(filtered.results.length, 2);
    assert.ok(filtered.results.every((hook) => hook.agentId === AGENT));
    const nextQuery = new URL(filtered.next ?? '').searchParams;
    assert.equal(nextQuery.get('agentId'), AGENT);
    assert.equal(nextQuery.get('pageSize'), '2');
    const rest = (await (await fetch(filtered.next ?? '', { headers: { 'x-api-key': KEY } })).json()) as Page;
    assert.equal(rest.results.length, 1);
    assert.equal(rest.next, null);
  });

  it('answers 404 for an invalid cursor', async () => {
    for (const cursor of ['garbage!', 'bm9wZQ==']) {
      const res = await uv(`/api/webhooks?cursor=${encodeURIComponent(cursor)}`);
      assert.equal(res.status, 404);
      assert.deepEqual(await res.json(), { detail: 'Invalid cursor' });
    }
  });

  it('points next at nextOrigin when it is set', async () => {
    const other = await startEmulator({
      providerOptions: { ultravox: { nextOrigin: 'http://127.0.0.1:1/elsewhere' } },
    });
    try {
      const provider = createUltravoxEmulator();
      provider.seed(5);
      other.providers.ultravox?.restore(provider.snapshot());
      const res = await fetch(`${other.baseUrl('ultravox')}/api/webhooks?pageSize=2`, {
        headers: { 'x-api-key': 'k' },
      });
      const page = (await res.json()) as Page;
      assert.match(page.next ?? '', /^http:\/\/127\.0\.0\.1:1\/elsewhere\/api\/webhooks\?/);
    } finally {
      await other.close();
    }
  });
});

describe('ultravox emulator state', { timeout: 5000 }, () => {
  it('markFailure records the failure and turns the webhook unhealthy', async () => {
    const hook = await createHook();
    const provider = createUltravoxEmulator();
    provider.restore(emu.providers.ultravox?.snapshot());
    provider.markFailure(hook.webhookId, 'HTTP 500 from receiver');
    const [marked] = provider.webhooks();
    assert.equal(marked?.status, 'unhealthy');
    assert.ok(marked?.lastStatusChange !== null && marked?.lastStatusChange !== undefined);
    assert.equal(marked?.recentFailures.length, 1);
    assert.equal(marked?.recentFailures[0]?.failure, 'HTTP 500 from receiver');
    assert.throws(() => provider.markFailure('8c1b2a3e-0000-4000-8000-000000000000', 'x'));
  });

  it('round-trips through snapshot/restore as plain JSON and rejects a bad state', async () => {
    await createHook();
    await createHook({ url: 'https://hooks.example.com/2', events: ['call.billed'], agentId: AGENT });
    const state = JSON.parse(JSON.stringify(emu.providers.ultravox?.snapshot())) as unknown;
    const copy = createUltravoxEmulator();
    copy.restore(state);
    assert.deepEqual(copy.webhooks(), await listAll());
    assert.throws(() => copy.restore({ webhooks: [{ url: 1 }] }));
  });
});

describe('faults seen from the client', { timeout: 5000 }, () => {
  it('status answers the configured status without touching state', async () => {
    emu.faults.add({ kind: 'status', status: 503, provider: 'ultravox', method: 'POST' });
    const res = await uv(
      '/api/webhooks',
      json('POST', { url: 'https://a.example.com', events: ['call.ended'] }),
    );
    assert.equal(res.status, 503);
    assert.equal(typeof ((await res.json()) as { detail: unknown }).detail, 'string');
    emu.faults.clear();
    emu.faults.add({ kind: 'status' });
    assert.equal((await uv('/api/webhooks')).status, 500);
    emu.faults.clear();
    assert.equal(createdCount(), 0);
  });

  it('rate-limit answers 429 with Retry-After', async () => {
    emu.faults.add({ kind: 'rate-limit', times: 1 });
    emu.faults.add({ kind: 'rate-limit', retryAfter: 'Wed, 21 Oct 2015 07:28:00 GMT', times: 1 });
    const first = await uv('/api/webhooks');
    assert.equal(first.status, 429);
    assert.equal(first.headers.get('retry-after'), '1');
    const second = await uv('/api/webhooks');
    assert.equal(second.status, 429);
    assert.equal(second.headers.get('retry-after'), 'Wed, 21 Oct 2015 07:28:00 GMT');
    assert.equal((await uv('/api/webhooks')).status, 200);
  });

  it('times is consumed per matching request and other requests are left alone', async () => {
    emu.faults.add({ kind: 'status', status: 502, times: 2, method: 'get', path: '/api/webhooks' });
    assert.equal(emu.faults.list().length, 1);
    const post = await uv(
      '/api/webhooks',
      json('POST', { url: 'https://a.example.com', events: ['call.ended'] }),
    );
    assert.equal(post.status, 201);
    const other = await fetch(`${emu.url}/nope/api/webhooks`);
    assert.equal(other.status, 404);
    assert.equal((await uv('/api/webhooks')).status, 502);
    assert.equal(emu.faults.list()[0]?.times, 1);
    assert.equal((await uv('/api/webhooks')).status, 502);
    assert.deepEqual(emu.faults.list(), []);
    assert.equal((await uv('/api/webhooks')).status, 200);
  });

  it('delay waits before handling normally', async () => {
    emu.faults.add({ kind: 'delay', delayMs: 300, times: 1 });
    const started = performance.now();
    const hook = await createHook();
    assert.ok(performance.now() - started >= 290, 'answered too soon');
    assert.match(hook.webhookId, UUID_RE);
    assert.equal(createdCount(), 1);
  });

  it('reset-before breaks the connection and changes nothing', async () => {
    emu.faults.add({ kind: 'reset-before', times: 1 });
    await assert.rejects(
      uv('/api/webhooks', json('POST', { url: 'https://a.example.com', events: ['call.ended'] })),
      TypeError,
    );
    assert.deepEqual(await listAll(), []);
    assert.equal(emu.requests.filter((r) => r.method === 'POST').length, 1);
  });

  it('reset-after breaks the connection but the webhook exists', async () => {
    emu.faults.add({ kind: 'reset-after', method: 'POST', times: 1 });
    await assert.rejects(
      uv('/api/webhooks', json('POST', { url: 'https://after.example.com', events: ['call.ended'] })),
      TypeError,
    );
    const hooks = await listAll();
    assert.equal(hooks.length, 1);
    assert.equal(hooks[0]?.url, 'https://after.example.com');
  });

  it('malformed answers 200 JSON that does not parse', async () => {
    emu.faults.add({ kind: 'malformed', times: 1 });
    const res = await uv('/api/webhooks');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/json');
    assert.equal(await res.text(), '{"results": [');
  });

  it('html answers 200 text/html', async () => {
    emu.faults.add({ kind: 'html', times: 1 });
    const res = await uv('/api/webhooks');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/html');
    assert.equal(await res.text(), '<html>oops</html>');
  });

  it('truncated sends a short body and ends the socket', async () => {
    emu.faults.add({ kind: 'truncated', times: 1 });
    const res = await uv('/api/webhooks');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-length'), '1000');
    await assert.rejects(res.text());
  });

  it('huge answers a valid JSON body of sizeBytes (10 MiB by default)', async () => {
    emu.faults.add({ kind: 'huge', sizeBytes: 4096, times: 1 });
    emu.faults.add({ kind: 'huge', times: 1 });
    const small = await uv('/api/webhooks');
    const smallText = await small.text();
    assert.equal(Buffer.byteLength(smallText), 4096);
    assert.doesNotThrow(() => JSON.parse(smallText));
    const big = await uv('/api/webhooks');
    assert.equal(big.headers.get('content-type'), 'application/json');
    const bigText = await big.text();
    assert.equal(Buffer.byteLength(bigText), 10 * 1024 * 1024);
    assert.doesNotThrow(() => JSON.parse(bigText));
  });
});

describe('control API and request recording', { timeout: 5000 }, () => {
  it('adds, lists and clears faults over HTTP', async () => {
    const add = await fetch(`${emu.url}/_emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'status', status: 418, provider: 'ultravox', times: 1 }),
    });
    assert.equal(add.status, 204);
    assert.equal(emu.faults.list().length, 1);
    assert.equal((await uv('/api/webhooks')).status, 418);
    assert.equal((await uv('/api/webhooks')).status, 200);

    const bad = await fetch(`${emu.url}/_emulator/faults`, {
      method: 'POST',
      body: JSON.stringify({ kind: 'nope' }),
    });
    assert.equal(bad.status, 400);

    await fetch(`${emu.url}/_emulator/faults`, { method: 'POST', body: JSON.stringify({ kind: 'html' }) });
    const listed = await fetch(`${emu.url}/_emulator/faults`);
    assert.deepEqual(await listed.json(), [{ kind: 'html' }]);
    const cleared = await fetch(`${emu.url}/_emulator/faults`, { method: 'DELETE' });
    assert.equal(cleared.status, 204);
    assert.deepEqual(emu.faults.list(), []);
    assert.equal((await uv('/api/webhooks')).status, 200);
  });

  it('records every provider request in order, faulted ones too, and serves them over HTTP', async () => {
    emu.faults.add({ kind: 'rate-limit', times: 1 });
    const t0 = performance.now();
    await uv('/api/webhooks?pageSize=5');
    await createHook();
    await uv('/api/webhooks', {}, null);

    assert.equal(emu.requests.length, 3);
    const [limited, created, unauthorised] = emu.requests;
    assert.equal(limited?.provider, 'ultravox');
    assert.equal(limited?.method, 'GET');
    assert.equal(limited?.path, '/api/webhooks');
    assert.equal(limited?.query, 'pageSize=5');
    assert.equal(limited?.headers['x-api-key'], KEY);
    assert.ok((limited?.at ?? 0) >= t0);
    assert.equal(created?.method, 'POST');
    assert.deepEqual(JSON.parse(created?.body ?? ''), {
      url: 'https://hooks.example.com/a',
      events: ['call.ended'],
    });
    assert.ok((created?.at ?? 0) >= (limited?.at ?? Infinity));
    assert.equal(unauthorised?.headers['x-api-key'], undefined);

    const overHttp = await fetch(`${emu.url}/_emulator/requests`);
    assert.equal(overHttp.status, 200);
    const records = (await overHttp.json()) as RecordedRequest[];
    assert.deepEqual(
      records.map((r) => `${r.method} ${r.path}`),
      ['GET /api/webhooks', 'POST /api/webhooks', 'GET /api/webhooks'],
    );
    const wiped = await fetch(`${emu.url}/_emulator/requests`, { method: 'DELETE' });
    assert.equal(wiped.status, 204);
    assert.equal(emu.requests.length, 0);
  });
});

describe('shutdown', { timeout: 5000 }, () => {
  it('close() ends open sockets at once, even with a delayed request in flight', async () => {
    const doomed = await startEmulator();
    doomed.faults.add({ kind: 'delay', delayMs: 10_000 });
    const pending = fetch(`${doomed.baseUrl('ultravox')}/api/webhooks`, { headers: { 'x-api-key': 'k' } });
    while (doomed.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const started = performance.now();
    await doomed.close();
    assert.ok(performance.now() - started < 1000, 'close() waited for the delayed request');
    await assert.rejects(pending, TypeError);
  });
});
