// The HTTP client against the emulator and tiny purpose-built servers on 127.0.0.1 (docs/contract.md
// §Retries and time, §Security, §Exit codes). Backoff is 10 ms so retries cost nothing; only Retry-After waits.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { RequestListener, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { startEmulator } from '../src/emulator/server.ts';
import type { RunningEmulator } from '../src/emulator/server.ts';
import { UsageError } from '../src/errors.ts';
import {
  HttpClient,
  MAX_BODY_BYTES,
  checkBaseUrl,
  closeConnections,
  redactValue,
  retryAfterMs,
} from '../src/http.ts';
import type { HttpClientOptions } from '../src/http.ts';
import { createUltravoxAdapter, readUltravoxError } from '../src/providers/ultravox/adapter.ts';
import { ultravox } from '../src/providers/ultravox/index.ts';
import { rejectsWithKind } from './contract.ts';

const KEY = 'uvk_live.Hs8dK2mQ9vX4pL7tR1wZ6yB3nC5fJ0gA';
const USER_AGENT = 'voicehooks/9.9.9-test';
const CREATE_BODY = { url: 'https://example.com/hooks/http', events: ['call.ended'] };

function client(baseUrl: string, overrides: Partial<HttpClientOptions> = {}): HttpClient {
  return new HttpClient({
    baseUrl,
    apiKey: KEY,
    timeoutMs: 2000,
    maxWaitMs: 10_000,
    userAgent: USER_AGENT,
    provider: 'ultravox',
    displayName: 'Ultravox',
    authHeaders: { 'X-API-Key': KEY },
    readError: readUltravoxError,
    secretFields: ['secrets'],
    backoffMs: 10,
    ...overrides,
  });
}

async function listen(handler: RequestListener): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function shut(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

/** A port on 127.0.0.1 that was free a moment ago and nothing listens on now. */
async function closedPort(): Promise<number> {
  const { server } = await listen(() => undefined);
  const { port } = server.address() as AddressInfo;
  await shut(server);
  return port;
}

let emu: RunningEmulator;
let base: string;

/** Webhooks the emulator holds. */
function stored(emulator: RunningEmulator = emu): unknown[] {
  return (emulator.providers.ultravox?.snapshot() as { webhooks: unknown[] }).webhooks;
}

const methods = (emulator: RunningEmulator = emu) => emulator.requests.map((r) => r.method);

before(async () => {
  emu = await startEmulator({ apiKey: KEY });
  base = emu.baseUrl('ultravox');
});

after(async () => {
  await closeConnections();
  await emu.close();
});

beforeEach(() => {
  emu.faults.clear();
  emu.providers.ultravox?.restore({ webhooks: [] });
  emu.requests.length = 0;
});

afterEach(() => emu.faults.clear());

describe('Retry-After', { timeout: 10_000 }, () => {
  it('a GET answered 429 with Retry-After: 2 is retried no sooner than 2 s later', async () => {
    emu.faults.add({ kind: 'rate-limit', retryAfter: '2', times: 1 });
    const res = await client(base).request({ method: 'GET', path: '/api/webhooks' });
    assert.equal(res.status, 200);
    const [limited, retried] = emu.requests;
    assert.equal(emu.requests.length, 2);
    assert.ok(limited && retried);
    const gap = retried.at - limited.at;
    // Timers have millisecond granularity; anything near 2 s shows the header was honoured.
    assert.ok(gap >= 1990, `retried after ${Math.round(gap)} ms`);
  });

  it('honours Retry-After given as an HTTP date', async () => {
    const target = Math.ceil((Date.now() + 1200) / 1000) * 1000;
    emu.faults.add({ kind: 'rate-limit', retryAfter: new Date(target).toUTCString(), times: 1 });
    const res = await client(base).request({ method: 'GET', path: '/api/webhooks' });
    assert.equal(res.status, 200);
    assert.equal(emu.requests.length, 2);
    const arrived = performance.timeOrigin + (emu.requests[1]?.at ?? 0);
    assert.ok(arrived >= target - 20, `retried ${Math.round(target - arrived)} ms before the date`);
  });

  it('a Retry-After above --max-wait stops at once with unavailable, naming the seconds', async () => {
    emu.faults.add({ kind: 'rate-limit', retryAfter: '120' });
    const started = performance.now();
    const error = await rejectsWithKind(
      client(base, { maxWaitMs: 5000 }).request({ method: 'GET', path: '/api/webhooks' }),
      'unavailable',
    );
    assert.ok(performance.now() - started < 1000, 'it waited');
    assert.match(error.message, /\b120 s\b/);
    assert.match(error.message, /--max-wait 5 s/);
    assert.equal(error.status, 429);
    assert.equal(emu.requests.length, 1);
  });

  it('a POST answered 429 is retried and creates one webhook', async () => {
    emu.faults.add({ kind: 'rate-limit', retryAfter: '0', method: 'POST', times: 1 });
    const res = await client(base).request({ method: 'POST', path: '/api/webhooks', body: CREATE_BODY });
    assert.equal(res.status, 201);
    assert.deepEqual(methods(), ['POST', 'POST']);
    assert.equal(stored().length, 1);
  });
});

describe('status retries', { timeout: 10_000 }, () => {
  for (const status of [502, 503, 504]) {
    it(`a GET answered ${status} is retried, then succeeds`, async () => {
      emu.faults.add({ kind: 'status', status, times: 1 });
      const res = await client(base).request({ method: 'GET', path: '/api/webhooks' });
      assert.equal(res.status, 200);
      assert.deepEqual(methods(), ['GET', 'GET']);
    });
  }

  it('a 500 is not retried: one request, unavailable', async () => {
    emu.faults.add({ kind: 'status', status: 500 });
    const error = await rejectsWithKind(
      client(base).request({ method: 'GET', path: '/api/webhooks' }),
      'unavailable',
    );
    assert.equal(error.status, 500);
    assert.equal(emu.requests.length, 1);
  });

  it('gives up after 4 attempts with unavailable', async () => {
    emu.faults.add({ kind: 'status', status: 503 });
    const error = await rejectsWithKind(
      client(base).request({ method: 'GET', path: '/api/webhooks' }),
      'unavailable',
    );
    assert.equal(emu.requests.length, 4);
    assert.equal(error.status, 503);
    assert.match(error.message, /after 4 attempts/);
  });

  it('a POST answered 503 is not retried', async () => {
    emu.faults.add({ kind: 'status', status: 503, times: 1 });
    await rejectsWithKind(
      client(base).request({ method: 'POST', path: '/api/webhooks', body: CREATE_BODY }),
      'unavailable',
    );
    assert.deepEqual(methods(), ['POST']);
    assert.equal(stored().length, 0);
  });

  it('a PATCH is retried unless marked not idempotent', async () => {
    const http = client(base);
    const created = await http.request({ method: 'POST', path: '/api/webhooks', body: CREATE_BODY });
    const id = (created.body as { webhookId: string }).webhookId;
    emu.requests.length = 0;
    emu.faults.add({ kind: 'status', status: 503, method: 'PATCH', times: 1 });
    const patch = {
      method: 'PATCH',
      path: `/api/webhooks/${id}`,
      body: { events: ['call.billed'] },
    } as const;
    assert.equal((await http.request(patch)).status, 200);
    assert.deepEqual(methods(), ['PATCH', 'PATCH']);

    emu.requests.length = 0;
    emu.faults.add({ kind: 'status', status: 503, method: 'PATCH', times: 1 });
    await rejectsWithKind(http.request({ ...patch, idempotent: false }), 'unavailable');
    assert.deepEqual(methods(), ['PATCH']);
  });

  it('4xx answers are not retried and keep their kind', async () => {
    const http = client(base);
    await rejectsWithKind(
      http.request({ method: 'POST', path: '/api/webhooks', body: { url: 'nope', events: [] } }),
      'rejected',
    );
    const error = await rejectsWithKind(
      http.request({ method: 'GET', path: '/api/webhooks/8c1b2a3e-0000-4000-8000-000000000000' }),
      'notFound',
    );
    assert.match(error.hint ?? '', /voicehooks list -p ultravox/);
    await rejectsWithKind(
      client(base, { authHeaders: { 'X-API-Key': 'wrong' } }).request({
        method: 'GET',
        path: '/api/webhooks',
      }),
      'auth',
    );
    assert.deepEqual(methods(), ['POST', 'GET', 'GET']);
  });
});

describe('connection failures', { timeout: 10_000 }, () => {
  it('a POST reset after it was handled is not retried, and says how to check', async () => {
    emu.faults.add({ kind: 'reset-after', method: 'POST', times: 1 });
    const error = await rejectsWithKind(
      client(base).request({ method: 'POST', path: '/api/webhooks', body: CREATE_BODY }),
      'unavailable',
    );
    assert.deepEqual(methods(), ['POST']);
    assert.equal(stored().length, 1, 'the webhook was created exactly once');
    assert.match(error.hint ?? '', /may have reached Ultravox/);
    assert.match(error.hint ?? '', /voicehooks list -p ultravox/);
    assert.match(error.hint ?? '', /--if-not-exists/);
    assert.equal(error.retryable, false);
  });

  it('a write that names its own check or advice gets it instead of the advice for a create', async () => {
    emu.faults.add({ kind: 'reset-after', method: 'POST', times: 2 });
    /** A POST whose answer is lost, with the hint options given. */
    const lost = (options: { check?: string; ifLost?: string }) =>
      rejectsWithKind(
        client(base).request({ method: 'POST', path: '/api/webhooks', body: CREATE_BODY, ...options }),
        'unavailable',
      );
    const checked = await lost({ check: 'voicehooks logs X' });
    assert.match(checked.hint ?? '', /Check with `voicehooks logs X` before retrying\.$/);
    const advised = await lost({ ifLost: 'Rotate again.' });
    assert.equal(advised.hint, 'The POST may have reached Ultravox. Rotate again.');
  });

  it('a GET whose connection is reset is retried', async () => {
    emu.faults.add({ kind: 'reset-before', method: 'GET', times: 1 });
    const res = await client(base).request({ method: 'GET', path: '/api/webhooks' });
    assert.equal(res.status, 200);
    assert.deepEqual(methods(), ['GET', 'GET']);
  });

  it('a POST whose connection was refused is retried and lands once the server listens', async () => {
    const port = await closedPort();
    let late: Promise<RunningEmulator> | undefined;
    const lines: string[] = [];
    const http = client(`http://127.0.0.1:${port}/ultravox`, {
      backoffMs: 300,
      debug: (line) => {
        lines.push(line);
        // The first backoff pause (150–300 ms) is when the server comes up.
        if (line.startsWith('! ')) late ??= startEmulator({ port, apiKey: KEY });
      },
    });
    try {
      const res = await http.request({ method: 'POST', path: '/api/webhooks', body: CREATE_BODY });
      assert.equal(res.status, 201);
      assert.ok(
        lines.some((l) => l.startsWith('! ') && l.includes('ECONNREFUSED')),
        lines.join('\n'),
      );
      const server = await late;
      assert.ok(server);
      assert.deepEqual(methods(server), ['POST']);
      assert.equal(stored(server).length, 1);
    } finally {
      await closeConnections();
      await (await late)?.close();
    }
  });

  it('a POST to a port nobody listens on is tried 4 times, then unavailable', async () => {
    const port = await closedPort();
    const lines: string[] = [];
    const http = client(`http://127.0.0.1:${port}/ultravox`, { debug: (line) => lines.push(line) });
    const error = await rejectsWithKind(
      http.request({ method: 'POST', path: '/api/webhooks', body: CREATE_BODY }),
      'unavailable',
    );
    assert.equal(lines.filter((l) => l.startsWith('> POST ')).length, 4);
    assert.match(error.message, /ECONNREFUSED/);
    assert.doesNotMatch(error.hint ?? '', /may have reached/);
  });

  it('a GET slower than the timeout is retried; the retry succeeds', async () => {
    emu.faults.add({ kind: 'delay', delayMs: 800, method: 'GET', times: 1 });
    const res = await client(base, { timeoutMs: 250 }).request({ method: 'GET', path: '/api/webhooks' });
    assert.equal(res.status, 200);
    assert.deepEqual(methods(), ['GET', 'GET']);
  });

  it('a POST slower than the timeout is not retried: unavailable, naming the seconds', async () => {
    const slow = await startEmulator({ apiKey: KEY });
    try {
      slow.faults.add({ kind: 'delay', delayMs: 500, method: 'POST' });
      const error = await rejectsWithKind(
        client(slow.baseUrl('ultravox'), { timeoutMs: 300 }).request({
          method: 'POST',
          path: '/api/webhooks',
          body: CREATE_BODY,
        }),
        'unavailable',
      );
      assert.match(error.message, /did not answer within 0\.3 s/);
      assert.match(error.hint ?? '', /--if-not-exists/);
      // The emulator finishes the create after the client gave up: exactly one webhook, from one POST.
      for (let waited = 0; stored(slow).length === 0 && waited < 2000; waited += 25) {
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      assert.equal(stored(slow).length, 1);
      assert.deepEqual(methods(slow), ['POST']);
    } finally {
      await slow.close();
    }
  });
});

describe('unusable answers', { timeout: 10_000 }, () => {
  const cases = [
    { kind: 'malformed', message: /malformed JSON/ },
    { kind: 'html', message: /text\/html instead of JSON/ },
    { kind: 'truncated', message: /Ultravox/ },
    { kind: 'huge', sizeBytes: MAX_BODY_BYTES + 1, message: /larger than 8 MiB/ },
  ] as const;
  for (const { kind, message, ...rest } of cases) {
    it(`${kind} → unavailable`, async () => {
      emu.faults.add({ kind, ...rest });
      const error = await rejectsWithKind(
        client(base).request({ method: 'GET', path: '/api/webhooks' }),
        'unavailable',
      );
      assert.match(error.message, message);
      assert.ok(emu.requests.length >= 1);
    });
  }

  it('a body of exactly MAX_BODY_BYTES is read', async () => {
    emu.faults.add({ kind: 'huge', sizeBytes: MAX_BODY_BYTES, times: 1 });
    const res = await client(base).request({ method: 'GET', path: '/api/webhooks' });
    assert.deepEqual((res.body as { results: unknown[] }).results, []);
  });

  it('a redirect is not followed: the Location server sees nothing', async () => {
    const target = await listen((_req, res) => res.writeHead(200).end('{}'));
    let targetHits = 0;
    target.server.on('request', () => (targetHits += 1));
    let redirects = 0;
    const redirector = await listen((req, res) => {
      redirects += 1;
      res.writeHead(Number(req.headers['x-status'] ?? 302), {
        location: `${target.url}/ultravox/api/webhooks`,
      });
      res.end();
    });
    try {
      for (const status of [301, 302, 307, 308]) {
        const http = client(`${redirector.url}/ultravox`, {
          authHeaders: { 'X-API-Key': KEY, 'x-status': String(status) },
        });
        const error = await rejectsWithKind(
          http.request({ method: 'GET', path: '/api/webhooks' }),
          'unavailable',
        );
        assert.match(error.message, new RegExp(`redirect \\(${status}\\)`));
      }
      assert.equal(redirects, 4, 'a redirect was retried');
      assert.equal(targetHits, 0, 'the redirect was followed');
    } finally {
      await shut(redirector.server);
      await shut(target.server);
    }
  });
});

describe('base URL check', () => {
  it('refuses plain http to a non-loopback host with a usage error (exit 2)', () => {
    for (const url of ['http://api.ultravox.ai', 'http://10.0.0.7:4747/ultravox', 'http://127.example.com']) {
      assert.throws(
        () => checkBaseUrl(url, 'Ultravox'),
        (error: unknown) =>
          error instanceof UsageError && error.exitCode === 2 && /plain http/.test(error.message),
        url,
      );
    }
    assert.throws(() => client('http://api.ultravox.ai'), UsageError);
  });

  it('refuses what is not an absolute http(s) URL', () => {
    for (const url of ['not a url', '/api', 'ftp://127.0.0.1/x', 'file:///etc/passwd']) {
      assert.throws(() => checkBaseUrl(url, 'Ultravox'), UsageError, url);
    }
  });

  it('accepts http to loopback and https anywhere', () => {
    for (const url of [
      'http://127.0.0.1:4747/ultravox',
      'http://localhost:1',
      'http://[::1]:2',
      'https://api.ultravox.ai',
    ]) {
      assert.equal(checkBaseUrl(url, 'Ultravox').href, new URL(url).href);
    }
  });

  it('appends the API path to the base path', () => {
    const http = client('http://127.0.0.1:4747/ultravox/');
    assert.equal(
      http.urlFor('/api/webhooks', { cursor: 'a b', pageSize: 100, agentId: undefined }).href,
      'http://127.0.0.1:4747/ultravox/api/webhooks?cursor=a+b&pageSize=100',
    );
  });
});

describe('what goes on the wire', { timeout: 10_000 }, () => {
  it('sends User-Agent voicehooks/<version>, the key header and Accept JSON', async () => {
    await client(base).request({ method: 'GET', path: '/api/webhooks' });
    const headers = emu.requests[0]?.headers ?? {};
    assert.equal(headers['user-agent'], USER_AGENT);
    assert.match(String(headers['user-agent']), /^voicehooks\/\S+$/);
    assert.equal(headers['x-api-key'], KEY);
    assert.equal(headers.accept, 'application/json');
  });

  it('the --debug trace shows method and path but never the key or a secret', async () => {
    const lines: string[] = [];
    const adapter = createUltravoxAdapter(
      {
        baseUrl: base,
        apiKey: KEY,
        timeoutMs: 2000,
        maxWaitMs: 10_000,
        userAgent: USER_AGENT,
        debug: (l) => lines.push(l),
      },
      {},
      ultravox,
    );
    const secret = 'whsec-known-value-Pq7Rt9Vx2Zb4';
    const hook = await adapter.create({
      url: 'https://example.com/traced',
      events: ['call.ended'],
      secrets: [secret],
    });
    await adapter.get(hook.id);
    for await (const _ of adapter.list()) void _;
    const rotated = await adapter.rotateSecret(hook.id, { revokeOld: false });
    emu.faults.add({ kind: 'status', status: 503, times: 1 });
    await adapter.get(hook.id);
    const wrongKey = 'uvk_live.WrongKeyZZ9988776655';
    const denied = createUltravoxAdapter(
      {
        baseUrl: base,
        apiKey: wrongKey,
        timeoutMs: 2000,
        maxWaitMs: 10_000,
        userAgent: USER_AGENT,
        debug: (l) => lines.push(l),
      },
      {},
      ultravox,
    );
    await rejectsWithKind(denied.get(hook.id), 'auth');

    const forbidden = [KEY, wrongKey, secret, rotated.secret];
    for (const line of lines) {
      for (const value of forbidden) assert.ok(!line.includes(value), `trace leaks a credential: ${line}`);
    }
    const path = `/ultravox/api/webhooks`;
    assert.ok(
      lines.some((l) => l.startsWith(`> POST `) && l.includes(path)),
      'no POST line',
    );
    assert.ok(
      lines.some((l) => l.startsWith(`> GET `) && l.includes(`${path}/${hook.id}`)),
      'no GET line',
    );
    assert.ok(
      lines.some((l) => l.startsWith(`> PATCH `)),
      'no PATCH line',
    );
    assert.ok(
      lines.some((l) => /^> x-api-key: \[redacted\]$/i.test(l)),
      'the key header is not shown redacted',
    );
    assert.ok(lines.some((l) => l.startsWith('< 201')));
    assert.ok(
      lines.some((l) => l.startsWith('! 503')),
      'the retry is not traced',
    );
    assert.ok(
      lines.some((l) => l.includes('"secrets":"[redacted]"')),
      'secret fields are not redacted',
    );
  });
});

describe('credential headers in the trace', { timeout: 10_000 }, () => {
  it('are redacted even when they do not hold the key verbatim', async () => {
    // Basic auth carries the key base64-encoded: only the header rule, not the key filter, can hide it.
    const basic = Buffer.from(`${KEY}:`).toString('base64');
    const lines: string[] = [];
    const target = await listen((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    try {
      const http = client(target.url, {
        authHeaders: { Authorization: `Basic ${basic}`, Cookie: 'session=s3ss10n-c00k1e' },
        debug: (line) => lines.push(line),
      });
      await http.request({ method: 'GET', path: '/v1/webhooks' });
      assert.ok(
        lines.some((l) => /^> authorization: \[redacted\]$/i.test(l)),
        lines.join('\n'),
      );
      assert.ok(
        lines.some((l) => /^> cookie: \[redacted\]$/i.test(l)),
        lines.join('\n'),
      );
      for (const line of lines) {
        assert.ok(!line.includes(basic) && !line.includes('s3ss10n'), `trace leaks a credential: ${line}`);
      }
    } finally {
      await shut(target.server);
    }
  });
});

describe('a provider that echoes the key back', { timeout: 10_000 }, () => {
  let echo: { server: Server; url: string };
  before(async () => {
    echo = await listen((req, res) => {
      const key = String(req.headers['x-api-key'] ?? '');
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ detail: `Invalid API key ${key}.` }));
    });
  });
  after(() => shut(echo.server));

  it('the trace does not show it', async () => {
    const lines: string[] = [];
    const http = client(echo.url, { debug: (line) => lines.push(line) });
    await rejectsWithKind(http.request({ method: 'GET', path: '/api/webhooks' }), 'auth');
    assert.ok(
      lines.some((l) => l.startsWith('< {"detail"')),
      lines.join('\n'),
    );
    for (const line of lines) assert.ok(!line.includes(KEY), `trace leaks the key: ${line}`);
  });

  it('the error does not show it', async () => {
    const error = await rejectsWithKind(
      client(echo.url).request({ method: 'GET', path: '/api/webhooks' }),
      'auth',
    );
    const shown = JSON.stringify({ ...error.toJSON(), fieldErrors: error.fieldErrors });
    assert.ok(!shown.includes(KEY), `the error shows the key: ${shown}`);
  });
});

describe('retryAfterMs', () => {
  const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
  const cases: [string | string[] | undefined, number | undefined][] = [
    ['2', 2000],
    ['0', 0],
    ['1.5', 1500],
    [' 3 ', 3000],
    [['4', '9'], 4000],
    ['Wed, 21 Oct 2015 07:28:05 GMT', 5000],
    ['Wed, 21 Oct 2015 07:27:00 GMT', 0],
    [undefined, undefined],
    ['', undefined],
    ['   ', undefined],
    ['soon', undefined],
    [[], undefined],
  ];
  for (const [header, expected] of cases) {
    it(`${JSON.stringify(header)} → ${String(expected)}`, () => {
      assert.equal(retryAfterMs(header, now), expected);
    });
  }
});

describe('redactValue', () => {
  it('replaces secret keys at any depth and leaves the rest, and the input, alone', () => {
    const input = {
      url: 'https://example.com',
      secrets: ['a', 'b'],
      nested: [{ hmac: 'c2VjcmV0', keep: 1 }, { hmac: null }],
      deep: { webhook_secret: { inner: 'x' } },
    };
    const copy = structuredClone(input);
    assert.deepEqual(redactValue(input, new Set(['secrets', 'hmac', 'webhook_secret'])), {
      url: 'https://example.com',
      secrets: '[redacted]',
      nested: [{ hmac: '[redacted]', keep: 1 }, { hmac: null }],
      deep: { webhook_secret: '[redacted]' },
    });
    assert.deepEqual(input, copy);
  });

  it('passes scalars and arrays through', () => {
    const fields = new Set(['secrets']);
    assert.equal(redactValue('secrets', fields), 'secrets');
    assert.equal(redactValue(null, fields), null);
    assert.deepEqual(redactValue([1, { secrets: 's' }], fields), [1, { secrets: '[redacted]' }]);
  });
});
