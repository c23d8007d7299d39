/** PolyAI's webhook-endpoint API over the shared HTTP client (docs/providers/polyai.md §3). */
import { HttpClient, decode, type ErrorReading } from '../../http.ts';
import type {
  Connection,
  ListOptions,
  ProviderAdapter,
  ProviderDescriptor,
  Scope,
  Webhook,
  WebhookInput,
} from '../types.ts';
import { endpointWire, listWire, rotateWire, type PolyAIEndpoint, type PolyAIWrite } from './wire.ts';

const COLLECTION = '/v1/webhook-endpoints';
/** The account limit; the 11th create answers 409 (docs/providers/polyai.md §3.1). */
export const MAX_ENDPOINTS = 10;

export function toWebhook(wire: PolyAIEndpoint): Webhook {
  return {
    provider: 'polyai',
    id: wire.id,
    url: wire.url,
    events: wire.event_types,
    enabled: wire.enabled,
    status: null,
    name: wire.name ?? null,
    agentId: null,
    createdAt: wire.created_at ?? null,
    updatedAt: wire.updated_at ?? null,
    // Present only in the answer to a create: PolyAI never shows it again (docs/providers/polyai.md §3.3).
    secrets: wire.signing_secret ? [wire.signing_secret] : [],
    raw: wire,
  };
}

/** The fields `apply` compares, read from the wire object; the signing secret is never readable. */
export function inputOf(webhook: Webhook): WebhookInput {
  const raw = webhook.raw as PolyAIEndpoint;
  const input: WebhookInput = { url: raw.url, events: raw.event_types, enabled: raw.enabled };
  if (raw.name != null) input.name = raw.name;
  if (raw.headers != null) input.headers = raw.headers;
  // `timeout_ms` is set in whole seconds by the CLI (--delivery-timeout).
  if (raw.timeout_ms != null) input.deliveryTimeout = raw.timeout_ms / 1000;
  return input;
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;

/**
 * PolyAI has used two error shapes (docs/providers/polyai.md §3.4): the platform envelope `{success, error, error_id,
 * error_code, error_message, data}` since 2026-07-03, and `{message}` (with `errors: [{field, message}]` in the
 * Alerts docs) before. The message is `error_message ?? error ?? message`; `error_id` is the correlation id
 * support asks for.
 */
export function readPolyAIError(status: number, body: unknown): ErrorReading {
  const reading: ErrorReading = {};
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const record = body as Record<string, unknown>;
    const message = text(record.error_message) ?? text(record.error) ?? text(record.message);
    const code = text(record.error_code);
    if (message) reading.message = `PolyAI: ${message}${code ? ` (${code})` : ''}`;
    else if (code) reading.message = `PolyAI answered ${status} (${code}).`;
    const requestId = text(record.error_id);
    if (requestId) reading.requestId = requestId;
    if (Array.isArray(record.errors)) {
      const fieldErrors = record.errors.flatMap((item: unknown) => {
        if (!item || typeof item !== 'object') return [];
        const { field, message: why } = item as Record<string, unknown>;
        const reason = text(why);
        if (!reason) return [];
        return [text(field) ? `${String(field)}: ${reason}` : reason];
      });
      if (fieldErrors.length > 0) reading.fieldErrors = fieldErrors;
    }
  } else if (typeof body === 'string' && body.trim() !== '' && body.length < 300) {
    reading.message = `PolyAI: ${body.trim()}`;
  }
  if (status === 409) {
    // The only documented conflict is the account limit (docs/providers/polyai.md §3.1); PolyAI's message may not say so.
    reading.hint =
      `PolyAI allows at most ${MAX_ENDPOINTS} webhook endpoints per account. ` +
      'See them with `voicehooks list -p polyai` and delete one with `voicehooks delete ID -p polyai` first.';
  }
  return reading;
}

/** Only the fields PolyAI knows: it refuses any other property (`additionalProperties: false`). */
function toWrite(input: WebhookInput): PolyAIWrite {
  const body: PolyAIWrite = {};
  if (input.name !== undefined) body.name = input.name;
  if (input.url !== undefined) body.url = input.url;
  if (input.events !== undefined) body.event_types = input.events;
  if (input.headers !== undefined) body.headers = input.headers;
  if (input.deliveryTimeout !== undefined) body.timeout_ms = input.deliveryTimeout * 1000;
  if (input.enabled !== undefined) body.enabled = input.enabled;
  return body;
}

export function createPolyAIAdapter(
  connection: Connection,
  scope: Scope,
  descriptor: ProviderDescriptor,
): ProviderAdapter {
  const http = new HttpClient({
    ...connection,
    provider: 'polyai',
    displayName: 'PolyAI',
    authHeaders: { 'x-api-key': connection.apiKey },
    readError: readPolyAIError,
    secretFields: descriptor.secretFields,
  });
  const one = (body: unknown) => toWebhook(decode(endpointWire, body, 'PolyAI', 'polyai'));
  const path = (id: string) => `${COLLECTION}/${encodeURIComponent(id)}`;

  const adapter: ProviderAdapter = {
    descriptor,
    inputOf,

    async *list(options: ListOptions = {}) {
      // No pagination: one answer holds every endpoint (at most 10). The filters are PolyAI's own.
      const res = await http.request({
        method: 'GET',
        path: COLLECTION,
        query: { enabled: options.enabled, event_type: options.event },
      });
      const limit = options.limit ?? Infinity;
      let count = 0;
      for (const wire of decode(listWire, res.body, 'PolyAI', 'polyai').data) {
        if (count++ >= limit) return;
        yield toWebhook(wire);
      }
    },

    async get(id) {
      return one((await http.request({ method: 'GET', path: path(id) })).body);
    },

    async create(input) {
      return one((await http.request({ method: 'POST', path: COLLECTION, body: toWrite(input) })).body);
    },

    async update(id, input) {
      return one((await http.request({ method: 'PATCH', path: path(id), body: toWrite(input) })).body);
    },

    async delete(id) {
      await http.request({ method: 'DELETE', path: path(id) });
    },

    async setEnabled(id, enabled) {
      // No toggle endpoint: `enabled` is set by a PATCH, which is safe to repeat (docs/providers/polyai.md §3.2).
      return one((await http.request({ method: 'PATCH', path: path(id), body: { enabled } })).body);
    },

    async rotateSecret(id) {
      // The webhook is read first: the rotate answer holds only the secret, and a read failing after the
      // rotation would lose a secret that already replaced the old one.
      const current = await adapter.get(id);
      const res = await http.request({
        method: 'POST',
        path: `${path(id)}/rotate-secret`,
        // PolyAI shows a new secret only in this answer: no command can show it again.
        ifLost:
          'If it did, the old secret no longer verifies and PolyAI will not show the new one again: run ' +
          `\`voicehooks rotate-secret ${id} -p polyai\` again.`,
      });
      const secret = decode(rotateWire, res.body, 'PolyAI', 'polyai').signing_secret;
      return {
        webhook: { ...current, secrets: [secret] },
        secret,
        // docs/providers/polyai.md §3.6: no overlap, a single signature per delivery.
        notice:
          'PolyAI invalidated the old secret at once: deliveries are now signed with the new one only, so ' +
          'give it to your receivers now.',
      };
    },
  };
  return adapter;
}
