/**
 * Talkover's webhook API over the shared HTTP client: agent webhooks (docs/providers/talkover.md §2) and
 * campaign webhooks (§3), the same nine operations under `/agents/{id}` or `/campaigns/{id}`, with the
 * campaign answers' documented differences handled here.
 */
import { ApiError, FieldError } from '../../errors.ts';
import { HttpClient, decode, type ErrorReading } from '../../http.ts';
import { isUuid } from '../../input.ts';
import type {
  Connection,
  DeliveryLog,
  EventType,
  ListOptions,
  LogOptions,
  ProviderAdapter,
  ProviderDescriptor,
  Scope,
  TestResult,
  Webhook,
  WebhookInput,
} from '../types.ts';
import { parseTemplate } from './templates.ts';
import {
  listWire,
  logsWire,
  oneWire,
  partialWire,
  webhookWire,
  retryWire,
  testWire,
  type TalkoverLog,
  type TalkoverWebhook,
  type TalkoverWrite,
} from './wire.ts';
import { newSecret } from '../random.ts';

/** Talkover's largest `per_page` for logs (docs/providers/talkover.md §2.2: 1–100, default 25). */
const MAX_PER_PAGE = 100;
/** The words Talkover starts a failed test's message with (docs/providers/talkover.md §2.2, Test). */
const TEST_FAILED = /^Webhook test failed/i;

/** The flag that sets each wire field, so that Talkover's field errors point at what to change. */
const FLAG_OF_FIELD: Record<string, string> = {
  name: '--name',
  webhook_url: '--url',
  webhook_secret: '--secret',
  events: '--event',
  timeout: '--delivery-timeout',
  max_retries: '--max-retries',
  enabled: '--enabled',
  http_method: '--http-method',
  authorization_scheme: '--auth-scheme',
  custom_headers: '--header',
  payload_templates: '--payload-template',
  include_call_events: '--include-call-events',
  url: '--url',
};

export function toWebhook(wire: TalkoverWebhook): Webhook {
  return {
    provider: 'talkover',
    id: wire.id,
    url: wire.webhook_url,
    events: wire.events,
    enabled: wire.enabled,
    status: wire.status ?? null,
    name: wire.name ?? null,
    agentId: wire.agent_id ?? null,
    createdAt: wire.created_at ?? null,
    updatedAt: wire.updated_at ?? null,
    // Talkover never returns `webhook_secret` on any read (docs/providers/talkover.md §2.2, Webhook object).
    secrets: [],
    raw: wire,
  };
}

/**
 * The fields `apply` compares, read from the wire object. `webhook_secret` is never returned
 * (docs/providers/talkover.md §2.2), so no secret is read; payload templates are not managed by apply.
 */
export function inputOf(webhook: Webhook): WebhookInput {
  const raw = webhook.raw as TalkoverWebhook & {
    http_method?: unknown;
    authorization_scheme?: unknown;
    custom_headers?: unknown;
  };
  const input: WebhookInput = { url: raw.webhook_url, events: raw.events, enabled: raw.enabled };
  if (raw.name != null) input.name = raw.name;
  if (raw.include_call_events != null) input.includeCallEvents = raw.include_call_events;
  if (raw.timeout != null) input.deliveryTimeout = raw.timeout;
  if (raw.max_retries != null) input.maxRetries = raw.max_retries;
  if (typeof raw.http_method === 'string') input.httpMethod = raw.http_method;
  if (typeof raw.authorization_scheme === 'string') input.authScheme = raw.authorization_scheme;
  if (Array.isArray(raw.custom_headers)) {
    input.headers = Object.fromEntries(
      raw.custom_headers.flatMap((h: unknown) => {
        const { key, value } = (h ?? {}) as { key?: unknown; value?: unknown };
        return typeof key === 'string' && typeof value === 'string' ? [[key, value]] : [];
      }),
    );
  }
  return input;
}

export function toDeliveryLog(wire: TalkoverLog): DeliveryLog {
  return {
    id: wire.id,
    webhookId: wire.webhook_id ?? null,
    event: wire.event ?? null,
    attempt: wire.attempt ?? null,
    status: wire.status ?? null,
    httpStatus: wire.http_status ?? null,
    durationMs: wire.duration_ms ?? null,
    error: wire.error ?? null,
    deliveredAt: wire.delivered_at ?? null,
    createdAt: wire.created_at ?? null,
    raw: wire,
  };
}

/**
 * Talkover words errors four ways (docs/providers/talkover.md §2.4): `{message}` (401), `{success:false, message}` (404,
 * and `code` for LOG_NOT_RETRIABLE), Laravel's 422 `{message, errors:{field:[…]}}`, and the introduction
 * page's `{success:false, error:{code, message, details}}`. All of them become one message, field errors
 * named by flag, and a hint where Talkover's words call for one.
 */
export function readTalkoverError(_status: number, body: unknown): ErrorReading {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    return typeof body === 'string' && body.length < 300 && !/<html/i.test(body)
      ? { message: `Talkover: ${body.trim()}` }
      : {};
  }
  const record = body as Record<string, unknown>;
  const nested = isRecord(record.error) ? record.error : undefined;
  const text = stringOf(nested?.message) ?? stringOf(record.message) ?? stringOf(record.error);
  // The authentication page's shape puts the code in `error` beside the message ({error: "TOKEN_EXPIRED",
  // message, status_code}); the introduction page's nests both in `error` (docs/providers/talkover.md §2.4).
  const bareCode = stringOf(record.message) !== undefined ? stringOf(record.error) : undefined;
  const code = stringOf(nested?.code) ?? stringOf(record.code) ?? bareCode;
  const fieldErrors = [...fieldLines(record.errors), ...fieldLines(nested?.details)];
  const reading: ErrorReading = {};
  if (text !== undefined || code !== undefined) {
    reading.message = `Talkover: ${text ?? 'request failed'}${code !== undefined ? ` (${code})` : ''}`;
  } else if (fieldErrors.length > 0) {
    reading.message = 'Talkover rejected the request.';
  }
  if (fieldErrors.length > 0) reading.fieldErrors = fieldErrors;
  const requestId = stringOf(record.request_id) ?? stringOf(nested?.request_id);
  if (requestId !== undefined) reading.requestId = requestId;
  if (code === 'LOG_NOT_RETRIABLE') {
    reading.hint =
      'Talkover retries only failed deliveries of the last 30 days of an enabled webhook; see `voicehooks logs ID -p talkover`.';
  } else if (text !== undefined && /(agent|campaign) not found/i.test(text)) {
    const scope = /campaign/i.test(text) ? 'campaign' : 'agent';
    reading.hint = `Check the ${scope} id (--${scope}, VOICEHOOKS_TALKOVER_${scope.toUpperCase()} or the profile): Talkover API tokens are per environment, and the ${scope} must belong to the token’s environment.`;
  }
  return reading;
}

function fieldLines(value: unknown): string[] {
  if (!isRecord(value)) return [];
  return Object.entries(value).flatMap(([field, messages]) => {
    const flag = FLAG_OF_FIELD[field.split('.')[0] ?? field];
    const label = flag ? `${field} (${flag})` : field;
    const list = Array.isArray(messages) ? messages : [messages];
    return list.filter((m) => typeof m === 'string').map((m) => `${label}: ${m as string}`);
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** Only the fields given: Talkover's PUT leaves absent fields as they are (docs/providers/talkover.md §2.2, Update). */
export function toWrite(input: WebhookInput): TalkoverWrite {
  const body: TalkoverWrite = {};
  if (input.name !== undefined) body.name = input.name;
  if (input.url !== undefined) body.webhook_url = input.url;
  if (input.secrets !== undefined && input.secrets[0] !== undefined) body.webhook_secret = input.secrets[0];
  if (input.events !== undefined) body.events = input.events;
  if (input.deliveryTimeout !== undefined) body.timeout = input.deliveryTimeout;
  if (input.maxRetries !== undefined) body.max_retries = input.maxRetries;
  if (input.enabled !== undefined) body.enabled = input.enabled;
  if (input.includeCallEvents !== undefined) body.include_call_events = input.includeCallEvents;
  if (input.httpMethod !== undefined) body.http_method = input.httpMethod.toUpperCase();
  if (input.authScheme !== undefined) body.authorization_scheme = input.authScheme.toLowerCase();
  if (input.headers !== undefined) {
    body.custom_headers = Object.entries(input.headers).map(([key, value]) => ({ key, value }));
  }
  if (input.payloadTemplates !== undefined) {
    body.payload_templates = Object.fromEntries(
      Object.entries(input.payloadTemplates).map(([event, text]) => [event, parseTemplate(event, text)]),
    );
  }
  return body;
}

/** The endpoint's status out of a failure message such as "Webhook test failed: HTTP 500 Internal Server Error". */
function statusInMessage(message: string | null | undefined): number | null {
  const match = /\bHTTP (\d{3})\b/.exec(message ?? '');
  return match?.[1] !== undefined ? Number(match[1]) : null;
}

export function createTalkoverAdapter(
  connection: Connection,
  scope: Scope,
  descriptor: ProviderDescriptor,
): ProviderAdapter {
  // The command layer resolves and checks the scope (src/resolve.ts); an adapter made another way (a test, a
  // script) is checked here too, before the first request, because the scope becomes part of every path.
  const given = (['agent', 'campaign'] as const).filter((s) => scope[s] !== undefined && scope[s] !== '');
  const [kind] = given;
  if (kind === undefined) {
    throw new FieldError('agent', 'is missing: Talkover webhooks belong to an agent or a campaign.');
  }
  if (given.length > 1) {
    throw new FieldError('campaign', 'and the agent are alternatives: give one of them.');
  }
  const scopeId = scope[kind] ?? '';
  if (!isUuid(scopeId)) throw new FieldError(kind, `"${scopeId}" is not a UUID.`);
  const campaign = kind === 'campaign';
  /** The flags that reach this scope again, for the next steps messages name. */
  const where = `-p talkover --${kind} ${scopeId}`;
  const warn = (line: string) => connection.warn?.(line);
  const http = new HttpClient({
    ...connection,
    provider: 'talkover',
    displayName: 'Talkover',
    authHeaders: { Authorization: `Bearer ${connection.apiKey}` },
    readError: readTalkoverError,
    secretFields: descriptor.secretFields,
  });
  const collection = `/${campaign ? 'campaigns' : 'agents'}/${encodeURIComponent(scopeId)}/webhooks`;
  const item = (id: string) => `${collection}/${encodeURIComponent(id)}`;
  const one = (body: unknown) => toWebhook(decode(oneWire, body, 'Talkover', 'talkover').data);
  /**
   * A write's answer as a whole webhook. Campaign create, update and toggle answer with a few fields only
   * (create has no `webhook_url`; docs/providers/talkover.md §3.2): the webhook is then read back with a GET
   * (safe to send), and a notice says so. Should that read fail, what was sent completes the answer, and the
   * notice says that instead.
   */
  const whole = async (body: unknown, sent: TalkoverWrite, what: string): Promise<Webhook> => {
    if (!campaign) return one(body);
    const answer = decode(partialWire, body, 'Talkover', 'talkover');
    const complete = webhookWire.safeParse(answer.data);
    const missing = ['name', 'webhook_url', 'events', 'enabled', 'timeout', 'max_retries'].filter(
      (key) => answer.data[key] === undefined,
    );
    if (complete.success && missing.length === 0) return toWebhook(complete.data);
    const id = String(answer.data.id);
    const omitted = missing.length > 0 ? missing.join(', ') : 'fields in their documented form';
    try {
      const read = await adapter.get(id);
      warn(
        `Talkover answered the campaign webhook ${what} with part of the webhook (no ${omitted}); the webhook shown was read back with GET.`,
      );
      return read;
    } catch (error) {
      // The write went through: its answer is still the result, completed with what was sent.
      const merged = webhookWire.safeParse({ ...sent, ...answer.data });
      if (!merged.success) throw error;
      warn(
        `Talkover answered the campaign webhook ${what} with part of the webhook (no ${omitted}) and reading it back failed (${(error as Error).message}); the webhook shown is its answer merged with what was sent.`,
      );
      return toWebhook(merged.data);
    }
  };
  const listPage = async () =>
    decode(listWire, (await http.request({ method: 'GET', path: collection })).body, 'Talkover', 'talkover');

  const adapter: ProviderAdapter = {
    descriptor,
    inputOf,

    // One request: Talkover's list has no pagination (docs/providers/talkover.md §2.2, List).
    async *list(options: ListOptions = {}) {
      const limit = options.limit ?? Infinity;
      let count = 0;
      for (const wire of (await listPage()).data.webhooks) {
        if (count++ >= limit) return;
        yield toWebhook(wire);
      }
    },

    async get(id) {
      return one((await http.request({ method: 'GET', path: item(id) })).body);
    },

    async create(input) {
      const body = toWrite(input);
      return whole((await http.request({ method: 'POST', path: collection, body })).body, body, 'create');
    },

    async update(id, input) {
      const body = toWrite(input);
      return whole((await http.request({ method: 'PUT', path: item(id), body })).body, body, 'update');
    },

    async delete(id) {
      await http.request({ method: 'DELETE', path: item(id) });
    },

    // Setting the field is idempotent; the toggle endpoint is not (docs/providers/talkover.md §2.2, Toggle).
    async setEnabled(id, enabled) {
      return adapter.update(id, { enabled });
    },

    async flip(id) {
      // A flip sent twice undoes itself: never repeated once it may have reached Talkover (contract §Retries).
      const res = await http.request({ method: 'PATCH', path: `${item(id)}/toggle`, idempotent: false });
      return whole(res.body, {}, 'toggle');
    },

    async rotateSecret(id) {
      // Talkover never returns secrets, so the CLI makes one and sets it (docs/providers/talkover.md §2.2; docs/providers/README.md §5 item 4).
      const secret = await newSecret('base64url');
      const webhook = await adapter.update(id, { secrets: [secret] });
      return {
        webhook,
        secret,
        notice:
          'Talkover keeps one secret per webhook: the old one was replaced and no longer applies. Talkover never shows a secret again, so keep this one now.',
      };
    },

    async test(id, options = {}) {
      if (campaign) return campaignTest(id, options.url);
      // The spec requires `{url}`; the docs page sends no body (docs/providers/talkover.md §2.2, Test): sending the webhook's
      // own URL satisfies both.
      const url = options.url ?? (await adapter.get(id)).url;
      let body: unknown;
      try {
        body = (
          await http.request({
            method: 'POST',
            path: `${item(id)}/test`,
            body: { url },
            // A test delivery is a new log entry; the webhook list shows nothing of it.
            check: `voicehooks logs ${id} ${where}`,
          })
        ).body;
      } catch (error) {
        // Which status a failed test is answered with is undocumented; its message is. A failure answer is
        // the test's result, not a failure to ask for one.
        if (!(error instanceof ApiError) || error.status === undefined) throw error;
        const message = error.message.replace(/^Talkover: /, '');
        if (!TEST_FAILED.test(message)) throw error;
        return { url, success: false, statusCode: statusInMessage(message), responseTimeMs: null, message };
      }
      const answer = decode(testWire, body, 'Talkover', 'talkover');
      return {
        url,
        success: answer.success,
        statusCode: answer.data?.status_code ?? statusInMessage(answer.message),
        responseTimeMs: answer.data?.response_time ?? null,
        message: answer.message ?? null,
      } satisfies TestResult;
    },

    async *logs(id, options: LogOptions = {}) {
      const limit = options.limit ?? Infinity;
      const perPage = Math.min(options.perPage ?? MAX_PER_PAGE, MAX_PER_PAGE);
      let count = 0;
      const walk = http.pageWalk();
      for (let page = options.page ?? 1; walk.visit(page); page++) {
        const res = await http.request({
          method: 'GET',
          path: `${item(id)}/logs`,
          query: { page, per_page: perPage },
        });
        const answer = decode(logsWire, res.body, 'Talkover', 'talkover');
        // A `last_page` of 10^9 over the same entries again is stopped by the walk (see PageWalk).
        for (const wire of walk.page(answer.data, (w) => String(w.id))) {
          // Talkover documents no status filter on the logs route, so it is applied here.
          if (options.status !== undefined && wire.status !== options.status) continue;
          if (count++ >= limit) return;
          yield toDeliveryLog(wire);
        }
        const pagination = answer.pagination;
        // An empty page, the last page, or a server that does not follow `page` ends the walk. Campaign log
        // pages may lack `last_page` (docs/providers/talkover.md §3.2): then `total` says where the end is.
        if (answer.data.length === 0 || !pagination || pagination.current_page !== page) return;
        const size = pagination.per_page ?? perPage;
        const last =
          pagination.last_page ??
          (pagination.total != null
            ? Math.max(1, Math.ceil(pagination.total / Math.max(1, size)))
            : undefined);
        if (last === undefined) {
          // Neither `last_page` nor `total`: a short page is the last one.
          if (answer.data.length < size || count >= limit) return;
        } else if (page >= last || count >= limit) return;
      }
    },

    async redeliver(id, logId) {
      const res = await http.request({
        method: 'POST',
        path: `${item(id)}/logs/${encodeURIComponent(logId)}/retry`,
        // A re-sent delivery is a new log entry; the webhook list shows nothing of it.
        check: `voicehooks logs ${id} ${where}`,
      });
      const answer = decode(retryWire, res.body, 'Talkover', 'talkover');
      return {
        logId: answer.data?.log_id ?? null,
        originalLogId: answer.data?.original_log_id ?? logId,
        queuedAt: answer.data?.queued_at ?? null,
        message: answer.message ?? null,
      };
    },

    async liveEvents(): Promise<EventType[]> {
      const available = (await listPage()).data.available_events ?? {};
      if (Array.isArray(available)) return available.map((name) => ({ name, description: '' }));
      return Object.entries(available).map(([name, description]) => ({ name, description }));
    },
  };

  /**
   * Campaign test: no body (the page documents none, and none can name another URL), and an answer with no
   * status code or time ("Test payload dispatched", docs/providers/talkover.md §3.2, Test): what the endpoint
   * answered is in the delivery logs, which the notice points at.
   */
  const campaignTest = async (id: string, url: string | undefined): Promise<TestResult> => {
    if (url !== undefined) {
      throw new FieldError(
        'url',
        'cannot be given for a campaign webhook: Talkover tests it at its own URL.',
        {
          hint: 'Send a sample from here instead with --local --url URL.',
        },
      );
    }
    const webhook = await adapter.get(id);
    const res = await http.request({
      method: 'POST',
      path: `${item(id)}/test`,
      check: `voicehooks logs ${id} ${where}`,
    });
    const answer = decode(testWire, res.body, 'Talkover', 'talkover');
    const statusCode = answer.data?.status_code ?? statusInMessage(answer.message);
    if (answer.success && statusCode === null) {
      warn(
        `Talkover reports no status code or time for a campaign webhook test; see what the endpoint answered with \`voicehooks logs ${id} ${where}\`.`,
      );
    }
    return {
      url: webhook.url,
      success: answer.success,
      statusCode,
      responseTimeMs: answer.data?.response_time ?? null,
      message: answer.message ?? null,
    };
  };
  return adapter;
}
