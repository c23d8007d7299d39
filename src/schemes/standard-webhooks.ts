/**
 * Standard Webhooks (standardwebhooks.com; spec `standard-webhooks/standard-webhooks` `spec/standard-webhooks.md`),
 * the symmetric `v1` scheme that OpenAI and many Svix-delivered platforms follow:
 *
 * - headers `webhook-id` (the delivery's id, the same on every retry), `webhook-timestamp` (Unix seconds of the
 *   attempt) and `webhook-signature`;
 * - signed string `{webhook-id}.{webhook-timestamp}.{raw body}`, HMAC-SHA256, standard base64, written `v1,<base64>`;
 * - the secret is `whsec_` + base64 of the key; the key is its base64-decoded bytes (the reference libraries
 *   decode with or without the prefix);
 * - several signatures, space-separated, for rotation: a delivery is valid when any of them matches;
 * - a timestamp more than 5 minutes from now either way is refused (every reference library hard-codes it).
 *
 * It is not tied to a provider: a provider's descriptor names it (`signatureScheme`), and `--scheme
 * standard-webhooks` uses it directly on `sign`, `verify` and `listen` for any platform that follows it.
 */
import { randomBytes } from 'node:crypto';
import { defineScheme, hmacSha256, parseUnixSeconds } from '../signatures.ts';

const PREFIX = 'whsec_';
/** Standard base64, padding optional (the Python library pads what is missing). */
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** The HMAC key of a secret: the base64-decoded bytes after an optional `whsec_`; undefined when unusable. */
export function standardWebhooksKey(secret: string): Buffer | undefined {
  const encoded = secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret;
  if (!BASE64.test(encoded) || encoded.replace(/=+$/, '').length % 4 === 1) return undefined;
  const key = Buffer.from(encoded, 'base64');
  return key.length > 0 ? key : undefined;
}

/** A delivery id as the reference libraries' examples make them: `msg_` and 27 random characters. */
export function newStandardWebhooksId(): string {
  return `msg_${randomBytes(20).toString('base64url').slice(0, 27)}`;
}

export const standardWebhooksSignature = defineScheme({
  name: 'standard-webhooks',
  displayName: 'Standard Webhooks',
  signatureHeader: 'webhook-signature',
  timestampHeader: 'webhook-timestamp',
  id: { header: 'webhook-id', signed: true, generate: newStandardWebhooksId },
  timestampFormat: 'unix-seconds',
  timestampFormatDocumented: true,
  // The spec says "some allowable tolerance"; all reference libraries use 5 minutes, both ways.
  defaultToleranceSeconds: 300,
  toleranceDocumented: true,
  multipleSignatures: true,
  signatureSeparator: ' ',
  formatTimestamp: (date) => String(Math.floor(date.getTime() / 1000)),
  parseTimestamp: parseUnixSeconds,
  secretProblem: (secret) =>
    standardWebhooksKey(secret) === undefined
      ? `is not a Standard Webhooks secret: expected "${PREFIX}" followed by base64 (the key's bytes).`
      : undefined,
  // The key is the base64 after the optional `whsec_` prefix (src/signatures.ts `secretKey`).
  secretEncoding: 'base64',
  secretPrefix: PREFIX,
  signatureForm: {
    pattern: /^v1,[A-Za-z0-9+/]{43}=$/,
    words: '"v1," and the base64 of an HMAC-SHA256 per secret, separated by spaces',
  },
  digest: (body, timestamp, key, id) => {
    const signed = Buffer.concat([Buffer.from(`${id}.${timestamp}.`, 'utf8'), body]);
    return `v1,${hmacSha256(key, signed).toString('base64')}`;
  },
  // Space-delimited entries `version,signature`. A bare signature is read as `v1` (OpenAI's SDKs accept
  // one); an entry of another version (`v1a,…`, asymmetric) is kept as it is and so never matches.
  splitSignatures: (header) =>
    header
      .split(/\s+/)
      .filter(Boolean)
      .map((entry) => (entry.includes(',') ? entry : `v1,${entry}`)),
});
