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
  SignInput,
  SignatureScheme,
  SigningSupport,
  VerifyInput,
  VerifyReason,
  VerifyResult,
} from './signature-types.ts';
import type {
  SignatureScheme,
  SigningSupport,
  VerifyInput,
  VerifyReason,
  VerifyResult,
} from './signature-types.ts';

/** What a provider's `signature.ts` supplies; {@link defineScheme} adds the signing and checking around it. */
export interface SchemeDefinition extends Omit<
  SignatureScheme,
  'sign' | 'verify' | 'secretProblem' | 'idHeader' | 'idSigned'
> {
  /** The signature the provider puts in its header for one secret; `id` is '' where the id is not signed. */
  digest(body: Buffer, timestamp: string, secret: string, id: string): string;
  /**
   * The signatures a receiver may compute for one secret, in the order to try them; default: the digest.
   * Daily's docs sign the re-serialised JSON, so the raw body is tried first and the re-serialised one second.
   */
  candidates?(
    body: Buffer,
    timestamp: string,
    secret: string,
  ): { form: 'raw' | 're-serialised'; signature: string }[];
  /** The signatures in a received header; default: the whole value. */
  splitSignatures?(header: string): string[];
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

/** Builds a complete scheme from a provider's definition. */
export function defineScheme(definition: SchemeDefinition): SignatureScheme {
  const idDefinition = definition.id;
  const scheme: SignatureScheme = {
    name: definition.name,
    displayName: definition.displayName,
    signatureHeader: definition.signatureHeader,
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
        definition.digest(input.body, input.timestamp, secret, signedId),
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
      const presented = headerValue(input.headers, definition.signatureHeader);
      if (presented === undefined) {
        return fail('missing-signature', `No ${definition.signatureHeader} header.`);
      }
      const combined = definition.combinedHeader?.parse(presented);
      if (combined?.signatures.length === 0) {
        return fail('missing-signature', `${definition.signatureHeader} has no signature in it.`);
      }
      const timestamp = combined
        ? combined.timestamp
        : headerValue(input.headers, definition.timestampHeader);
      if (timestamp === undefined) {
        return fail(
          'missing-timestamp',
          combined
            ? `${definition.signatureHeader} has no timestamp (t=) in it.`
            : `No ${definition.timestampHeader} header.`,
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

      const signatures = combined?.signatures ?? definition.splitSignatures?.(presented) ?? [presented];
      let matchedSecret: number | null = null;
      let bodyForm: VerifyResult['bodyForm'];
      input.secrets.forEach((secret, index) => {
        if (matchedSecret !== null || definition.secretProblem?.(secret)) return;
        const candidates = definition.candidates?.(input.body, timestamp, secret) ?? [
          { form: 'raw' as const, signature: definition.digest(input.body, timestamp, secret, signedId) },
        ];
        for (const candidate of candidates) {
          // Every presented signature is compared, matched or not, so timing says nothing about which matched.
          const hit = signatures.map((s) => safeEqual(s, candidate.signature)).includes(true);
          if (hit) {
            matchedSecret = index;
            bodyForm = candidate.form;
            return;
          }
        }
      });
      const form = definition.candidates && bodyForm ? { bodyForm } : {};
      const base = { timestamp, ageSeconds, toleranceSeconds, ...form };

      const futureSeconds =
        toleranceSeconds === null
          ? null
          : Math.min(toleranceSeconds, definition.futureToleranceSeconds ?? toleranceSeconds);
      const beyond =
        toleranceSeconds !== null &&
        (ageSeconds > toleranceSeconds || (futureSeconds !== null && -ageSeconds > futureSeconds));
      if (beyond) {
        const bound = ageSeconds >= 0 ? toleranceSeconds : futureSeconds;
        const when = ageSeconds >= 0 ? `${ageSeconds} s old` : `${-ageSeconds} s in the future`;
        const signed =
          matchedSecret === null ? 'the signature does not match either' : 'the signature itself matches';
        const millis = definition.timestampFormat === 'unix-seconds' && /^\d{13}$/.test(timestamp.trim());
        return fail(
          'stale',
          `The timestamp is ${when}, beyond the ${bound} s tolerance; ${signed}.${
            millis ? ' It looks like milliseconds, not seconds.' : ''
          }`,
          { ...base, matchedSecret },
        );
      }
      if (matchedSecret === null) {
        const tried = `${input.secrets.length} secret${input.secrets.length === 1 ? '' : 's'}`;
        const count = signatures.length > 1 ? ` (${signatures.length} signatures in the header)` : '';
        return fail(
          'mismatch',
          `The signature does not match the body and timestamp with the ${tried} given${count}.`,
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
  return scheme;
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
