// The shared adapter contract for Ultravox, then what only Ultravox has: cursor pages whose `next` is a full
// URL (docs/providers/ultravox.md §1.2), several secrets at once (§1.6).
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { startEmulator } from '../src/emulator/server.ts';
import type { RunningEmulator } from '../src/emulator/server.ts';
import { closeConnections } from '../src/http.ts';
import { createUltravoxEmulator } from '../src/providers/ultravox/emulator.ts';
import type { UltravoxEmulator } from '../src/providers/ultravox/emulator.ts';
import { ultravox } from '../src/providers/ultravox/index.ts';
import type { Scope } from '../src/providers/types.ts';
import { CONTRACT_API_KEY, adapterContract, collect, makeAdapter } from './contract.ts';

const AGENT = '1b4e28ba-2fa1-11d2-883f-0016d3cca427';

adapterContract({
  spec: 'ultravox.openapi.yaml',
  descriptor: ultravox,
  start: async (apiKey) => {
    const emulator = await startEmulator({ apiKey });
    return { emulator, baseUrl: emulator.baseUrl('ultravox') };
  },
  createInput: () => ({
    url: 'https://example.com/hooks/ultravox',
    events: ['call.started', 'call.ended'],
  }),
  unknownId: '8c1b2a3e-0000-4000-8000-000000000000',
});

/** An emulator whose Ultravox state the test can reach (seed, webhooks) while the adapter talks HTTP. */
async function ultravoxEmulator(
  options: { seed?: number; nextOrigin?: string } = {},
): Promise<{ emulator: RunningEmulator; state: UltravoxEmulator; baseUrl: string }> {
  const state = createUltravoxEmulator({ apiKey: CONTRACT_API_KEY, nextOrigin: options.nextOrigin });
  if (options.seed !== undefined) state.seed(options.seed);
  const emulator = await startEmulator({ providers: { ultravox: state } });
  return { emulator, state, baseUrl: emulator.baseUrl('ultravox') };
}

/** A purpose-built server on 127.0.0.1 that records the requests it gets. */
async function listen(
  handler: (req: IncomingMessage, res: ServerResponse, hits: IncomingMessage[]) => void,
): Promise<{ url: string; hits: IncomingMessage[]; close(): Promise<void> }> {
  const hits: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    hits.push(req);
    handler(req, res, hits);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const adapterAt = (baseUrl: string, scope: Scope = {}) => makeAdapter(ultravox, baseUrl, scope);
const queryOf = (query: string) => new URLSearchParams(query);

describe('Ultravox specifics', { timeout: 20_000 }, () => {
  after(closeConnections);

  it('lists 250 webhooks in pages of 100: 3 GETs, a cursor from the second on', async () => {
    const { emulator, state, baseUrl } = await ultravoxEmulator({ seed: 250 });
    try {
      const listed = await collect((await adapterAt(baseUrl)).list());
      assert.equal(listed.length, 250);
      assert.deepEqual(
        listed.map((w) => w.id),
        state.webhooks().map((w) => w.webhookId),
      );
      const gets = emulator.requests;
      assert.deepEqual(
        gets.map((r) => `${r.method} ${r.path}`),
        ['GET /api/webhooks', 'GET /api/webhooks', 'GET /api/webhooks'],
      );
      const [first, second, third] = gets.map((r) => queryOf(r.query));
      assert.equal(first?.get('pageSize'), '100');
      assert.equal(first?.has('cursor'), false);
      for (const page of [second, third]) {
        assert.equal(page?.get('pageSize'), '100');
        assert.ok(page?.get('cursor'), 'no cursor on a later page');
      }
      assert.notEqual(second?.get('cursor'), third?.get('cursor'));
      for (const r of gets) assert.equal(r.headers['x-api-key'], CONTRACT_API_KEY);
    } finally {
      await emulator.close();
    }
  });

  it('a limit asks only for the pages it needs', async () => {
    const { emulator, baseUrl } = await ultravoxEmulator({ seed: 250 });
    try {
      const adapter = await adapterAt(baseUrl);
      assert.equal((await collect(adapter.list({ limit: 150 }))).length, 150);
      assert.equal(emulator.requests.length, 2);
      emulator.requests.length = 0;
      assert.equal((await collect(adapter.list({ limit: 50 }))).length, 50);
      assert.deepEqual(
        emulator.requests.map((r) => queryOf(r.query).get('pageSize')),
        ['50'],
      );
    } finally {
      await emulator.close();
    }
  });

  it('filters the list by the agent in scope', async () => {
    const { emulator, state, baseUrl } = await ultravoxEmulator({ seed: 3 });
    try {
      state.seed(2, AGENT);
      const listed = await collect((await adapterAt(baseUrl, { agent: AGENT })).list());
      assert.equal(listed.length, 2);
      assert.ok(listed.every((w) => w.agentId === AGENT));
      assert.equal(queryOf(emulator.requests[0]?.query ?? '').get('agentId'), AGENT);
    } finally {
      await emulator.close();
    }
  });

  it('takes only the cursor of a next link to another origin, which never sees a request', async () => {
    const elsewhere = await startEmulator();
    const { emulator, state, baseUrl } = await ultravoxEmulator({
      seed: 250,
      nextOrigin: elsewhere.baseUrl('ultravox'),
    });
    try {
      const listed = await collect((await adapterAt(baseUrl)).list());
      assert.deepEqual(
        listed.map((w) => w.id),
        state.webhooks().map((w) => w.webhookId),
      );
      assert.equal(elsewhere.requests.length, 0, 'a request (and the key) went to the next link origin');
      assert.equal(emulator.requests.length, 3);
    } finally {
      await emulator.close();
      await elsewhere.close();
    }
  });

  it('a cursor seen before ends the list', async () => {
    // Prism's example answers every page with the same `next` (house style, traps): a naive client loops.
    const hook = (n: number) => ({
      webhookId: `00000000-0000-4000-8000-00000000000${n}`,
      url: `https://example.com/${n}`,
      events: ['call.ended'],
    });
    const cursorOfRequest = (req: IncomingMessage) =>
      new URL(req.url ?? '/', 'http://127.0.0.1').searchParams.get('cursor');
    const server = await listen((req, res, hits) => {
      // A bound keeps a looping client from hanging the test: it fails instead.
      if (hits.length > 5) {
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"detail":"looped"}');
        return;
      }
      const body = {
        next: `${server.url}/ultravox/api/webhooks?cursor=same`,
        previous: null,
        results: [hook(cursorOfRequest(req) === null ? 1 : 2)],
      };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    try {
      const listed = await collect((await adapterAt(`${server.url}/ultravox`)).list());
      assert.deepEqual(
        listed.map((w) => w.url),
        ['https://example.com/1', 'https://example.com/2'],
      );
      assert.deepEqual(server.hits.map(cursorOfRequest), [null, 'same']);
    } finally {
      await server.close();
    }
  });

  it('a Prism-like server repeating one page and one foreign next link lists each webhook once', async () => {
    const foreign = await listen(() => undefined);
    const prism = await listen((_req, res, hits) => {
      // A bound keeps a looping client from hanging the test: it fails instead.
      if (hits.length > 5) {
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"detail":"looped"}');
        return;
      }
      const body = {
        next: `${foreign.url}/api/webhooks?cursor=cD0x`,
        previous: null,
        results: [
          { webhookId: '3c90c3cc-0d44-4b50-8888-8dd25736052a', url: 'https://example.com', events: [] },
        ],
      };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    try {
      const listed = await collect((await adapterAt(`${prism.url}/ultravox`)).list());
      assert.equal(foreign.hits.length, 0, 'the key went to the next link host');
      assert.equal(prism.hits.length, 2);
      assert.deepEqual(
        listed.map((w) => w.id),
        ['3c90c3cc-0d44-4b50-8888-8dd25736052a'],
      );
    } finally {
      await prism.close();
      await foreign.close();
    }
  });

  it('rotateSecret keeps the old secrets by default and drops them with revokeOld', async () => {
    const { emulator, state, baseUrl } = await ultravoxEmulator();
    try {
      const adapter = await adapterAt(baseUrl);
      const old = 'old-secret-kept-for-receivers-1234';
      const hook = await adapter.create({
        url: 'https://example.com/rotate',
        events: ['call.ended'],
        secrets: [old],
      });
      const stored = () => state.webhooks().find((w) => w.webhookId === hook.id)?.secrets;

      const kept = await adapter.rotateSecret(hook.id, { revokeOld: false });
      assert.deepEqual(stored(), [kept.secret, old]);
      assert.deepEqual(kept.webhook.secrets, [kept.secret, old]);
      assert.match(kept.notice, /old secret still signs/);

      const revoked = await adapter.rotateSecret(hook.id, { revokeOld: true });
      assert.deepEqual(stored(), [revoked.secret]);
      assert.deepEqual(revoked.webhook.secrets, [revoked.secret]);
      assert.match(revoked.notice, /removed/);
      assert.notEqual(revoked.secret, kept.secret);
      // The new secret is generated here, not by Ultravox: it went out in a PATCH, never a POST.
      assert.deepEqual(
        emulator.requests.map((r) => r.method),
        ['POST', 'GET', 'PATCH', 'GET', 'PATCH'],
      );
    } finally {
      await emulator.close();
    }
  });
});
