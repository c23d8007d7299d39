/**
 * How Daily signs deliveries (docs/providers/daily.md §4.5): the key is the base64-DECODED `hmac`, the message is
 * `X-Webhook-Timestamp + "." + JSON.stringify(event)` where `event` is the parsed body, and the digest is
 * base64 (not hex). Neither the timestamp's format nor a tolerance is documented: Unix seconds and 300 s are
 * assumed (the common assumption of integrators, and the form of the envelope's own `event_ts`).
 */
import { UsageError } from '../../errors.ts';
import { defineScheme, hmacSha256, parseUnixSeconds } from '../../signatures.ts';
import { isBase64 } from './rules.ts';

function sign(body: Buffer | string, timestamp: string, key: Buffer): string {
  const text = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const message = Buffer.concat([Buffer.from(`${timestamp}.`, 'utf8'), text]);
  return hmacSha256(key, message).toString('base64');
}

/** `JSON.stringify(JSON.parse(body))`, or undefined when the body is not JSON. */
function reserialise(body: Buffer): string | undefined {
  try {
    return JSON.stringify(JSON.parse(body.toString('utf8')) as unknown);
  } catch {
    return undefined;
  }
}

export const dailySignature = defineScheme({
  name: 'daily',
  displayName: 'Daily',
  signatureHeader: 'X-Webhook-Signature',
  timestampHeader: 'X-Webhook-Timestamp',
  timestampFormat: 'unix-seconds',
  timestampFormatDocumented: false,
  defaultToleranceSeconds: 300,
  toleranceDocumented: false,
  multipleSignatures: false,
  // The key is the base64-decoded `hmac`.
  secretEncoding: 'base64',
  signatureForm: {
    pattern: /^[A-Za-z0-9+/]{43}=$/,
    words: 'the base64 of an HMAC-SHA256, 44 characters ending in "="',
  },
  formatTimestamp: (date) => String(Math.floor(date.getTime() / 1000)),
  parseTimestamp: parseUnixSeconds,
  secretProblem: (secret) =>
    isBase64(secret) ? undefined : 'must be base64 for Daily (its hmac is a base64-encoded key).',
  // Daily signs what JSON.stringify makes of the event, so that is what is signed here too.
  digest(body, timestamp, key) {
    const json = reserialise(body);
    if (json === undefined) {
      throw new UsageError('Daily signs JSON.stringify of the event, and this body is not JSON.', {
        hint: 'Give a JSON body (Daily always sends one).',
      });
    }
    return sign(json, timestamp, key);
  },
  // Receivers see the raw body; it equals the re-serialised JSON when Daily sends compact JSON in key order,
  // so the raw body is tried first and the re-serialisation second (docs/providers/daily.md §4.5).
  candidates(body, timestamp, key) {
    const raw = { form: 'raw' as const, signature: sign(body, timestamp, key) };
    const json = reserialise(body);
    if (json === undefined || json === body.toString('utf8')) return [raw];
    return [raw, { form: 're-serialised' as const, signature: sign(json, timestamp, key) }];
  },
});
