/**
 * The types of signature schemes (src/signatures.ts is the kit that builds them). Types only, importing
 * nothing, so that the provider model (src/providers/types.ts) can name them without an import cycle.
 */

/**
 * Why a delivery did not verify, in the order the causes are checked (docs/debugging.md): the first that fits
 * is the one reported, and a cause is only named when its own check proves it.
 */
export type VerifyReason =
  /** The signature header is absent or empty. */
  | 'missing-signature'
  /** The signature header holds nothing of the scheme's form (not hex, not base64, no `v1,` …). */
  | 'malformed-signature'
  /** The timestamp header is absent or empty. */
  | 'missing-timestamp'
  /** The delivery-id header is absent where the scheme signs it (Standard Webhooks' `webhook-id`). */
  | 'missing-id'
  /** The timestamp is not in the provider's format. */
  | 'bad-timestamp'
  /** The timestamp is further from now than the tolerance (either way). */
  | 'stale'
  /** The body is the delivery's JSON re-encoded: a common re-encoding of it verifies, the bytes given do not. */
  | 're-serialised'
  /** The signature matches another secret known for the webhook (the one it had before a rotation, …). */
  | 'other-secret'
  /** The signature matches the secret read in another encoding (Daily's base64 `hmac` used as raw text, …). */
  | 'secret-encoding'
  /** None of the above: the body or the secret differs. */
  | 'mismatch';

/** Another secret known for a webhook, with the words that name it (never the secret itself). */
export interface KnownSecret {
  secret: string;
  /** "the secret webhook X had until its rotation at …": said in the report instead of the secret. */
  label: string;
}

/** The outcome of a check, as `verify` reports it. */
export interface VerifyResult {
  valid: boolean;
  reason: VerifyReason | null;
  /** One sentence saying what was found. */
  detail: string;
  /** The 0-based index of the secret whose signature matched, or null. */
  matchedSecret: number | null;
  /** The timestamp header as received. */
  timestamp: string | null;
  /** Seconds between the timestamp and now (negative: in the future), or null when unreadable. */
  ageSeconds: number | null;
  /** The tolerance applied, in seconds (null: the age was not checked). */
  toleranceSeconds: number | null;
  /** Where a scheme has candidates (Daily): whether the raw body or the re-serialised JSON matched. */
  bodyForm?: 'raw' | 're-serialised';
}

export interface SignInput {
  /** The body exactly as it is sent. */
  body: Buffer;
  /** One signature per secret where the provider sends several (Ultravox); exactly one otherwise. */
  secrets: readonly string[];
  /** Used exactly as given, in the header and in the signed string. */
  timestamp: string;
  /**
   * The delivery's id, where the scheme sends one ({@link SignatureScheme.idHeader}): PolyAI's
   * `X-PolyAI-Event-ID` (not signed), Standard Webhooks' `webhook-id` (signed). Generated when absent.
   */
  eventId?: string;
}

export interface VerifyInput {
  /** The body exactly as it was received. */
  body: Buffer;
  /** Header names in any case; repeated headers as arrays. */
  headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** Any of them may match. */
  secrets: readonly string[];
  /** Default: the scheme's; 0 or null turns the age check off. */
  toleranceSeconds?: number | null;
  now?: Date;
  /** Other secrets known for the webhook, tried only to explain a failure (`other-secret`), never to accept. */
  otherSecrets?: readonly KnownSecret[];
}

/** How a scheme turns a secret into its key. */
export type SecretEncoding = 'utf8' | 'base64';

/** How a provider, or a standard several providers follow, signs deliveries. */
export interface SignatureScheme {
  /** The provider's name, or the standard's (`standard-webhooks`, as `--scheme` names it). */
  name: string;
  displayName: string;
  /** The header names, as the provider's docs write them (the same one where the timestamp is a part of it). */
  signatureHeader: string;
  /** The form of one signature in words ("64 hex digits"), said when the header is missing or malformed. */
  signatureFormat: string;
  /** How a secret becomes the HMAC key: its UTF-8 bytes, or its base64-decoded bytes (Daily). */
  secretEncoding: SecretEncoding;
  /** A prefix the secret carries before its encoded key, dropped before decoding (Standard Webhooks' `whsec_`). */
  secretPrefix?: string;
  timestampHeader: string;
  /** The header carrying the delivery's id, a receiver's de-duplication key, where the scheme has one. */
  idHeader?: string;
  /** Whether that id is part of the signed string (Standard Webhooks), so a delivery without it fails. */
  idSigned: boolean;
  timestampFormat: 'iso-8601' | 'unix-seconds';
  /** False where the format is assumed (Daily): `sign --help` and docs/deliveries.md say so. */
  timestampFormatDocumented: boolean;
  defaultToleranceSeconds: number;
  /** False where the tolerance is the CLI's choice (Daily). */
  toleranceDocumented: boolean;
  /**
   * How far into the future a timestamp may be, where that differs from the tolerance (a provider that bounds
   * only the past); the CLI's choice, documented as such. Default: the tolerance.
   */
  futureToleranceSeconds?: number;
  /** Several secrets give several signatures in one header (Ultravox); otherwise one secret signs. */
  multipleSignatures: boolean;
  formatTimestamp(date: Date): string;
  /** Epoch milliseconds, or undefined when the value is not in the provider's format. */
  parseTimestamp(value: string): number | undefined;
  /** A problem with a secret's form (Daily's must be base64), or undefined. */
  secretProblem(secret: string): string | undefined;
  /** The headers the provider would send for this body. */
  sign(input: SignInput): Record<string, string>;
  verify(input: VerifyInput): VerifyResult;
}

/** How a provider signs (its descriptor's `signing`), stated here without importing the provider model. */
export type SigningSupport =
  { load(): Promise<SignatureScheme> } | { unknown: { message: string; hint: string } };
