/**
 * A stateful emulator of Talkover's agent webhook API (`/agents/{agent_id}/webhooks…`) and campaign webhook API
 * (`/campaigns/{campaign_id}/webhooks…`), speaking the wire format of
 * `test/specs/talkover-full.reconstructed.openapi.yaml` and of the docs pages (docs/providers/talkover.md §2,
 * §3). Campaign answers are as documented: partial objects from create, update and toggle, a test answer with
 * no status or time, log pages without `last_page`, other 401 bodies. Any well-formed campaign UUID is a
 * campaign of the emulated account, like agents.
 * The backend is Laravel: answers come in a `{success, message, data}` envelope, validation errors are
 * Laravel's 422 `{message, errors}`, and a missing or bad token gets the two 401 shapes of the docs.
 *
 * Any well-formed agent UUID is an agent of the emulated account, except those marked missing (by
 * {@link TalkoverEmulator.setAgentMissing} or `POST /talkover/_emulator/missing-agents {"agentId"}`), which
 * answer 404 "Agent not found in this environment." as a token of another environment would see.
 *
 * `…/test` and `…/logs/{log}/retry` really send a delivery, and only ever to a loopback address: the
 * emulator never contacts any other host, and says so in the failed test instead.
 */
import { randomUUID } from 'node:crypto';
import { STATUS_CODES, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { performance } from 'node:perf_hooks';
import { bearerToken, decodeSegment, withRetries } from '../../emulator/kit.ts';
import type {
  EmulatorModule,
  EmulatorRequest,
  EmulatorResponse,
  ProviderEmulator,
  Schedule,
  TriggerDelivery,
} from '../../emulator/kit.ts';
import { TALKOVER_CAMPAIGN_EVENTS, TALKOVER_EVENTS, TALKOVER_PER_CALL_EVENTS } from './events.ts';

/** A webhook as the emulator keeps it: the wire object plus what Talkover stores but never shows. */
export interface TalkoverStoredWebhook {
  id: string;
  /** One of the two: the agent or the campaign the webhook belongs to. */
  agent_id?: string;
  campaign_id?: string;
  /** Campaign webhooks: also deliver the campaign's per-call events (docs/providers/talkover.md §3.3). */
  include_call_events?: boolean;
  name: string;
  webhook_url: string;
  events: string[];
  timeout: number;
  max_retries: number;
  enabled: boolean;
  created_at: string;
  updated_at: string;
  http_method: 'POST' | 'PUT' | 'PATCH';
  authorization_scheme: string;
  custom_headers: { key: string; value: string }[];
  payload_templates: Record<string, unknown>;
  /** Never in an answer (docs/providers/talkover.md §2.2: "The secret is never echoed back"). */
  webhook_secret: string | null;
}

/** A delivery log entry as the logs route answers it (docs/providers/talkover.md §2.2, Logs). */
export interface TalkoverWireLog {
  id: string;
  webhook_id: string;
  event: string;
  attempt: number;
  status: 'pending' | 'success' | 'failed' | 'retrying';
  http_status: number | null;
  request_payload: unknown;
  response_body: string | null;
  response_headers: Record<string, string>;
  duration_ms: number | null;
  delivered_at: string | null;
  created_at: string;
  error?: string;
}

export interface TalkoverEmulatorOptions {
  /** The accepted Bearer token; absent = any non-empty token is accepted. */
  apiKey?: string;
  /** Every agent's `available_events`; default: the 22 documented events (docs/providers/talkover.md §2.3). */
  availableEvents?: Record<string, string>;
}

export type TalkoverEmulator = ProviderEmulator & {
  /** Every webhook, secrets included. */
  webhooks(): TalkoverStoredWebhook[];
  /** Every log entry, newest first, of one webhook or of all. */
  logs(webhookId?: string): TalkoverWireLog[];
  /** Marks an agent as missing from the emulated environment (404), or present again. */
  setAgentMissing(agentId: string, missing?: boolean): void;
  /** Marks a campaign as missing from the emulated environment (404 "Campaign not found"), or present again. */
  setCampaignMissing(campaignId: string, missing?: boolean): void;
  /** Adds log entries without delivering anything (for paging and retry tests). */
  seedLogs(webhookId: string, count: number, options?: SeedLogOptions): TalkoverWireLog[];
  /**
   * Sends `payload` for `event` to the webhook's URL as Talkover would, and logs the attempt (`attempt`
   * counts retries of the same event: 1, 2, …).
   */
  deliver(webhookId: string, event: string, payload?: unknown, attempt?: number): Promise<TalkoverWireLog>;
};

export interface SeedLogOptions {
  status?: TalkoverWireLog['status'];
  event?: string;
  /** How old the entries are; Talkover keeps 30 days and retries nothing older. */
  ageDays?: number;
}

type FieldErrors = Record<string, string[]>;

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HTTP_METHODS = ['POST', 'PUT', 'PATCH'] as const;
const AUTH_SCHEMES = ['none', 'bearer', 'basic', 'api_key', 'custom'];
const RETENTION_MS = 30 * 24 * 60 * 60 * 1000;
const CONTROL_RE = /^\/_emulator\/missing-(agents|campaigns)(?:\/([^/]+))?\/?$/;
const ROUTE_RE =
  /^\/(agents|campaigns)\/([^/]+)\/webhooks(?:\/([^/]+)(?:\/(toggle|test|logs)(?:\/([^/]+)\/(retry))?)?)?\/?$/;

const DEFAULT_EVENTS: Record<string, string> = Object.fromEntries(
  TALKOVER_EVENTS.map((e) => [e.name, e.description]),
);
const CAMPAIGN_EVENTS: Record<string, string> = Object.fromEntries(
  TALKOVER_CAMPAIGN_EVENTS.map((e) => [e.name, e.description]),
);

/** Which scope a webhook or a route is under. */
type Kind = 'agent' | 'campaign';
const kindOf = (hook: TalkoverStoredWebhook): Kind => (hook.campaign_id !== undefined ? 'campaign' : 'agent');
const scopeIdOf = (hook: TalkoverStoredWebhook): string => hook.campaign_id ?? hook.agent_id ?? '';

const ok = (message: string | undefined, data: unknown): EmulatorResponse => ({
  status: 200,
  body: message === undefined ? { success: true, data } : { success: true, message, data },
});
const failure = (status: number, message: string): EmulatorResponse => ({
  status,
  body: { success: false, message },
});
const invalid = (errors: FieldErrors, kind: Kind = 'agent'): EmulatorResponse => ({
  status: 422,
  // The campaign side of the docs adds `success: false` to Laravel's body (docs/providers/talkover.md §2.4).
  body:
    kind === 'campaign'
      ? { success: false, message: 'The given data was invalid.', errors }
      : { message: 'The given data was invalid.', errors },
});

export function createTalkoverEmulator(options: TalkoverEmulatorOptions = {}): TalkoverEmulator {
  const availableEvents = options.availableEvents ?? DEFAULT_EVENTS;
  let hooks: TalkoverStoredWebhook[] = [];
  let logs: TalkoverWireLog[] = [];
  const missingAgents = new Set<string>();
  const missingCampaigns = new Set<string>();

  const inScope = (hook: TalkoverStoredWebhook, kind: Kind, scopeId: string) =>
    kindOf(hook) === kind && scopeIdOf(hook) === scopeId;
  const find = (kind: Kind, scopeId: string, id: string) =>
    hooks.find((hook) => inScope(hook, kind, scopeId) && hook.id === id.toLowerCase());

  /**
   * What Talkover shows of a webhook: everything but the secret, with the derived fields. A campaign webhook has
   * no `events_count` or `status` in any example (docs/providers/talkover.md §3.2) and is shown without them.
   */
  const shown = (hook: TalkoverStoredWebhook): Record<string, unknown> => {
    const { webhook_secret: _secret, ...rest } = structuredClone(hook);
    if (kindOf(hook) === 'campaign') return rest;
    return { ...rest, events_count: hook.events.length, status: hook.enabled ? 'active' : 'disabled' };
  };

  /** The fields of `hook` named, as the partial answers of campaign writes give them. */
  const part = (hook: TalkoverStoredWebhook, keys: (keyof TalkoverStoredWebhook)[]) =>
    Object.fromEntries(keys.map((key) => [key, structuredClone(hook[key])]));

  const authError = (req: EmulatorRequest, kind: Kind): EmulatorResponse | undefined => {
    const token = bearerToken(req.headers.authorization);
    if (token === undefined) {
      // Campaign routes answer in the authentication page's shape, agent routes in the webhook pages' shape
      // (docs/providers/talkover.md §2.4: four 401 bodies across the docs).
      return kind === 'campaign'
        ? {
            status: 401,
            body: { error: 'MISSING_TOKEN', message: 'Authentication token is missing.', status_code: 401 },
          }
        : { status: 401, body: { message: 'Missing Bearer Token' } };
    }
    if (options.apiKey !== undefined && token !== options.apiKey && kind === 'campaign') {
      return { status: 401, body: { success: false, message: 'Unauthorized' } };
    }
    if (options.apiKey !== undefined && token !== options.apiKey) {
      // The generic error shape of the docs' introduction page (docs/providers/talkover.md §2.4).
      return {
        status: 401,
        body: {
          success: false,
          error: { code: 'INVALID_API_KEY', message: 'Invalid API key.', details: {} },
        },
      };
    }
    return undefined;
  };

  /** A delivery as Talkover makes one: the webhook's method and custom headers, its timeout, JSON body. */
  const send = async (
    hook: TalkoverStoredWebhook,
    url: string,
    event: string,
    payload: unknown,
    attempt: number,
  ): Promise<TalkoverWireLog> => {
    const entry: TalkoverWireLog = {
      id: randomUUID(),
      webhook_id: hook.id,
      event,
      attempt,
      status: 'pending',
      http_status: null,
      request_payload: payload,
      response_body: null,
      response_headers: {},
      duration_ms: null,
      delivered_at: null,
      created_at: laravelNow(),
    };
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'Talkover-Webhook (voicehooks emulator)',
    };
    for (const { key, value } of hook.custom_headers) headers[key] = value;
    const result = await deliver(
      url,
      hook.http_method,
      headers,
      JSON.stringify(payload),
      hook.timeout * 1000,
    );
    entry.duration_ms = result.durationMs;
    entry.delivered_at = laravelNow();
    if ('error' in result) {
      entry.status = 'failed';
      entry.error = result.error;
    } else {
      entry.http_status = result.status;
      entry.response_body = result.body;
      entry.response_headers = result.headers;
      entry.status = result.status >= 200 && result.status < 300 ? 'success' : 'failed';
      if (entry.status === 'failed')
        entry.error = `HTTP ${result.status} ${STATUS_CODES[result.status] ?? ''}`.trim();
    }
    logs.unshift(entry);
    return structuredClone(entry);
  };

  /** A campaign event's body (Talkover documents none, §3.3): the event, the campaign, the webhook, a call. */
  const campaignPayload = (
    hook: TalkoverStoredWebhook,
    event: string,
    extra: Record<string, unknown> = {},
  ) => ({
    event,
    campaign_id: hook.campaign_id,
    webhook_id: hook.id,
    timestamp: new Date().toISOString(),
    ...extra,
    data: event.startsWith('campaign.')
      ? { campaign_id: hook.campaign_id, status: campaignStatus(event) }
      : { call_id: randomUUID(), campaign_id: hook.campaign_id, direction: 'outbound', duration: 45 },
  });

  const testPayload = (hook: TalkoverStoredWebhook) => ({
    event: 'webhook.test',
    agent_id: hook.agent_id,
    agent_name: 'Emulated Agent',
    webhook_id: hook.id,
    webhook_name: hook.name,
    timestamp: new Date().toISOString(),
    test: true,
  });

  const create = (kind: Kind, scopeId: string, req: EmulatorRequest): EmulatorResponse => {
    const catalog = kind === 'campaign' ? CAMPAIGN_EVENTS : availableEvents;
    const checked = validate(parseJson(req.body), 'create', catalog, kind);
    if ('errors' in checked) return invalid(checked.errors, kind);
    const f = checked.fields;
    const now = kind === 'campaign' ? campaignNow() : laravelNow();
    const hook: TalkoverStoredWebhook = {
      id: randomUUID(),
      ...(kind === 'campaign'
        ? { campaign_id: scopeId, include_call_events: f.include_call_events ?? false }
        : { agent_id: scopeId }),
      name: f.name ?? '',
      webhook_url: f.webhook_url ?? '',
      events: f.events ?? [],
      timeout: f.timeout ?? 30,
      max_retries: f.max_retries ?? 3,
      enabled: f.enabled ?? true,
      created_at: now,
      updated_at: now,
      http_method: f.http_method ?? 'POST',
      authorization_scheme: f.authorization_scheme ?? 'none',
      custom_headers: f.custom_headers ?? [],
      payload_templates: f.payload_templates ?? {},
      webhook_secret: f.webhook_secret ?? null,
    };
    hooks.push(hook);
    // The campaign create page's answer: no message, no webhook_url, timeout, max_retries or updated_at (§3.2).
    if (kind === 'campaign') {
      return ok(
        undefined,
        part(hook, ['id', 'campaign_id', 'name', 'events', 'enabled', 'include_call_events', 'created_at']),
      );
    }
    return ok('Webhook created successfully', shown(hook));
  };

  const update = (hook: TalkoverStoredWebhook, req: EmulatorRequest): EmulatorResponse => {
    const kind = kindOf(hook);
    const checked = validate(
      parseJson(req.body),
      'update',
      kind === 'campaign' ? CAMPAIGN_EVENTS : availableEvents,
      kind,
    );
    if ('errors' in checked) return invalid(checked.errors, kind);
    // "All fields are optional - only provided fields will be updated" (docs/providers/talkover.md §2.2, Update).
    Object.assign(hook, checked.fields, { updated_at: kind === 'campaign' ? campaignNow() : laravelNow() });
    // The campaign update page's answer: id, events, include_call_events and updated_at only (§3.2).
    if (kind === 'campaign')
      return ok(undefined, part(hook, ['id', 'events', 'include_call_events', 'updated_at']));
    return ok('Webhook updated successfully', shown(hook));
  };

  /**
   * Campaign test: no body; "fires one synthetic event matching the webhook's subscribed events" and answers
   * "Test payload dispatched" with no status or time (§3.2). The emulator sends it before answering, so that
   * its log entry is there at once; what the endpoint answered is in the logs only, as with Talkover.
   */
  const campaignTest = async (hook: TalkoverStoredWebhook): Promise<EmulatorResponse> => {
    const event = hook.events[0] ?? 'campaign.started';
    await send(hook, hook.webhook_url, event, campaignPayload(hook, event, { test: true }), 1);
    return { status: 200, body: { success: true, message: 'Test payload dispatched' } };
  };

  const test = async (hook: TalkoverStoredWebhook, req: EmulatorRequest): Promise<EmulatorResponse> => {
    // The spec requires `{url}` (docs/providers/talkover.md §2.2, Test); the delivery goes to that URL.
    const body = parseJson(req.body);
    const url = isRecord(body) ? body.url : undefined;
    if (url === undefined || url === null || url === '') {
      return invalid({ url: ['The url field is required.'] });
    }
    if (typeof url !== 'string' || !isHttpUrl(url))
      return invalid({ url: ['The url field must be a valid URL.'] });
    const entry = await send(hook, url, 'webhook.test', testPayload(hook), 1);
    if (entry.status === 'success') {
      return ok('Test webhook sent successfully', {
        status_code: entry.http_status,
        response_time: entry.duration_ms,
      });
    }
    // The failure wording is documented ("Webhook test failed: HTTP 500 Internal Server Error"), its HTTP
    // status is not: the emulator answers 200 with success false, plus the endpoint's status and time.
    return {
      status: 200,
      body: {
        success: false,
        message: `Webhook test failed: ${entry.error ?? 'unknown error'}`,
        data: { status_code: entry.http_status, response_time: entry.duration_ms },
      },
    };
  };

  const listLogs = (hook: TalkoverStoredWebhook, req: EmulatorRequest): EmulatorResponse => {
    const errors: FieldErrors = {};
    const perPage = intParam(req.query.get('per_page'), 25);
    const page = intParam(req.query.get('page'), 1);
    if (perPage === undefined) errors.per_page = ['The per page field must be an integer.'];
    else if (perPage < 1 || perPage > 100)
      errors.per_page = ['The per page field must be between 1 and 100.'];
    if (page === undefined) errors.page = ['The page field must be an integer.'];
    else if (page < 1) errors.page = ['The page field must be at least 1.'];
    if (perPage === undefined || page === undefined || Object.keys(errors).length > 0)
      return invalid(errors, kindOf(hook));
    const mine = retained(logs).filter((entry) => entry.webhook_id === hook.id);
    if (kindOf(hook) === 'campaign') {
      // The campaign logs page: entries without webhook_id, pagination without last_page (§3.2, Logs).
      return {
        status: 200,
        body: {
          success: true,
          data: mine.slice((page - 1) * perPage, page * perPage).map(({ webhook_id: _w, ...entry }) => ({
            ...structuredClone(entry),
          })),
          pagination: { current_page: page, per_page: perPage, total: mine.length },
        },
      };
    }
    return {
      status: 200,
      body: {
        success: true,
        data: mine.slice((page - 1) * perPage, page * perPage).map((entry) => structuredClone(entry)),
        pagination: {
          current_page: page,
          per_page: perPage,
          total: mine.length,
          last_page: Math.max(1, Math.ceil(mine.length / perPage)),
        },
      },
    };
  };

  const retry = async (hook: TalkoverStoredWebhook, logId: string): Promise<EmulatorResponse> => {
    const original = logs.find((entry) => entry.webhook_id === hook.id && entry.id === logId.toLowerCase());
    if (original === undefined) return failure(404, 'Log not found.');
    // Already delivered, older than the 30 days kept, or the webhook is off (docs/providers/talkover.md §2.2, Retry log).
    const tooOld = Date.now() - Date.parse(original.created_at) > RETENTION_MS;
    if (original.status === 'success' || tooOld || !hook.enabled) {
      return {
        status: 422,
        body: { success: false, message: 'Log cannot be retried', code: 'LOG_NOT_RETRIABLE' },
      };
    }
    // Talkover queues the retry; the emulator sends it before answering, so the new entry is there at once.
    // It goes out with the webhook's current configuration, as Talkover's retries do.
    const entry = await send(
      hook,
      hook.webhook_url,
      original.event,
      original.request_payload,
      original.attempt + 1,
    );
    // The campaign retry page: another message and no queued_at (§3.2, Retry).
    if (kindOf(hook) === 'campaign') {
      return ok('Webhook retry queued', { log_id: entry.id, original_log_id: original.id });
    }
    return ok('Webhook retry queued successfully', {
      log_id: entry.id,
      original_log_id: original.id,
      queued_at: entry.created_at,
    });
  };

  const control = (req: EmulatorRequest, which: string, id: string | undefined): EmulatorResponse => {
    const method = req.method.toUpperCase();
    const campaigns = which === 'campaigns';
    const missing = campaigns ? missingCampaigns : missingAgents;
    const key = campaigns ? 'campaignId' : 'agentId';
    if (id === undefined && method === 'GET')
      return { status: 200, body: { [campaigns ? 'missing_campaigns' : 'missing_agents']: [...missing] } };
    if (id === undefined && method === 'POST') {
      const body = parseJson(req.body);
      const scopeId = isRecord(body) ? body[key] : undefined;
      if (typeof scopeId !== 'string' || !UUID_RE.test(scopeId)) {
        return invalid({ [key]: [`The ${campaigns ? 'campaign' : 'agent'} id field must be a valid UUID.`] });
      }
      missing.add(scopeId.toLowerCase());
      return { status: 204 };
    }
    if (method === 'DELETE') {
      if (id === undefined) missing.clear();
      else missing.delete(id.toLowerCase());
      return { status: 204 };
    }
    return {
      status: 405,
      headers: { allow: id === undefined ? 'GET, POST, DELETE' : 'DELETE' },
      body: { message: 'Method not allowed.' },
    };
  };

  const emulator: TalkoverEmulator = {
    async handle(req: EmulatorRequest): Promise<EmulatorResponse> {
      const method = req.method.toUpperCase();
      const controlMatch = CONTROL_RE.exec(req.path);
      if (controlMatch !== null) return control(req, controlMatch[1] ?? 'agents', controlMatch[2]);

      const route = ROUTE_RE.exec(req.path);
      if (route === null) {
        return { status: 404, body: { message: `The route api/v1${req.path} could not be found.` } };
      }
      const [, collection, rawScope = '', rawId, action, rawLogId, retryAction] = route;
      const kind: Kind = collection === 'campaigns' ? 'campaign' : 'agent';
      const allowed = allowedMethods(rawId !== undefined, action, retryAction !== undefined);
      if (!allowed.includes(method)) {
        return {
          status: 405,
          headers: { allow: allowed.join(', ') },
          body: {
            message: `The ${method} method is not supported for route api/v1${req.path}. Supported methods: ${allowed.join(', ')}.`,
          },
        };
      }
      const unauthorised = authError(req, kind);
      if (unauthorised !== undefined) return unauthorised;

      const scopeId = decodeSegment(rawScope).toLowerCase();
      if (kind === 'campaign' && (!UUID_RE.test(scopeId) || missingCampaigns.has(scopeId))) {
        return failure(404, 'Campaign not found');
      }
      if (!UUID_RE.test(scopeId) || missingAgents.has(scopeId)) {
        return failure(404, 'Agent not found in this environment.');
      }
      if (rawId === undefined) {
        if (method === 'POST') return create(kind, scopeId, req);
        // The agent list's catalog is an object of name → description, the campaign list's an array (§3.2).
        return ok(undefined, {
          webhooks: hooks.filter((hook) => inScope(hook, kind, scopeId)).map(shown),
          available_events: kind === 'campaign' ? Object.keys(CAMPAIGN_EVENTS) : { ...availableEvents },
        });
      }
      const hook = find(kind, scopeId, decodeSegment(rawId));
      if (hook === undefined) return failure(404, 'Webhook not found.');
      if (action === 'toggle') {
        hook.enabled = !hook.enabled;
        hook.updated_at = kind === 'campaign' ? campaignNow() : laravelNow();
        const message = hook.enabled ? 'Webhook enabled' : 'Webhook disabled';
        // The campaign toggle page's answer: id and enabled only (§3.2).
        if (kind === 'campaign') return ok(message, part(hook, ['id', 'enabled']));
        return ok(message, shown(hook));
      }
      if (action === 'test') return kind === 'campaign' ? campaignTest(hook) : test(hook, req);
      if (action === 'logs') {
        return rawLogId === undefined ? listLogs(hook, req) : retry(hook, decodeSegment(rawLogId));
      }
      if (method === 'GET') return ok(undefined, shown(hook));
      if (method === 'PUT') return update(hook, req);
      hooks = hooks.filter((other) => other !== hook);
      // Talkover keeps a deleted campaign webhook's past logs (§3.2, Delete); nothing can read them here.
      logs = logs.filter((entry) => entry.webhook_id !== hook.id);
      const deleted = kind === 'campaign' ? 'Campaign webhook deleted' : 'Webhook deleted successfully';
      return { status: 200, body: { success: true, message: deleted } };
    },

    snapshot(): unknown {
      return {
        webhooks: structuredClone(hooks),
        logs: structuredClone(logs),
        missingAgents: [...missingAgents],
        missingCampaigns: [...missingCampaigns],
      };
    },

    restore(state: unknown): void {
      if (!isRecord(state) || !Array.isArray(state.webhooks) || !state.webhooks.every(isStoredWebhook)) {
        throw new TypeError(
          'Talkover emulator state must be {"webhooks": [...], "logs"?: [...], "missingAgents"?: [...]}',
        );
      }
      const savedLogs = state.logs ?? [];
      const savedMissing = state.missingAgents ?? [];
      const savedCampaigns = state.missingCampaigns ?? [];
      if (!Array.isArray(savedCampaigns) || !savedCampaigns.every((a) => typeof a === 'string')) {
        throw new TypeError('Talkover emulator state: missingCampaigns must be strings');
      }
      if (!Array.isArray(savedLogs) || !savedLogs.every(isWireLog))
        throw new TypeError('Talkover emulator state: bad logs');
      if (!Array.isArray(savedMissing) || !savedMissing.every((a) => typeof a === 'string')) {
        throw new TypeError('Talkover emulator state: missingAgents must be strings');
      }
      hooks = structuredClone(state.webhooks);
      logs = structuredClone(savedLogs);
      missingAgents.clear();
      for (const agent of savedMissing) missingAgents.add(agent.toLowerCase());
      missingCampaigns.clear();
      for (const campaign of savedCampaigns) missingCampaigns.add(campaign.toLowerCase());
    },

    webhooks: () => structuredClone(hooks),

    logs: (webhookId) =>
      structuredClone(
        webhookId === undefined ? logs : logs.filter((entry) => entry.webhook_id === webhookId),
      ),

    setAgentMissing(agentId, missing = true) {
      if (!UUID_RE.test(agentId)) throw new TypeError(`setAgentMissing: ${agentId} is not a UUID`);
      if (missing) missingAgents.add(agentId.toLowerCase());
      else missingAgents.delete(agentId.toLowerCase());
    },

    setCampaignMissing(campaignId, missing = true) {
      if (!UUID_RE.test(campaignId)) throw new TypeError(`setCampaignMissing: ${campaignId} is not a UUID`);
      if (missing) missingCampaigns.add(campaignId.toLowerCase());
      else missingCampaigns.delete(campaignId.toLowerCase());
    },

    seedLogs(webhookId, count, seed = {}) {
      const hook = hooks.find((h) => h.id === webhookId);
      if (hook === undefined) throw new Error(`No Talkover webhook ${webhookId} in the emulator`);
      const status = seed.status ?? 'failed';
      const made: TalkoverWireLog[] = [];
      const base = Date.now() - (seed.ageDays ?? 0) * 24 * 60 * 60 * 1000;
      for (let i = 0; i < count; i++) {
        const at = laravelTime(base - (count - i) * 1000);
        made.push({
          id: randomUUID(),
          webhook_id: hook.id,
          event: seed.event ?? hook.events[0] ?? 'event_phone_call_ended',
          attempt: 1,
          status,
          http_status: status === 'success' ? 200 : status === 'failed' ? 500 : null,
          request_payload: { call_id: randomUUID(), duration: 45 },
          response_body: status === 'success' ? 'ok' : status === 'failed' ? 'Internal Server Error' : null,
          response_headers: {},
          duration_ms: 20 + i,
          delivered_at: status === 'pending' ? null : at,
          created_at: at,
          ...(status === 'failed' ? { error: 'HTTP 500 Internal Server Error' } : {}),
        });
      }
      // Newest first, as the logs route lists them.
      logs = [...made.reverse(), ...logs].sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at));
      return structuredClone(made);
    },

    async deliver(webhookId, event, payload, attempt = 1) {
      const hook = hooks.find((h) => h.id === webhookId);
      if (hook === undefined) throw new Error(`No Talkover webhook ${webhookId} in the emulator`);
      const body =
        payload ??
        (kindOf(hook) === 'campaign'
          ? campaignPayload(hook, event)
          : { event, agent_id: hook.agent_id, webhook_id: hook.id, timestamp: new Date().toISOString() });
      return send(hook, hook.webhook_url, event, body, attempt);
    },
  };
  return emulator;
}

// ---------------------------------------------------------------------------------------------------------
// Delivery

type DeliveryResult =
  | { status: number; body: string; headers: Record<string, string>; durationMs: number }
  | { error: string; durationMs: number | null };

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::1\])$/i;
const MAX_RESPONSE_CHARS = 10_000;

/** One HTTP request to a loopback URL; any other host is refused without a connection attempt. */
function deliver(
  target: string,
  method: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<DeliveryResult> {
  const url = new URL(target);
  if (!LOOPBACK.test(url.hostname)) {
    return Promise.resolve({
      error: `the emulator delivers only to loopback addresses (127.0.0.1, localhost, [::1]), not ${url.hostname}`,
      durationMs: null,
    });
  }
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      url,
      {
        method,
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        timeout: timeoutMs,
        // A local https endpoint has a self-signed certificate as often as not.
        rejectUnauthorized: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const headerRecord: Record<string, string> = {};
          for (const [key, value] of Object.entries(res.headers)) {
            if (value !== undefined) headerRecord[key] = Array.isArray(value) ? value.join(', ') : value;
          }
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8').slice(0, MAX_RESPONSE_CHARS),
            headers: headerRecord,
            durationMs: elapsed(),
          });
        });
        res.on('error', (error) =>
          resolve({ error: `Connection error (${error.message})`, durationMs: elapsed() }),
        );
      },
    );
    req.on('timeout', () => {
      req.destroy();
      resolve({ error: 'Connection timeout', durationMs: elapsed() });
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      const what =
        error.code === 'ECONNREFUSED'
          ? 'Connection refused'
          : `Connection error (${error.code ?? error.message})`;
      resolve({ error: what, durationMs: elapsed() });
    });
    req.end(body);
  });
}

// ---------------------------------------------------------------------------------------------------------
// Validation, as Laravel's FormRequest rules of the create page (docs/providers/talkover.md §2.2; seed 001)

interface WritableFields {
  name?: string;
  webhook_url?: string;
  webhook_secret?: string | null;
  events?: string[];
  timeout?: number;
  max_retries?: number;
  enabled?: boolean;
  http_method?: (typeof HTTP_METHODS)[number];
  authorization_scheme?: string;
  custom_headers?: { key: string; value: string }[];
  payload_templates?: Record<string, unknown>;
  include_call_events?: boolean;
}

function validate(
  data: unknown,
  mode: 'create' | 'update',
  availableEvents: Record<string, string>,
  kind: Kind = 'agent',
): { fields: WritableFields } | { errors: FieldErrors } {
  // Laravel reads a body that is not a JSON object as no input at all.
  const body = isRecord(data) ? data : {};
  const errors: FieldErrors = {};
  const fields: WritableFields = {};
  const add = (field: string, message: string) => (errors[field] ??= []).push(message);
  const present = (field: string) => body[field] !== undefined && body[field] !== null && body[field] !== '';
  const required = (field: string, label: string) => {
    if (mode === 'create' && !present(field)) add(field, `The ${label} field is required.`);
    return present(field);
  };

  if (required('name', 'name')) {
    if (typeof body.name !== 'string') add('name', 'The name field must be a string.');
    else if (body.name.length > 255) add('name', 'The name field must not be greater than 255 characters.');
    else fields.name = body.name;
  }
  if (required('webhook_url', 'webhook url')) {
    if (typeof body.webhook_url !== 'string' || !isHttpUrl(body.webhook_url)) {
      add('webhook_url', 'The webhook url field must be a valid URL.');
    } else if (body.webhook_url.length > 500) {
      add('webhook_url', 'The webhook url field must not be greater than 500 characters.');
    } else fields.webhook_url = body.webhook_url;
  }
  if (body.webhook_secret === null) fields.webhook_secret = null;
  else if (body.webhook_secret !== undefined) {
    if (typeof body.webhook_secret !== 'string')
      add('webhook_secret', 'The webhook secret field must be a string.');
    else if (body.webhook_secret.length > 255) {
      add('webhook_secret', 'The webhook secret field must not be greater than 255 characters.');
    } else fields.webhook_secret = body.webhook_secret;
  }
  if (required('events', 'events') || (mode === 'update' && body.events !== undefined)) {
    const events = body.events;
    if (!Array.isArray(events)) add('events', 'The events field must be an array.');
    else if (events.length === 0) add('events', 'The events field must contain at least 1 items.');
    else {
      events.forEach((event: unknown, index) => {
        if (typeof event !== 'string' || !Object.hasOwn(availableEvents, event)) {
          add(`events.${index}`, `The selected events.${index} is invalid.`);
        }
      });
      if (!Object.keys(errors).some((k) => k.startsWith('events.')))
        fields.events = [...new Set(events as string[])];
    }
  }
  const integer = (field: 'timeout' | 'max_retries', label: string, min: number, max: number) => {
    const value = body[field];
    if (value === undefined || value === null) return;
    if (typeof value !== 'number' || !Number.isInteger(value))
      add(field, `The ${label} field must be an integer.`);
    else if (value < min || value > max) add(field, `The ${label} field must be between ${min} and ${max}.`);
    else fields[field] = value;
  };
  integer('timeout', 'timeout', 5, 120);
  integer('max_retries', 'max retries', 0, 10);
  if (body.enabled !== undefined && body.enabled !== null) {
    if (typeof body.enabled !== 'boolean') add('enabled', 'The enabled field must be true or false.');
    else fields.enabled = body.enabled;
  }
  // Campaign webhooks only (§3.1); Laravel drops a field its rules do not name, as on an agent webhook.
  if (kind === 'campaign' && body.include_call_events !== undefined && body.include_call_events !== null) {
    if (typeof body.include_call_events !== 'boolean')
      add('include_call_events', 'The include call events field must be true or false.');
    else fields.include_call_events = body.include_call_events;
  }
  if (body.http_method !== undefined && body.http_method !== null) {
    const value = body.http_method;
    if (typeof value !== 'string' || !(HTTP_METHODS as readonly string[]).includes(value)) {
      add('http_method', 'The selected http method is invalid.');
    } else fields.http_method = value as WritableFields['http_method'];
  }
  if (body.authorization_scheme !== undefined && body.authorization_scheme !== null) {
    const value = body.authorization_scheme;
    if (typeof value !== 'string' || !AUTH_SCHEMES.includes(value)) {
      add('authorization_scheme', 'The selected authorization scheme is invalid.');
    } else fields.authorization_scheme = value;
  }
  if (body.custom_headers !== undefined && body.custom_headers !== null) {
    const value = body.custom_headers;
    if (!Array.isArray(value)) add('custom_headers', 'The custom headers field must be an array.');
    else {
      const list: { key: string; value: string }[] = [];
      value.forEach((header: unknown, index) => {
        const h = isRecord(header) ? header : {};
        for (const part of ['key', 'value'] as const) {
          if (typeof h[part] !== 'string' || h[part] === '') {
            add(`custom_headers.${index}.${part}`, `The custom_headers.${index}.${part} field is required.`);
          }
        }
        if (typeof h.key === 'string' && typeof h.value === 'string')
          list.push({ key: h.key, value: h.value });
      });
      if (list.length === value.length) fields.custom_headers = list;
    }
  }
  if (body.payload_templates !== undefined && body.payload_templates !== null) {
    if (!isRecord(body.payload_templates))
      add('payload_templates', 'The payload templates field must be an array.');
    else fields.payload_templates = structuredClone(body.payload_templates);
  }
  return Object.keys(errors).length > 0 ? { errors } : { fields };
}

// ---------------------------------------------------------------------------------------------------------
// Helpers

function allowedMethods(hasId: boolean, action: string | undefined, isRetry: boolean): string[] {
  if (!hasId) return ['GET', 'POST'];
  if (isRetry) return ['POST'];
  if (action === 'toggle') return ['PATCH'];
  if (action === 'test') return ['POST'];
  if (action === 'logs') return ['GET'];
  return ['GET', 'PUT', 'DELETE'];
}

/** Laravel's JSON timestamps: microseconds and a Z (`2025-09-03T23:19:51.000000Z`). */
function laravelTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

function laravelNow(): string {
  return laravelTime(Date.now());
}

/** The campaign pages' timestamps: seconds and a Z (`2024-01-15T15:00:00Z`, docs/providers/talkover.md §3.2). */
function campaignNow(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The campaign status a campaign event leaves (Talkover's statuses: draft, active, paused, completed). */
function campaignStatus(event: string): string {
  if (event === 'campaign.started') return 'active';
  if (event === 'campaign.paused') return 'paused';
  if (event === 'campaign.completed') return 'completed';
  return 'draft';
}

/** Log entries inside the 30 days Talkover keeps them (docs/providers/talkover.md §2.2, Logs). */
function retained(entries: TalkoverWireLog[]): TalkoverWireLog[] {
  const oldest = Date.now() - RETENTION_MS;
  return entries.filter((entry) => Date.parse(entry.created_at) >= oldest);
}

function intParam(raw: string | null, fallback: number): number | undefined {
  if (raw === null || raw === '') return fallback;
  return /^\d{1,9}$/.test(raw.trim()) ? Number(raw.trim()) : undefined;
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return {};
  }
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isStoredWebhook(value: unknown): value is TalkoverStoredWebhook {
  if (!isRecord(value)) return false;
  const strings = (v: unknown) => Array.isArray(v) && v.every((item) => typeof item === 'string');
  return (
    typeof value.id === 'string' &&
    (typeof value.agent_id === 'string') !== (typeof value.campaign_id === 'string') &&
    (value.include_call_events === undefined || typeof value.include_call_events === 'boolean') &&
    typeof value.name === 'string' &&
    typeof value.webhook_url === 'string' &&
    strings(value.events) &&
    typeof value.timeout === 'number' &&
    typeof value.max_retries === 'number' &&
    typeof value.enabled === 'boolean' &&
    typeof value.created_at === 'string' &&
    typeof value.updated_at === 'string' &&
    typeof value.http_method === 'string' &&
    typeof value.authorization_scheme === 'string' &&
    Array.isArray(value.custom_headers) &&
    isRecord(value.payload_templates) &&
    (value.webhook_secret === null || typeof value.webhook_secret === 'string')
  );
}

function isWireLog(value: unknown): value is TalkoverWireLog {
  return (
    isRecord(value) &&
    typeof value.id === 'string' &&
    typeof value.webhook_id === 'string' &&
    typeof value.event === 'string' &&
    typeof value.attempt === 'number' &&
    typeof value.status === 'string' &&
    typeof value.created_at === 'string'
  );
}

// ---- deliveries (`emulator trigger`) ----

/**
 * Each attempt is a delivery log entry; up to the webhook's `max_retries` retries (its backoff is undocumented:
 * 10 s doubling here), with the webhook's method, custom headers and timeout (docs/providers/talkover.md §2.2).
 */
const retriesS = (maxRetries: number) => Array.from({ length: maxRetries }, (_, i) => 10 * 2 ** i);

/**
 * Whether a webhook receives `event`. An agent webhook gets the events it subscribes to. A campaign webhook gets
 * the campaign-level events it subscribes to, and the per-call events of the campaign's calls when
 * `include_call_events` is on, subscribed or not: "When `true`, also delivers per-call events for calls in this
 * campaign" (docs/providers/talkover.md §3.3; which per-call events, and whether they must be listed, is
 * silent, and this is the emulator's reading).
 */
function receives(hook: TalkoverStoredWebhook, event: string): boolean {
  if (!hook.enabled) return false;
  if (kindOf(hook) === 'agent' || !TALKOVER_PER_CALL_EVENTS.includes(event))
    return hook.events.includes(event);
  return hook.include_call_events === true;
}

async function trigger(
  emulator: TalkoverEmulator,
  event: string,
  schedule: Schedule,
  scope: Readonly<Record<string, string | undefined>> = {},
): Promise<TriggerDelivery[]> {
  // A scope (--agent or --campaign) narrows the trigger to its webhooks: an event of that agent or campaign.
  const wanted = (hook: TalkoverStoredWebhook) =>
    (scope.agent === undefined || hook.agent_id === scope.agent.toLowerCase()) &&
    (scope.campaign === undefined || hook.campaign_id === scope.campaign.toLowerCase());
  const hooks = emulator.webhooks().filter((hook) => wanted(hook) && receives(hook, event));
  return Promise.all(
    hooks.map(async (hook) => {
      // Talkover documents no event payloads (docs/providers/talkover.md §2.2): a webhook's own template for the event
      // when it has one, else an envelope naming the event, agent or campaign, webhook and a call.
      const payload =
        hook.payload_templates[event] ??
        (kindOf(hook) === 'campaign'
          ? undefined
          : {
              event,
              agent_id: hook.agent_id,
              webhook_id: hook.id,
              timestamp: new Date().toISOString(),
              data: { call_id: randomUUID(), direction: 'outbound', duration: 45 },
            });
      const logIds: string[] = [];
      const result = await withRetries(
        schedule.waits(retriesS(hook.max_retries)),
        async (attempt) => {
          const log = await emulator.deliver(hook.id, event, payload, attempt);
          logIds.push(log.id);
          const ok = log.status === 'success';
          return {
            ok,
            status: log.http_status,
            error: ok ? null : (log.error ?? 'failed'),
            latencyMs: log.duration_ms ?? 0,
          };
        },
        () => true,
      );
      return {
        provider: 'talkover',
        event,
        webhookId: hook.id,
        url: hook.webhook_url,
        method: hook.http_method,
        deliveryId: null,
        ...result,
        webhook: {
          enabled: hook.enabled,
          maxRetries: hook.max_retries,
          logIds,
          ...(hook.campaign_id !== undefined
            ? { campaignId: hook.campaign_id, includeCallEvents: hook.include_call_events === true }
            : {}),
        },
      };
    }),
  );
}

/** The Talkover emulator module (`talkover.loadEmulator()`). */
export const talkoverEmulator: EmulatorModule<TalkoverEmulator> = {
  create: (options) => createTalkoverEmulator(options as TalkoverEmulatorOptions),
  trigger,
  errorBody: (_status, message) => ({ success: false, message }),
};
