/**
 * The emulator as a product: `emulator trigger` for every provider (signatures checked with the CLI's own
 * signature modules), each provider's failure rules, `--state` across restarts and a SIGKILL under load,
 * `emulator fault` over the CLI, and the demo script. Drives the BUILT CLI (`npm run build` first).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ROOT, cleanEnv, newCli, removeTempRoots, runCli } from './helpers/cli.ts';
import { startEmulator, type RunningEmulator } from '../src/emulator/server.ts';
import { loadState } from '../src/emulator/state.ts';
import type { TriggerDelivery } from '../src/emulator/trigger.ts';
import { createUltravoxEmulator } from '../src/providers/ultravox/emulator.ts';
import { dailySignature } from '../src/providers/daily/signature.ts';
import { polyaiSignature } from '../src/providers/polyai/signature.ts';
import { ultravoxSignature } from '../src/providers/ultravox/signature.ts';

const KEY = 'emulator-key';
const AGENT = '1b4e28ba-2fa1-11d2-883f-0016d3cca427';

interface Received {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

/** A receiver: answers 200 on /ok (and Daily's probe anywhere), `status` from /fail/<status>. */
let receiver: Server;
let receiverUrl: string;
let received: Received[] = [];
let emu: RunningEmulator;

before(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const probe = body.toString() === '{"test":"test"}';
      if (!probe)
        received.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
      const fail = /^\/fail\/(\d{3})/.exec(req.url ?? '');
      res.writeHead(fail && !probe ? Number(fail[1]) : 200).end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  emu = await startEmulator({ apiKey: KEY });
});

after(async () => {
  await emu.close();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
  removeTempRoots();
});

beforeEach(() => {
  received = [];
  emu.faults.clear();
  for (const p of Object.values(emu.providers)) {
    const endpoints = p === emu.providers.polyai || p === emu.providers.openai;
    p.restore(endpoints ? { endpoints: [] } : { webhooks: [] });
  }
});

/** A request to a provider emulator with its own credential header. */
async function api(base: string, provider: string, path: string, method = 'GET', body?: unknown) {
  const auth: Record<string, string> =
    provider === 'ultravox' || provider === 'polyai'
      ? { 'x-api-key': KEY }
      : { authorization: `Bearer ${KEY}` };
  const res = await fetch(`${base}/${provider}${path}`, {
    method,
    headers: { ...auth, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  assert.ok(res.ok, `${method} ${provider}${path}: ${res.status} ${text}`);
  return (text === '' ? {} : JSON.parse(text)) as Record<string, unknown>;
}

const trigger = (event: string, provider: string, ...extra: string[]) =>
  runCli(['emulator', 'trigger', event, '-p', provider, '--emulator', emu.url, '--json', ...extra]);

function lines(stdout: string): TriggerDelivery[] {
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as TriggerDelivery);
}

describe('emulator trigger delivers as each provider does', { timeout: 60_000 }, () => {
  it('Ultravox: signed with every secret, verify accepts it', async () => {
    const hook = await api(emu.url, 'ultravox', '/api/webhooks', 'POST', {
      url: `${receiverUrl}/ok`,
      events: ['call.ended'],
      secrets: ['first-secret', 'second-secret'],
      agentId: AGENT,
    });
    await api(emu.url, 'ultravox', '/api/webhooks', 'POST', {
      url: `${receiverUrl}/ok`,
      events: ['call.started'],
    });
    const run = await trigger('call.ended', 'ultravox');
    assert.equal(run.code, 0, run.stderr);
    const [report, ...rest] = lines(run.stdout);
    assert.equal(rest.length, 0, 'only the subscribed webhook gets the event');
    assert.equal(report?.webhookId, hook.webhookId);
    assert.equal(report?.delivered, true);
    assert.equal(received.length, 1);
    const got = received[0]!;
    const body = JSON.parse(got.body.toString()) as { event: string; call: { agentId: string } };
    assert.equal(body.event, 'call.ended');
    assert.equal(body.call.agentId, AGENT);
    for (const secret of ['first-secret', 'second-secret']) {
      const check = ultravoxSignature.verify({ body: got.body, headers: got.headers, secrets: [secret] });
      assert.equal(check.valid, true, check.detail);
    }
  });

  it('PolyAI: signed with the endpoint secret, with its custom headers and an event id', async () => {
    const created = await api(emu.url, 'polyai', '/v1/webhook-endpoints', 'POST', {
      name: 'hooks',
      url: `${receiverUrl}/ok`,
      event_types: ['alerts.resolved'],
      headers: { 'X-Team': 'voice' },
    });
    const run = await trigger('alerts.resolved', 'polyai');
    assert.equal(run.code, 0, run.stderr);
    const got = received[0]!;
    assert.equal(got.headers['x-team'], 'voice');
    assert.equal(got.headers['x-polyai-event-id'], lines(run.stdout)[0]?.deliveryId);
    const check = polyaiSignature.verify({
      body: got.body,
      headers: got.headers,
      secrets: [created.signing_secret as string],
    });
    assert.equal(check.valid, true, check.detail);
    const wrong = polyaiSignature.verify({ body: got.body, headers: got.headers, secrets: ['not-it'] });
    assert.equal(wrong.valid, false);
  });

  it('Daily: signed with the hmac, verify accepts it; basicAuth sent', async () => {
    const hook = await api(emu.url, 'daily', '/webhooks', 'POST', {
      url: `${receiverUrl}/ok`,
      eventTypes: ['meeting.started'],
      basicAuth: 'dXNlcjpwYXNz',
    });
    const run = await trigger('meeting.started', 'daily');
    assert.equal(run.code, 0, run.stderr);
    const got = received[0]!;
    assert.equal(got.headers.authorization, 'Basic dXNlcjpwYXNz');
    const check = dailySignature.verify({
      body: got.body,
      headers: got.headers,
      secrets: [hook.hmac as string],
    });
    assert.equal(check.valid, true, check.detail);
    assert.equal((JSON.parse(got.body.toString()) as { type: string }).type, 'meeting.started');
  });

  it('Talkover: the configured method and custom headers, enabled webhooks only', async () => {
    const path = `/agents/${AGENT}/webhooks`;
    const on = (
      await api(emu.url, 'talkover', path, 'POST', {
        name: 'put-hook',
        webhook_url: `${receiverUrl}/ok`,
        events: ['event_phone_call_ended'],
        http_method: 'PUT',
        custom_headers: [{ key: 'X-Tenant', value: 'acme' }],
      })
    ).data as { id: string };
    await api(emu.url, 'talkover', path, 'POST', {
      name: 'off-hook',
      webhook_url: `${receiverUrl}/ok`,
      events: ['event_phone_call_ended'],
      enabled: false,
    });
    const run = await trigger('event_phone_call_ended', 'talkover');
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(
      lines(run.stdout).map((d) => d.webhookId),
      [on.id],
    );
    assert.equal(received.length, 1);
    assert.equal(received[0]?.method, 'PUT');
    assert.equal(received[0]?.headers['x-tenant'], 'acme');
    assert.equal(
      (JSON.parse(received[0]!.body.toString()) as { event: string }).event,
      'event_phone_call_ended',
    );
  });

  it('refuses an event outside the catalog with exit 2 and sends nothing', async () => {
    const run = await trigger('call.endd', 'ultravox');
    assert.equal(run.code, 2);
    assert.match(run.stderr, /"call.endd\\" is not an Ultravox event.*Did you mean \\"call.ended\\"/);
  });

  it('an unreachable emulator is exit 9', async () => {
    const run = await runCli([
      'emulator',
      'trigger',
      'call.ended',
      '-p',
      'ultravox',
      '--emulator',
      'http://127.0.0.1:9',
    ]);
    assert.equal(run.code, 9);
    assert.match(run.stderr, /No emulator answers at http:\/\/127.0.0.1:9/);
  });
});

describe('failure behaviour per provider', { timeout: 60_000 }, () => {
  it('Daily: circuit breaker to FAILED after 3 failures, then nothing is sent', async () => {
    const hook = await api(emu.url, 'daily', '/webhooks', 'POST', {
      url: `${receiverUrl}/fail/500`,
      eventTypes: ['meeting.ended'],
    });
    const states: string[] = [];
    for (let i = 0; i < 3; i++) {
      const run = await trigger('meeting.ended', 'daily');
      assert.equal(run.code, 8, run.stderr);
      const [report] = lines(run.stdout);
      assert.equal(report?.attempts.length, 1, 'circuit-breaker tries each message once');
      states.push(`${String(report?.webhook.state)}/${String(report?.webhook.failedCount)}`);
    }
    assert.deepEqual(states, ['ACTIVE/1', 'ACTIVE/2', 'FAILED/3']);
    const after = await api(emu.url, 'daily', `/webhooks/${String(hook.uuid)}`);
    assert.equal(after.state, 'FAILED');
    received = [];
    const run = await trigger('meeting.ended', 'daily');
    assert.equal(run.code, 0);
    assert.equal(run.stdout, '');
    assert.equal(received.length, 0);
  });

  it('Ultravox: every failed attempt in recentFailures, webhook unhealthy', async () => {
    const hook = await api(emu.url, 'ultravox', '/api/webhooks', 'POST', {
      url: `${receiverUrl}/fail/404`,
      events: ['call.billed'],
    });
    const run = await trigger('call.billed', 'ultravox', '--max-attempts', '3', '--time-scale', '0');
    assert.equal(run.code, 8);
    assert.match(run.stderr, /1 of the deliveries failed/);
    assert.equal(lines(run.stdout)[0]?.attempts.length, 3, '4xx is retried by Ultravox');
    const after = await api(emu.url, 'ultravox', `/api/webhooks/${String(hook.webhookId)}`);
    assert.equal(after.status, 'unhealthy');
    assert.equal((after.recentFailures as unknown[]).length, 3);
  });

  it('Talkover: one log entry per attempt, up to max_retries retries', async () => {
    const path = `/agents/${AGENT}/webhooks`;
    const hook = (
      await api(emu.url, 'talkover', path, 'POST', {
        name: 'failing',
        webhook_url: `${receiverUrl}/fail/502`,
        events: ['event_recording'],
        max_retries: 2,
      })
    ).data as { id: string };
    const run = await trigger('event_recording', 'talkover', '--time-scale', '0');
    assert.equal(run.code, 8);
    const logs = (await api(emu.url, 'talkover', `${path}/${hook.id}/logs`)).data as {
      attempt: number;
      status: string;
      http_status: number;
    }[];
    assert.deepEqual(logs.map((l) => `${l.attempt}:${l.status}:${l.http_status}`).sort(), [
      '1:failed:502',
      '2:failed:502',
      '3:failed:502',
    ]);
  });

  it('PolyAI: 5xx retried on its schedule, other 4xx not retried', async () => {
    await api(emu.url, 'polyai', '/v1/webhook-endpoints', 'POST', {
      name: 'a',
      url: `${receiverUrl}/fail/503`,
      event_types: ['alerts.triggered'],
    });
    await api(emu.url, 'polyai', '/v1/webhook-endpoints', 'POST', {
      name: 'b',
      url: `${receiverUrl}/fail/400`,
      event_types: ['alerts.triggered'],
    });
    const run = await trigger('alerts.triggered', 'polyai', '--max-attempts', '3');
    assert.equal(run.code, 8);
    const byUrl = Object.fromEntries(
      lines(run.stdout).map((d) => [d.url.replace(receiverUrl, ''), d.attempts]),
    );
    assert.equal(byUrl['/fail/503']?.length, 3);
    assert.equal(byUrl['/fail/400']?.length, 1);
    // Compressed waits of PolyAI's 1 min and 5 min.
    assert.deepEqual(
      byUrl['/fail/503']?.map((a) => a.retryInMs),
      [6, 30, null],
    );
  });
});

// ---- the emulator process, for --state and faults ----

interface EmulatorProcess {
  child: ChildProcess;
  url: string;
  stderr: () => string;
}

function startCliEmulator(args: string[]): Promise<EmulatorProcess> {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'run.js'), 'emulator', '--port', '0', ...args], {
    cwd: ROOT,
    env: { ...cleanEnv(), NO_COLOR: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      err += chunk.toString();
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(err);
      if (match?.[1]) resolve({ child, url: match[1], stderr: () => err });
    });
    child.on('exit', (code) => reject(new Error(`emulator exited ${code}: ${err}`)));
  });
}

function stop(p: EmulatorProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  return new Promise((resolve) => {
    if (p.child.exitCode !== null || p.child.signalCode !== null) return resolve();
    p.child.once('exit', () => resolve());
    p.child.kill(signal);
  });
}

describe('--state', { timeout: 60_000 }, () => {
  it('keeps every webhook and secret of all four providers across a restart', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'voicehooks-state-')), 'state.json');
    let p = await startCliEmulator(['--state', file]);
    const uv = await api(p.url, 'ultravox', '/api/webhooks', 'POST', {
      url: `${receiverUrl}/ok`,
      events: ['call.ended'],
      secrets: ['kept-secret'],
    });
    const to = (
      await api(p.url, 'talkover', `/agents/${AGENT}/webhooks`, 'POST', {
        name: 'kept',
        webhook_url: `${receiverUrl}/ok`,
        events: ['event_action'],
        webhook_secret: 'talkover-kept-secret',
      })
    ).data as { id: string };
    const pa = await api(p.url, 'polyai', '/v1/webhook-endpoints', 'POST', {
      name: 'kept',
      url: `${receiverUrl}/ok`,
      event_types: ['alerts.triggered'],
    });
    const dy = await api(p.url, 'daily', '/webhooks', 'POST', {
      url: `${receiverUrl}/ok`,
      eventTypes: ['meeting.started'],
    });
    await stop(p);

    p = await startCliEmulator(['--state', file]);
    try {
      const uvList = (await api(p.url, 'ultravox', '/api/webhooks')).results as Record<string, unknown>[];
      assert.deepEqual(uvList, [uv]);
      const toList = (
        (await api(p.url, 'talkover', `/agents/${AGENT}/webhooks`)).data as { webhooks: { id: string }[] }
      ).webhooks;
      assert.deepEqual(
        toList.map((h) => h.id),
        [to.id],
      );
      const dyList = (await api(p.url, 'daily', '/webhooks')) as unknown as Record<string, unknown>[];
      assert.deepEqual(
        dyList.map((h) => [h.uuid, h.hmac]),
        [[dy.uuid, dy.hmac]],
      );
      const saved = loadState(file);
      const talkover = saved?.providers.talkover as { webhooks: { webhook_secret: string }[] };
      assert.equal(talkover.webhooks[0]?.webhook_secret, 'talkover-kept-secret');
      // PolyAI's secret is shown only at create: a delivery after the restart still verifies with it.
      received = [];
      const run = await runCli([
        'emulator',
        'trigger',
        'alerts.triggered',
        '-p',
        'polyai',
        '--emulator',
        p.url,
      ]);
      assert.equal(run.code, 0, run.stderr);
      const got = received[0]!;
      const check = polyaiSignature.verify({
        body: got.body,
        headers: got.headers,
        secrets: [pa.signing_secret as string],
      });
      assert.equal(check.valid, true, check.detail);
    } finally {
      await stop(p);
    }
  });

  it('killed (SIGKILL) while writing under load, leaves a file that loads with every acknowledged write', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'voicehooks-state-'));
    const file = join(dir, 'state.json');
    const p = await startCliEmulator(['--state', file]);
    let acknowledged = 0;
    let killed = false;
    const worker = async () => {
      while (!killed) {
        try {
          await api(p.url, 'ultravox', '/api/webhooks', 'POST', {
            url: `https://hooks.example.com/${'x'.repeat(150)}`,
            events: ['call.ended', 'call.started'],
          });
          if (!killed) acknowledged++;
        } catch {
          return;
        }
        if (acknowledged >= 200 && !killed) {
          killed = true;
          p.child.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    await stop(p, 'SIGKILL');
    const saved = loadState(file);
    assert.ok(saved, 'the state file exists');
    const fresh = createUltravoxEmulator();
    fresh.restore(saved.providers.ultravox);
    assert.ok(fresh.webhooks().length >= acknowledged, `${fresh.webhooks().length} < ${acknowledged}`);
    // Loading removed any temporary file the kill left behind.
    assert.deepEqual(readdirSync(dir), ['state.json']);
    // And the emulator starts from it.
    const again = await startCliEmulator(['--state', file]);
    await stop(again);
  });

  it('refuses to start on a corrupt state file (exit 3) and leaves it untouched', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'voicehooks-state-'));
    const file = join(dir, 'state.json');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, '{"version": 1, "providers": {');
    const run = await runCli(['emulator', '--port', '0', '--state', file]);
    assert.equal(run.code, 3);
    assert.match(run.stderr, /is not valid JSON/);
    assert.equal(readFileSync(file, 'utf8'), '{"version": 1, "providers": {');
  });
});

describe('emulator fault over the CLI', { timeout: 60_000 }, () => {
  it('a 503 fault is retried through by the next command; a list shows it, clear removes it', async () => {
    const p = await startCliEmulator([]);
    try {
      const cli = newCli({
        env: {
          VOICEHOOKS_ULTRAVOX_BASE_URL: `${p.url}/ultravox`,
          VOICEHOOKS_ULTRAVOX_API_KEY: 'an-emulator-key',
        },
      });
      const added = await cli.run([
        'emulator',
        'fault',
        'add',
        'status',
        '--status',
        '503',
        '--times',
        '1',
        '-p',
        'ultravox',
        '--json',
      ]);
      assert.equal(added.code, 0, added.stderr);
      assert.deepEqual(JSON.parse(added.stdout), [
        { kind: 'status', provider: 'ultravox', times: 1, status: 503 },
      ]);
      const list = await cli.run(['list', '-p', 'ultravox', '--json']);
      assert.equal(list.code, 0, list.stderr);
      const faults = await cli.run(['emulator', 'fault', 'list', '--json']);
      assert.deepEqual(JSON.parse(faults.stdout), [], 'the one-time fault was used up by the first attempt');

      await cli.run(['emulator', 'fault', 'add', 'status', '--status', '503', '-p', 'ultravox']);
      const failing = await cli.run(['list', '-p', 'ultravox']);
      assert.equal(failing.code, 9, 'a lasting 503 exhausts the retries');
      const cleared = await cli.run(['emulator', 'fault', 'clear', '--json']);
      assert.deepEqual(JSON.parse(cleared.stdout), []);
      assert.equal((await cli.run(['list', '-p', 'ultravox'])).code, 0);

      const bad = await cli.run(['emulator', 'fault', 'add']);
      assert.equal(bad.code, 2);
    } finally {
      await stop(p);
    }
  });
});

describe('npm run demo', { timeout: 120_000 }, () => {
  it('runs the quickstart end to end and exits 0', async () => {
    const result = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn('bash', [join(ROOT, 'scripts', 'demo.sh')], {
        cwd: ROOT,
        // Not 4747: the README's blocks (test/readme.test.ts, which may run at the same time) start an
        // emulator there.
        env: { ...cleanEnv(), NO_COLOR: '1', VOICEHOOKS_DEMO_PORT: '4757' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (out += c.toString()));
      child.on('close', (code) => resolve({ code, out }));
    });
    assert.equal(result.code, 0, result.out);
    assert.match(result.out, /both verified by listen/);
  });
});
