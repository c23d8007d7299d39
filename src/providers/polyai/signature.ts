/**
 * How PolyAI signs deliveries (docs/providers/polyai.md §3.5, §3.6): HMAC-SHA256 keyed with the signing secret's UTF-8
 * bytes over `{timestamp}.{raw_request_body}`, lowercase hex, one bare signature in `X-PolyAI-Signature`;
 * `X-PolyAI-Timestamp` is Unix seconds, and every delivery also carries `X-PolyAI-Event-ID` for de-duplication.
 * A rotation invalidates the old secret at once, so there is only ever one secret and one signature.
 */
import { randomBytes } from 'node:crypto';
import { defineScheme, hmacSha256, parseUnixSeconds } from '../../signatures.ts';

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * An event id. Its format is undocumented; this one follows PolyAI's other identifiers (`whe_…`, `ar_…`: a
 * prefix and 22 letters and digits), with an `evt_` prefix of the CLI's choosing.
 */
export function newPolyAIEventId(): string {
  const bytes = randomBytes(22);
  return `evt_${Array.from(bytes, (b) => BASE62[b % BASE62.length]).join('')}`;
}

export const polyaiSignature = defineScheme({
  name: 'polyai',
  displayName: 'PolyAI',
  signatureHeader: 'X-PolyAI-Signature',
  timestampHeader: 'X-PolyAI-Timestamp',
  timestampFormat: 'unix-seconds',
  timestampFormatDocumented: true,
  // All three official samples reject `abs(now - timestamp) > 300`.
  defaultToleranceSeconds: 300,
  toleranceDocumented: true,
  multipleSignatures: false,
  formatTimestamp: (date) => String(Math.floor(date.getTime() / 1000)),
  parseTimestamp: parseUnixSeconds,
  signatureForm: { pattern: /^[0-9a-f]{64}$/i, words: '64 hex digits (an HMAC-SHA256)' },
  digest: (body, timestamp, key) =>
    hmacSha256(key, Buffer.concat([Buffer.from(`${timestamp}.`, 'utf8'), body])).toString('hex'),
  // Sent with every delivery for de-duplication, not signed.
  id: { header: 'X-PolyAI-Event-ID', signed: false, generate: newPolyAIEventId },
});
