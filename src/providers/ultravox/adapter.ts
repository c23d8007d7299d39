/** Ultravox's webhook API over the shared HTTP client (docs/providers/ultravox.md §1). */
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
import { pageWire, webhookWire, type UltravoxWebhook, type UltravoxWrite } from './wire.ts';
import { newSecret } from '../random.ts';

/** The most the CLI asks for per page; Ultravox documents no default or maximum (docs/providers/ultravox.md §1.2). */
const PAGE_SIZE = 100;

export function toWebhook(wire: UltravoxWebhook): Webhook {
  return {
    provider: 'ultravox',
    id: wire.webhookId,
    url: wire.url,
    events: wire.events,
    enabled: null,
    status: wire.status ?? null,
    name: null,
    agentId: wire.agentId ?? null,
    createdAt: wire.created ?? null,
    updatedAt: null,
    secrets: wire.secrets ?? [],
    raw: wire,
  };
}

/** The fields `apply` compares, read from the wire object (`agentId` is also the webhook's scope). */
export function inputOf(webhook: Webhook): WebhookInput {
  const raw = webhook.raw as UltravoxWebhook;
  const input: WebhookInput = { url: raw.url, events: raw.events, secrets: raw.secrets ?? [] };
  if (raw.agentId) input.agentId = raw.agentId;
  return input;
}

/**
 * Ultravox answers errors the Django REST Framework way: `{"detail": "…"}`, or field errors
 * `{"url": ["Enter a valid URL."], "events": {"0": ["…"]}}` (docs/providers/ultravox.md §1.4).
 */
export function readUltravoxError(_status: number, body: unknown): ErrorReading {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    return typeof body === 'string' && body.length < 300 ? { message: `Ultravox: ${body}` } : {};
  }
  const record = body as Record<string, unknown>;
  if (typeof record.detail === 'string') return { message: `Ultravox: ${record.detail}` };
  const fieldErrors = flattenFieldErrors(record);
  return fieldErrors.length
    ? { message: 'Ultravox rejected the request.', fieldErrors }
    : { message: `Ultravox: ${JSON.stringify(body).slice(0, 300)}` };
}

function flattenFieldErrors(value: unknown, path = ''): string[] {
  if (typeof value === 'string') return [`${path}: ${value}`];
  if (Array.isArray(value)) return value.flatMap((v) => flattenFieldErrors(v, path));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => flattenFieldErrors(v, path ? `${path}[${k}]` : k));
  }
  return [];
}

function toWrite(input: WebhookInput): UltravoxWrite {
  const body: UltravoxWrite = {};
  if (input.url !== undefined) body.url = input.url;
  if (input.events !== undefined) body.events = input.events;
  if (input.secrets !== undefined) body.secrets = input.secrets;
  if (input.agentId !== undefined) body.agentId = input.agentId === '' ? null : input.agentId;
  return body;
}

/** The `cursor` query parameter of a `next` link; the link's own origin is never used. */
export function cursorOf(next: string): string | undefined {
  try {
    return new URL(next).searchParams.get('cursor') ?? undefined;
  } catch {
    return undefined;
  }
}

export function createUltravoxAdapter(
  connection: Connection,
  scope: Scope,
  descriptor: ProviderDescriptor,
): ProviderAdapter {
  const http = new HttpClient({
    ...connection,
    provider: 'ultravox',
    displayName: 'Ultravox',
    authHeaders: { 'X-API-Key': connection.apiKey },
    readError: readUltravoxError,
    secretFields: descriptor.secretFields,
  });
  const one = (body: unknown) => toWebhook(decode(webhookWire, body, 'Ultravox', 'ultravox'));
  const path = (id: string) => `/api/webhooks/${encodeURIComponent(id)}`;

  const adapter: ProviderAdapter = {
    descriptor,
    inputOf,

    async *list(options: ListOptions = {}) {
      const limit = options.limit ?? Infinity;
      // Repeated pages and rows (Prism's mock repeats them), and cursors that never end, are the walk's to stop.
      const walk = http.pageWalk();
      let cursor: string | undefined;
      let count = 0;
      while (walk.visit(cursor)) {
        const res = await http.request({
          method: 'GET',
          path: '/api/webhooks',
          query: { cursor, pageSize: Math.min(PAGE_SIZE, limit), agentId: scope.agent },
        });
        const page = decode(pageWire, res.body, 'Ultravox', 'ultravox');
        for (const wire of walk.page(page.results, (w) => w.webhookId)) {
          if (count++ >= limit) return;
          yield toWebhook(wire);
        }
        // Follow only the cursor, at the configured origin: a `next` link may name another host (the spec's
        // own example does), and the key must not travel there.
        const next = page.next ? cursorOf(page.next) : undefined;
        if (!next || count >= limit) return;
        cursor = next;
      }
    },

    async get(id) {
      return one((await http.request({ method: 'GET', path: path(id) })).body);
    },

    async create(input) {
      return one((await http.request({ method: 'POST', path: '/api/webhooks', body: toWrite(input) })).body);
    },

    async update(id, input) {
      return one((await http.request({ method: 'PATCH', path: path(id), body: toWrite(input) })).body);
    },

    async delete(id) {
      await http.request({ method: 'DELETE', path: path(id) });
    },

    async rotateSecret(id, { revokeOld }) {
      const current = await adapter.get(id);
      const secret = await newSecret('base64url');
      // Ultravox signs each delivery once per secret, so keeping the old ones beside the new one lets
      // receivers switch over without a window of failed verifications (docs/providers/ultravox.md §1.6).
      const secrets = revokeOld ? [secret] : [secret, ...current.secrets];
      const webhook = await adapter.update(id, { secrets });
      const old = current.secrets.length === 1 ? 'The old secret still signs' : 'The old secrets still sign';
      const notice = revokeOld
        ? 'The old secrets were removed: deliveries are signed with the new secret only.'
        : `${old} deliveries beside the new one, so receivers keep verifying. Once they use the new secret, ` +
          `remove the old with \`voicehooks update ${id} -p ultravox --secret <new secret>\`.`;
      return { webhook, secret, notice };
    },
  };
  return adapter;
}
