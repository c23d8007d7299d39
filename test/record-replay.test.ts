// Debugging deliveries end to end with the BUILT CLI (`npm run build` first), for every provider in the
// registry: the emulator delivers an event to `listen --record`, the record file is replayed to a second
// `listen` as recorded, re-signed and edited (with a scripted EDITOR), `send` signs a body to the same
// listener, and every one verifies there (Talkover's, whose scheme is undocumented, arrive unsigned). The
// --json shapes of send, replay, the record lines and listen's reasons are pinned here (docs/debugging.md).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startEmulator, type RunningEmulator } from '../src/emulator/server.ts';
import { readLinesCapped } from '../src/input.ts';
import { availableProviders } from '../src/providers/index.ts';
import { ROOT, cleanEnv, emulatorVars, newCli, removeTempRoots, type Cli } from './helpers/cli.ts';

const KEY = 'record-replay-key-7f3a';
const AGENT = '1b4e28ba-2fa1-11d2-883f-0016d3cca427';
const DAILY_HMAC = 'cmVjb3JkLXJlcGxheS1kYWlseS1rZXktMzItYnl0ZXM=';

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

/** A call to an emulated provider's API, as its own clients make it. */
async function api(provider: string, path: string, body: unknown): Promise<Record<string, unknown>> {
  const auth: Record<string, string> =
    provider === 'ultravox' || provider === 'polyai'
      ? { 'x-api-key': KEY }
      : { authorization: `Bearer ${KEY}` };
  const res = await fetch(`${emu.baseUrl(provider)}${path}`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  assert.ok(res.ok, `${provider} ${path}: ${res.status} ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** How each provider's emulated webhook is made: the event it is sent, and the secret it signs with. */
const FIXTURES: Record<
  string,
  (url: string, cli: Cli) => Promise<{ event: string; secret: string | null; delivered?: string }>
> = {
  elevenlabs: async (url, cli) => {
    const made = await cli.run([
      'create',
      '-p',
      'elevenlabs',
      '--url',
      url,
      '--event',
      'voice_library_removal_notice',
      '--name',
      'record',
      '--json',
    ]);
    assert.equal(made.code, 0, made.stderr);
    const secret = (JSON.parse(made.stdout) as { secrets: string[] }).secrets[0] ?? null;
    // The voice-library event arrives named as its deliveries name it.
    return { event: 'voice_library_removal_notice', secret, delivered: 'voice_removal_notice' };
  },
  ultravox: async (url) => {
    await api('ultravox', '/api/webhooks', { url, events: ['call.ended'], secrets: ['uv-record-secret'] });
    return { event: 'call.ended', secret: 'uv-record-secret' };
  },
  polyai: async (url) => {
    const made = await api('polyai', '/v1/webhook-endpoints', {
      name: 'record',
      url,
      event_types: ['alerts.triggered'],
      headers: { 'X-Api-Key': 'custom-credential-value' },
    });
    return { event: 'alerts.triggered', secret: made.signing_secret as string };
  },
  daily: async (url) => {
    await api('daily', '/webhooks', {
      url,
      eventTypes: ['meeting.started'],
      hmac: DAILY_HMAC,
      basicAuth: 'dXNlcjpwYXNz',
    });
    return { event: 'meeting.started', secret: DAILY_HMAC };
  },
  openai: async (url) => {
    const made = await api('openai', '/webhook_endpoints', {
      name: 'record',
      url,
      event_types: ['batch.completed'],
    });
    return { event: 'batch.completed', secret: made.signing_secret as string };
  },
  talkover: async (url) => {
    await api('talkover', `/agents/${AGENT}/webhooks`, {
      name: 'record',
      webhook_url: url,
      events: ['event_phone_call_ended'],
    });
    return { event: 'event_phone_call_ended', secret: null };
  },
};

interface Background {
  url: Promise<string>;
  exit: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

function listen(client: Cli, args: string[]): Background {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'run.js'), 'listen', ...args], {
    cwd: ROOT,
    env: {
      ...cleanEnv(),
      ...emulatorEnv(),
      NO_COLOR: '1',
      NO_PROXY: '127.0.0.1,localhost,::1',
      VOICEHOOKS_CONFIG_DIR: client.configDir,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let announce: (url: string) => void;
  const url = new Promise<string>((resolve) => (announce = resolve));
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString('utf8');
    const found = / on (http:\/\/\S+) \(/.exec(stderr);
    if (found?.[1]) announce(found[1]);
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const exit = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    child.on('close', (code) => {
      clearTimeout(killer);
      announce('');
      resolve({ code, stdout, stderr });
    });
  });
  return { url, exit };
}

const jsonLines = (text: string) =>
  text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

const RECORD_KEYS = [
  'version',
  'time',
  'provider',
  'method',
  'path',
  'event',
  'id',
  'headers',
  'masked',
  'body',
  'bodyEncoding',
  'verification',
  'reason',
  'detail',
];
const REPLAY_KEYS = [
  'line',
  'provider',
  'event',
  'id',
  'url',
  'method',
  'signature',
  'edited',
  'droppedHeaders',
  'passed',
  'statusCode',
  'responseTimeMs',
  'responseBody',
  'error',
];
const SEND_KEYS = [
  'provider',
  'scheme',
  'url',
  'method',
  'event',
  'mode',
  'bytes',
  'headersSent',
  'passed',
  'statusCode',
  'responseTimeMs',
  'responseBody',
  'error',
];

describe('record, replay and send, for every provider', { timeout: 120_000 }, () => {
  it('every provider in the registry has a fixture', () => {
    assert.deepEqual(
      availableProviders()
        .map((d) => d.name)
        .sort(),
      Object.keys(FIXTURES).sort(),
    );
  });

  for (const descriptor of availableProviders()) {
    const provider = descriptor.name;
    it(`${descriptor.displayName}: emulator → listen --record → replay (recorded, --resign, --edit) and send → listen`, async () => {
      const fixture = FIXTURES[provider];
      assert.ok(fixture);
      const cli = newCli({ env: emulatorEnv() });
      const file = join(cli.configDir, '..', `${provider}.jsonl`);
      // Made after the webhook, since the secret of some providers is the one they issue.
      const recorder = listen(cli, [
        '-p',
        provider,
        '--port',
        '0',
        '--max-events',
        '1',
        '--record',
        file,
        '--json',
      ]);
      const recorderUrl = await recorder.url;
      const { event, secret, delivered = event } = await fixture(recorderUrl, cli);
      const triggered = await cli.run(['emulator', 'trigger', event, '-p', provider, '--emulator', emu.url]);
      assert.equal(triggered.code, 0, triggered.stderr);
      const recorded = await recorder.exit;
      assert.equal(recorded.code, 0, recorded.stderr);

      // The record file: private, one line, the pinned shape, credentials masked.
      assert.equal(statSync(file).mode & 0o777, 0o600);
      const [record, ...more] = jsonLines(readFileSync(file, 'utf8'));
      assert.equal(more.length, 0);
      assert.deepEqual(Object.keys(record ?? {}), RECORD_KEYS);
      assert.equal(record?.provider, provider);
      assert.equal(record?.event, delivered);
      assert.equal(record?.verification, secret === null ? 'unsigned' : 'unchecked');
      const text = readFileSync(file, 'utf8');
      for (const credential of ['dXNlcjpwYXNz', 'custom-credential-value', KEY]) {
        assert.ok(!text.includes(credential), `${credential} is masked`);
      }

      // A second listener checks every replay and the send.
      const secretFlags = secret === null ? [] : ['--secret', secret];
      const checker = listen(cli, [
        '-p',
        provider,
        '--port',
        '0',
        '--max-events',
        '4',
        '--json',
        ...secretFlags,
      ]);
      const to = await checker.url;
      const asRecorded = await cli.run(['replay', file, '--to', to, '--json']);
      assert.equal(asRecorded.code, 0, asRecorded.stderr);
      const [first] = jsonLines(asRecorded.stdout);
      assert.deepEqual(Object.keys(first ?? {}), REPLAY_KEYS);
      assert.equal(first?.signature, secret === null ? 'unsigned' : 'recorded');

      const resigned = await cli.run([
        'replay',
        file,
        '--to',
        to,
        '--only',
        '1',
        '--resign',
        ...secretFlags,
        '--json',
      ]);
      assert.equal(resigned.code, 0, resigned.stderr);
      assert.equal(jsonLines(resigned.stdout)[0]?.signature, secret === null ? 'unsigned' : 'resigned');

      // The scripted editor adds a field to the JSON body.
      const editor = join(cli.configDir, '..', 'edit.mjs');
      writeFileSync(
        editor,
        "import { readFileSync, writeFileSync } from 'node:fs';\n" +
          'const f = process.argv[2];\n' +
          "writeFileSync(f, JSON.stringify({ ...JSON.parse(readFileSync(f, 'utf8')), replayEdited: true }));\n",
      );
      const edited = await cli.run(
        ['replay', file, '--to', to, '--event', delivered, '--edit', ...secretFlags, '--json'],
        {
          env: { EDITOR: `${process.execPath} ${editor}`, VISUAL: '' },
        },
      );
      assert.equal(edited.code, 0, edited.stderr);
      assert.equal(jsonLines(edited.stdout)[0]?.edited, true);

      const sent = await cli.run([
        'send',
        '-p',
        provider,
        '--url',
        to,
        '--event',
        event,
        ...secretFlags,
        '--json',
      ]);
      assert.equal(sent.code, 0, sent.stderr);
      const report = JSON.parse(sent.stdout) as Record<string, unknown>;
      assert.deepEqual(Object.keys(report), SEND_KEYS);
      assert.equal(report.statusCode, 200);
      assert.equal(report.mode, secret === null ? 'unsigned' : 'signed');
      assert.match(String(report.responseBody), /"received":true/);

      const checked = await checker.exit;
      assert.equal(checked.code, 0, checked.stderr);
      const rows = jsonLines(checked.stdout);
      assert.equal(rows.length, 4);
      for (const row of rows) {
        assert.equal(row.verification, secret === null ? 'unsigned' : 'verified', String(row.detail));
      }
      assert.equal(rows[0]?.id, record?.id, 'a replay is the same delivery');
      assert.equal(rows[2]?.bytes === rows[0]?.bytes, false, 'the edited body was sent');
    });
  }
});

describe('reasons over the CLI', { timeout: 60_000 }, () => {
  it('listen rows and --json say why, and send reports the refusal; no secret printed', async () => {
    const cli = newCli({ env: emulatorEnv() });
    const checker = listen(cli, [
      '-p',
      'ultravox',
      '--port',
      '0',
      '--max-events',
      '2',
      '--json',
      '--secret',
      'right-secret',
    ]);
    const to = await checker.url;
    const wrong = await cli.run([
      'send',
      '-p',
      'ultravox',
      '--url',
      to,
      '--secret',
      'wrong-secret',
      '--json',
    ]);
    assert.equal(wrong.code, 8);
    assert.equal((JSON.parse(wrong.stdout) as { statusCode: number }).statusCode, 401);
    // A body pretty-printed after signing: re-serialised.
    const body = '{"event":"call.ended","call":{"callId":"c1"}}';
    const bodyFile = join(cli.configDir, '..', 'body.json');
    writeFileSync(bodyFile, body);
    const signed = await cli.run([
      'sign',
      '-p',
      'ultravox',
      '--secret',
      'right-secret',
      '--body-file',
      bodyFile,
      '--json',
    ]);
    const headers = JSON.parse(signed.stdout) as Record<string, string>;
    const res = await fetch(to, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify(JSON.parse(body), null, 2),
    });
    assert.equal(res.status, 401);
    const rows = jsonLines((await checker.exit).stdout);
    assert.deepEqual(
      rows.map((r) => r.reason),
      ['mismatch', 're-serialised'],
    );
    assert.match(String(rows[1]?.detail), /re-serialised/);
    for (const row of rows) assert.ok(!JSON.stringify(row).includes('right-secret'));
  });

  it('verify --webhook names the secret replaced by a rotation (other-secret), without printing it', async () => {
    const cli = newCli({ env: emulatorEnv() });
    const created = await cli.run([
      'create',
      '-p',
      'polyai',
      '--url',
      'https://example.com/hooks',
      '--event',
      'alerts.triggered',
      '--name',
      'rotating',
      '--json',
    ]);
    assert.equal(created.code, 0, created.stderr);
    const made = JSON.parse(created.stdout) as { id: string; secrets: string[] };
    const old = made.secrets[0] ?? '';
    assert.ok(old.length > 8);
    const rotated = await cli.run(['rotate-secret', made.id, '-p', 'polyai']);
    assert.equal(rotated.code, 0, rotated.stderr);
    const body = '{"event_type":"alerts.triggered","alert":{"id":"ar_1"}}';
    const bodyFile = join(cli.configDir, '..', 'alert.json');
    writeFileSync(bodyFile, body);
    const signed = await cli.run(['sign', '-p', 'polyai', '--secret', old, '--body-file', bodyFile]);
    const headerFlags = signed.stdout
      .split('\n')
      .filter(Boolean)
      .flatMap((line) => ['--header', line]);
    const verified = await cli.run([
      'verify',
      '-p',
      'polyai',
      '--webhook',
      made.id,
      '--body-file',
      bodyFile,
      '--json',
      ...headerFlags,
    ]);
    assert.equal(verified.code, 8, verified.stderr);
    const report = JSON.parse(verified.stdout) as { reason: string; detail: string };
    assert.equal(report.reason, 'other-secret');
    assert.match(report.detail, new RegExp(`webhook ${made.id} had before its last rotation`));
    assert.ok(
      !verified.stdout.includes(old) && !verified.stderr.includes(old),
      'the old secret is not printed',
    );
  });
});

describe('record files are read with care', { timeout: 60_000 }, () => {
  it('a line that is not a record, and a line past the cap, stop with exit 2 and the line number', async () => {
    const cli = newCli({ env: emulatorEnv() });
    const bad = join(cli.configDir, '..', 'bad.jsonl');
    writeFileSync(bad, '\n{"version":1}\n');
    const notRecord = await cli.run(['replay', bad, '--to', 'http://127.0.0.1:9/']);
    assert.equal(notRecord.code, 2);
    assert.match(notRecord.stderr, /line 2 is not a voicehooks delivery record/);
    const huge = join(cli.configDir, '..', 'huge.jsonl');
    writeFileSync(huge, `${'x'.repeat(11 * 1024 * 1024)}\n`);
    const tooLong = await cli.run(['replay', huge, '--to', 'http://127.0.0.1:9/']);
    assert.equal(tooLong.code, 2);
    assert.match(tooLong.stderr, /line 1, is larger than 10 MiB/);
  });

  it('readLinesCapped reads lines across chunks, the last without a newline, and refuses a long one', () => {
    const cli = newCli();
    const path = join(cli.configDir, '..', 'lines.txt');
    const long = 'y'.repeat(200_000);
    writeFileSync(path, `a\r\n${long}\n\nlast`);
    const lines = [...readLinesCapped(path, 'lines')];
    assert.deepEqual(
      lines.map((l) => [l.number, l.line.length]),
      [
        [1, 1],
        [2, 200_000],
        [3, 0],
        [4, 4],
      ],
    );
    assert.throws(() => [...readLinesCapped(path, 'lines', 1000)], /line 2, is larger than/);
  });
});

describe('reports of what an endpoint answered', { timeout: 60_000 }, () => {
  it('listen --forward-to shows status, time and the start of the answer; --record tightens an existing file to 0600', async () => {
    const target = createServer((req, res) => {
      req.resume();
      req.on('end', () =>
        res.writeHead(202, { 'content-type': 'application/json' }).end('{"ok":"forwarded-answer"}'),
      );
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    const targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}/`;
    const cli = newCli({ env: emulatorEnv() });
    const file = join(cli.configDir, '..', 'loose.jsonl');
    writeFileSync(file, '', { mode: 0o644 });
    chmodSync(file, 0o644);
    const relay = listen(cli, [
      '-p',
      'ultravox',
      '--port',
      '0',
      '--max-events',
      '1',
      '--forward-to',
      targetUrl,
      '--record',
      file,
    ]);
    const sent = await cli.run([
      'send',
      '-p',
      'ultravox',
      '--url',
      await relay.url,
      '--secret',
      'any-secret',
      '--json',
    ]);
    assert.equal(sent.code, 0, sent.stderr);
    const report = JSON.parse(sent.stdout) as { statusCode: number; responseBody: string };
    assert.equal(report.statusCode, 202);
    assert.equal(report.responseBody, '{"ok":"forwarded-answer"}');
    const { stdout, code } = await relay.exit;
    assert.equal(code, 0);
    // Piped: tab-separated cells; the forward cell has the status, the time and the answer's start.
    const forwarded = stdout.trim().split('\t')[5] ?? '';
    assert.match(forwarded, /^202 \(\d+ ms\) \{"ok":"forwarded-answer"\}$/);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(jsonLines(readFileSync(file, 'utf8')).length, 1);
    await new Promise<void>((resolve) => target.close(() => resolve()));
  });
});

describe('--webhook instead of --secret', { timeout: 60_000 }, () => {
  it("send and replay --resign sign with a webhook's secret; after rotate-secret --revoke-old the old one is named", async () => {
    const cli = newCli({ env: emulatorEnv() });
    const created = await cli.run([
      'create',
      '-p',
      'ultravox',
      '--url',
      'https://example.com/hooks',
      '--event',
      'call.ended',
      '--secret',
      'ultravox-old-secret',
      '--json',
      '--show-secrets',
    ]);
    assert.equal(created.code, 0, created.stderr);
    const id = (JSON.parse(created.stdout) as { id: string }).id;
    const file = join(cli.configDir, '..', 'uv.jsonl');
    const checker = listen(cli, [
      '-p',
      'ultravox',
      '--port',
      '0',
      '--max-events',
      '3',
      '--webhook',
      id,
      '--json',
      '--record',
      file,
    ]);
    const to = await checker.url;
    const sent = await cli.run(['send', '-p', 'ultravox', '--url', to, '--webhook', id, '--json']);
    assert.equal(sent.code, 0, sent.stderr);
    const replayed = await cli.run([
      'replay',
      file,
      '--to',
      to,
      '--resign',
      '--webhook',
      id,
      '-p',
      'ultravox',
      '--json',
    ]);
    assert.equal(replayed.code, 0, replayed.stderr);

    // The listener knew the secret when it started; after the rotation the old one is only recognised.
    const rotated = await cli.run(['rotate-secret', id, '-p', 'ultravox', '--revoke-old']);
    assert.equal(rotated.code, 0, rotated.stderr);
    const again = await cli.run(['replay', file, '--to', to, '--only', '1', '--json']);
    assert.equal(again.code, 0, again.stderr);
    const rows = jsonLines((await checker.exit).stdout);
    assert.deepEqual(
      rows.map((r) => r.verification),
      ['verified', 'verified', 'verified'],
    );

    const body = join(cli.configDir, '..', 'call.json');
    writeFileSync(body, '{"event":"call.ended","call":{"callId":"c2"}}');
    const signed = await cli.run([
      'sign',
      '-p',
      'ultravox',
      '--secret',
      'ultravox-old-secret',
      '--body-file',
      body,
    ]);
    const headerFlags = signed.stdout
      .split('\n')
      .filter(Boolean)
      .flatMap((line) => ['--header', line]);
    const verified = await cli.run([
      'verify',
      '-p',
      'ultravox',
      '--webhook',
      id,
      '--body-file',
      body,
      '--json',
      ...headerFlags,
    ]);
    assert.equal(verified.code, 8, verified.stderr);
    const report = JSON.parse(verified.stdout) as { reason: string; detail: string };
    assert.equal(report.reason, 'other-secret');
    assert.match(report.detail, new RegExp(`webhook ${id} had before its last rotation`));
    assert.ok(!verified.stdout.includes('ultravox-old-secret'));
  });
});
