/**
 * How ElevenLabs signs deliveries (docs/providers/elevenlabs.md, "Signatures"): one header,
 * `ElevenLabs-Signature: t=<unix seconds>,v0=<hex>`, where the hex is HMAC-SHA256 keyed with the webhook
 * secret's UTF-8 bytes over `<t>.<raw body>`. Both official SDKs reject a timestamp older than 30 minutes and
 * set no bound on the future; voicehooks also refuses one more than 5 minutes ahead (its own choice: a clock
 * that far off is a fault worth seeing). The SDKs disagree on several `v0=` entries (Python keeps the last,
 * JavaScript the first); voicehooks accepts the header when any of them matches.
 */
import { defineScheme, hmacSha256, parseUnixSeconds } from '../../signatures.ts';

const HEADER = 'ElevenLabs-Signature';

/** `t=…` and every `v0=…` of a header; other schemes and empty parts are ignored, as the SDKs ignore them. */
export function parseElevenLabsHeader(value: string): { timestamp?: string; signatures: string[] } {
  const parts = value.split(',').map((part) => part.trim());
  const timestamp = parts.find((part) => part.startsWith('t='))?.slice(2);
  const signatures = parts.filter((part) => part.startsWith('v0=')).map((part) => part.slice(3));
  return { timestamp: timestamp === '' ? undefined : timestamp, signatures };
}

export const elevenlabsSignature = defineScheme({
  name: 'elevenlabs',
  displayName: 'ElevenLabs',
  signatureHeader: HEADER,
  // The timestamp travels in the same header, as its `t=` part.
  timestampHeader: HEADER,
  combinedHeader: {
    compose: (timestamp, signatures) => [`t=${timestamp}`, ...signatures.map((s) => `v0=${s}`)].join(','),
    parse: parseElevenLabsHeader,
  },
  timestampFormat: 'unix-seconds',
  timestampFormatDocumented: true,
  // `TOLERANCE = 30 * 60` in the Python SDK, `30 * 60 * 1000` ms in the JavaScript one.
  defaultToleranceSeconds: 1800,
  toleranceDocumented: true,
  futureToleranceSeconds: 300,
  multipleSignatures: false,
  formatTimestamp: (date) => String(Math.floor(date.getTime() / 1000)),
  parseTimestamp: parseUnixSeconds,
  // `hmac.new(secret.encode('utf-8'), f"{timestamp}.{payload}".encode('utf-8'), sha256).hexdigest()`.
  signatureForm: {
    pattern: /^[0-9a-f]{64}$/i,
    words: '"t=" Unix seconds, then "v0=" and 64 hex digits (an HMAC-SHA256)',
  },
  digest: (body, timestamp, key) =>
    hmacSha256(key, Buffer.concat([Buffer.from(`${timestamp}.`, 'utf8'), body])).toString('hex'),
});
