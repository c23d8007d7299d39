// ElevenLabs' signature, `ElevenLabs-Signature: t=<unix s>,v0=<hex HMAC-SHA256(secret, t + "." + body)>`
// (docs/providers/elevenlabs.md, "Signatures"): a known answer, and deliveries signed by the built CLI's `sign`
// checked with the verification of ElevenLabs' own SDKs, transcribed below (`npm run build` first).
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { elevenlabsSample } from '../src/providers/elevenlabs/samples.ts';
import { elevenlabsSignature } from '../src/providers/elevenlabs/signature.ts';
import { newCli, removeTempRoots, tempRoots } from './helpers/cli.ts';

after(removeTempRoots);

// The one fixed-input case of the official Python SDK's tests (`test_construct_event_mocked_time`): secret
// "test_secret", t=1600000000, and the body `json.dumps({"event_type": "speech.completed", "id": "123456"})`
// (Python's separators: a space after ":" and ","). The SDK computes the digest at run time; this hex was
// computed once outside this code (python3 hmac, Node's createHmac and WebCrypto agreed) and is pasted here.
const KAT_SECRET = 'test_secret';
const KAT_TS = '1600000000';
const KAT_BODY = '{"event_type": "speech.completed", "id": "123456"}';
const KAT_HEADER = 't=1600000000,v0=f8a0d1dc33ee963cb54d2f31514555995e93313c9d2042c030adbb82b87fae13';

/**
 * `constructEvent` of the official JavaScript SDK (elevenlabs-js `src/wrapper/webhooks.ts`), step for step:
 * split on ",", the `t=` part and the first `v0=` part (kept with its prefix), the 30-minute bound on the past
 * only, `"v0=" + hex(HMAC-SHA256(secret, t + "." + body))` compared as strings, then the parsed body.
 */
function sdkConstructEvent(rawBody: string, sigHeader: string, secret: string, nowMs: number): unknown {
  if (!sigHeader) throw new Error('Missing signature header');
  if (!secret) throw new Error('Webhook secret not configured');
  const headers = sigHeader.split(',');
  const timestamp = headers.find((e) => e.startsWith('t='))?.substring(2);
  const signature = headers.find((e) => e.startsWith('v0='));
  if (!timestamp || !signature) throw new Error('No signature hash found with expected scheme v0');
  const reqTimestamp = Number(timestamp) * 1000;
  const tolerance = nowMs - 30 * 60 * 1000;
  if (reqTimestamp < tolerance) throw new Error('Timestamp outside the tolerance zone');
  const message = `${timestamp}.${rawBody}`;
  const digest = 'v0=' + createHmac('sha256', secret).update(message).digest('hex');
  if (signature !== digest)
    throw new Error('Signature hash does not match the expected signature hash for payload');
  return JSON.parse(rawBody);
}

const buf = (text: string) => Buffer.from(text, 'utf8');
const at = (seconds: number) => new Date(seconds * 1000);
const verify = (header: string, nowSeconds: number, secrets = [KAT_SECRET], body = KAT_BODY) =>
  elevenlabsSignature.verify({
    body: buf(body),
    headers: { 'elevenlabs-signature': header },
    secrets,
    now: at(nowSeconds),
  });

describe('ElevenLabs signature', () => {
  it('signs the known answer: one header, t= then v0=', () => {
    const headers = elevenlabsSignature.sign({
      body: buf(KAT_BODY),
      secrets: [KAT_SECRET],
      timestamp: KAT_TS,
    });
    assert.deepEqual(headers, { 'ElevenLabs-Signature': KAT_HEADER });
    assert.deepEqual(sdkConstructEvent(KAT_BODY, KAT_HEADER, KAT_SECRET, 1600000000 * 1000), {
      event_type: 'speech.completed',
      id: '123456',
    });
    assert.equal(verify(KAT_HEADER, 1600000000).valid, true);
  });

  it('the transcribed SDK check refuses what it should, so agreeing with it means something', () => {
    const now = 1600000000 * 1000;
    assert.throws(() => sdkConstructEvent(KAT_BODY, KAT_HEADER, 'other', now), /does not match/);
    assert.throws(() => sdkConstructEvent(`${KAT_BODY} `, KAT_HEADER, KAT_SECRET, now), /does not match/);
    assert.throws(() => sdkConstructEvent(KAT_BODY, KAT_HEADER, KAT_SECRET, now + 1801_000), /tolerance/);
    assert.throws(() => sdkConstructEvent(KAT_BODY, 't=1600000000', KAT_SECRET, now), /scheme v0/);
  });

  it('30 minutes into the past (the SDKs), 5 minutes into the future (voicehooks)', () => {
    assert.equal(verify(KAT_HEADER, 1600000000 + 1800).valid, true);
    const old = verify(KAT_HEADER, 1600000000 + 1801);
    assert.equal(old.reason, 'stale');
    assert.match(old.detail, /1801 s old, 1 s beyond the 1800 s tolerance.*; the signature itself matches/);
    assert.equal(verify(KAT_HEADER, 1600000000 - 300).valid, true);
    const ahead = verify(KAT_HEADER, 1600000000 - 301);
    assert.equal(ahead.reason, 'stale');
    assert.match(ahead.detail, /301 s in the future, 1 s beyond the 300 s tolerance/);
  });

  it('any of several v0= entries may match (the SDKs disagree: Python keeps the last, JavaScript the first)', () => {
    const good = KAT_HEADER.split(',')[1] ?? '';
    const bad = `v0=${'0'.repeat(64)}`;
    assert.equal(verify(`t=${KAT_TS},${good},${bad}`, 1600000000).valid, true);
    assert.equal(verify(`t=${KAT_TS},${bad},${good}`, 1600000000).valid, true);
    assert.equal(verify(`t=${KAT_TS},${bad}`, 1600000000).reason, 'mismatch');
    // Spaces after the commas, which the SDKs reject, are read; an unknown scheme is ignored.
    assert.equal(verify(`t=${KAT_TS}, v1=abc, ${good}`, 1600000000).valid, true);
  });

  it('says what is missing: the header, its t= or its v0=', () => {
    assert.equal(
      elevenlabsSignature.verify({ body: buf(KAT_BODY), headers: {}, secrets: [KAT_SECRET] }).reason,
      'missing-signature',
    );
    const noTime = verify(KAT_HEADER.replace('t=1600000000,', ''), 1600000000);
    assert.equal(noTime.reason, 'missing-timestamp');
    assert.match(noTime.detail, /no timestamp \(t=\)/);
    assert.equal(verify('t=1600000000', 1600000000).reason, 'missing-signature');
    assert.equal(verify('garbage', 1600000000).reason, 'missing-signature');
    assert.equal(verify(`v1=${'0'.repeat(64)}`, 1600000000).reason, 'missing-signature');
    // A signature of the right form, so that the timestamp is what is wrong (a malformed one comes first).
    const soon = verify(`t=soon,v0=${'ab'.repeat(32)}`, 1600000000);
    assert.equal(soon.reason, 'bad-timestamp');
    assert.match(soon.detail, /^The t= of ElevenLabs-Signature "soon" is not Unix seconds/);
    assert.equal(verify(`t=1600000000000,v0=${'ab'.repeat(32)}`, 1600000000).reason, 'bad-timestamp');
    assert.equal(verify('t=1600000000,v0=ab', 1600000000).reason, 'malformed-signature');
    assert.equal(verify(KAT_HEADER, 1600000000, ['wrong']).reason, 'mismatch');
  });

  it('a delivery signed by `sign -p elevenlabs` passes the SDK check, and `verify` agrees', async () => {
    const cli = newCli();
    const body = JSON.stringify(elevenlabsSample('post_call_transcription'));
    const dir = tempRoots.at(-1) ?? '.';
    const file = join(dir, 'body.json');
    writeFileSync(file, body);
    const signed = await cli.run([
      'sign',
      '-p',
      'elevenlabs',
      '--secret',
      'wsec_abc123',
      '--body-file',
      file,
    ]);
    assert.equal(signed.code, 0, signed.stderr);
    const match = /^ElevenLabs-Signature: (t=\d+,v0=[0-9a-f]{64})\n$/.exec(signed.stdout);
    assert.ok(match, signed.stdout);
    const header = match[1] ?? '';
    assert.deepEqual(sdkConstructEvent(body, header, 'wsec_abc123', Date.now()), JSON.parse(body));
    const checked = await cli.run([
      'verify',
      '-p',
      'elevenlabs',
      '--secret',
      'wsec_abc123',
      '--body-file',
      file,
      '--header',
      `ElevenLabs-Signature: ${header}`,
      '--json',
    ]);
    assert.equal(checked.code, 0, checked.stderr);
    assert.equal((JSON.parse(checked.stdout) as { valid: boolean }).valid, true);

    const known = await cli.run(['sign', '-p', 'elevenlabs', '--secret', KAT_SECRET, '--timestamp', KAT_TS], {
      stdin: KAT_BODY,
    });
    assert.equal(known.stdout, `ElevenLabs-Signature: ${KAT_HEADER}\n`);
  });
});
