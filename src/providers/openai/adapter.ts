/** OpenAI's webhook-endpoint API over the shared HTTP client (docs/providers/openai.md §1–§3). */
import { UsageError } from '../../errors.ts';
import { HttpClient, decode, type ErrorReading, type HttpResponse } from '../../http.ts';
import type {
  Connection,
  EventType,
  ListOptions,
  ProviderAdapter,
  ProviderDescriptor,
  Scope,
  Webhook,
  WebhookInput,
} from '../types.ts';
import { OPENAI_EVENTS } from './events.ts';
import {
  endpointWire,
  eventTypesWire,
  listWire,
  testResultWire,
  withSecretWire,
  type OpenAIEndpoint,
  type OpenAIWrite,
} from './wire.ts';

const COLLECTION = '/webhook_endpoints';
/** The largest page OpenAI serves (`limit` 1–100, §2.3). */
const PAGE_SIZE = 100;

const isoOf = (seconds: number | null | undefined): string | null =>
  typeof seconds === 'number' && Number.isFinite(seconds) ? new Date(seconds * 1000).toISOString() : null;

export function toWebhook(wire: OpenAIEndpoint): Webhook {
  return {
    provider: 'openai',
    id: wire.id,
    url: wire.url,
    events: wire.event_types,
    // No on/off switch exists (§3).
    enabled: null,
    status: null,
    name: wire.name ?? null,
    agentId: null,
    createdAt: isoOf(wire.created_at),
    updatedAt: isoOf(wire.updated_at),
    // Present only in the answers to create and rotate_secret (§2.2).
    secrets: wire.signing_secret ? [wire.signing_secret] : [],
    raw: wire,
  };
}

/** The fields `apply` compares, read from the wire object; the signing secret is never readable. */
export function inputOf(webhook: Webhook): WebhookInput {
  const raw = webhook.raw as OpenAIEndpoint;
  const input: WebhookInput = { url: raw.url, events: raw.event_types };
  if (raw.name != null) input.name = raw.name;
  return input;
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;

/**
 * OpenAI's error body `{"error": {"message", "type", "param", "code"}}` (§2.4); the request id support asks
 * for comes in the `x-request-id` header.
 */
export function readOpenAIError(
  status: number,
  body: unknown,
  headers: HttpResponse['headers'] = {},
): ErrorReading {
  const reading: ErrorReading = {};
  const error =
    body && typeof body === 'object' && !Array.isArray(body)
      ? (body as Record<string, unknown>).error
      : undefined;
  if (error && typeof error === 'object' && !Array.isArray(error)) {
    const record = error as Record<string, unknown>;
    const message = text(record.message);
    const code = text(record.code) ?? text(record.type);
    if (message) reading.message = `OpenAI: ${message}${code ? ` (${code})` : ''}`;
    else if (code) reading.message = `OpenAI answered ${status} (${code}).`;
    const param = text(record.param);
    if (param && message) reading.fieldErrors = [`${param}: ${message}`];
  } else if (typeof body === 'string' && body.trim() !== '' && body.length < 300) {
    reading.message = `OpenAI: ${body.trim()}`;
  }
  const requestId = headers['x-request-id'];
  const id = text(Array.isArray(requestId) ? requestId[0] : requestId);
  if (id) reading.requestId = id;
  if (status === 401 || status === 403) {
    reading.hint =
      'Check the key (`voicehooks auth status -p openai`), and that the organization and project ' +
      '(--organization, --project) are ones the key belongs to: webhook endpoints belong to a project.';
  }
  return reading;
}

/** Only the fields OpenAI knows (the spec forbids any other property). */
function toWrite(input: WebhookInput): OpenAIWrite {
  const body: OpenAIWrite = {};
  if (input.name !== undefined) body.name = input.name;
  if (input.url !== undefined) body.url = input.url;
  if (input.events !== undefined) body.event_types = input.events;
  return body;
}

/** `OpenAI-Organization` / `OpenAI-Project` from the account settings, where given (§1). */
function accountHeaders(scope: Scope): Record<string, string> {
  const headers: Record<string, string> = {};
  if (scope.organization) headers['OpenAI-Organization'] = scope.organization;
  if (scope.project) headers['OpenAI-Project'] = scope.project;
  return headers;
}

export function createOpenAIAdapter(
  connection: Connection,
  scope: Scope,
  descriptor: ProviderDescriptor,
): ProviderAdapter {
  const http = new HttpClient({
    ...connection,
    provider: 'openai',
    displayName: 'OpenAI',
    authHeaders: { authorization: `Bearer ${connection.apiKey}` },
    headers: accountHeaders(scope),
    readError: readOpenAIError,
    secretFields: descriptor.secretFields,
  });
  const one = (body: unknown) => toWebhook(decode(endpointWire, body, 'OpenAI', 'openai'));
  const path = (id: string) => `${COLLECTION}/${encodeURIComponent(id)}`;

  const adapter: ProviderAdapter = {
    descriptor,
    inputOf,

    async *list(options: ListOptions = {}) {
      // Newest first, `after` = the last id of the previous page while `has_more` (§2.3).
      const limit = options.limit ?? Infinity;
      const seen = new Set<string>();
      let after: string | undefined;
      let count = 0;
      for (;;) {
        const res = await http.request({
          method: 'GET',
          path: COLLECTION,
          query: { limit: Math.min(PAGE_SIZE, Math.max(1, limit - count)), after },
        });
        const page = decode(listWire, res.body, 'OpenAI', 'openai');
        for (const wire of page.data) {
          if (count >= limit) return;
          count++;
          yield toWebhook(wire);
        }
        const next = page.last_id ?? page.data.at(-1)?.id;
        // A page that claims more but names no new cursor would repeat forever: stop instead.
        if (!page.has_more || count >= limit || next === undefined || seen.has(next)) return;
        seen.add(next);
        after = next;
      }
    },

    async get(id) {
      return one((await http.request({ method: 'GET', path: path(id) })).body);
    },

    async create(input) {
      const res = await http.request({ method: 'POST', path: COLLECTION, body: toWrite(input) });
      return toWebhook(decode(withSecretWire, res.body, 'OpenAI', 'openai'));
    },

    async update(id, input) {
      // An update is a POST that sets the fields given: sending it twice does no harm (§2).
      const res = await http.request({
        method: 'POST',
        path: path(id),
        body: toWrite(input),
        idempotent: true,
      });
      return one(res.body);
    },

    async delete(id) {
      await http.request({ method: 'DELETE', path: path(id) });
    },

    async rotateSecret(id, { revokeOld }) {
      const res = await http.request({
        method: 'POST',
        path: `${path(id)}/rotate_secret`,
        body: { keep_old_secret_active_for_24_hours: !revokeOld },
        // OpenAI shows a new secret only in this answer: no command can show it again.
        ifLost:
          'If it did, OpenAI will not show the new secret again: run ' +
          `\`voicehooks rotate-secret ${id} -p openai${revokeOld ? '' : ' --keep-old'}\` again.`,
      });
      const webhook = toWebhook(decode(withSecretWire, res.body, 'OpenAI', 'openai'));
      return {
        webhook,
        secret: webhook.secrets[0] ?? '',
        notice: revokeOld
          ? 'OpenAI invalidated the old secret at once: deliveries are signed with the new one only, so give ' +
            'it to your receivers now (--keep-old keeps the old one valid for 24 hours instead).'
          : 'The old secret stays valid for 24 hours: until then OpenAI signs each delivery with both ' +
            '(two webhook-signature entries), so receivers keep verifying while they switch to the new one.',
      };
    },

    async test(id, options = {}) {
      if (options.url !== undefined) {
        throw new UsageError("--url does not apply: OpenAI sends its test to the endpoint's own URL.", {
          hint: `Send a signed sample from here with \`voicehooks test ${id} -p openai --local --url …\`.`,
        });
      }
      const webhook = await adapter.get(id);
      const event = options.event ?? webhook.events[0] ?? OPENAI_EVENTS[0]?.name ?? '';
      const res = await http.request({
        method: 'POST',
        path: `${path(id)}/test`,
        body: { event_type: event },
      });
      const result = decode(testResultWire, res.body, 'OpenAI', 'openai');
      // 0 is the emulator's word for "no answer"; OpenAI's own is undocumented (§8).
      const status = result.status_code === 0 ? null : (result.status_code ?? null);
      const answered = status !== null && status >= 200 && status < 300;
      return {
        url: webhook.url,
        // `success` only says the test ran; the endpoint's own status says whether it took the delivery.
        success: (result.success ?? true) && answered,
        statusCode: status,
        responseTimeMs: null,
        message:
          status === null
            ? `OpenAI sent a ${event} sample; the endpoint gave no status.`
            : `OpenAI sent a ${event} sample; the endpoint answered HTTP ${status}.`,
      };
    },

    async liveEvents(): Promise<EventType[]> {
      const res = await http.request({ method: 'GET', path: '/webhook_event_types' });
      const described = new Map(OPENAI_EVENTS.map((e) => [e.name, e.description]));
      return decode(eventTypesWire, res.body, 'OpenAI', 'openai').data.map((name) => ({
        name,
        description: described.get(name) ?? '',
      }));
    },
  };
  return adapter;
}
