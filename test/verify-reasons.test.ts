// Why a delivery fails to verify (docs/debugging.md): for every provider in the registry with a documented
// scheme, a delivery of its own sample is signed, then given exactly one fault, and `verify` must name that
// fault and no other. The deliveries are built with each scheme's `sign` (whose known answers are pinned in
// test/signatures.test.ts); what is under test here is the diagnosis, which never touches `sign`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { availableProviders } from '../src/providers/index.ts';
import type { ProviderDescriptor, Webhook } from '../src/providers/types.ts';
import {
  MAX_REENCODED_BYTES,
  encodeJson,
  hasSignatureScheme,
  loadSignatureScheme,
  reencodings,
  type SignatureScheme,
  type VerifyResult,
} from '../src/signatures.ts';

const NOW = new Date('2026-07-04T12:00:00Z');

/** A secret of the scheme's form: text where the key is the text, base64 where the key is decoded. */
function secretFor(scheme: SignatureScheme, seed: string): string {
  const text = `${seed}-signing-secret-0123456789`;
  const candidates = [
    Buffer.from(text).toString('base64'),
    text,
    `whsec_${Buffer.from(text).toString('base64')}`,
  ];
  const found = candidates.find((c) => scheme.secretProblem(c) === undefined);
  assert.ok(found, `no secret of ${scheme.displayName}'s form`);
  return found;
}

async function sampleBody(descriptor: ProviderDescriptor): Promise<Buffer> {
  const kit = await descriptor.loadDeliveries();
  const webhook: Webhook = {
    provider: descriptor.name,
    id: 'wh-reasons',
    url: 'http://127.0.0.1:9/hook',
    events: [],
    enabled: true,
    status: null,
    name: null,
    agentId: null,
    createdAt: null,
    updatedAt: null,
    secrets: [],
    raw: {},
  };
  const event = kit.testEvent ?? descriptor.events()[0]?.name ?? '';
  return Buffer.from(JSON.stringify(kit.sample(event, { now: NOW, webhook })), 'utf8');
}

const signed = availableProviders().filter(hasSignatureScheme);

describe('verify reasons, one fault at a time, for every provider with a scheme', () => {
  it('covers every provider with a documented scheme', () => {
    assert.ok(signed.length >= 3, signed.map((d) => d.name).join(', '));
  });

  for (const descriptor of signed) {
    describe(descriptor.displayName, () => {
      const setup = async () => {
        const scheme = await loadSignatureScheme(descriptor);
        const secret = secretFor(scheme, 'current');
        const previous = secretFor(scheme, 'previous');
        const body = await sampleBody(descriptor);
        const timestamp = scheme.formatTimestamp(NOW);
        const headers = scheme.sign({ body, secrets: [secret], timestamp });
        const check = (
          over: {
            body?: Buffer;
            headers?: Record<string, string>;
            secrets?: string[];
            now?: Date;
            others?: { secret: string; label: string }[];
          } = {},
        ): VerifyResult => {
          const result = scheme.verify({
            body: over.body ?? body,
            headers: over.headers ?? headers,
            secrets: over.secrets ?? [secret],
            now: over.now ?? NOW,
            otherSecrets: over.others ?? [],
          });
          // Whatever the outcome, no secret is ever said.
          for (const s of [secret, previous, ...(over.secrets ?? [])]) {
            assert.ok(!result.detail.includes(s), `${result.reason}: the detail shows a secret`);
          }
          return result;
        };
        return { scheme, secret, previous, body, timestamp, headers, check };
      };

      it('the delivery as signed verifies', async () => {
        const { check } = await setup();
        const result = check();
        assert.equal(result.valid, true, result.detail);
        assert.equal(result.reason, null);
      });

      it('missing-signature and malformed-signature name the header and its form', async () => {
        const { scheme, headers, check } = await setup();
        const without = Object.fromEntries(
          Object.entries(headers).filter(([k]) => k !== scheme.signatureHeader),
        );
        const missing = check({ headers: without });
        assert.equal(missing.reason, 'missing-signature');
        assert.ok(missing.detail.includes(scheme.signatureHeader));
        assert.ok(missing.detail.includes(scheme.signatureFormat));
        // Where the timestamp shares the header (ElevenLabs' `t=…,v0=<hex>`), the signature inside it is spoilt.
        const inside = scheme.timestampHeader === scheme.signatureHeader;
        const spoilt = inside
          ? (headers[scheme.signatureHeader] ?? '').replace(/=[0-9a-f]{64}/i, '=not-it')
          : 'sha256=not it!';
        const malformed = check({ headers: { ...headers, [scheme.signatureHeader]: spoilt } });
        assert.equal(malformed.reason, 'malformed-signature');
        assert.ok(malformed.detail.includes(scheme.signatureHeader));
        assert.ok(malformed.detail.includes(scheme.signatureFormat));
      });

      it('missing-timestamp, bad-timestamp (and missing-id where the id is signed) name the header', async () => {
        const { scheme, headers, timestamp, check } = await setup();
        // Where the timestamp travels inside the signature header (ElevenLabs' `t=`), the fault is made there.
        const inside = scheme.timestampHeader === scheme.signatureHeader;
        const value = headers[scheme.timestampHeader] ?? '';
        const without = inside
          ? {
              ...headers,
              [scheme.signatureHeader]: value
                .split(',')
                .filter((part) => !part.includes(timestamp))
                .join(','),
            }
          : Object.fromEntries(Object.entries(headers).filter(([k]) => k !== scheme.timestampHeader));
        const missing = check({ headers: without });
        assert.equal(missing.reason, 'missing-timestamp');
        assert.ok(missing.detail.includes(scheme.timestampHeader));
        const bad = check({
          headers: {
            ...headers,
            [scheme.timestampHeader]: inside ? value.replace(timestamp, 'yesterday') : 'yesterday',
          },
        });
        assert.equal(bad.reason, 'bad-timestamp');
        assert.ok(bad.detail.includes(scheme.timestampHeader));
        // Where the delivery's id is part of the signed string (Standard Webhooks), it must be there too.
        if (scheme.idSigned && scheme.idHeader) {
          const idHeader = scheme.idHeader;
          const noId = Object.fromEntries(Object.entries(headers).filter(([k]) => k !== idHeader));
          const missingId = check({ headers: noId });
          assert.equal(missingId.reason, 'missing-id');
          assert.ok(missingId.detail.includes(idHeader));
        }
      });

      it('stale: by how much beyond the tolerance, and which clock', async () => {
        const { scheme, check } = await setup();
        const tolerance = scheme.defaultToleranceSeconds;
        const late = check({ now: new Date(NOW.getTime() + (tolerance + 100) * 1000) });
        assert.equal(late.reason, 'stale');
        assert.equal(late.ageSeconds, tolerance + 100);
        assert.match(
          late.detail,
          new RegExp(`${tolerance + 100} s old, 100 s beyond the ${tolerance} s tolerance`),
        );
        assert.match(late.detail, /sender's clock is behind this machine's by at least 100 s/);
        assert.match(late.detail, /the signature itself matches/);
        // A scheme may allow less into the future than into the past (ElevenLabs).
        const future = Math.min(tolerance, scheme.futureToleranceSeconds ?? tolerance);
        const early = check({ now: new Date(NOW.getTime() - (future + 40) * 1000) });
        assert.equal(early.reason, 'stale');
        assert.match(early.detail, new RegExp(`${future + 40} s in the future, 40 s beyond the ${future} s`));
        assert.match(early.detail, /sender's clock is ahead of this machine's/);
      });

      it('re-serialised: a body whose JSON was re-encoded, and the way that verifies', async () => {
        const { scheme, secret, timestamp, body, check } = await setup();
        // The sender sorts its keys; the receiver rebuilt the object in another order and pretty-printed it.
        const parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
        const sortedBody = Buffer.from(encodeJson(parsed, { sortKeys: true }), 'utf8');
        const sortedHeaders = scheme.sign({ body: sortedBody, secrets: [secret], timestamp });
        const reversed = Object.fromEntries(Object.entries(parsed).reverse());
        const received = Buffer.from(JSON.stringify(reversed, null, 2), 'utf8');
        const result = check({ body: received, headers: sortedHeaders });
        assert.equal(result.reason, 're-serialised', result.detail);
        assert.match(result.detail, /keys sorted, compact/);
        assert.match(result.detail, /raw request body/);

        // Pretty-printed in the sender's key order: re-serialised, unless the scheme itself signs the
        // re-serialised JSON (Daily), in which case it verifies and says over which form.
        const pretty = check({ body: Buffer.from(JSON.stringify(parsed, null, 2), 'utf8') });
        if (pretty.valid) assert.equal(pretty.bodyForm, 're-serialised');
        else {
          assert.equal(pretty.reason, 're-serialised');
          assert.match(pretty.detail, /compactly/);
        }
      });

      it('other-secret: the webhook is signed with a secret voicehooks knows, named without showing it', async () => {
        const { scheme, previous, body, timestamp, check } = await setup();
        const oldHeaders = scheme.sign({ body, secrets: [previous], timestamp });
        const label = 'the secret webhook wh-reasons had before its last rotation';
        const result = check({ headers: oldHeaders, others: [{ secret: previous, label }] });
        assert.equal(result.reason, 'other-secret');
        assert.ok(result.detail.includes(label));
        // Unknown to voicehooks, the same delivery is a plain mismatch.
        assert.equal(check({ headers: oldHeaders }).reason, 'mismatch');
      });

      it('secret-encoding: the secret read the other way verifies', async () => {
        const { scheme, secret, body, timestamp, check } = await setup();
        // The sender keyed with the secret read the way this scheme does not: its text where the scheme decodes
        // base64, its base64-decoded bytes where the scheme takes the text.
        const other =
          scheme.secretEncoding === 'base64'
            ? Buffer.from(secret, 'utf8').toString('base64')
            : Buffer.from(secret, 'base64').toString('utf8');
        const given =
          scheme.secretEncoding === 'base64' ? secret : Buffer.from(secret, 'utf8').toString('base64');
        const signer = scheme.secretEncoding === 'base64' ? other : secret;
        if (scheme.secretProblem(signer) !== undefined || scheme.secretProblem(given) !== undefined) return;
        const headers = scheme.sign({ body, secrets: [signer], timestamp });
        const result = check({ headers, secrets: [given] });
        assert.equal(result.reason, 'secret-encoding', result.detail);
        assert.match(result.detail, scheme.secretEncoding === 'base64' ? /raw text/ : /base64-decoded/);
      });

      it('mismatch: a wrong secret or a changed body, and no reason that does not apply', async () => {
        const { scheme, body, check } = await setup();
        const wrong = secretFor(scheme, 'unrelated');
        const result = check({ secrets: [wrong] });
        assert.equal(result.reason, 'mismatch');
        assert.match(result.detail, /the body or the secret differs/i);
        // A wrong secret with a re-serialised body is still a wrong secret, not a re-serialised body.
        const pretty = Buffer.from(JSON.stringify(JSON.parse(body.toString('utf8')), null, 2), 'utf8');
        assert.equal(check({ body: pretty, secrets: [wrong] }).reason, 'mismatch');
        // Other known secrets that do not match are not named.
        assert.equal(
          check({ secrets: [wrong], others: [{ secret: secretFor(scheme, 'x'), label: 'X' }] }).reason,
          'mismatch',
        );
        // A field added on the way: the sender signed other content.
        const parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
        const changed = Buffer.from(JSON.stringify({ ...parsed, added: true }), 'utf8');
        assert.equal(check({ body: changed }).reason, 'mismatch');
      });
    });
  }
});

describe('re-encodings', () => {
  it('are the common ones, each different from the bytes given, and none for a body that is not JSON', () => {
    const forms = reencodings(Buffer.from('{"b":1,"a":[1,{"c":null}]}'));
    assert.deepEqual(
      forms.map((f) => f.body.toString('utf8')),
      [
        '{\n  "b": 1,\n  "a": [\n    1,\n    {\n      "c": null\n    }\n  ]\n}',
        '{"a":[1,{"c":null}],"b":1}',
        '{\n  "a": [\n    1,\n    {\n      "c": null\n    }\n  ],\n  "b": 1\n}',
        '{"b": 1, "a": [1, {"c": null}]}',
      ],
    );
    assert.deepEqual(reencodings(Buffer.from('not json')), []);
    // Past 1 MiB a body is not re-encoded (the cost of a flood of large invalid deliveries).
    assert.deepEqual(reencodings(Buffer.from(JSON.stringify({ a: 'x'.repeat(MAX_REENCODED_BYTES) }))), []);
  });
});
