/**
 * Delivery signatures: how each provider signs the webhooks it sends, so that the CLI can sign test deliveries
 * exactly as the provider would (`sign`, `test`) and check deliveries it receives (`verify`, `listen`).
 *
 * This is the kit a provider's `signature.ts` builds its scheme with ({@link defineScheme}); the descriptor's
 * `signing` loads it on first use, so commands that do not sign or verify load none. A provider that documents
 * no scheme says so in its descriptor instead, and `sign`/`verify` exit 6 with its words.
 */
import type { Readable } from 'node:stream';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { UnsupportedError, UsageError } from './errors.ts';
import { readFileCapped, readStreamCapped } from './input.ts';

export type {
  KnownSecret,
  SecretEncoding,
  SignInput,
  SignatureScheme,
  SigningSupport,
  VerifyInput,
  VerifyReason,
  VerifyResult,
} from './signature-types.ts';
import type {
  SecretEncoding,
  SignatureScheme,
  SigningSupport,
  VerifyInput,
  VerifyReason,
  VerifyResult,
} from './signature-types.ts';

/** What a provider's `signature.ts` supplies; {@link defineScheme} adds the signing and checking around it. */
export interface SchemeDefinition extends Omit<
  SignatureScheme,
  'sign' | 'verify' | 'secretProblem' | 'idHeader' | 'idSigned' | 'signatureFormat' | 'secretEncoding'
> {
  /**
   * The signature the provider puts in its header, given the key made from one secret; `id` is '' where the
   * id is not signed.
   */
  digest(body: Buffer, timestamp: string, key: Buffer, id: string): string;
  /**
   * The signatures a receiver may compute for one key, in the order to try them; default: the digest.
   * Daily's docs sign the re-serialised JSON, so the raw body is tried first and the re-serialised one second.
   */
  candidates?(
    body: Buffer,
    timestamp: string,
    key: Buffer,
  ): { form: 'raw' | 're-serialised'; signature: string }[];
  /** The signatures in a received header; default: the whole value. */
  splitSignatures?(header: string): string[];
  /** One signature's form: a pattern each must match, and the words said when none does. */
  signatureForm: { pattern: RegExp; words: string };
  /** How a secret becomes the key; default: its UTF-8 bytes. */
  secretEncoding?: SecretEncoding;
  secretProblem?(secret: string): string | undefined;
  /** The delivery-id header: its name, whether the id is signed, and how a new id is made. */
  id?: { header: string; signed: boolean; generate(): string };
  /** Between the signatures of several secrets in one header; default ','. */
  signatureSeparator?: string;
  /**
   * Where the timestamp is a part of the signature header (`t=…,v0=…`) rather than a header of its own: how
   * the header is written from the timestamp and the signatures, and read back into them. It takes the place
   * of `signatureSeparator` and `splitSignatures`, and `timestampHeader` names the same header.
   */
  combinedHeader?: {
    compose(timestamp: string, signatures: readonly string[]): string;
    parse(value: string): { timestamp?: string; signatures: string[] };
  };
}

/** HMAC-SHA256 of a message. */
export function hmacSha256(key: string | Buffer, message: Buffer): Buffer {
  return createHmac('sha256', key).update(message).digest();
}

/** Constant-time equality of two strings; unequal lengths are unequal without comparing. */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** A header by name, case-insensitively; repeated headers joined with commas as HTTP folds them. */
export function headerValue(headers: VerifyInput['headers'], name: string): string | undefined {
  const wanted = name.toLowerCase();
  const values: string[] = [];
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== wanted || value === undefined) continue;
    if (typeof value === 'string') values.push(value);
    else values.push(...value);
  }
  const joined = values
    .map((v) => v.trim())
    .filter(Boolean)
    .join(',');
  return joined === '' ? undefined : joined;
}

/** Unix seconds, digits only (PolyAI documents seconds; Daily's format is assumed to be the same). */
export function parseUnixSeconds(value: string): number | undefined {
  return /^\d{1,12}$/.test(value.trim()) ? Number(value.trim()) * 1000 : undefined;
}

/** The key a secret stands for in a scheme's encoding, after its prefix (`whsec_`) where it has one. */
export function secretKey(secret: string, encoding: SecretEncoding, prefix?: string): Buffer {
  const encoded = prefix && secret.startsWith(prefix) ? secret.slice(prefix.length) : secret;
  return encoding === 'base64' ? Buffer.from(encoded, 'base64') : Buffer.from(encoded, 'utf8');
}

/** Builds a complete scheme from a provider's definition. */
export function defineScheme(definition: SchemeDefinition): SignatureScheme {
  const idDefinition = definition.id;
  const encoding = definition.secretEncoding ?? 'utf8';
  const prefix = definition.secretPrefix;
  const split = (header: string) => definition.splitSignatures?.(header) ?? [header];
  /**
   * Whether a key signs the body and timestamp (and the id, where signed) as one of the presented signatures,
   * and in which form.
   */
  const signs = (body: Buffer, timestamp: string, key: Buffer, presented: readonly string[], id: string) => {
    const candidates = definition.candidates?.(body, timestamp, key) ?? [
      { form: 'raw' as const, signature: definition.digest(body, timestamp, key, id) },
    ];
    for (const candidate of candidates) {
      // Every presented signature is compared, matched or not, so timing says nothing about which matched.
      if (presented.map((s) => safeEqual(s, candidate.signature)).includes(true)) return candidate.form;
    }
    return undefined;
  };
  const scheme: SignatureScheme = {
    name: definition.name,
    displayName: definition.displayName,
    signatureHeader: definition.signatureHeader,
    signatureFormat: definition.signatureForm.words,
    secretEncoding: encoding,
    secretPrefix: prefix,
    timestampHeader: definition.timestampHeader,
    idHeader: idDefinition?.header,
    idSigned: idDefinition?.signed ?? false,
    timestampFormat: definition.timestampFormat,
    timestampFormatDocumented: definition.timestampFormatDocumented,
    defaultToleranceSeconds: definition.defaultToleranceSeconds,
    toleranceDocumented: definition.toleranceDocumented,
    futureToleranceSeconds: definition.futureToleranceSeconds,
    multipleSignatures: definition.multipleSignatures,
    formatTimestamp: definition.formatTimestamp,
    parseTimestamp: definition.parseTimestamp,
    secretProblem: (secret) => definition.secretProblem?.(secret),

    sign(input) {
      if (input.secrets.length === 0) throw new UsageError('Missing --secret: a signature needs a secret.');
      if (input.secrets.length > 1 && !definition.multipleSignatures) {
        throw new UsageError(
          `--secret was given ${input.secrets.length} times; ${definition.displayName} signs each delivery with one secret.`,
        );
      }
      for (const secret of input.secrets) {
        const problem = definition.secretProblem?.(secret);
        if (problem) throw new UsageError(`--secret ${problem}`);
      }
      if (definition.parseTimestamp(input.timestamp) === undefined) {
        throw new UsageError(
          `--timestamp "${input.timestamp}" is not ${timestampWords(definition.timestampFormat)}, the form of ${definition.timestampHeader}.`,
        );
      }
      const id = idDefinition ? (input.eventId ?? idDefinition.generate()) : '';
      if (idDefinition?.signed && (id === '' || id.includes('.'))) {
        // The signed string is `id.timestamp.body`: a full stop in the id would make it ambiguous.
        throw new UsageError(`--id must be non-empty and contain no ".", got "${id}".`);
      }
      const signedId = idDefinition?.signed ? id : '';
      const digests = input.secrets.map((secret) =>
        definition.digest(input.body, input.timestamp, secretKey(secret, encoding, prefix), signedId),
      );
      const headers: Record<string, string> = definition.combinedHeader
        ? { [definition.signatureHeader]: definition.combinedHeader.compose(input.timestamp, digests) }
        : {
            [definition.signatureHeader]: digests.join(definition.signatureSeparator ?? ','),
            [definition.timestampHeader]: input.timestamp,
          };
      if (idDefinition) headers[idDefinition.header] = id;
      return headers;
    },

    verify(input) {
      const toleranceSeconds =
        input.toleranceSeconds === undefined
          ? definition.defaultToleranceSeconds
          : input.toleranceSeconds || null;
      const fail = (
        reason: VerifyReason,
        detail: string,
        extra: Partial<VerifyResult> = {},
      ): VerifyResult => ({
        valid: false,
        reason,
        detail,
        matchedSecret: null,
        timestamp: null,
        ageSeconds: null,
        toleranceSeconds,
        ...extra,
      });
      const expected = `expected ${definition.signatureForm.words}`;
      // 1. The headers: present, and of the scheme's form.
      const presented = headerValue(input.headers, definition.signatureHeader);
      if (presented === undefined) {
        return fail('missing-signature', `No ${definition.signatureHeader} header (${expected}).`);
      }
      // A combined header (ElevenLabs' `t=…,v0=…`) carries the timestamp beside the signatures.
      const combined = definition.combinedHeader?.parse(presented);
      if (combined?.signatures.length === 0) {
        return fail(
          'missing-signature',
          `${definition.signatureHeader} has no signature in it (${expected}).`,
        );
      }
      const signatures = combined?.signatures ?? split(presented);
      if (!signatures.some((s) => definition.signatureForm.pattern.test(s))) {
        return fail(
          'malformed-signature',
          `${definition.signatureHeader} holds no signature of the form ${definition.displayName} sends (${expected}).`,
        );
      }
      const timestamp = combined
        ? combined.timestamp
        : headerValue(input.headers, definition.timestampHeader);
      if (timestamp === undefined) {
        return fail(
          'missing-timestamp',
          combined
            ? `${definition.signatureHeader} has no timestamp (t=) in it.`
            : `No ${definition.timestampHeader} header (expected ${timestampWords(definition.timestampFormat)}).`,
        );
      }
      let signedId = '';
      if (idDefinition?.signed) {
        const id = headerValue(input.headers, idDefinition.header);
        if (id === undefined) return fail('missing-id', `No ${idDefinition.header} header.`);
        signedId = id;
      }
      const at = definition.parseTimestamp(timestamp);
      if (at === undefined) {
        return fail(
          'bad-timestamp',
          `${combined ? `The t= of ${definition.signatureHeader}` : definition.timestampHeader} "${timestamp}" is not ${timestampWords(definition.timestampFormat)}.`,
          { timestamp },
        );
      }
      const now = (input.now ?? new Date()).getTime();
      const ageSeconds = Math.round((now - at) / 1000);

      let matchedSecret: number | null = null;
      let bodyForm: VerifyResult['bodyForm'];
      input.secrets.forEach((secret, index) => {
        if (matchedSecret !== null || definition.secretProblem?.(secret)) return;
        const form = signs(input.body, timestamp, secretKey(secret, encoding, prefix), signatures, signedId);
        if (form) {
          matchedSecret = index;
          bodyForm = form;
        }
      });
      const form = definition.candidates && bodyForm ? { bodyForm } : {};
      const base = { timestamp, ageSeconds, toleranceSeconds, ...form };

      // 2. The timestamp: within the tolerance, either way (a scheme may allow less into the future).
      const futureSeconds =
        toleranceSeconds === null
          ? null
          : Math.min(toleranceSeconds, definition.futureToleranceSeconds ?? toleranceSeconds);
      const beyond =
        toleranceSeconds !== null &&
        (ageSeconds > toleranceSeconds || (futureSeconds !== null && -ageSeconds > futureSeconds));
      if (beyond) {
        const bound = (ageSeconds >= 0 ? toleranceSeconds : futureSeconds) as number;
        const signed =
          matchedSecret === null ? 'the signature does not match either' : 'the signature itself matches';
        const millis = definition.timestampFormat === 'unix-seconds' && /^\d{13}$/.test(timestamp.trim());
        return fail(
          'stale',
          `${clockWords(ageSeconds, bound)}; ${signed}.${
            millis ? ' It looks like milliseconds, not seconds.' : ''
          }`,
          { ...base, matchedSecret },
        );
      }
      if (matchedSecret === null) {
        // 3-5. What would have matched: the JSON as sent, another known secret, another encoding of one.
        const usable = input.secrets.filter((s) => !definition.secretProblem?.(s));
        const explained = explain(input, usable, timestamp, signatures, signedId);
        if (explained) return fail(explained.reason, explained.detail, base);
        const tried = `${input.secrets.length} secret${input.secrets.length === 1 ? '' : 's'}`;
        const count = signatures.length > 1 ? ` (${signatures.length} signatures in the header)` : '';
        return fail(
          'mismatch',
          `The body or the secret differs: the signature does not match the body and timestamp with the ${tried} given${count}.`,
          base,
        );
      }
      const which = input.secrets.length > 1 ? ` with secret ${(matchedSecret as number) + 1}` : '';
      const reserialised = bodyForm === 're-serialised' ? ' (over the re-serialised JSON)' : '';
      return {
        valid: true,
        reason: null,
        detail: `The signature matches${which}${reserialised}.`,
        matchedSecret,
        ...base,
      };
    },
  };

  /** The first cause, after the headers and the clock, that a check proves; undefined when none does. */
  function explain(
    input: VerifyInput,
    secrets: readonly string[],
    timestamp: string,
    presented: readonly string[],
    id: string,
  ): { reason: VerifyReason; detail: string } | undefined {
    const keys = secrets.map((s) => secretKey(s, encoding, prefix));
    for (const encoded of reencodings(input.body)) {
      if (keys.some((key) => signs(encoded.body, timestamp, key, presented, id))) {
        return {
          reason: 're-serialised',
          detail: `The body was re-serialised: the same JSON ${encoded.words} verifies, the bytes given do not. Verify the raw request body, before any JSON parsing.`,
        };
      }
    }
    for (const other of input.otherSecrets ?? []) {
      if (secrets.includes(other.secret) || definition.secretProblem?.(other.secret)) continue;
      if (signs(input.body, timestamp, secretKey(other.secret, encoding, prefix), presented, id)) {
        return {
          reason: 'other-secret',
          detail: `The signature matches ${other.label}, not the secret given: the sender signs with that one.`,
        };
      }
    }
    for (const secret of secrets) {
      for (const variant of otherEncodings(secret, encoding, definition.displayName, prefix)) {
        if (signs(input.body, timestamp, variant.key, presented, id)) {
          return { reason: 'secret-encoding', detail: `The signature matches ${variant.words}.` };
        }
      }
    }
    return undefined;
  }
  return scheme;
}

/** Where the timestamp is, how far beyond the tolerance, and which clock that points at. */
function clockWords(ageSeconds: number, toleranceSeconds: number): string {
  const beyond = Math.abs(ageSeconds) - toleranceSeconds;
  if (ageSeconds >= 0) {
    return `The timestamp is ${ageSeconds} s old, ${beyond} s beyond the ${toleranceSeconds} s tolerance: the delivery was delayed or replayed, or the sender's clock is behind this machine's by at least ${beyond} s`;
  }
  return `The timestamp is ${-ageSeconds} s in the future, ${beyond} s beyond the ${toleranceSeconds} s tolerance: the sender's clock is ahead of this machine's (or this one is behind) by at least ${beyond} s`;
}

/** Bodies larger than this are not re-encoded to look for a re-serialisation. */
export const MAX_REENCODED_BYTES = 1024 * 1024;

/**
 * The body's JSON re-encoded as receivers commonly re-encode a parsed body (`JSON.stringify`, two-space
 * pretty printing, sorted keys, Python's `json.dumps`), each that differs from the bytes given; none when the
 * body is not JSON.
 */
export function reencodings(body: Buffer): { words: string; body: Buffer }[] {
  // Five encodings and their HMACs cost about 130 ms per MiB: a listener flooded with large invalid bodies
  // would spend its time here, and no provider sends deliveries near this size.
  if (body.length > MAX_REENCODED_BYTES) return [];
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return [];
  }
  const forms = [
    { words: 'encoded compactly (JSON.stringify)', text: encodeJson(value, {}) },
    { words: 'indented with two spaces', text: encodeJson(value, { indent: 2 }) },
    { words: 'with its keys sorted, compact', text: encodeJson(value, { sortKeys: true }) },
    { words: 'with its keys sorted, indented', text: encodeJson(value, { sortKeys: true, indent: 2 }) },
    { words: "as Python's json.dumps writes it", text: encodeJson(value, { spaced: true }) },
  ];
  const given = body.toString('utf8');
  const seen = new Set<string>([given]);
  const out: { words: string; body: Buffer }[] = [];
  for (const form of forms) {
    if (seen.has(form.text)) continue;
    seen.add(form.text);
    out.push({ words: form.words, body: Buffer.from(form.text, 'utf8') });
  }
  return out;
}

/** JSON with a choice of indentation, key order and separators (`", "` and `": "` with `spaced`). */
export function encodeJson(
  value: unknown,
  options: { indent?: number; sortKeys?: boolean; spaced?: boolean },
  depth = 0,
): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  const indent = options.indent ?? 0;
  const inner = indent ? `\n${' '.repeat(indent * (depth + 1))}` : '';
  const outer = indent ? `\n${' '.repeat(indent * depth)}` : '';
  const comma = indent ? ',' : options.spaced ? ', ' : ',';
  const colon = indent || options.spaced ? ': ' : ':';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const items = value.map((v: unknown) => encodeJson(v, options, depth + 1));
    return `[${inner}${items.join(`${comma}${inner}`)}${outer}]`;
  }
  const keys = Object.keys(value).filter((k) => (value as Record<string, unknown>)[k] !== undefined);
  if (options.sortKeys) keys.sort();
  if (keys.length === 0) return '{}';
  const entries = keys.map(
    (k) =>
      `${JSON.stringify(k)}${colon}${encodeJson((value as Record<string, unknown>)[k], options, depth + 1)}`,
  );
  return `{${inner}${entries.join(`${comma}${inner}`)}${outer}}`;
}

const BASE64_TEXT = /^[A-Za-z0-9+/]+={0,2}$/;
const HEX_TEXT = /^(?:[0-9a-fA-F]{2})+$/;

/**
 * The keys a secret gives when read in the other common ways than its scheme's, each with the words that say
 * so: its text where the scheme decodes base64 (Daily's `hmac` used as raw text), its decoded bytes where the
 * scheme takes the text, and the text without surrounding whitespace or quotes (a secret pasted with them).
 */
export function otherEncodings(
  secret: string,
  encoding: SecretEncoding,
  displayName: string,
  prefix?: string,
): { key: Buffer; words: string }[] {
  const out: { key: Buffer; words: string }[] = [];
  const stripped = secret.trim().replace(/^(["'])(.*)\1$/, '$2');
  if (stripped !== secret && stripped !== '') {
    out.push({
      key: secretKey(stripped, encoding, prefix),
      words: 'the secret without the whitespace or quotes around it: remove them from the secret given',
    });
  }
  if (encoding === 'base64') {
    const rawText = `the secret used as raw text, where ${displayName} keys with its base64-decoded bytes: the sender took the secret's text as the key`;
    out.push({ key: Buffer.from(stripped, 'utf8'), words: rawText });
    if (prefix && stripped.startsWith(prefix)) {
      out.push({
        key: Buffer.from(stripped.slice(prefix.length), 'utf8'),
        words: `${rawText} (without ${prefix})`,
      });
    }
    return out;
  }
  if (stripped.length % 4 === 0 && BASE64_TEXT.test(stripped)) {
    out.push({
      key: Buffer.from(stripped, 'base64'),
      words: `the secret base64-decoded, where ${displayName} keys with its text as it is: the sender decoded it`,
    });
  }
  if (HEX_TEXT.test(stripped)) {
    out.push({
      key: Buffer.from(stripped, 'hex'),
      words: `the secret hex-decoded, where ${displayName} keys with its text as it is: the sender decoded it`,
    });
  }
  return out;
}

function timestampWords(format: SignatureScheme['timestampFormat']): string {
  return format === 'iso-8601' ? 'an ISO 8601 date-time' : 'Unix seconds';
}

// ---- a provider's scheme ----

/** Whether the CLI knows how the provider signs. */
export function hasSignatureScheme(descriptor: { signing: SigningSupport }): boolean {
  return 'load' in descriptor.signing;
}

/** The provider's scheme, loaded on first use; an undocumented one ends in an UnsupportedError (exit 6). */
export async function loadSignatureScheme(descriptor: {
  name: string;
  signing: SigningSupport;
}): Promise<SignatureScheme> {
  if ('load' in descriptor.signing) return descriptor.signing.load();
  const { message, hint } = descriptor.signing.unknown;
  throw new UnsupportedError(message, { provider: descriptor.name, hint });
}

// ---- input of sign and verify ----

/** The body to sign or check: the file's bytes, or all of stdin (which must not be a terminal). */
export async function readBody(
  file: string | undefined,
  stdin: Readable & { isTTY?: boolean },
  flag = '--body-file',
): Promise<Buffer> {
  if (file !== undefined && file !== '-') {
    try {
      return readFileCapped(file, `${flag} ${file}`);
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw new UsageError(
        `${flag} ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`,
      );
    }
  }
  if (stdin.isTTY) {
    throw new UsageError(`No body: pass ${flag} FILE, or pipe the body on stdin.`, {
      hint: `For example: voicehooks sign -p ultravox --secret S ${flag} body.json`,
    });
  }
  return readStreamCapped(stdin as AsyncIterable<Buffer>, 'The body on stdin');
}

/** `--header 'Name: value'` flags as a header record (repeated names become arrays). */
export function parseHeaderFlags(values: readonly string[]): Record<string, string[]> {
  const headers: Record<string, string[]> = {};
  for (const value of values) {
    const colon = value.indexOf(':');
    const name = colon > 0 ? value.slice(0, colon).trim() : '';
    if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) {
      throw new UsageError(`--header takes 'Name: value', got "${value}".`, {
        hint: "For example: --header 'X-Webhook-Timestamp: 1700000000'",
      });
    }
    (headers[name.toLowerCase()] ??= []).push(value.slice(colon + 1).trim());
  }
  return headers;
}
