/**
 * Test deliveries sent by the CLI itself, for providers that have no test endpoint (Ultravox, PolyAI, Daily;
 * providers.md §5 note 3): a realistic sample of the event in the provider's delivery shape, signed as the
 * provider signs it, with every header the provider sends, POSTed to the endpoint; the endpoint's answer is
 * reported as it came. Also Talkover's unsigned local sample (`test --local`), since Talkover's signing
 * scheme is undocumented (providers.md §2.5).
 */
import { EnvHttpProxyAgent, request } from './undici.ts';
import { errorCode } from './http.ts';
import { loadSignatureScheme } from './signatures.ts';
import type { ProviderName, Webhook } from './providers/types.ts';

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

/** The sample delivery of an event, as the provider shapes it. */
export async function sampleEvent(
  provider: ProviderName,
  event: string,
  now = new Date(),
): Promise<Record<string, unknown>> {
  switch (provider) {
    case 'ultravox':
      return (await import('./providers/ultravox/samples.ts')).ultravoxSample(event, now);
    case 'polyai':
      return (await import('./providers/polyai/samples.ts')).polyaiSample(event, now);
    case 'daily':
      return (await import('./providers/daily/samples.ts')).dailySample(event, now);
    case 'elevenlabs':
      return (await import('./providers/elevenlabs/samples.ts')).elevenlabsSample(event, now);
    case 'talkover':
      throw new Error('Talkover samples are local and unsigned: use talkoverLocalDelivery');
  }
}

export interface SignedDeliveryInput {
  webhook: Webhook;
  /** Where to send it: the webhook's URL unless overridden (`--url`). */
  url: string;
  event: string;
  /** Ultravox: every secret signs (one signature each); PolyAI and Daily: exactly one. */
  secrets: readonly string[];
  userAgent: string;
  now?: Date;
}

/** A sample delivery, signed as the provider signs, with every header it sends. */
export async function signedDelivery(input: SignedDeliveryInput): Promise<OutgoingDelivery> {
  const provider = input.webhook.provider;
  const now = input.now ?? new Date();
  const scheme = await loadSignatureScheme(provider);
  const sample = await sampleEvent(provider, input.event, now);
  // Providers send compact JSON; Daily's signature is over exactly this serialisation (providers.md §4.5).
  const body = Buffer.from(JSON.stringify(sample), 'utf8');
  const headers: Record<string, string> = {};
  // PolyAI sends the endpoint's custom headers with every delivery (providers.md §3.3, §3.5); they are set
  // first so that none of them can replace a signature header.
  if (provider === 'polyai') Object.assign(headers, stringRecord(input.webhook.raw.headers));
  headers['Content-Type'] = 'application/json';
  headers['User-Agent'] = input.userAgent;
  // Daily sends `Authorization: Basic <basicAuth>` when the webhook has one (providers.md §4.2).
  const basicAuth = input.webhook.raw.basicAuth;
  if (provider === 'daily' && typeof basicAuth === 'string' && basicAuth !== '') {
    headers.Authorization = `Basic ${basicAuth}`;
  }
  Object.assign(
    headers,
    scheme.sign({ body, secrets: input.secrets, timestamp: scheme.formatTimestamp(now) }),
  );
  return {
    url: input.url,
    method: 'POST',
    event: input.event,
    body,
    headers,
    deliveryId: deliveryIdOf(provider, sample, headers),
  };
}

/**
 * Talkover's documented test payload (providers.md §2.2 "Test"), sent by the CLI with no signature because
 * Talkover's scheme is undocumented (§2.5). `event` replaces `webhook.test` when a real event is named.
 */
export function talkoverLocalDelivery(input: {
  webhook: Webhook;
  url: string;
  event?: string;
  userAgent: string;
  now?: Date;
}): OutgoingDelivery {
  const { webhook } = input;
  const sample = {
    event: input.event ?? 'webhook.test',
    agent_id: webhook.agentId,
    agent_name: null,
    webhook_id: webhook.id,
    webhook_name: webhook.name,
    timestamp: (input.now ?? new Date()).toISOString(),
    test: true,
  };
  const headers: Record<string, string> = {
    ...talkoverCustomHeaders(webhook.raw.custom_headers),
    'Content-Type': 'application/json',
    'User-Agent': input.userAgent,
  };
  const method = webhook.raw.http_method;
  return {
    url: input.url,
    method: typeof method === 'string' && /^(POST|PUT|PATCH)$/.test(method) ? method : 'POST',
    event: sample.event,
    body: Buffer.from(JSON.stringify(sample), 'utf8'),
    headers,
    deliveryId: null,
  };
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

function deliveryIdOf(
  provider: ProviderName,
  sample: Record<string, unknown>,
  headers: Record<string, string>,
): string | null {
  if (provider === 'polyai') return headers['X-PolyAI-Event-ID'] ?? null;
  if (provider === 'daily') return typeof sample.id === 'string' ? sample.id : null;
  // ElevenLabs has no event id: a post-call delivery is told apart by its conversation.
  if (provider === 'elevenlabs') {
    const conversation = (sample.data as { conversation_id?: unknown } | undefined)?.conversation_id;
    return typeof conversation === 'string' ? conversation : null;
  }
  const call = sample.call as { callId?: unknown } | undefined;
  return typeof call?.callId === 'string' ? call.callId : null;
}

function stringRecord(value: unknown): Record<string, string> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
  return Object.fromEntries(
    Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
}

/** Talkover's `custom_headers`: `[{key, value}]` (providers.md §2.2). */
function talkoverCustomHeaders(value: unknown): Record<string, string> {
  if (!Array.isArray(value)) return {};
  const out: Record<string, string> = {};
  for (const item of value) {
    const { key, value: v } = (item ?? {}) as { key?: unknown; value?: unknown };
    if (typeof key === 'string' && typeof v === 'string') out[key] = v;
  }
  return out;
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
