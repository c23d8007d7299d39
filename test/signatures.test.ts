// Known-answer tests of the three documented signing schemes (docs/providers/ultravox.md §1.6, polyai.md §3.6, daily.md §4.5), and the
// built CLI's `sign` and `verify` (`npm run build` first). Every expected digest below was worked out by hand
// from the documented formula and computed ONCE outside this code (openssl and python's hmac, which agreed);
// the constants are pasted, never recomputed with the code under test.
import { daily } from '../src/providers/daily/index.ts';
import { polyai } from '../src/providers/polyai/index.ts';
import { talkover } from '../src/providers/talkover/index.ts';
import { ultravox } from '../src/providers/ultravox/index.ts';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { dailySignature } from '../src/providers/daily/signature.ts';
import { polyaiSignature } from '../src/providers/polyai/signature.ts';
import { ultravoxSignature } from '../src/providers/ultravox/signature.ts';
import { hasSignatureScheme, loadSignatureScheme, safeEqual } from '../src/signatures.ts';
import { newCli, removeTempRoots, tempRoots } from './helpers/cli.ts';

after(removeTempRoots);

// ---- Ultravox (§1.6): hex(HMAC-SHA256(key = UTF-8 secret, message = rawBody ‖ timestamp)), no separator ----
const UV_BODY = '{"event":"call.ended","call":{"callId":"3c90c3cc-0d44-4b50-8888-8dd25736052a"}}';
const UV_TS = '2026-07-04T12:00:00Z';
const UV_SECRET = 'uvx-known-answer-secret';
const UV_SECRET_2 = 'uvx-second-secret';
// message = '{"event":"call.ended","call":{"callId":"3c90c3cc-0d44-4b50-8888-8dd25736052a"}}2026-07-04T12:00:00Z'
// key = the 23 ASCII bytes of "uvx-known-answer-secret"
// printf '%s' "$message" | openssl dgst -sha256 -hmac uvx-known-answer-secret
const UV_SIG = '5509e22827540a07328b4ff8705976aecf3502fc230d15f90deff82e4031184e';
// the same message, key = "uvx-second-secret":
// python3 -c 'import hmac,hashlib; print(hmac.new(b"uvx-second-secret", message, hashlib.sha256).hexdigest())'
const UV_SIG_2 = 'b74238ddb372c8d9b7aca83ce32b434db483c1335414660496ed2dc72e7450b7';

// ---- PolyAI (§3.6): hex(HMAC-SHA256(key = UTF-8 signing secret, message = timestamp + "." + rawBody)) ----
const PA_BODY = '{"event_type":"alerts.triggered","alert":{"id":"ar_0Kx4mNpQ8rWvYb2dFgHjLs"}}';
const PA_TS = '1751630400';
const PA_SECRET = 'polyai-known-answer-secret';
// message = '1751630400.{"event_type":"alerts.triggered","alert":{"id":"ar_0Kx4mNpQ8rWvYb2dFgHjLs"}}'
// printf '%s' "$message" | openssl dgst -sha256 -hmac polyai-known-answer-secret
const PA_SIG = '2203a307debca7a5ebaa785a45d2b821f6585be11b95c1ca37b860a56716b680';

// ---- Daily (§4.5): base64(HMAC-SHA256(key = base64-decode(hmac), message = ts + "." + JSON.stringify(event))) ----
// The body is Daily's documented recording.ready-to-download example (§4.6), compact as JSON.stringify makes it.
const DY_BODY =
  '{"version":"1.0.0","type":"recording.ready-to-download","id":"rec-rtd-c3df927c-f738-4471-a2b7-066fa7e95a6b-1692124192",' +
  '"payload":{"recording_id":"08fa0b24-9220-44c5-846c-3f116cf8e738","room_name":"Xcm97xRZ08b2dePKb78g","start_ts":1692124183,' +
  '"status":"finished","max_participants":1,"duration":9,"s3_key":"api-test-1j8fizhzd30c/Xcm97xRZ08b2dePKb78g/1692124183028"},' +
  '"event_ts":1692124192}';
const DY_TS = '1692124192';
// The hmac of Daily's documented list example (§4.2).
const DY_SECRET = 'NQrSA5z0FkJ44QPrFerW7uCc5kdNLv3l2FDEKDanL1U=';
// key bytes = base64-decode(hmac) = hex 350ad2039cf4164278e103eb15ead6eee09ce6474d2efde5d850c42836a72f55 (32 bytes)
// message = '1692124192.' + DY_BODY
// printf '%s' "$message" | openssl dgst -sha256 -mac HMAC \
//   -macopt hexkey:350ad2039cf4164278e103eb15ead6eee09ce6474d2efde5d850c42836a72f55 -binary | base64
const DY_SIG = 'hxknnK5Vh0W+FWbXL4TdMaIEegl0BaxnbWbjgVxuvSM=';
/** The same event pretty-printed: Daily signs JSON.stringify of the parsed event, so the signature is DY_SIG. */
const DY_PRETTY = JSON.stringify(JSON.parse(DY_BODY), null, 2);

const buf = (text: string) => Buffer.from(text, 'utf8');

describe('known answers', () => {
  it('Ultravox: one lowercase hex signature per secret, comma-separated, timestamp as given', () => {
    assert.deepEqual(ultravoxSignature.sign({ body: buf(UV_BODY), secrets: [UV_SECRET], timestamp: UV_TS }), {
      'X-Ultravox-Webhook-Signature': UV_SIG,
      'X-Ultravox-Webhook-Timestamp': UV_TS,
    });
    const two = ultravoxSignature.sign({
      body: buf(UV_BODY),
      secrets: [UV_SECRET, UV_SECRET_2],
      timestamp: UV_TS,
    });
    assert.equal(two['X-Ultravox-Webhook-Signature'], `${UV_SIG},${UV_SIG_2}`);
  });

  it('PolyAI: hex signature of timestamp.body, plus an event id', () => {
    const headers = polyaiSignature.sign({
      body: buf(PA_BODY),
      secrets: [PA_SECRET],
      timestamp: PA_TS,
      eventId: 'evt_1',
    });
    assert.deepEqual(headers, {
      'X-PolyAI-Signature': PA_SIG,
      'X-PolyAI-Timestamp': PA_TS,
      'X-PolyAI-Event-ID': 'evt_1',
    });
    const generated = polyaiSignature.sign({ body: buf(PA_BODY), secrets: [PA_SECRET], timestamp: PA_TS });
    assert.match(generated['X-PolyAI-Event-ID'] ?? '', /^evt_[A-Za-z0-9]{22}$/);
  });

  it('Daily: base64 digest keyed with the decoded hmac, over JSON.stringify of the parsed body', () => {
    const expected = { 'X-Webhook-Signature': DY_SIG, 'X-Webhook-Timestamp': DY_TS };
    assert.deepEqual(
      dailySignature.sign({ body: buf(DY_BODY), secrets: [DY_SECRET], timestamp: DY_TS }),
      expected,
    );
    assert.deepEqual(
      dailySignature.sign({ body: buf(DY_PRETTY), secrets: [DY_SECRET], timestamp: DY_TS }),
      expected,
    );
  });

  it('the descriptors load the three schemes lazily and have none for Talkover', async () => {
    assert.equal((await loadSignatureScheme(ultravox)).signatureHeader, 'X-Ultravox-Webhook-Signature');
    assert.equal((await loadSignatureScheme(polyai)).signatureHeader, 'X-PolyAI-Signature');
    assert.equal((await loadSignatureScheme(daily)).signatureHeader, 'X-Webhook-Signature');
    assert.equal(hasSignatureScheme(talkover), false);
    await assert.rejects(loadSignatureScheme(talkover), { kind: 'unsupported' });
  });

  it('safeEqual compares whole strings, and strings of other lengths are unequal', () => {
    assert.equal(safeEqual(UV_SIG, UV_SIG), true);
    assert.equal(safeEqual(UV_SIG, UV_SIG.slice(0, -1)), false);
    assert.equal(safeEqual(UV_SIG, `${UV_SIG.slice(0, -1)}f`), false);
  });
});

describe('verification', () => {
  const uvAt = new Date(Date.parse(UV_TS) + 30_000);
  const paAt = new Date(Number(PA_TS) * 1000 + 100_000);
  const dyAt = new Date(Number(DY_TS) * 1000 + 100_000);
  const uvHeaders = (signature: string, ts = UV_TS) => ({
    'x-ultravox-webhook-signature': signature,
    'X-Ultravox-Webhook-Timestamp': ts,
  });

  it('Ultravox: any signature of the header may match any secret; the matching secret is named', () => {
    const result = ultravoxSignature.verify({
      body: buf(UV_BODY),
      headers: uvHeaders(`${'0'.repeat(64)}, ${UV_SIG_2}`),
      secrets: ['not-it', UV_SECRET_2],
      now: uvAt,
    });
    assert.equal(result.valid, true);
    assert.equal(result.matchedSecret, 1);
    assert.equal(result.ageSeconds, 30);
  });

  it('Ultravox: 61 s is stale (60 s tolerance), microseconds and offsets are read, a naive time is UTC', () => {
    const late = new Date(Date.parse(UV_TS) + 61_000);
    const stale = ultravoxSignature.verify({
      body: buf(UV_BODY),
      headers: uvHeaders(UV_SIG),
      secrets: [UV_SECRET],
      now: late,
    });
    assert.equal(stale.reason, 'stale');
    assert.equal(stale.matchedSecret, 0, 'the signature itself matches');
    assert.equal(
      ultravoxSignature.parseTimestamp('2026-07-04T12:00:00.123456+00:00'),
      Date.parse(UV_TS) + 123,
    );
    assert.equal(ultravoxSignature.parseTimestamp('2026-07-04T14:00:00+02:00'), Date.parse(UV_TS));
    assert.equal(ultravoxSignature.parseTimestamp('2026-07-04T12:00:00'), Date.parse(UV_TS));
    assert.equal(ultravoxSignature.parseTimestamp('1751630400'), undefined);
  });

  it('PolyAI: tampered body, wrong secret, stale, missing headers', () => {
    const headers = { 'X-PolyAI-Signature': PA_SIG, 'X-PolyAI-Timestamp': PA_TS };
    const check = (body: string, h: Record<string, string>, secrets = [PA_SECRET], now = paAt) =>
      polyaiSignature.verify({ body: buf(body), headers: h, secrets, now });
    assert.equal(check(PA_BODY, headers).valid, true);
    assert.equal(check(PA_BODY.replace('triggered', 'resolved'), headers).reason, 'mismatch');
    assert.equal(check(PA_BODY, headers, ['another-secret']).reason, 'mismatch');
    assert.equal(
      check(PA_BODY, headers, [PA_SECRET], new Date(Number(PA_TS) * 1000 + 301_000)).reason,
      'stale',
    );
    assert.equal(
      check(PA_BODY, headers, [PA_SECRET], new Date(Number(PA_TS) * 1000 - 301_000)).reason,
      'stale',
    );
    assert.equal(check(PA_BODY, { 'X-PolyAI-Timestamp': PA_TS }).reason, 'missing-signature');
    assert.equal(check(PA_BODY, { 'X-PolyAI-Signature': PA_SIG }).reason, 'missing-timestamp');
    assert.equal(
      check(PA_BODY, { ...headers, 'X-PolyAI-Timestamp': '2025-07-04T12:00:00Z' }).reason,
      'bad-timestamp',
    );
  });

  it('Daily: the raw body first, then the re-serialised JSON', () => {
    const headers = { 'X-Webhook-Signature': DY_SIG, 'X-Webhook-Timestamp': DY_TS };
    const raw = dailySignature.verify({ body: buf(DY_BODY), headers, secrets: [DY_SECRET], now: dyAt });
    assert.equal(raw.valid, true);
    assert.equal(raw.bodyForm, 'raw');
    const pretty = dailySignature.verify({ body: buf(DY_PRETTY), headers, secrets: [DY_SECRET], now: dyAt });
    assert.equal(pretty.valid, true);
    assert.equal(pretty.bodyForm, 're-serialised');
    const tampered = dailySignature.verify({
      body: buf(DY_BODY.replace('"duration":9', '"duration":10')),
      headers,
      secrets: [DY_SECRET],
      now: dyAt,
    });
    assert.equal(tampered.reason, 'mismatch');
    // A hex digest (a common integration mistake, docs/providers/daily.md §4.7) is not of Daily's form.
    const hex = Buffer.from(DY_SIG, 'base64').toString('hex');
    assert.equal(
      dailySignature.verify({
        body: buf(DY_BODY),
        headers: { ...headers, 'X-Webhook-Signature': hex },
        secrets: [DY_SECRET],
        now: dyAt,
      }).reason,
      'malformed-signature',
    );
  });

  it('tolerance null turns the age check off', () => {
    const headers = { 'X-PolyAI-Signature': PA_SIG, 'X-PolyAI-Timestamp': PA_TS };
    const result = polyaiSignature.verify({
      body: buf(PA_BODY),
      headers,
      secrets: [PA_SECRET],
      toleranceSeconds: null,
    });
    assert.equal(result.valid, true);
    assert.equal(result.toleranceSeconds, null);
  });
});

describe('the built CLI', () => {
  it('sign prints the known signatures, one "Name: value" line each', async () => {
    const cli = newCli();
    const uv = await cli.run(
      ['sign', '-p', 'ultravox', '--secret', UV_SECRET, '--secret', UV_SECRET_2, '--timestamp', UV_TS],
      { stdin: UV_BODY },
    );
    assert.equal(uv.code, 0, uv.stderr);
    assert.equal(
      uv.stdout,
      `X-Ultravox-Webhook-Signature: ${UV_SIG},${UV_SIG_2}\nX-Ultravox-Webhook-Timestamp: ${UV_TS}\n`,
    );
    assert.equal(uv.stderr, '');

    const pa = await cli.run(
      ['sign', '-p', 'polyai', '--secret', PA_SECRET, '--timestamp', PA_TS, '--json'],
      { stdin: PA_BODY },
    );
    assert.equal(pa.code, 0, pa.stderr);
    const paJson = JSON.parse(pa.stdout) as Record<string, string>;
    assert.equal(paJson['X-PolyAI-Signature'], PA_SIG);
    assert.equal(paJson['X-PolyAI-Timestamp'], PA_TS);
    assert.match(paJson['X-PolyAI-Event-ID'] ?? '', /^evt_/);

    const file = join(tempRoots[tempRoots.length - 1] ?? '', 'event.json');
    writeFileSync(file, DY_PRETTY);
    const dy = await cli.run([
      'sign',
      '-p',
      'daily',
      '--secret',
      DY_SECRET,
      '--timestamp',
      DY_TS,
      '--body-file',
      file,
    ]);
    assert.equal(dy.code, 0, dy.stderr);
    assert.equal(dy.stdout, `X-Webhook-Signature: ${DY_SIG}\nX-Webhook-Timestamp: ${DY_TS}\n`);
  });

  it('sign refuses what it cannot sign: Talkover (6), a timestamp of the wrong form, a non-base64 Daily secret (2)', async () => {
    const cli = newCli();
    const talkover = await cli.run(['sign', '-p', 'talkover', '--secret', 'x'], { stdin: '{}' });
    assert.equal(talkover.code, 6);
    assert.match(talkover.stderr, /Talkover does not document how it signs/);
    const iso = await cli.run(['sign', '-p', 'polyai', '--secret', 'x', '--timestamp', UV_TS], {
      stdin: '{}',
    });
    assert.equal(iso.code, 2);
    assert.match(iso.stderr, /--timestamp .* is not Unix seconds/);
    const daily = await cli.run(['sign', '-p', 'daily', '--secret', 'not base64!'], { stdin: '{}' });
    assert.equal(daily.code, 2);
    assert.match(daily.stderr, /--secret must be base64/);
    const two = await cli.run(['sign', '-p', 'polyai', '--secret', 'a', '--secret', 'b'], { stdin: '{}' });
    assert.equal(two.code, 2);
    assert.equal(two.stdout, '');
  });

  it('verify exits 0 with the report for a valid delivery, 8 with the reason otherwise', async () => {
    const cli = newCli();
    const header = (name: string, value: string) => ['--header', `${name}: ${value}`];
    const ok = await cli.run(
      [
        'verify',
        '-p',
        'polyai',
        '--secret',
        PA_SECRET,
        '--tolerance',
        '0',
        '--json',
        ...header('X-PolyAI-Signature', PA_SIG),
        ...header('X-PolyAI-Timestamp', PA_TS),
      ],
      { stdin: PA_BODY },
    );
    assert.equal(ok.code, 0, ok.stderr);
    const report = JSON.parse(ok.stdout) as { ageSeconds: unknown };
    assert.equal(typeof report.ageSeconds, 'number');
    assert.deepEqual(
      { ...report, ageSeconds: 0 },
      {
        provider: 'polyai',
        scheme: 'polyai',
        valid: true,
        reason: null,
        detail: 'The signature matches.',
        matchedSecret: 0,
        timestamp: PA_TS,
        ageSeconds: 0,
        toleranceSeconds: null,
      },
    );

    const stale = await cli.run(
      [
        'verify',
        '-p',
        'daily',
        '--secret',
        DY_SECRET,
        ...header('X-Webhook-Signature', DY_SIG),
        ...header('X-Webhook-Timestamp', DY_TS),
      ],
      {
        stdin: DY_BODY,
      },
    );
    assert.equal(stale.code, 8);
    assert.match(stale.stdout, /^false\tstale\t0\t1692124192\t\d+\t300\t/);
    assert.match(stale.stderr, /^Error: The Daily signature is not valid \(stale\)/);
  });
});
