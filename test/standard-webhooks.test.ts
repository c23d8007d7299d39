// Known-answer tests of the Standard Webhooks scheme (src/schemes/standard-webhooks.ts) with every official
// test vector of the Standard Webhooks libraries and OpenAI's SDKs, and the negative fixtures beside them
// (docs/providers/openai.md "Facts and sources" lists where each comes from). The inputs and expected
// signatures are pasted from those suites (and were recomputed once with python's hmac, which agreed); they
// are never recomputed with the code under test. The built CLI's `sign`/`verify --scheme standard-webhooks`
// are driven too (`npm run build` first).
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { standardWebhooksKey, standardWebhooksSignature as sw } from '../src/schemes/standard-webhooks.ts';
import { newCli, removeTempRoots } from './helpers/cli.ts';
import { VECTORS, type Vector } from './helpers/standard-webhooks-vectors.ts';

after(removeTempRoots);

const [OPENAI, SW_JS, SW_RUST] = VECTORS as [Vector, Vector, Vector, ...Vector[]];
/** The JS vector's signature with its last character changed (the Python library's negative test). */
const JS_TAMPERED = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA=';
/** The decoy signature of the libraries' multi-signature tests. */
const DECOY = 'v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=';
/** The Rust library's signature that must not verify against its test_sign inputs. */
const RUST_WRONG = 'v1,R3PTzyfHASBKHH98a7yexTwaJ4yNIcGhFQc1yuN+BPU=';
/** Timestamps the PHP library refuses at signing. */
const BAD_TIMESTAMPS = ['161426533.0', '-161426533', 'invalid timestamp'];

const buf = (text: string) => Buffer.from(text, 'utf8');
const headersOf = (v: Vector, signature = v.signature) => ({
  'webhook-id': v.id,
  'webhook-timestamp': v.timestamp,
  'webhook-signature': signature,
});
const at = (v: Vector, offsetSeconds = 0) => new Date((Number(v.timestamp) + offsetSeconds) * 1000);

describe('Standard Webhooks: known answers', () => {
  for (const v of VECTORS) {
    it(`signs and verifies: ${v.source}`, () => {
      const headers = sw.sign({
        body: buf(v.body),
        secrets: [v.secret],
        timestamp: v.timestamp,
        eventId: v.id,
      });
      assert.deepEqual(headers, headersOf(v));
      const result = sw.verify({ body: buf(v.body), headers: headersOf(v), secrets: [v.secret], now: at(v) });
      assert.equal(result.valid, true, result.detail);
      assert.equal(result.matchedSecret, 0);
    });
  }

  it('the keys are the base64-decoded bytes after whsec_ (32 bytes for OpenAI, 24 for the libraries)', () => {
    assert.equal(standardWebhooksKey(OPENAI.secret)?.length, 32);
    assert.equal(standardWebhooksKey(SW_JS.secret)?.toString('hex').slice(0, 8), '31f290f6');
    assert.equal(standardWebhooksKey(SW_JS.secret)?.length, 24);
    // The reference libraries decode a secret given without the prefix the same way.
    const bare = SW_JS.secret.slice('whsec_'.length);
    assert.equal(
      sw.sign({ body: buf(SW_JS.body), secrets: [bare], timestamp: SW_JS.timestamp, eventId: SW_JS.id })[
        'webhook-signature'
      ],
      SW_JS.signature,
    );
    for (const bad of ['', 'whsec_', 'whsec_not base64!', 'whsec_a']) {
      assert.equal(standardWebhooksKey(bad), undefined, bad);
      assert.match(sw.secretProblem(bad) ?? '', /not a Standard Webhooks secret/);
    }
  });

  it('several secrets sign one delivery with one space-separated signature each', () => {
    const headers = sw.sign({
      body: buf(SW_JS.body),
      secrets: [SW_JS.secret, SW_RUST.secret],
      timestamp: SW_JS.timestamp,
      eventId: SW_JS.id,
    });
    const entries = headers['webhook-signature']?.split(' ') ?? [];
    assert.equal(entries.length, 2);
    assert.equal(entries[0], SW_JS.signature);
    assert.match(entries[1] ?? '', /^v1,[A-Za-z0-9+/]{43}=$/);
  });

  it('a delivery without an id gets a new one, different each time, and signed', () => {
    const one = sw.sign({ body: buf('{}'), secrets: [SW_JS.secret], timestamp: SW_JS.timestamp });
    const two = sw.sign({ body: buf('{}'), secrets: [SW_JS.secret], timestamp: SW_JS.timestamp });
    assert.match(one['webhook-id'] ?? '', /^msg_[A-Za-z0-9_-]{27}$/);
    assert.notEqual(one['webhook-id'], two['webhook-id']);
    assert.notEqual(one['webhook-signature'], two['webhook-signature']);
    const now = at(SW_JS);
    assert.equal(sw.verify({ body: buf('{}'), headers: one, secrets: [SW_JS.secret], now }).valid, true);
  });
});

describe('Standard Webhooks: negative fixtures', () => {
  const check = (v: Vector, headers: Record<string, string>, options: { now?: Date; body?: string } = {}) =>
    sw.verify({ body: buf(options.body ?? v.body), headers, secrets: [v.secret], now: options.now ?? at(v) });

  it("the Python library's tampered signature, the decoy and Rust's wrong signature do not match", () => {
    assert.equal(check(SW_JS, headersOf(SW_JS, JS_TAMPERED)).reason, 'mismatch');
    assert.equal(check(SW_JS, headersOf(SW_JS, DECOY)).reason, 'mismatch');
    assert.equal(check(SW_RUST, headersOf(SW_RUST, RUST_WRONG)).reason, 'mismatch');
  });

  it('several signatures: valid when any matches, whatever its place; space or tab separated', () => {
    for (const header of [
      `${DECOY} ${SW_JS.signature}`,
      `${SW_JS.signature} ${DECOY}`,
      `${DECOY}\t${SW_JS.signature}`,
      `v1a,${SW_JS.signature.slice(3)} ${SW_JS.signature}`,
    ]) {
      assert.equal(check(SW_JS, headersOf(SW_JS, header)).valid, true, header);
    }
    assert.equal(check(SW_JS, headersOf(SW_JS, `${DECOY} ${JS_TAMPERED}`)).reason, 'mismatch');
  });

  it('a bare base64 signature is read as v1 (as OpenAI SDKs do); another version never matches', () => {
    assert.equal(check(SW_JS, headersOf(SW_JS, SW_JS.signature.slice(3))).valid, true);
    // No `v1,` entry at all: the header holds no signature of the form this scheme checks.
    assert.equal(
      check(SW_JS, headersOf(SW_JS, `v1a,${SW_JS.signature.slice(3)}`)).reason,
      'malformed-signature',
    );
    assert.equal(
      check(SW_JS, headersOf(SW_JS, `v2,${SW_JS.signature.slice(3)}`)).reason,
      'malformed-signature',
    );
    // Beside a `v1` entry, an entry of another version is passed over: the v1 one decides.
    assert.equal(
      check(SW_JS, headersOf(SW_JS, `v1a,${SW_JS.signature.slice(3)} ${SW_JS.signature}`)).valid,
      true,
    );
  });

  it('another id, timestamp, body or secret does not match', () => {
    assert.equal(check(SW_JS, { ...headersOf(SW_JS), 'webhook-id': 'msg_other' }).reason, 'mismatch');
    const later = String(Number(SW_JS.timestamp) + 1);
    assert.equal(
      check(SW_JS, { ...headersOf(SW_JS), 'webhook-timestamp': later }, { now: at(SW_JS) }).reason,
      'mismatch',
    );
    assert.equal(check(SW_JS, headersOf(SW_JS), { body: '{"test": 2432232315}' }).reason, 'mismatch');
    const other = sw.verify({
      body: buf(SW_JS.body),
      headers: headersOf(SW_JS),
      secrets: [SW_RUST.secret],
      now: at(SW_JS),
    });
    assert.equal(other.reason, 'mismatch');
  });

  it('five minutes either way: 300 s accepted, 301 s refused as stale, too old or too new', () => {
    assert.equal(check(SW_JS, headersOf(SW_JS), { now: at(SW_JS, 300) }).valid, true);
    assert.equal(check(SW_JS, headersOf(SW_JS), { now: at(SW_JS, -300) }).valid, true);
    const old = check(SW_JS, headersOf(SW_JS), { now: at(SW_JS, 301) });
    assert.equal(old.reason, 'stale');
    assert.match(old.detail, /301 s old.*signature itself matches/);
    const future = check(SW_JS, headersOf(SW_JS), { now: at(SW_JS, -301) });
    assert.equal(future.reason, 'stale');
    assert.match(future.detail, /301 s in the future/);
  });

  it('missing headers are named, in the order the SDKs check them', () => {
    const { 'webhook-signature': _s, ...noSignature } = headersOf(SW_JS);
    const { 'webhook-timestamp': _t, ...noTimestamp } = headersOf(SW_JS);
    const { 'webhook-id': _i, ...noId } = headersOf(SW_JS);
    assert.equal(check(SW_JS, noSignature).reason, 'missing-signature');
    assert.equal(check(SW_JS, noTimestamp).reason, 'missing-timestamp');
    assert.equal(check(SW_JS, noId).reason, 'missing-id');
    // Header names are case-insensitive.
    const upper = {
      'Webhook-Id': SW_JS.id,
      'WEBHOOK-TIMESTAMP': SW_JS.timestamp,
      'Webhook-Signature': SW_JS.signature,
    };
    assert.equal(check(SW_JS, upper).valid, true);
  });

  it("the PHP library's refused timestamps are refused at signing and at checking", () => {
    for (const timestamp of BAD_TIMESTAMPS) {
      assert.throws(
        () => sw.sign({ body: buf(SW_JS.body), secrets: [SW_JS.secret], timestamp, eventId: SW_JS.id }),
        /is not Unix seconds/,
      );
      assert.equal(
        check(SW_JS, { ...headersOf(SW_JS), 'webhook-timestamp': timestamp }).reason,
        'bad-timestamp',
      );
    }
  });

  it('an id with a full stop cannot be signed (the signed string would be ambiguous)', () => {
    assert.throws(
      () => sw.sign({ body: buf('{}'), secrets: [SW_JS.secret], timestamp: SW_JS.timestamp, eventId: 'a.b' }),
      /--id must be non-empty and contain no "\."/,
    );
  });
});

describe('Standard Webhooks through the built CLI (--scheme)', { timeout: 60_000, concurrency: 4 }, () => {
  const header = (name: string, value: string) => ['--header', `${name}: ${value}`];
  const verifyArgs = (v: Vector, signature = v.signature, extra: string[] = []) => [
    'verify',
    '--scheme',
    'standard-webhooks',
    '--secret',
    v.secret,
    // The vectors are years old: the age check is skipped so the signature itself is what is checked.
    '--tolerance',
    '0',
    '--json',
    ...header('webhook-id', v.id),
    ...header('webhook-timestamp', v.timestamp),
    ...header('webhook-signature', signature),
    ...extra,
  ];

  it('verify --scheme standard-webhooks accepts every official vector (exit 0)', async () => {
    const cli = newCli();
    for (const v of VECTORS) {
      const result = await cli.run(verifyArgs(v), { stdin: v.body });
      assert.equal(result.code, 0, `${v.source}: ${result.stderr}`);
      const report = JSON.parse(result.stdout) as Record<string, unknown>;
      assert.equal(report.valid, true);
      assert.equal(report.scheme, 'standard-webhooks');
      assert.equal(report.provider, null);
    }
  });

  it('verify --scheme standard-webhooks rejects the negative fixtures (exit 8, with the reason)', async () => {
    const cli = newCli();
    const cases: [Vector, string, string][] = [
      [SW_JS, JS_TAMPERED, 'mismatch'],
      [SW_JS, DECOY, 'mismatch'],
      [SW_RUST, RUST_WRONG, 'mismatch'],
    ];
    for (const [v, signature, reason] of cases) {
      const result = await cli.run(verifyArgs(v, signature), { stdin: v.body });
      assert.equal(result.code, 8, signature);
      assert.equal((JSON.parse(result.stdout) as { reason: string }).reason, reason);
      assert.match(result.stderr, /The Standard Webhooks signature is not valid \(mismatch\)/);
    }
    const both = await cli.run(verifyArgs(SW_JS, `${DECOY} ${SW_JS.signature}`), { stdin: SW_JS.body });
    assert.equal(both.code, 0, both.stderr);
    // With the default tolerance, a years-old vector is stale though its signature matches.
    const stale = await cli.run(
      verifyArgs(SW_JS).filter((a) => a !== '--tolerance' && a !== '0'),
      {
        stdin: SW_JS.body,
      },
    );
    assert.equal(stale.code, 8);
    assert.match(stale.stderr, /\(stale\).*beyond the 300 s tolerance.*; the signature itself matches/);
    for (const timestamp of BAD_TIMESTAMPS) {
      const args = verifyArgs(SW_JS).map((a) =>
        a === `webhook-timestamp: ${SW_JS.timestamp}` ? `webhook-timestamp: ${timestamp}` : a,
      );
      const bad = await cli.run(args, { stdin: SW_JS.body });
      assert.equal(bad.code, 8, timestamp);
      assert.equal((JSON.parse(bad.stdout) as { reason: string }).reason, 'bad-timestamp');
    }
  });

  it('sign --scheme standard-webhooks --id gives the vector headers; bad timestamps exit 2', async () => {
    const cli = newCli();
    for (const v of VECTORS) {
      const result = await cli.run(
        [
          'sign',
          '--scheme',
          'standard-webhooks',
          '--secret',
          v.secret,
          '--id',
          v.id,
          '--timestamp',
          v.timestamp,
        ],
        { stdin: v.body },
      );
      assert.equal(result.code, 0, result.stderr);
      assert.equal(
        result.stdout,
        `webhook-signature: ${v.signature}\nwebhook-timestamp: ${v.timestamp}\nwebhook-id: ${v.id}\n`,
      );
    }
    for (const timestamp of BAD_TIMESTAMPS) {
      const bad = await cli.run(
        ['sign', '--scheme', 'standard-webhooks', '--secret', SW_JS.secret, '--timestamp', timestamp],
        { stdin: SW_JS.body },
      );
      assert.equal(bad.code, 2, timestamp);
      assert.match(bad.stderr, /is not Unix seconds, the form of webhook-timestamp/);
    }
    const generated = await cli.run(
      ['sign', '--scheme', 'standard-webhooks', '--secret', SW_JS.secret, '--json'],
      {
        stdin: '{}',
      },
    );
    assert.equal(generated.code, 0, generated.stderr);
    assert.match((JSON.parse(generated.stdout) as Record<string, string>)['webhook-id'] ?? '', /^msg_/);
  });

  it('--scheme and -p exclude each other; --id is refused where a scheme has no id header', async () => {
    const cli = newCli();
    const both = await cli.run(['sign', '--scheme', 'standard-webhooks', '-p', 'polyai', '--secret', 'x'], {
      stdin: '{}',
    });
    assert.equal(both.code, 2);
    const unknown = await cli.run(['verify', '--scheme', 'nope', '--secret', 'x'], { stdin: '{}' });
    assert.equal(unknown.code, 2);
    const noId = await cli.run(['sign', '-p', 'ultravox', '--secret', 'x', '--id', 'msg_1'], { stdin: '{}' });
    assert.equal(noId.code, 2);
    assert.match(noId.stderr, /--id does not apply: Ultravox deliveries carry no id header/);
    const badSecret = await cli.run(['sign', '--scheme', 'standard-webhooks', '--secret', 'not base64!'], {
      stdin: '{}',
    });
    assert.equal(badSecret.code, 2);
    assert.match(badSecret.stderr, /--secret is not a Standard Webhooks secret/);
  });
});
