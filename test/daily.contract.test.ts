// The shared adapter contract for Daily, then what only Daily has (docs/providers/daily.md §4): the URL probe on create and
// update, circuit-breaker state and re-activation, a toggle that can only turn a webhook back on, base64 hmac,
// `{error, info}` errors, a get that may answer with an array. CLI tests spawn the BUILT CLI (`npm run build`).
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startEmulator } from '../src/emulator/server.ts';
import type { RunningEmulator } from '../src/emulator/server.ts';
import { UnsupportedError } from '../src/errors.ts';
import { closeConnections } from '../src/http.ts';
import { createDailyEmulator } from '../src/providers/daily/emulator.ts';
import type { DailyEmulator, DailyWireWebhook } from '../src/providers/daily/emulator.ts';
import { daily } from '../src/providers/daily/index.ts';
import { CONTRACT_API_KEY, adapterContract, collect, makeAdapter, rejectsWithKind } from './contract.ts';
import { newCli, removeTempRoots } from './helpers/cli.ts';
import type { CliResult } from './helpers/cli.ts';

const UNKNOWN_ID = '0b4e4c7c-5eaf-46fe-990b-a3752f5684f5';
const EVENTS = ['meeting.started', 'meeting.ended'];
const DOCUMENTED_BODY_FIELDS = ['url', 'basicAuth', 'retryType', 'eventTypes', 'hmac'];

interface Hit {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A receiver on 127.0.0.1 answering every request with `status` (changeable), recording what it got. */
interface Endpoint {
  url: string;
  status: number;
  hits: Hit[];
  close(): Promise<void>;
}

const endpoints: Endpoint[] = [];

async function endpoint(status: number, options: { silent?: boolean } = {}): Promise<Endpoint> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      made.hits.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
      if (!options.silent) res.writeHead(made.status, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const made: Endpoint = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    status,
    hits: [],
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  endpoints.push(made);
  return made;
}

after(async () => {
  await closeConnections();
  await Promise.all(endpoints.map((e) => e.close()));
  removeTempRoots();
});

let receiver: Endpoint | undefined;
let refuser: Endpoint | undefined;
let state: DailyEmulator | undefined;
const live = <T>(value: T | undefined, what: string): T => {
  assert.ok(value !== undefined, `${what} is not started`);
  return value;
};

interface World {
  emulator: RunningEmulator;
  state: DailyEmulator;
  baseUrl: string;
}

/** What the Daily tests share, over the emulator that `world` names. */
function tools(world: () => World) {
  const emu = () => world().emulator;
  const backend = () => world().state;
  const writes = () => emu().requests.filter((r) => r.method !== 'GET');
  const stored = (id: string): DailyWireWebhook | undefined =>
    backend()
      .webhooks()
      .find((w) => w.uuid === id);

  /** The built CLI pointed at this emulator. */
  const cli = (args: string[]): Promise<CliResult> =>
    newCli({
      baseUrl: null,
      apiKey: null,
      env: { VOICEHOOKS_DAILY_BASE_URL: world().baseUrl, VOICEHOOKS_DAILY_API_KEY: CONTRACT_API_KEY },
    }).run([...args, '-p', 'daily']);

  /** A webhook on a receiver whose answers the test controls, with its own circuit; the request log cleared. */
  const webhookOn = async (target: Endpoint, extra: Record<string, unknown> = {}) => {
    const adapter = await makeAdapter(daily, world().baseUrl);
    const hook = await adapter.create({ url: `${target.url}/hook`, events: EVENTS, ...extra });
    emu().requests.length = 0;
    return { adapter, hook };
  };
  return { emu, backend, writes, stored, cli, webhookOn };
}

adapterContract({
  spec: 'daily.reconstructed.openapi.yaml',
  descriptor: daily,
  start: async (apiKey) => {
    receiver = await endpoint(200);
    refuser = await endpoint(500);
    state = createDailyEmulator({ apiKey });
    const emulator = await startEmulator({ providers: { daily: state } });
    return { emulator, baseUrl: emulator.baseUrl('daily') };
  },
  createInput: () => ({ url: `${live(receiver, 'the receiver').url}/hooks/daily`, events: EVENTS }),
  unknownId: UNKNOWN_ID,
  // Daily's own refusal: the probe of a URL that answers 500 (docs/providers/daily.md §4.2).
  rejectedInput: () => ({ url: `${live(refuser, 'the refuser').url}/hooks/daily`, events: EVENTS }),
  extra: (context) => {
    const { emu, backend, writes, stored, webhookOn } = tools(() => ({
      emulator: context.emulator,
      state: live(state, 'the Daily emulator'),
      baseUrl: context.baseUrl,
    }));

    it('Daily: create probes the URL with a POST of {"test":"test"} and sends only documented fields', async () => {
      const target = await endpoint(200);
      const adapter = await context.adapter();
      const hook = await adapter.create({
        url: `${target.url}/probe-me`,
        events: EVENTS,
        retryType: 'exponential',
        basicAuth: 'dXNlcjpwYXNz',
      });
      assert.deepEqual(
        target.hits.map((h) => [h.method, h.path, h.body, h.headers.authorization]),
        [['POST', '/probe-me', '{"test":"test"}', 'Basic dXNlcjpwYXNz']],
      );
      const [post] = writes();
      assert.equal(post?.path, '/webhooks');
      assert.equal(post?.headers.authorization, `Bearer ${CONTRACT_API_KEY}`);
      const body = JSON.parse(post?.body ?? '{}') as Record<string, unknown>;
      assert.deepEqual(Object.keys(body).sort(), ['basicAuth', 'eventTypes', 'retryType', 'url']);
      assert.ok(Object.keys(body).every((k) => DOCUMENTED_BODY_FIELDS.includes(k)));
      assert.equal(hook.status, 'ACTIVE');
      assert.equal(hook.enabled, null);
      assert.equal(hook.secrets.length, 1, 'Daily provisions an hmac when none is given');
      assert.match(hook.secrets[0] ?? '', /^[A-Za-z0-9+/]+={0,2}$/);
      assert.equal(hook.raw.retryType, 'exponential');
    });

    it('Daily: a probe that gets no 200 refuses the create (exit 7) with a hint, and creates nothing', async () => {
      const before = backend().webhooks().length;
      const adapter = await context.adapter();
      const error = await rejectsWithKind(
        adapter.create({ url: `${live(refuser, 'the refuser').url}/x`, events: EVENTS }),
        'rejected',
      );
      assert.equal(error.status, 400);
      assert.match(error.message, /^Daily: .*500.*\(invalid-request-error\)$/);
      assert.match(error.hint ?? '', /answer 200 to a POST/);
      assert.equal(backend().webhooks().length, before);
    });

    it('Daily: a probe that gets no answer in time refuses the create', async () => {
      const silent = await endpoint(200, { silent: true });
      // Long enough for the probe to reach the endpoint on a busy machine; it never gets an answer anyway.
      const quick = createDailyEmulator({ apiKey: CONTRACT_API_KEY, probeTimeoutMs: 1000 });
      const own = await startEmulator({ providers: { daily: quick } });
      try {
        const adapter = await makeAdapter(daily, own.baseUrl('daily'));
        const error = await rejectsWithKind(adapter.create({ url: silent.url, events: EVENTS }), 'rejected');
        assert.match(error.message, /did not answer/);
        assert.equal(silent.hits.length, 1);
        assert.deepEqual(quick.webhooks(), []);
      } finally {
        await own.close();
      }
    });

    it('Daily: the emulator never sends to a host that is not loopback', async () => {
      const adapter = await context.adapter();
      const error = await rejectsWithKind(
        adapter.create({ url: 'https://example.com/hooks', events: EVENTS }),
        'rejected',
      );
      assert.match(error.message, /only to loopback hosts/);
    });

    it('Daily: an update re-probes the URL; a refused one changes nothing', async () => {
      const target = await endpoint(200);
      const { adapter, hook } = await webhookOn(target);
      const other = await endpoint(404);
      const error = await rejectsWithKind(adapter.update(hook.id, { url: `${other.url}/new` }), 'rejected');
      assert.match(error.hint ?? '', /answer 200 to a POST/);
      assert.equal(stored(hook.id)?.url, hook.url);
      await adapter.update(hook.id, { events: ['participant.joined'] });
      assert.equal(target.hits.length, 2, 'the unchanged URL was probed again');
      assert.deepEqual(stored(hook.id)?.eventTypes, ['participant.joined']);
    });

    it('Daily: an update or a rotation whose answer is lost says what to do, not how to create', async () => {
      const target = await endpoint(200);
      const { adapter, hook } = await webhookOn(target);
      const lose = () =>
        emu().faults.add({ kind: 'reset-after', provider: 'daily', method: 'POST', path: hook.id, times: 1 });
      lose();
      const update = await rejectsWithKind(
        adapter.update(hook.id, { events: ['participant.joined'] }),
        'unavailable',
      );
      assert.match(
        update.hint ?? '',
        new RegExp(`may have reached Daily\\. Check with \`voicehooks get ${hook.id} -p daily\``),
      );
      assert.doesNotMatch(update.hint ?? '', /--if-not-exists/);
      lose();
      const rotation = await rejectsWithKind(
        adapter.rotateSecret(hook.id, { revokeOld: true }),
        'unavailable',
      );
      assert.match(rotation.hint ?? '', /a secret that was never shown/);
      assert.match(rotation.hint ?? '', new RegExp(`voicehooks rotate-secret ${hook.id} -p daily\` again`));
      assert.doesNotMatch(rotation.hint ?? '', /--if-not-exists/);
    });

    it('Daily emulator: deliveries are signed as Daily signs; 3 failures in a row break the circuit', async () => {
      const target = await endpoint(200);
      const { hook } = await webhookOn(target);
      const ok = await backend().deliver(hook.id, 'meeting.ended');
      assert.deepEqual([ok.sent, ok.status, ok.webhook.failedCount], [true, 200, 0]);
      const delivery = target.hits.at(-1);
      assert.ok(delivery);
      const timestamp = String(delivery.headers['x-webhook-timestamp']);
      const expected = createHmac('sha256', Buffer.from(hook.secrets[0] ?? '', 'base64'))
        .update(`${timestamp}.${JSON.stringify(JSON.parse(delivery.body))}`)
        .digest('base64');
      assert.equal(delivery.headers['x-webhook-signature'], expected);
      assert.equal((JSON.parse(delivery.body) as { type: string }).type, 'meeting.ended');

      target.status = 500;
      const states = [];
      for (let i = 0; i < 3; i++) states.push((await backend().deliver(hook.id)).webhook.state);
      assert.deepEqual(states, ['ACTIVE', 'ACTIVE', 'FAILED']);
      const hits = target.hits.length;
      const skipped = await backend().deliver(hook.id);
      assert.equal(skipped.sent, false);
      assert.equal(target.hits.length, hits, 'a FAILED webhook gets nothing');
      assert.equal((await (await context.adapter()).get(hook.id)).status, 'FAILED');
    });

    it('Daily emulator: exponential retries count failures but never break the circuit', async () => {
      const { hook } = await webhookOn(await endpoint(200), { retryType: 'exponential' });
      for (let i = 0; i < 5; i++) backend().recordDeliveryFailure(hook.id);
      assert.deepEqual([stored(hook.id)?.state, stored(hook.id)?.failedCount], ['ACTIVE', 5]);
    });

    it('Daily: setEnabled(false) throws UnsupportedError with no request; a flip re-activates a FAILED one', async () => {
      const { adapter, hook } = await webhookOn(await endpoint(200));
      await assert.rejects(adapter.setEnabled?.(hook.id, false) ?? Promise.resolve(), UnsupportedError);
      assert.deepEqual(emu().requests, []);
      for (let i = 0; i < 3; i++) backend().recordDeliveryFailure(hook.id);
      const flipped = await adapter.flip?.(hook.id);
      assert.equal(flipped?.status, 'ACTIVE');
      assert.equal(stored(hook.id)?.state, 'ACTIVE');
    });

    it('Daily: get accepts a one-element array, as the generated clients type it', async () => {
      const { adapter, hook } = await webhookOn(await endpoint(200));
      backend().answerGetAsArray(true);
      try {
        const got = await adapter.get(hook.id);
        assert.equal(got.id, hook.id);
        assert.equal(got.url, hook.url);
        const raw = await fetch(`${context.baseUrl}/webhooks/${hook.id}`, {
          headers: { authorization: `Bearer ${CONTRACT_API_KEY}` },
        });
        const body = (await raw.json()) as unknown;
        assert.ok(Array.isArray(body) && body.length === 1, 'the emulator answered with an array');
      } finally {
        backend().answerGetAsArray(false);
      }
    });

    it("Daily: errors {error, info} give Daily's words and the exit code of their status", async () => {
      const adapter = await context.adapter();
      const missing = await rejectsWithKind(adapter.get(UNKNOWN_ID), 'notFound');
      assert.equal(missing.message, `Daily: webhook ${UNKNOWN_ID} not found (not-found)`);
      const bad = await rejectsWithKind(
        adapter.create({
          url: `${live(receiver, 'the receiver').url}/x`,
          events: EVENTS,
          retryType: 'linear',
        }),
        'rejected',
      );
      assert.match(bad.message, /retryType/);
      assert.doesNotMatch(bad.hint ?? '', /answer 200/, 'not every 400 is a failed probe');
    });
  },
});

// Through the built CLI, on an emulator of its own: spawning is slow on a busy machine, and the contract suite
// above keeps to its own time limit.
describe('Daily through the built CLI', { timeout: 60_000 }, () => {
  let world: World | undefined;
  before(async () => {
    const own = createDailyEmulator({ apiKey: CONTRACT_API_KEY });
    const emulator = await startEmulator({ providers: { daily: own } });
    world = { emulator, state: own, baseUrl: emulator.baseUrl('daily') };
  });
  after(() => world?.emulator.close());
  beforeEach(() => {
    if (world) world.emulator.requests.length = 0;
  });
  const { emu, backend, writes, stored, cli, webhookOn } = tools(() => live(world, 'the CLI emulator'));

  it('CLI: create against an endpoint answering 200 succeeds and prints the hmac once', async () => {
    const target = await endpoint(200);
    const created = await cli(['create', '--url', `${target.url}/cli`, '--event', 'meeting.ended', '--json']);
    assert.equal(created.code, 0, created.stderr);
    const hook = JSON.parse(created.stdout) as {
      id: string;
      status: string;
      secrets: string[];
      raw: { hmac: string };
    };
    assert.equal(hook.status, 'ACTIVE');
    assert.equal(hook.secrets[0], stored(hook.id)?.hmac, 'create shows the hmac whole');
    assert.equal(hook.raw.hmac, stored(hook.id)?.hmac);
    assert.equal(target.hits.length, 1);
    const got = await cli(['get', hook.id, '--json']);
    assert.equal(got.code, 0, got.stderr);
    const masked = JSON.parse(got.stdout) as { secrets: string[]; raw: { hmac: string } };
    assert.match(masked.secrets[0] ?? '', /^\*{4}.{4}$/);
    assert.equal(masked.raw.hmac, masked.secrets[0]);
  });

  it('CLI: create against an endpoint answering 500 exits 7 with the hint and creates nothing', async () => {
    const before = backend().webhooks().length;
    const target = await endpoint(500);
    const result = await cli(['create', '--url', `${target.url}/cli`, '--event', 'meeting.ended']);
    assert.equal(result.code, 7, result.stderr);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^Error: Daily: .*answered 500/m);
    assert.match(result.stderr, /make the URL answer 200 to a POST \(e\.g\. a local receiver\)/i);
    assert.equal(target.hits.length, 1, 'Daily probed the URL once');
    assert.equal(backend().webhooks().length, before);
    assert.equal(writes().length, 1, 'one POST, not retried');
  });

  it('CLI: toggle --on brings a FAILED webhook back (same URL sent again), and is a no-op when ACTIVE', async () => {
    const target = await endpoint(200);
    const { hook } = await webhookOn(target);
    for (let i = 0; i < 3; i++) backend().recordDeliveryFailure(hook.id);
    assert.equal(stored(hook.id)?.state, 'FAILED');

    const on = await cli(['toggle', hook.id, '--on', '--json']);
    assert.equal(on.code, 0, on.stderr);
    assert.equal((JSON.parse(on.stdout) as { status: string }).status, 'ACTIVE');
    assert.deepEqual([stored(hook.id)?.state, stored(hook.id)?.failedCount], ['ACTIVE', 0]);
    assert.deepEqual(
      emu().requests.map((r) => `${r.method} ${r.path} ${r.body}`),
      [`GET /webhooks/${hook.id} `, `POST /webhooks/${hook.id} ${JSON.stringify({ url: hook.url })}`],
    );

    emu().requests.length = 0;
    const again = await cli(['toggle', hook.id, '--on', '--json']);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(writes(), [], 'an ACTIVE webhook is left alone');
  });

  it('CLI: toggle --off and a flip of an ACTIVE webhook exit 6 having sent no write', async () => {
    const { hook } = await webhookOn(await endpoint(200));
    const [off, flip] = await Promise.all([
      cli(['toggle', hook.id, '--off']),
      cli(['toggle', hook.id, '--json']),
    ]);
    assert.equal(off.code, 6, off.stderr);
    assert.match(off.stderr, /cannot be turned off/);
    assert.match(off.stderr, /voicehooks delete/);
    assert.equal(flip.code, 6, flip.stderr);
    assert.equal(flip.stdout, '');
    assert.equal((JSON.parse(flip.stderr) as { error: { code: string } }).error.code, 'unsupported');
    // The flip reads the state once; --off is refused before any request, so one GET is all there is.
    assert.deepEqual(
      emu().requests.map((r) => `${r.method} ${r.path}`),
      [`GET /webhooks/${hook.id}`],
    );
    assert.equal(stored(hook.id)?.state, 'ACTIVE');
  });

  it('CLI: a --secret that is not base64, two of them, or a bad --retry-type exit 2 before sending', async () => {
    // Nothing is sent, so nothing needs to answer at this URL.
    const url = 'http://127.0.0.1:9/x';
    const cases = [
      ['--secret', 'not base64!'],
      ['--secret', 'c2VjcmV0'.slice(0, 7)],
      ['--secret', 'c2VjcmV0', '--secret', 'b3RoZXI='],
      ['--retry-type', 'linear'],
      ['--name', 'no such field'],
    ];
    const results = await Promise.all(
      cases.map((extra) => cli(['create', '--url', url, '--event', 'meeting.ended', ...extra])),
    );
    results.forEach((result, i) => {
      const extra = cases[i] ?? [];
      assert.equal(result.code, 2, `${extra.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, new RegExp(extra[0] ?? ''), 'the message names the flag');
    });
    assert.deepEqual(emu().requests, [], 'nothing was sent');
  });

  it('CLI: rotate-secret sets a new base64 hmac, printed once, with the no-overlap warning', async () => {
    const target = await endpoint(200);
    const { hook } = await webhookOn(target);
    const result = await cli(['rotate-secret', hook.id, '--json', '--debug']);
    assert.equal(result.code, 0, result.stderr);
    const { secret } = JSON.parse(result.stdout) as { secret: string };
    // The trace shows the exchange with the key and the hmac redacted, old and new.
    assert.match(result.stderr, /"hmac":"\[redacted\]"/);
    for (const hidden of [secret, hook.secrets[0] ?? '', CONTRACT_API_KEY]) {
      assert.ok(!result.stderr.includes(hidden), 'the trace shows a secret');
    }
    assert.match(secret, /^[A-Za-z0-9+/]{43}=$/);
    assert.notEqual(secret, hook.secrets[0]);
    assert.equal(stored(hook.id)?.hmac, secret);
    assert.match(result.stderr, /at once/);
    assert.match(result.stderr, /no overlap/);
    assert.match(result.stderr, /probed the URL/);
    assert.deepEqual(
      writes().map((r) => JSON.parse(r.body) as unknown),
      [{ hmac: secret }],
    );
    assert.equal(target.hits.length, 2, 'the update re-probed the URL');
  });
});

describe('Daily wire quirks', { timeout: 10_000 }, () => {
  /** A server that answers every request with one fixed JSON body. */
  async function fixed(body: unknown): Promise<{ url: string; close(): Promise<void> }> {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: async () => {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      },
    };
  }

  it('reads legacy numeric states and Unix-second times', async () => {
    const legacy = (uuid: string, state: number) => ({
      uuid,
      url: 'https://example.com/daily',
      hmac: 'NQrSA5z0FkJ44QPrFerW7uCc5kdNLv3l2FDEKDanL1U=',
      eventTypes: ['meeting.ended'],
      state,
      createdAt: 1692124110,
    });
    const server = await fixed([
      legacy('0b4e4c7c-5eaf-46fe-990b-a3752f5684f5', 0),
      legacy('1b4e4c7c-5eaf-46fe-990b-a3752f5684f5', 1),
      legacy('2b4e4c7c-5eaf-46fe-990b-a3752f5684f5', 2),
    ]);
    try {
      const listed = await collect((await makeAdapter(daily, server.url)).list());
      assert.deepEqual(
        listed.map((w) => w.status),
        ['FAILED', 'ACTIVE', 'INACTIVE'],
      );
      assert.equal(listed[0]?.createdAt, '2023-08-15T18:28:30.000Z');
      assert.equal(listed[0]?.enabled, null);
    } finally {
      await server.close();
    }
  });

  it('get of an empty array is not found (exit 5)', async () => {
    const server = await fixed([]);
    try {
      await rejectsWithKind((await makeAdapter(daily, server.url)).get(UNKNOWN_ID), 'notFound');
    } finally {
      await server.close();
    }
  });

  it('an answer of another shape is unusable (exit 9)', async () => {
    const server = await fixed({ webhooks: [] });
    try {
      await rejectsWithKind(collect((await makeAdapter(daily, server.url)).list()), 'unavailable');
    } finally {
      await server.close();
    }
  });
});
