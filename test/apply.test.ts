// apply, diff, export and create --if-not-exists against the in-process emulators of all four providers,
// through the BUILT command line (`npm run build` first). Writes are counted on the emulator's request record.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { parse } from 'yaml';
import { startEmulator, type RunningEmulator } from '../src/emulator/server.ts';
import { newCli, removeTempRoots, tempRoots, type CliResult } from './helpers/cli.ts';

const KEY = 'apply-test-key-5c1e';
const AGENT = '9fbef0b7-8d4e-4a08-9207-66c22155721d';
const OTHER_AGENT = '1d7c9a8e-3b2f-4c5d-9e6f-7a8b9c0d1e2f';
const UVX_AGENT = '3c90c3cc-0d44-4b50-8888-8dd25736052a';

let emu: RunningEmulator;
/** Answers 200 to anything: Daily probes every URL it is given. */
let endpoint: Server;
let endpointUrl: string;
let dir: string;

before(async () => {
  endpoint = createServer((req, res) => {
    req.resume();
    res.writeHead(200).end('ok');
  });
  await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
  endpointUrl = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}`;
});

after(async () => {
  await new Promise<void>((resolve) => endpoint.close(() => resolve()));
  removeTempRoots();
});

beforeEach(async () => {
  emu = await startEmulator({ apiKey: KEY });
  dir = mkdtempSync(join(tmpdir(), 'voicehooks-apply-'));
  tempRoots.push(dir);
});

afterEach(async () => {
  await emu.close();
});

function env(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  const vars: Record<string, string | undefined> = {};
  for (const p of ['ultravox', 'talkover', 'polyai', 'daily']) {
    vars[`VOICEHOOKS_${p.toUpperCase()}_BASE_URL`] = emu.baseUrl(p);
    vars[`VOICEHOOKS_${p.toUpperCase()}_API_KEY`] = KEY;
  }
  return { ...vars, ...extra };
}

let cliInstance = newCli();
beforeEach(() => {
  cliInstance = newCli();
});

function voicehooks(args: string[], extra: Record<string, string | undefined> = {}): Promise<CliResult> {
  return cliInstance.run(args, { baseUrl: null, apiKey: null, env: env(extra) });
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Requests that change something, per provider. */
function writes(): { provider: string; method: string; path: string }[] {
  return emu.requests
    .filter((r) => r.method !== 'GET')
    .map((r) => ({ provider: r.provider, method: r.method, path: r.path }));
}

async function listed(
  provider: string,
  extra: string[] = [],
): Promise<{ id: string; url: string; events: string[]; name: string | null }[]> {
  const result = await voicehooks(['list', '-p', provider, '--json', ...extra]);
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as { id: string; url: string; events: string[]; name: string | null }[];
}

/** One entry per provider (two for Talkover), in YAML. */
function fourProviders(overrides: { ultravoxEvents?: string } = {}): string {
  return `webhooks:
  - provider: ultravox
    url: https://example.com/uvx
    events: [${overrides.ultravoxEvents ?? 'call.ended'}]
    secret: \${UVX_SECRET}
  - provider: talkover
    agent: ${AGENT}
    name: Calls
    url: https://example.com/talkover
    events: [event_phone_call_ended]
    deliveryTimeout: 30
    headers:
      X-Token: abc
  - provider: talkover
    agent: ${AGENT}
    name: Second
    url: https://example.com/talkover-2
    events: [event_phone_call_started]
  - provider: polyai
    name: Alerts
    url: https://example.com/polyai
    events: [alerts.triggered]
    enabled: true
  - provider: daily
    url: ${endpointUrl}/daily
    events: [meeting.started]
    retryType: exponential
`;
}

const SECRET_ENV = { UVX_SECRET: 'uvx-signing-secret-0123456789abcdef' };

describe('apply converges and is idempotent', () => {
  it('creates all from empty, sends zero writes the second time, and turns one change into one update', async () => {
    const path = file('hooks.yaml', fourProviders());
    const first = await voicehooks(['apply', '-f', path, '--json'], SECRET_ENV);
    assert.equal(first.code, 0, first.stderr);
    const summary = JSON.parse(first.stdout) as {
      ok: boolean;
      counts: Record<string, number>;
      items: { result: string; provider: string; id: string }[];
    };
    assert.equal(summary.ok, true);
    assert.equal(summary.counts.created, 5);
    assert.deepEqual(
      writes()
        .map((w) => `${w.provider} ${w.method}`)
        .sort(),
      ['daily POST', 'polyai POST', 'talkover POST', 'talkover POST', 'ultravox POST'],
    );
    assert.ok(!first.stdout.includes(SECRET_ENV.UVX_SECRET), 'the plan masks secrets');

    emu.requests.length = 0;
    const second = await voicehooks(['apply', '-f', path, '--json'], SECRET_ENV);
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual(writes(), [], 'a second apply sends no write');
    assert.equal((JSON.parse(second.stdout) as { counts: Record<string, number> }).counts.unchanged, 5);

    const same = await voicehooks(['diff', '-f', path], SECRET_ENV);
    assert.equal(same.code, 0, same.stderr);

    const changed = file('changed.yaml', fourProviders({ ultravoxEvents: 'call.ended, call.started' }));
    const drift = await voicehooks(['diff', '-f', changed, '--json'], SECRET_ENV);
    assert.equal(drift.code, 10, drift.stderr);
    const report = JSON.parse(drift.stdout) as {
      inSync: boolean;
      items: { action: string; changes: { field: string; from: unknown; to: unknown }[] }[];
    };
    assert.equal(report.inSync, false);
    const update = report.items.filter((i) => i.action === 'update');
    assert.deepEqual(
      update.map((i) => i.changes),
      [[{ field: 'events', from: ['call.ended'], to: ['call.ended', 'call.started'] }]],
    );

    emu.requests.length = 0;
    const third = await voicehooks(['apply', '-f', changed], SECRET_ENV);
    assert.equal(third.code, 0, third.stderr);
    assert.deepEqual(
      writes().map((w) => `${w.provider} ${w.method}`),
      ['ultravox PATCH'],
    );
    assert.match(
      third.stdout,
      /^updated\tupdate\tultravox\t\thttps:\/\/example\.com\/uvx\t[0-9a-f-]{36}\tevents: \["call\.ended"\] → \["call\.ended","call\.started"\]$/m,
    );
    assert.equal((await listed('ultravox'))[0]?.events.length, 2);
  });

  it('--prune deletes only unlisted webhooks of listed providers and scopes', async () => {
    const made = [
      [
        '-p',
        'talkover',
        '--agent',
        AGENT,
        '--name',
        'Unlisted',
        '--url',
        'https://example.com/gone',
        '--event',
        'event_phone_call_ended',
      ],
      [
        '-p',
        'talkover',
        '--agent',
        OTHER_AGENT,
        '--name',
        'Other agent',
        '--url',
        'https://example.com/other',
        '--event',
        'event_phone_call_ended',
      ],
      [
        '-p',
        'ultravox',
        '--agent',
        UVX_AGENT,
        '--url',
        'https://example.com/agent-scoped',
        '--event',
        'call.ended',
      ],
      ['-p', 'ultravox', '--url', 'https://example.com/uvx-unlisted', '--event', 'call.ended'],
      ['-p', 'daily', '--url', `${endpointUrl}/other-provider`, '--event', 'meeting.started'],
    ];
    for (const args of made) {
      const r = await voicehooks(['create', ...args, '--json']);
      assert.equal(r.code, 0, r.stderr);
    }
    const path = file(
      'prune.yaml',
      `webhooks:
  - provider: talkover
    agent: ${AGENT}
    name: Kept
    url: https://example.com/kept
    events: [event_phone_call_ended]
  - provider: ultravox
    url: https://example.com/uvx
    events: [call.ended]
`,
    );
    const plan = await voicehooks(['diff', '-f', path, '--prune', '--json']);
    assert.equal(plan.code, 10);
    const items = (JSON.parse(plan.stdout) as { items: { action: string; url: string }[] }).items;
    assert.deepEqual(
      items
        .filter((i) => i.action === 'delete')
        .map((i) => i.url)
        .sort(),
      ['https://example.com/gone', 'https://example.com/uvx-unlisted'],
    );

    const applied = await voicehooks(['apply', '-f', path, '--prune', '--yes']);
    assert.equal(applied.code, 0, applied.stderr);
    assert.deepEqual(
      (await listed('talkover', ['--agent', AGENT])).map((w) => w.url),
      ['https://example.com/kept'],
    );
    assert.deepEqual(
      (await listed('talkover', ['--agent', OTHER_AGENT])).map((w) => w.url),
      ['https://example.com/other'],
    );
    assert.deepEqual((await listed('ultravox')).map((w) => w.url).sort(), [
      'https://example.com/agent-scoped',
      'https://example.com/uvx',
    ]);
    assert.equal((await listed('daily')).length, 1);
  });

  it('--prune without --yes and without a terminal exits 2 before any request', async () => {
    const path = file('hooks.yaml', fourProviders());
    const result = await voicehooks(['apply', '-f', path, '--prune'], SECRET_ENV);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--yes/);
    assert.equal(emu.requests.length, 0);
  });

  it('a fault halfway through leaves a state that the next apply converges, without duplicates', async () => {
    // PolyAI's create reaches the emulator and then the connection drops (the answer is lost); Talkover's
    // first create fails with a 500. The other items go on.
    emu.faults.add({ kind: 'reset-after', provider: 'polyai', method: 'POST', times: 1 });
    emu.faults.add({ kind: 'status', status: 500, provider: 'talkover', method: 'POST', times: 1 });
    const path = file('hooks.yaml', fourProviders());
    const first = await voicehooks(['apply', '-f', path, '--json'], SECRET_ENV);
    assert.equal(first.code, 9, first.stderr);
    const summary = JSON.parse(first.stdout) as { ok: boolean; counts: Record<string, number> };
    assert.equal(summary.ok, false);
    assert.equal(summary.counts.failed, 2);
    assert.equal(summary.counts.created, 3);

    const second = await voicehooks(['apply', '-f', path, '--json'], SECRET_ENV);
    assert.equal(second.code, 0, second.stderr);
    const counts = (JSON.parse(second.stdout) as { counts: Record<string, number> }).counts;
    assert.deepEqual(
      [counts.created, counts.unchanged],
      [1, 4],
      'only the create that never happened is sent',
    );
    assert.equal((await listed('polyai')).length, 1);
    assert.equal((await listed('talkover', ['--agent', AGENT])).length, 2);
    assert.equal((await listed('ultravox')).length, 1);
    assert.equal((await listed('daily')).length, 1);
    assert.equal((await voicehooks(['diff', '-f', path], SECRET_ENV)).code, 0);
  });

  it('export followed by diff reports no drift; secrets are placeholders', async () => {
    const seeded = await voicehooks(['apply', '-f', file('hooks.yaml', fourProviders())], SECRET_ENV);
    assert.equal(seeded.code, 0, seeded.stderr);
    const agent = { VOICEHOOKS_TALKOVER_AGENT: AGENT };
    const plain = await voicehooks(['export'], agent);
    assert.equal(plain.code, 0, plain.stderr);
    assert.ok(!plain.stdout.includes(SECRET_ENV.UVX_SECRET));
    assert.match(plain.stdout, /secret: \$\{ULTRAVOX_UVX_SECRET\}/);
    const shown = await voicehooks(['export', '--show-secrets'], agent);
    assert.equal(shown.code, 0, shown.stderr);

    // The placeholders' values, found by walking both exports side by side.
    const values: Record<string, string> = {};
    const walk = (a: unknown, b: unknown): void => {
      if (typeof a === 'string') {
        const m = /^\$\{(\w+)\}$/.exec(a);
        if (m?.[1] && typeof b === 'string') values[m[1]] = b;
      } else if (a && typeof a === 'object') {
        for (const [k, v] of Object.entries(a)) walk(v, (b as Record<string, unknown>)[k]);
      }
    };
    walk(parse(plain.stdout), parse(shown.stdout));
    assert.equal(values.ULTRAVOX_UVX_SECRET, SECRET_ENV.UVX_SECRET);

    const exported = file('exported.yaml', plain.stdout);
    const missing = await voicehooks(['diff', '-f', exported]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /ULTRAVOX_UVX_SECRET/);
    const diff = await voicehooks(['diff', '-f', exported, '--prune'], values);
    assert.equal(diff.code, 0, diff.stdout + diff.stderr);

    const json = await voicehooks(['export', '-p', 'daily', '--json']);
    assert.equal(json.code, 0, json.stderr);
    const doc = JSON.parse(json.stdout) as { webhooks: { provider: string; secret: string }[] };
    assert.deepEqual(
      doc.webhooks.map((w) => [w.provider, w.secret]),
      [['daily', '${DAILY_DAILY_SECRET}']],
    );
  });
});

describe('export --region', () => {
  it('applies to PolyAI alone among several providers; with only providers without regions it exits 2', async () => {
    const seeded = await voicehooks(['apply', '-f', file('hooks.yaml', fourProviders())], SECRET_ENV);
    assert.equal(seeded.code, 0, seeded.stderr);
    const agent = { VOICEHOOKS_TALKOVER_AGENT: AGENT };
    const regionOf = (stdout: string): Record<string, (string | null)[]> => {
      const doc = JSON.parse(stdout) as { webhooks: { provider: string; region?: string }[] };
      const out: Record<string, (string | null)[]> = {};
      for (const w of doc.webhooks) (out[w.provider] ??= []).push(w.region ?? null);
      return out;
    };

    const all = await voicehooks(['export', '--region', 'eu', '--json'], agent);
    assert.equal(all.code, 0, all.stderr);
    assert.deepEqual(regionOf(all.stdout), {
      ultravox: [null],
      talkover: [null, null],
      polyai: ['eu'],
      daily: [null],
    });
    const named = await voicehooks(
      ['export', '-p', 'talkover', '-p', 'polyai', '--region', 'uk', '--json'],
      agent,
    );
    assert.equal(named.code, 0, named.stderr);
    assert.deepEqual(regionOf(named.stdout), { talkover: [null, null], polyai: ['uk'] });

    const before = emu.requests.length;
    for (const providers of [['talkover'], ['ultravox', 'daily']]) {
      const args = ['export', ...providers.flatMap((p) => ['-p', p]), '--region', 'eu', '--json'];
      const refused = await voicehooks(args, agent);
      assert.equal(refused.code, 2, `${args.join(' ')}: ${refused.stderr}`);
      assert.equal(refused.stdout, '');
      const { error } = JSON.parse(refused.stderr) as { error: { code: string; message: string } };
      assert.equal(error.code, 'usage');
      assert.match(error.message, /^--region is for PolyAI and ElevenLabs only; .* no regions\.$/);
    }
    assert.equal(emu.requests.length, before, 'a refused export sent a request');
  });
});

describe('the apply file is checked before anything is sent', () => {
  it('names the file, line and key of each problem (exit 2)', async () => {
    const path = file(
      'bad.yaml',
      `webhooks:
  - provider: talkover
    agent: ${AGENT}
    name: Calls
    url: https://example.com/t
    events: [event_phone_call_ended]
    deliveryTimeout: 500
  - provider: ultravox
    url: https://example.com/u
    events: [call.endd]
    colour: blue
`,
    );
    const result = await voicehooks(['apply', '-f', path]);
    assert.equal(result.code, 2);
    assert.match(
      result.stderr,
      /bad\.yaml:7:22: webhooks\[0\]\.deliveryTimeout must be a whole number from 5 to 120/,
    );
    assert.match(
      result.stderr,
      /bad\.yaml:10:13: webhooks\[1\]\.events "call\.endd" is not an Ultravox event\. Did you mean "call\.ended"/,
    );
    assert.match(result.stderr, /bad\.yaml:11:5: webhooks\[1\]\.colour is not a known key/);
    assert.equal(emu.requests.length, 0);
  });

  it('an unset ${VAR} is named, with its line (exit 2)', async () => {
    const path = file(
      'hooks.json',
      JSON.stringify(
        {
          webhooks: [
            {
              provider: 'ultravox',
              url: 'https://example.com/u',
              events: ['call.ended'],
              secret: '${NOT_SET_ANYWHERE}',
            },
          ],
        },
        null,
        2,
      ),
    );
    const result = await voicehooks(['diff', '-f', path]);
    assert.equal(result.code, 2);
    assert.match(
      result.stderr,
      /hooks\.json:9:17: webhooks\[0\]\.secret needs the environment variable NOT_SET_ANYWHERE/,
    );
    assert.equal(emu.requests.length, 0);
  });

  it('two entries with the same identity are an error', async () => {
    const entry = `  - provider: daily\n    url: ${endpointUrl}/same\n    events: [meeting.started]\n`;
    const result = await voicehooks(['diff', '-f', file('dup.yaml', `webhooks:\n${entry}${entry}`)]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /dup\.yaml:5:5: .*same identity .*dup\.yaml:2:5/);
  });
});

describe('create --if-not-exists', () => {
  it('returns the existing webhook instead of a duplicate', async () => {
    const args = [
      'create',
      '-p',
      'polyai',
      '--name',
      'A',
      '--url',
      'https://example.com/p',
      '--event',
      'alerts.triggered',
      '--if-not-exists',
      '--json',
    ];
    const first = await voicehooks(args);
    const second = await voicehooks(args);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(
      (JSON.parse(second.stdout) as { id: string }).id,
      (JSON.parse(first.stdout) as { id: string }).id,
    );
    assert.equal((await listed('polyai')).length, 1);
  });
});

describe('rate limit', () => {
  it('keeps Daily within 20 requests in any second', async () => {
    const entries = Array.from(
      { length: 40 },
      (_, i) => `  - provider: daily\n    url: ${endpointUrl}/d${i}\n    events: [meeting.started]\n`,
    );
    const result = await voicehooks(['apply', '-f', file('many.yaml', `webhooks:\n${entries.join('')}`)]);
    assert.equal(result.code, 0, result.stderr);
    const times = emu.requests
      .filter((r) => r.provider === 'daily')
      .map((r) => r.at)
      .sort((a, b) => a - b);
    assert.equal(times.length, 41, 'one list and 40 creates');
    const busiest = Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + 1000).length));
    assert.ok(busiest <= 20, `${busiest} requests within one second`);
    assert.ok(busiest >= 10, `the limiter lets requests through at speed (${busiest} in the busiest second)`);
  });
});
