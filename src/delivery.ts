/**
 * Test deliveries sent by the CLI itself, for providers that have no test endpoint (docs/contract.md, `test`):
 * a realistic sample of the event in the provider's delivery shape, signed as the provider signs it, with every
 * header the provider sends, sent to the endpoint; the endpoint's answer is reported as it came. A provider
 * whose scheme is undocumented (Talkover) gets its sample sent unsigned (`test --local`). What a provider's
 * delivery looks like is its `DeliveryKit` (src/providers/<name>/samples.ts).
 */
import { EnvHttpProxyAgent, request } from './undici.ts';
import { errorCode } from './http.ts';
import type { ProviderDescriptor, Webhook } from './providers/types.ts';
import type { SignatureScheme } from './signature-types.ts';

/** A request ready to be sent. */
export interface OutgoingDelivery {
  url: string;
  /** POST, except where the webhook chose another method (Talkover's `http_method`). */
  method: string;
  event: string;
  /** The exact bytes sent (and signed). */
  body: Buffer;
  headers: Record<string, string>;
  /** The delivery id a receiver would de-duplicate on, where the provider has one. */
  deliveryId: string | null;
}

/** What the endpoint did with a delivery. */
export interface DeliveryOutcome {
  /** The HTTP status, or null when the endpoint never answered. */
  status: number | null;
  /** Milliseconds from sending to the end of the answer (or to the failure). */
  latencyMs: number;
  /** The start of the answer's body, decoded as UTF-8 (null without an answer). */
  responseBody: string | null;
  /** Why there was no answer (connection refused, timeout, …), or null. */
  error: string | null;
}

/** How much of an answer's body a report shows. */
export const RESPONSE_PREVIEW_CHARS = 300;
/** How much of an answer is read at most; the rest is discarded. */
const MAX_READ_BYTES = 64 * 1024;

export interface SampleDeliveryInput {
  descriptor: ProviderDescriptor;
  webhook: Webhook;
  /** Where to send it: the webhook's URL unless overridden (`--url`). */
  url: string;
  /** Default: the provider's test event (Talkover's `webhook.test`). */
  event?: string;
  /** Ultravox: every secret signs (one signature each); PolyAI and Daily: exactly one; unused when unsigned. */
  secrets: readonly string[];
  userAgent: string;
  now?: Date;
}

/**
 * A sample delivery as the provider would send it: the webhook's own headers first (so that none can replace
 * a signature header), then content type and user agent, the provider's auth headers, and the signature where
 * the provider's scheme is known.
 */
export async function sampleDelivery(input: SampleDeliveryInput): Promise<OutgoingDelivery> {
  const { descriptor, webhook } = input;
  const now = input.now ?? new Date();
  const [kit, scheme] = await Promise.all([
    descriptor.loadDeliveries(),
    'load' in descriptor.signing ? descriptor.signing.load() : undefined,
  ]);
  const event = input.event ?? kit.testEvent ?? '';
  const sample = kit.sample(event, { now, webhook });
  // Providers send compact JSON; Daily's signature is over exactly this serialisation (docs/providers/daily.md §4.5).
  const body = Buffer.from(JSON.stringify(sample), 'utf8');
  const headers: Record<string, string> = {
    ...kit.webhookHeaders?.(webhook),
    'Content-Type': 'application/json',
    'User-Agent': input.userAgent,
    ...kit.authHeaders?.(webhook),
  };
  if (scheme) {
    Object.assign(
      headers,
      scheme.sign({ body, secrets: input.secrets, timestamp: scheme.formatTimestamp(now) }),
    );
  }
  return {
    url: input.url,
    method: kit.method?.(webhook) ?? 'POST',
    event,
    body,
    headers,
    deliveryId: kit.deliveryId?.(sample, headers) ?? null,
  };
}

/** A header record without the names (any case) in `drop`. */
export function withoutHeaders(
  headers: Readonly<Record<string, string>>,
  drop: readonly string[],
): Record<string, string> {
  const names = new Set(drop.map((n) => n.toLowerCase()));
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !names.has(name.toLowerCase())));
}

/**
 * `headers` with the scheme's signature headers for `body` put in place of any of the same names (a header
 * given by hand or recorded cannot stand beside the fresh signature), signed now with `secrets`.
 */
export function signedHeaders(
  scheme: SignatureScheme,
  headers: Readonly<Record<string, string>>,
  body: Buffer,
  secrets: readonly string[],
  options: { now?: Date; eventId?: string } = {},
): Record<string, string> {
  const timestamp = scheme.formatTimestamp(options.now ?? new Date());
  const signature = scheme.sign({ body, secrets, timestamp, eventId: options.eventId });
  return { ...withoutHeaders(headers, Object.keys(signature)), ...signature };
}

/** Sends one delivery and reports the endpoint's answer; a failure to reach it is an outcome, not a throw. */
export async function sendDelivery(
  delivery: OutgoingDelivery,
  options: { timeoutMs: number },
): Promise<DeliveryOutcome> {
  const dispatcher = new EnvHttpProxyAgent();
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const res = await request(delivery.url, {
      method: delivery.method as 'POST',
      headers: delivery.headers,
      body: delivery.body,
      dispatcher,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    const text = await readStart(res.body);
    return { status: res.statusCode, latencyMs: elapsed(), responseBody: preview(text), error: null };
  } catch (error) {
    return {
      status: null,
      latencyMs: elapsed(),
      responseBody: null,
      error: describeFailure(error, delivery.url, options.timeoutMs),
    };
  } finally {
    await dispatcher.close().catch(() => undefined);
  }
}

/** A short, exact sentence for a delivery that got no answer. */
export function describeFailure(error: unknown, url: string, timeoutMs: number): string {
  const code = errorCode(error);
  const where = safeHost(url);
  if (code === 'ECONNREFUSED') return `connection refused: nothing is listening at ${where}`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `the host of ${where} was not found (${code})`;
  if (
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT' ||
    (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
  ) {
    return `no answer from ${where} within ${timeoutMs / 1000} s`;
  }
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET')
    return `${where} closed the connection without answering (${code})`;
  const message = error instanceof Error ? error.message : String(error);
  return `the request to ${where} failed (${code || message})`;
}

export function preview(text: string): string {
  return text.length > RESPONSE_PREVIEW_CHARS ? `${text.slice(0, RESPONSE_PREVIEW_CHARS)}…` : text;
}

/** The first {@link MAX_READ_BYTES} of a body as text; the rest is drained and dropped. */
export async function readStart(body: AsyncIterable<Buffer | Uint8Array>): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    if (size < MAX_READ_BYTES) chunks.push(Buffer.from(chunk));
    size += chunk.length;
  }
  return Buffer.concat(chunks).subarray(0, MAX_READ_BYTES).toString('utf8');
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
