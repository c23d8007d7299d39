// `test`, `listen` and `verify` end to end on loopback, with the BUILT CLI (`npm run build` first) against the
// in-process emulators of Ultravox, PolyAI and Daily: signed test deliveries verify at the local listener, a
// tampered body, a wrong secret and a stale timestamp fail `verify` with exit 8 and the right reason, failed
// deliveries exit 8 with a clear message, and `listen --forward-to` relays bodies byte for byte.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startEmulator, type RunningEmulator } from '../src/emulator/server.ts';
import { dailySignature } from '../src/providers/daily/signature.ts';
import { polyaiSignature } from '../src/providers/polyai/signature.ts';
import { ultravoxSignature } from '../src/providers/ultravox/signature.ts';
import { ROOT, cleanEnv, emulatorVars, newCli, removeTempRoots, type Cli } from './helpers/cli.ts';

const KEY = 'listen-test-key-5c1e';
const DAILY_HMAC = 'c2lnbmluZy1rZXktZm9yLWRhaWx5LXRlc3RzLTMyYg==';

let emu: RunningEmulator;

before(async () => {
  emu = await startEmulator({ apiKey: KEY });
});

after(async () => {
  await emu.close();
  removeTempRoots();
});

function emulatorEnv(): Record<string, string> {
  return emulatorVars(emu, KEY);
}

function cli(): Cli {
  return newCli({ env: emulatorEnv() });
}

interface Background {
  /** The URL `listen` printed on stderr. */
  url: Promise<string>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  kill(signal?: NodeJS.Signals): void;
}

/** Starts `voicehooks listen …` in the background with the same config directory and environment as `cli`. */
function listen(client: Cli, args: string[]): Background {
  const env = {
    ...cleanEnv(),
    ...emulatorEnv(),
    NO_COLOR: '1',
    HTTP_PROXY: 'http://127.0.0.1:9',
    HTTPS_PROXY: 'http://127.0.0.1:9',
    NO_PROXY: '127.0.0.1,localhost,::1',
    VOICEHOOKS_CONFIG_DIR: client.configDir,
  };
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'run.js'), 'listen', ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let announce: (url: string) => void;
  const url = new Promise<string>((resolve) => (announce = resolve));
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
    const found = / on (http:\/\/\S+) \(/.exec(stderr);
    if (found?.[1]) announce(found[1]);
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const exit = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
  }>((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      announce('');
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { url, exit, kill: (signal = 'SIGTERM') => child.kill(signal) };
}

interface Captured {
  body: Buffer;
  headers: IncomingMessage['headers'];
  rawHeaders: string[];
  method: string;
}

/** A plain endpoint on loopback that records what it receives and answers with `status`. */
async function endpoint(
  status: number,
  answer = '{"ok":true}',
): Promise<{ url: string; received: Captured[]; server: Server }> {
  const received: Captured[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        body: Buffer.concat(chunks),
        headers: req.headers,
        rawHeaders: req.rawHeaders,
        method: req.method ?? '',
      });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received, server };
}

/** A port nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** POSTs raw bytes with headers and returns the answer. */
async function post(
  url: string,
  body: Buffer,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { method: 'POST', body, headers });
  return { status: res.status, body: await res.text() };
}

/** A call to an emulated provider's API, as its own clients make it (not through the CLI under test). */
async function api(
  provider: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<Record<string, unknown>> {
  const auth: Record<string, string> =
    provider === 'ultravox'
      ? { 'x-api-key': KEY }
      : provider === 'polyai'
        ? { 'x-api-key': KEY }
        : { authorization: `Bearer ${KEY}` };
  const res = await fetch(`${emu.baseUrl(provider)}${path}`, {
    method,
    headers: { ...auth, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  assert.ok(res.status < 300, `${provider} ${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** Keeps a PolyAI secret in the config file's secret store, as `create` does. */
function keepSecret(client: Cli, id: string, secret: string): void {
  mkdirSync(client.configDir, { recursive: true, mode: 0o700 });
  writeFileSync(
    client.configFile,
    JSON.stringify({ profiles: { default: { secrets: { polyai: { [id]: secret } } } } }),
    { mode: 0o600 },
  );
}

interface TestJson {
  provider: string;
  id: string;
  url: string;
  success: boolean;
  statusCode: number | null;
  responseTimeMs: number;
  message: string;
  passed: boolean;
  mode: string;
  event: string;
  deliveryId: string | null;
  headersSent: string[];
  responseBody: string | null;
}

function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

// Every group runs at once: most of the time is spent waiting for spawned CLIs.
describe('sign, verify, listen and test', { concurrency: true }, () => {
  describe('verify fails with exit 8 and the right reason', () => {
    const cases = [
      {
        provider: 'ultravox',
        scheme: ultravoxSignature,
        secret: 'uvx-verify-secret',
        body: '{"event":"call.ended","call":{"callId":"c1"}}',
      },
      {
        provider: 'polyai',
        scheme: polyaiSignature,
        secret: 'polyai-verify-secret',
        body: '{"event_type":"alerts.resolved","alert":{"id":"ar_1"}}',
      },
      {
        provider: 'daily',
        scheme: dailySignature,
        secret: DAILY_HMAC,
        body: '{"version":"1.0.0","type":"meeting.ended","id":"m1","payload":{},"event_ts":1}',
      },
    ] as const;
    const wrongSecret = (provider: string) =>
      provider === 'daily' ? 'd3JvbmctZGFpbHktc2VjcmV0LXRoYXQtaXMtYmFzZTY0' : 'wrong-secret';
    const signed = (c: (typeof cases)[number], at: Date) =>
      c.scheme.sign({
        body: Buffer.from(c.body),
        secrets: [c.secret],
        timestamp: c.scheme.formatTimestamp(at),
      });
    const tamper = (body: string) => body.replace('1', '2');
    const stale = () => new Date(Date.now() - 3600_000);

    it('in-process, for every provider: valid, and each failure with its reason', () => {
      for (const c of cases) {
        const check = (body: string, headers: Record<string, string>, secret: string = c.secret) =>
          c.scheme.verify({ body: Buffer.from(body), headers, secrets: [secret] });
        assert.equal(check(c.body, signed(c, new Date())).valid, true, c.provider);
        assert.equal(check(tamper(c.body), signed(c, new Date())).reason, 'mismatch', c.provider);
        assert.equal(
          check(c.body, signed(c, new Date()), wrongSecret(c.provider)).reason,
          'mismatch',
          c.provider,
        );
        assert.equal(check(c.body, signed(c, stale())).reason, 'stale', c.provider);
      }
    });

    it('with the CLI: a tampered body (Ultravox), a wrong secret (PolyAI), a stale timestamp (Daily)', async () => {
      const client = cli();
      const [uv, pa, dy] = cases;
      const run = (
        c: (typeof cases)[number],
        headers: Record<string, string>,
        body: string,
        secret: string,
      ) =>
        client.run(
          [
            'verify',
            '-p',
            c.provider,
            '--secret',
            secret,
            ...Object.entries(headers).flatMap(([k, v]) => ['--header', `${k}: ${v}`]),
            '--json',
          ],
          { stdin: body },
        );
      const results = await Promise.all([
        run(uv, signed(uv, new Date()), tamper(uv.body), uv.secret),
        run(pa, signed(pa, new Date()), pa.body, wrongSecret('polyai')),
        run(dy, signed(dy, stale()), dy.body, dy.secret),
      ]);
      const expected = [
        ['ultravox', 'mismatch'],
        ['polyai', 'mismatch'],
        ['daily', 'stale'],
      ];
      results.forEach((result, i) => {
        const [provider, reason] = expected[i] ?? [];
        assert.equal(result.code, 8, result.stderr);
        const report = JSON.parse(result.stdout) as {
          valid: boolean;
          reason: string;
          provider: string;
          detail: string;
        };
        assert.deepEqual([report.provider, report.valid, report.reason], [provider, false, reason]);
        const error = JSON.parse(result.stderr) as { error: { code: string; message: string } };
        assert.equal(error.error.code, 'test_failed');
        assert.ok(error.error.message.includes(`(${reason}): ${report.detail}`), error.error.message);
      });
    });
  });

  describe('listen', { concurrency: true }, () => {
    it('--forward-to relays the body byte for byte and the headers unchanged, and --max-events 1 exits 0', async () => {
      const target = await endpoint(202, '{"from":"target"}');
      try {
        const client = cli();
        const bg = listen(client, [
          '-p',
          'polyai',
          '--secret',
          'fwd-secret',
          '--port',
          '0',
          '--forward-to',
          target.url,
          '--max-events',
          '1',
          '--json',
        ]);
        const url = await bg.url;
        assert.ok(url, 'listen printed no URL');
        // Spacing, key order, non-ASCII and a trailing newline: anything but the exact bytes would show.
        const body = Buffer.from(
          '{ "event_type" : "alerts.triggered",\n  "alert": {"name": "Zürich ✓", "id": "ar_X"} }\n',
          'utf8',
        );
        const headers = polyaiSignature.sign({
          body,
          secrets: ['fwd-secret'],
          timestamp: polyaiSignature.formatTimestamp(new Date()),
        });
        const answer = await post(url, body, {
          'content-type': 'application/json',
          'X-Custom-Header': 'kept',
          ...headers,
        });
        assert.equal(answer.status, 202);
        assert.equal(answer.body, '{"from":"target"}');
        const done = await bg.exit;
        assert.equal(done.code, 0, done.stderr);
        assert.equal(target.received.length, 1);
        const got = target.received[0];
        assert.ok(got);
        assert.ok(
          got.body.equals(body),
          `forwarded body differs:\n${got.body.toString('hex')}\n${body.toString('hex')}`,
        );
        for (const [name, value] of Object.entries({
          ...headers,
          'X-Custom-Header': 'kept',
          'content-type': 'application/json',
        })) {
          assert.equal(got.headers[name.toLowerCase()], value, name);
        }
        const [row] = jsonLines(done.stdout);
        // The documented shape of a `listen --json` line (docs/readme-signatures.md).
        assert.deepEqual(Object.keys(row ?? {}), [
          'time',
          'provider',
          'method',
          'path',
          'event',
          'id',
          'verification',
          'reason',
          'detail',
          'matchedSecret',
          'probe',
          'bytes',
          'status',
          'forward',
        ]);
        assert.deepEqual(Object.keys(row?.forward ?? {}), [
          'url',
          'status',
          'latencyMs',
          'responseBody',
          'error',
        ]);
        assert.equal(row?.verification, 'verified');
        assert.equal(row?.event, 'alerts.triggered');
        assert.equal(row?.id, headers['X-PolyAI-Event-ID']);
        assert.equal(row?.status, 202);
        assert.equal((row?.forward as { status: number }).status, 202);
        assert.match(done.stderr, /Stopped after 1 delivery/);
      } finally {
        target.server.close();
      }
    });

    it('answers 401 to an invalid delivery and 200 to a valid one, one row each', async () => {
      const client = cli();
      const secret = 'uvx-listen-secret';
      const bg = listen(client, [
        '-p',
        'ultravox',
        '--secret',
        secret,
        '--port',
        '0',
        '--path',
        '/hooks',
        '--max-events',
        '2',
      ]);
      const url = await bg.url;
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/hooks$/);
      const body = Buffer.from(
        '{"event":"call.started","call":{"callId":"4b5f0b52-0000-4000-8000-000000000001"}}',
      );
      const headers = ultravoxSignature.sign({
        body,
        secrets: [secret],
        timestamp: ultravoxSignature.formatTimestamp(new Date()),
      });
      const wrongPath = await post(url.replace('/hooks', '/other'), body, headers);
      assert.equal(wrongPath.status, 404);
      const invalid = await post(url, Buffer.from(body.toString().replace('started', 'ended')), headers);
      assert.equal(invalid.status, 401);
      assert.match(invalid.body, /"reason":"mismatch"/);
      const valid = await post(url, body, headers);
      assert.equal(valid.status, 200);
      const done = await bg.exit;
      assert.equal(done.code, 0, done.stderr);
      const rows = done.stdout
        .trim()
        .split('\n')
        .map((line) => line.split('\t'));
      assert.equal(rows.length, 2);
      assert.deepEqual(
        rows.map((r) => r.slice(1, 5)),
        [
          ['call.ended', 'invalid', '4b5f0b52-0000-4000-8000-000000000001', '401'],
          ['call.started', 'verified', '4b5f0b52-0000-4000-8000-000000000001', '200'],
        ],
      );
      assert.match(rows[0]?.[0] ?? '', /^\d{4}-\d{2}-\d{2}T/);
    });

    it('a port already taken exits 2 and says so', async () => {
      const taken = createServer();
      await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
      try {
        const { port } = taken.address() as AddressInfo;
        const result = await cli().run(['listen', '-p', 'ultravox', '--port', String(port)]);
        assert.equal(result.code, 2);
        assert.match(result.stderr, new RegExp(`Cannot listen on 127\\.0\\.0\\.1:${port} \\(EADDRINUSE\\)`));
      } finally {
        taken.close();
      }
    });

    it('stops cleanly with exit 0 on SIGTERM', async () => {
      const bg = listen(cli(), ['-p', 'daily', '--port', '0']);
      assert.ok(await bg.url);
      bg.kill('SIGTERM');
      const done = await bg.exit;
      assert.equal(done.code, 0, done.stderr);
      assert.match(done.stderr, /not verified: no --secret or --webhook given/);
      assert.match(done.stderr, /Stopped after 0 deliveries/);
    });
  });

  describe('test → listen on loopback', { concurrency: true }, () => {
    it("Ultravox: the listener verifies with the webhook's own secrets (--webhook)", async () => {
      const client = cli();
      const port = await closedPort();
      const hook = await api('ultravox', 'POST', '/api/webhooks', {
        url: `http://127.0.0.1:${port}/hooks`,
        events: ['call.ended', 'call.billed'],
        secrets: ['uvx-secret-one', 'uvx-secret-two'],
      });
      const id = String(hook.webhookId);
      const bg = listen(client, [
        '-p',
        'ultravox',
        '--port',
        String(port),
        '--path',
        '/hooks',
        '--webhook',
        id,
        '--max-events',
        '1',
        '--json',
      ]);
      assert.ok(await bg.url);
      const test = await client.run(['test', id, '-p', 'ultravox', '--json']);
      assert.equal(test.code, 0, test.stderr);
      const report = JSON.parse(test.stdout) as TestJson;
      // The documented shape of `test --json` for a delivery sent from here (docs/readme-signatures.md).
      assert.deepEqual(Object.keys(report), [
        'provider',
        'id',
        'url',
        'success',
        'statusCode',
        'responseTimeMs',
        'message',
        'passed',
        'mode',
        'event',
        'deliveryId',
        'headersSent',
        'responseBody',
      ]);
      assert.deepEqual(report.headersSent, [
        'Content-Type',
        'User-Agent',
        'X-Ultravox-Webhook-Signature',
        'X-Ultravox-Webhook-Timestamp',
      ]);
      assert.equal(report.statusCode, 200);
      assert.equal(report.passed, true);
      assert.equal(report.mode, 'signed');
      assert.equal(report.event, 'call.ended', 'the first subscribed event');
      assert.match(report.responseBody ?? '', /"verification":"verified"/);
      const done = await bg.exit;
      assert.equal(done.code, 0, done.stderr);
      const [row] = jsonLines(done.stdout);
      assert.deepEqual(
        [row?.event, row?.verification, row?.id, row?.status],
        ['call.ended', 'verified', report.deliveryId, 200],
      );
    });

    it('PolyAI: test and listen both use the secret kept in the local store', async () => {
      const client = cli();
      const port = await closedPort();
      const hook = await api('polyai', 'POST', '/v1/webhook-endpoints', {
        name: 'listen test',
        url: `http://127.0.0.1:${port}/`,
        event_types: ['alerts.resolved', 'alerts.triggered'],
      });
      const id = String(hook.id);
      keepSecret(client, id, String(hook.signing_secret));
      const bg = listen(client, [
        '-p',
        'polyai',
        '--port',
        String(port),
        '--webhook',
        id,
        '--max-events',
        '1',
        '--json',
      ]);
      assert.ok(await bg.url);
      const test = await client.run(['test', id, '-p', 'polyai', '--json']);
      assert.equal(test.code, 0, test.stderr);
      const report = JSON.parse(test.stdout) as TestJson;
      assert.equal(report.event, 'alerts.resolved');
      assert.match(report.deliveryId ?? '', /^evt_/);
      const done = await bg.exit;
      assert.equal(done.code, 0, done.stderr);
      const [row] = jsonLines(done.stdout);
      assert.deepEqual(
        [row?.event, row?.verification, row?.id],
        ['alerts.resolved', 'verified', report.deliveryId],
      );
    });

    it('Daily: the URL probe is answered and not counted; the signed sample verifies', async () => {
      const client = cli();
      const bg = listen(client, [
        '-p',
        'daily',
        '--port',
        '0',
        '--secret',
        DAILY_HMAC,
        '--max-events',
        '1',
        '--json',
      ]);
      const url = await bg.url;
      assert.ok(url);
      // Creating makes Daily (the emulator) probe the URL with an unsigned {"test":"test"}.
      const hook = await api('daily', 'POST', '/webhooks', {
        url,
        eventTypes: ['participant.left'],
        hmac: DAILY_HMAC,
      });
      const test = await client.run([
        'test',
        String(hook.uuid),
        '-p',
        'daily',
        '--event',
        'participant.left',
        '--json',
      ]);
      assert.equal(test.code, 0, test.stderr);
      const report = JSON.parse(test.stdout) as TestJson;
      const done = await bg.exit;
      assert.equal(done.code, 0, done.stderr);
      const [probe, row] = jsonLines(done.stdout);
      assert.deepEqual(
        [probe?.event, probe?.verification, probe?.probe, probe?.status],
        ['probe', 'unsigned', true, 200],
      );
      assert.deepEqual(
        [row?.event, row?.verification, row?.id],
        ['participant.left', 'verified', report.deliveryId],
      );
    });
  });

  describe('test sends what the provider sends, and fails clearly', { concurrency: true }, () => {
    it('every header: Ultravox one signature per secret; PolyAI event id and custom headers; Daily basic auth', async () => {
      // 200, not 204: Daily's probe on create needs exactly 200 (docs/providers/daily.md §4.2).
      const target = await endpoint(200, '');
      try {
        const client = cli();
        const uv = await api('ultravox', 'POST', '/api/webhooks', {
          url: 'https://example.com/h',
          events: ['call.billed'],
          secrets: ['uv-1', 'uv-2'],
        });
        const pa = await api('polyai', 'POST', '/v1/webhook-endpoints', {
          name: 'headers',
          url: 'https://example.com/h',
          event_types: ['alerts.triggered'],
          headers: { 'X-Team': 'voice', 'X-Env': 'test' },
        });
        const dy = await api('daily', 'POST', '/webhooks', {
          url: target.url,
          eventTypes: ['meeting.started'],
          hmac: DAILY_HMAC,
          basicAuth: 'dXNlcjpwYXNz',
        });
        target.received.length = 0; // the probe
        const results = await Promise.all([
          client.run(['test', String(uv.webhookId), '-p', 'ultravox', '--url', target.url, '--json']),
          // PolyAI showed its secret only once and none is kept: --secret gives it.
          client.run([
            'test',
            String(pa.id),
            '-p',
            'polyai',
            '--url',
            target.url,
            '--secret',
            'given-secret',
            '--json',
          ]),
          client.run(['test', String(dy.uuid), '-p', 'daily', '--url', target.url, '--json']),
        ]);
        for (const result of results) assert.equal(result.code, 0, result.stderr);
        const by = (key: string) => target.received.find((r) => r.headers[key] !== undefined);
        const uvGot = by('x-ultravox-webhook-signature');
        const paGot = by('x-polyai-signature');
        const dyGot = by('x-webhook-signature');
        assert.ok(uvGot && paGot && dyGot, 'three deliveries');
        const sigs = String(uvGot.headers['x-ultravox-webhook-signature']).split(',');
        assert.equal(sigs.length, 2);
        sigs.forEach((sig, i) => {
          const alone = { ...uvGot.headers, 'x-ultravox-webhook-signature': sig };
          const check = ultravoxSignature.verify({
            body: uvGot.body,
            headers: alone,
            secrets: [['uv-1', 'uv-2'][i] ?? ''],
          });
          assert.equal(check.valid, true, `signature ${i + 1} is by secret ${i + 1}`);
        });
        assert.equal(JSON.parse(uvGot.body.toString()).event, 'call.billed');
        assert.equal(paGot.headers['x-team'], 'voice');
        assert.equal(paGot.headers['x-env'], 'test');
        assert.match(String(paGot.headers['x-polyai-event-id']), /^evt_/);
        assert.equal(
          polyaiSignature.verify({ body: paGot.body, headers: paGot.headers, secrets: ['given-secret'] })
            .valid,
          true,
        );
        assert.equal(dyGot.headers.authorization, 'Basic dXNlcjpwYXNz');
        assert.equal(
          dailySignature.verify({ body: dyGot.body, headers: dyGot.headers, secrets: [DAILY_HMAC] }).bodyForm,
          'raw',
        );
        for (const got of [uvGot, paGot, dyGot])
          assert.equal(got.headers['content-type'], 'application/json');
      } finally {
        target.server.close();
      }
    });

    it('an endpoint answering 500, and a closed port, exit 8 with the report on stdout and a clear message', async () => {
      const failing = await endpoint(500, '{"error":"boom"}');
      try {
        const client = cli();
        const hook = await api('ultravox', 'POST', '/api/webhooks', {
          url: failing.url,
          events: ['call.started'],
        });
        const id = String(hook.webhookId);
        const port = await closedPort();
        const [five, closed] = await Promise.all([
          client.run(['test', id, '-p', 'ultravox', '--json']),
          client.run(['test', id, '-p', 'ultravox', '--url', `http://127.0.0.1:${port}/hooks`]),
        ]);
        assert.equal(five.code, 8, five.stderr);
        const report = JSON.parse(five.stdout) as TestJson;
        assert.deepEqual(
          [report.statusCode, report.passed, report.success, report.responseBody],
          [500, false, false, '{"error":"boom"}'],
        );
        const error = JSON.parse(five.stderr) as { error: { code: string; message: string } };
        assert.equal(error.error.code, 'test_failed');
        assert.match(error.error.message, /failed: it answered HTTP 500/);

        assert.equal(closed.code, 8, closed.stderr);
        assert.match(
          closed.stderr,
          new RegExp(
            `^Error: The test delivery of call.started to http://127.0.0.1:${port}/hooks failed: connection refused: nothing is listening at 127.0.0.1:${port}\\.`,
          ),
        );
        // Piped, the report is one tab-separated record: webhook, url, event, result, status (empty), time, message, response.
        const fields = closed.stdout.replace(/\n$/, '').split('\t');
        assert.deepEqual([fields[0], fields[2], fields[3], fields[4]], [id, 'call.started', 'failed', '']);
        assert.equal(fields.length, 8, 'the same fields as a Talkover test report');
      } finally {
        failing.server.close();
      }
    });

    it('PolyAI with no kept secret and no terminal exits 2 naming --secret, before sending anything', async () => {
      const target = await endpoint(200);
      try {
        const hook = await api('polyai', 'POST', '/v1/webhook-endpoints', {
          name: 'no secret',
          url: target.url,
          event_types: ['alerts.triggered'],
        });
        const result = await cli().run(['test', String(hook.id), '-p', 'polyai']);
        assert.equal(result.code, 2);
        assert.match(result.stderr, /Missing --secret/);
        assert.equal(target.received.length, 0);
      } finally {
        target.server.close();
      }
    });

    it('Talkover --local sends its documented test payload, unsigned, and says why', async () => {
      const target = await endpoint(200);
      try {
        const agent = '9fbef0b7-8d4e-4a08-9207-66c22155721d';
        const created = await api('talkover', 'POST', `/agents/${agent}/webhooks`, {
          name: 'local',
          webhook_url: 'https://example.com/h',
          events: ['event_phone_call_ended'],
          custom_headers: [{ key: 'X-From', value: 'talkover' }],
        });
        const hook = (created.data ?? created) as Record<string, unknown>;
        const result = await cli().run([
          'test',
          String(hook.id),
          '-p',
          'talkover',
          '--agent',
          agent,
          '--local',
          '--url',
          target.url,
          '--json',
        ]);
        assert.equal(result.code, 0, result.stderr);
        assert.match(
          result.stderr,
          /does not document how it signs deliveries: this sample is sent unsigned/,
        );
        assert.equal((JSON.parse(result.stdout) as TestJson).mode, 'local-unsigned');
        const [got] = target.received;
        assert.ok(got);
        const body = JSON.parse(got.body.toString()) as Record<string, unknown>;
        assert.deepEqual(
          [body.event, body.webhook_id, body.agent_id, body.test],
          ['webhook.test', hook.id, agent, true],
        );
        assert.equal(got.headers['x-from'], 'talkover');
        assert.equal(
          Object.keys(got.headers).some((h) => /signature/i.test(h)),
          false,
        );
      } finally {
        target.server.close();
      }
    });
  });
});
