/**
 * Record files (`listen --record FILE`, read by `replay`): one JSON object per delivery and line, appended as
 * deliveries arrive, in a file of mode 0600. The shape is documented in docs/debugging.md and pinned by
 * test/record-replay.test.ts. Credentials a delivery carries in its headers (Basic auth, API keys, custom
 * token headers) are masked unless the user asks for them; the body and the signature are kept as they came,
 * since a replay needs them byte for byte.
 */
import { closeSync, fchmodSync, fstatSync, openSync, writeSync } from 'node:fs';
import { UsageError } from './errors.ts';
import { readLinesCapped } from './input.ts';
import * as z from './zod.ts';

export const RECORD_VERSION = 1;
/** What a masked header value is replaced with. */
export const MASK = '***';

/** One recorded delivery. */
export interface RecordedDelivery {
  version: 1;
  /** When it arrived, ISO 8601. */
  time: string;
  provider: string;
  method: string;
  path: string;
  event: string | null;
  id: string | null;
  /** The headers as received, names as sent, in order; masked values are {@link MASK}. */
  headers: [string, string][];
  /** The names of the headers whose values were masked. */
  masked: string[];
  /** The body: UTF-8 text when it is valid UTF-8, else base64. */
  body: string;
  bodyEncoding: 'utf8' | 'base64';
  verification: string;
  reason: string | null;
  detail: string | null;
}

const recordSchema = z.object({
  version: z.literal(1),
  time: z.string(),
  provider: z.string(),
  method: z.string(),
  path: z.string(),
  event: z.nullable(z.string()),
  id: z.nullable(z.string()),
  headers: z.array(z.tuple([z.string(), z.string()])),
  masked: z.array(z.string()),
  body: z.string(),
  bodyEncoding: z.enum(['utf8', 'base64']),
  verification: z.string(),
  reason: z.nullable(z.string()),
  detail: z.nullable(z.string()),
});

/** Header names that carry credentials: masked in a record file unless `--record-secrets`. */
const CREDENTIAL_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'x-api-key',
  'api-key',
]);
const CREDENTIAL_WORDS = /secret|token|password|passwd|api[-_]?key|auth|session|cookie/i;

export function isCredentialHeader(name: string): boolean {
  return CREDENTIAL_HEADERS.has(name.toLowerCase()) || CREDENTIAL_WORDS.test(name);
}

/** A delivery as one record: headers paired and masked, the body as text or base64. */
export function toRecord(
  delivery: {
    time: string;
    provider: string;
    method: string;
    path: string;
    event: string | null;
    id: string | null;
    verification: string;
    reason: string | null;
    detail: string | null;
  },
  rawHeaders: readonly string[],
  body: Buffer,
  revealSecrets: boolean,
): RecordedDelivery {
  const headers: [string, string][] = [];
  const masked: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] ?? '';
    const value = rawHeaders[i + 1] ?? '';
    if (!revealSecrets && isCredentialHeader(name)) {
      headers.push([name, MASK]);
      masked.push(name);
    } else headers.push([name, value]);
  }
  const text = body.toString('utf8');
  const utf8 = Buffer.from(text, 'utf8').equals(body);
  return {
    version: RECORD_VERSION,
    time: delivery.time,
    provider: delivery.provider,
    method: delivery.method,
    path: delivery.path,
    event: delivery.event,
    id: delivery.id,
    headers,
    masked,
    body: utf8 ? text : body.toString('base64'),
    bodyEncoding: utf8 ? 'utf8' : 'base64',
    verification: delivery.verification,
    reason: delivery.reason,
    detail: delivery.detail,
  };
}

/** The body of a record as bytes. */
export function recordBody(record: RecordedDelivery): Buffer {
  return Buffer.from(record.body, record.bodyEncoding === 'base64' ? 'base64' : 'utf8');
}

/** A record file opened for appending, mode 0600 (tightened when it existed with a looser mode). */
export function openRecordFile(path: string): { append(record: RecordedDelivery): void; close(): void } {
  let fd: number;
  try {
    fd = openSync(path, 'a', 0o600);
    if ((fstatSync(fd).mode & 0o777) !== 0o600) fchmodSync(fd, 0o600);
  } catch (error) {
    throw new UsageError(
      `--record ${path} cannot be opened (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`,
    );
  }
  return {
    // One write per line: a record is never interleaved with another, and is on disk when the row is shown.
    append: (record) => void writeSync(fd, `${JSON.stringify(record)}\n`),
    close: () => closeSync(fd),
  };
}

/**
 * The records of a file, in order, with their line numbers (blank lines skipped). Each line is read with a cap
 * and checked against the record shape; a line that is not a record stops the reading with its line number.
 */
export function* readRecords(path: string): Generator<{ line: number; record: RecordedDelivery }> {
  let lines: Generator<{ number: number; line: string }>;
  try {
    lines = readLinesCapped(path, `The record file ${path}`);
    for (const { number, line } of lines) {
      if (line.trim() === '') continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line) as unknown;
      } catch {
        throw new UsageError(
          `${path} line ${number} is not JSON; a record file has one JSON object per line.`,
        );
      }
      const result = recordSchema.safeParse(parsed);
      if (!result.success) {
        throw new UsageError(`${path} line ${number} is not a voicehooks delivery record.`, {
          hint: 'Record deliveries with `voicehooks listen --record FILE`.',
        });
      }
      yield { line: number, record: result.data as RecordedDelivery };
    }
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(
      `The record file ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`,
    );
  }
}
