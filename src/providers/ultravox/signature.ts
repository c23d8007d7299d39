/**
 * How Ultravox signs deliveries (docs/providers/ultravox.md §1.6): HMAC-SHA256 keyed with the secret's UTF-8 bytes over the
 * raw body immediately followed by the timestamp string (no separator), lowercase hex, one signature per
 * secret of the webhook in `X-Ultravox-Webhook-Signature`, comma-separated, so that a receiver keeps
 * verifying during a rotation.
 */
import { defineScheme, hmacSha256 } from '../../signatures.ts';

/** Date and time, optional seconds and fraction, optional zone; Python's `fromisoformat` reads these. */
const ISO_8601 = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * ISO 8601 as epoch milliseconds. The format is inferred from Ultravox's sample (`datetime.fromisoformat`);
 * a value without a zone is read as UTC, since the sample compares it with the server's clock.
 */
function parseIsoTimestamp(value: string): number | undefined {
  const match = ISO_8601.exec(value.trim());
  if (!match) return undefined;
  const [, date, time, fraction, zone] = match;
  // Python writes microseconds; JavaScript dates read at most milliseconds.
  const millis = fraction ? `.${fraction.padEnd(3, '0').slice(0, 3)}` : '';
  const offset =
    !zone || zone.toUpperCase() === 'Z'
      ? 'Z'
      : zone.length === 5
        ? `${zone.slice(0, 3)}:${zone.slice(3)}`
        : zone;
  const ms = Date.parse(`${date}T${time}${millis}${offset}`);
  return Number.isNaN(ms) ? undefined : ms;
}

export const ultravoxSignature = defineScheme({
  name: 'ultravox',
  displayName: 'Ultravox',
  signatureHeader: 'X-Ultravox-Webhook-Signature',
  timestampHeader: 'X-Ultravox-Webhook-Timestamp',
  timestampFormat: 'iso-8601',
  // Inferred from the official sample, not stated (docs/providers/ultravox.md §1.6).
  timestampFormatDocumented: false,
  // "e.g. within the last minute" (docs/providers/ultravox.md §1.6).
  defaultToleranceSeconds: 60,
  toleranceDocumented: true,
  multipleSignatures: true,
  formatTimestamp: (date) => date.toISOString(),
  parseTimestamp: parseIsoTimestamp,
  // `request.content + request_timestamp.encode()`, keyed with `WEBHOOK_SECRET.encode()`, `.hexdigest()`.
  signatureForm: {
    pattern: /^[0-9a-f]{64}$/i,
    words: '64 hex digits (an HMAC-SHA256) per secret, separated by commas',
  },
  digest: (body, timestamp, key) =>
    hmacSha256(key, Buffer.concat([body, Buffer.from(timestamp, 'utf8')])).toString('hex'),
  // "may contain multiple signatures separated by commas … check if any of the provided signatures match".
  splitSignatures: (header) =>
    header
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
});
