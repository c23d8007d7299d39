/**
 * A stateful emulator of ElevenLabs' workspace webhooks and the ConvAI settings that attach them to agents,
 * speaking the wire format of test/specs/elevenlabs.openapi.yaml (docs/providers/elevenlabs.md):
 *
 * - `GET/POST /v1/workspace/webhooks`, `PATCH/DELETE /v1/workspace/webhooks/{id}`; no get-one, test or rotate
 *   route (404 like any unknown path). The secret is in the answer to a create only. `include_usages=true`
 *   fills `usage` and `events`, and is refused (403) to keys added with `addMemberKey` (not admins).
 * - `GET/PATCH /v1/convai/settings` and `GET/PATCH /v1/convai/agents/{id}`: every well-formed agent id is an
 *   agent of the emulated workspace, made on first use.
 * - Deliveries (`emulator trigger`): signed `ElevenLabs-Signature`, a success is exactly 200, retries (5
 *   attempts: at once, 30 s, 2 min, 8 min, 30 min) only for post-call transcriptions of a webhook with
 *   `retry_enabled`, and the auto-disable rule: 10 or more consecutive failures and no success for 7 days.
 *
 * Where ElevenLabs is silent, the emulator's choices (the guide lists them): a 404 `{detail: {…}}` for an
 * unknown webhook id; a delete refused with 400 while the ConvAI settings or an agent point at the webhook
 * ("can be deleted if not in use by any products"); `is_disabled: false` does not clear `is_auto_disabled`
 * ("Auto-disabled webhooks require re-enabling from the settings page"); a plain-http URL is refused but on a
 * loopback host (for `listen`); a PATCH of the settings changes only the fields it names.
 */
import { randomBytes } from 'node:crypto';
import { decodeSegment, headerValue } from '../../emulator/kit.ts';
import type {
  EmulatorModule,
  EmulatorRequest,
  EmulatorResponse,
  ProviderEmulator,
  Schedule,
  TriggerDelivery,
} from '../../emulator/kit.ts';
import { isLoopbackHost } from '../../input.ts';
import { ELEVENLABS_EVENTS } from './events.ts';
import type { Entry, ElevenLabsWireWebhook } from './emulator-state.ts';

/** `WebhookEventType` (ConvAI settings) and `WorkspaceWebhookEventType` (the webhook's own `events`). */
const SWITCHES = [
  'transcript',
  'audio',
  'call_initiation_failure',
  'unredacted_transcript',
  'unredacted_audio',
];
const WORKSPACE_EVENTS = ['voice_library_removal_notice', 'speech_to_text', 'agent_qa', 'flows'];
/** `WebhookUsageType` of each workspace event. */
const EVENT_USAGE: Record<string, string> = {
  voice_library_removal_notice: 'Voice Library Removal Notices',
  speech_to_text: 'Speech to Text',
  agent_qa: 'Agent QA Evaluations',
  flows: 'Flows',
};
const TOKEN = /^[^\s/?#]+$/;
const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
type Json = Record<string, unknown>;

export interface ElevenLabsEmulatorOptions {
  /** The accepted `xi-api-key`; absent = any non-empty key is accepted. */
  apiKey?: string;
}

export type ElevenLabsEmulator = ProviderEmulator & {
  webhooks(): ElevenLabsWireWebhook[];
  signingSecret(id: string): string | undefined;
  /** The custom headers and retry switch a webhook was given (write-only on the wire). */
  hidden(id: string): { requestHeaders: Record<string, string> | null; retryEnabled: boolean } | undefined;
  settings(): Json;
  agent(id: string): Json | undefined;
  /** A key accepted for everything but `include_usages=true` (a workspace member, not an admin). */
  addMemberKey(key: string): void;
  /** Marks a webhook auto-disabled, as the rule would after its failures. */
  autoDisable(id: string): void;
  /** `emulator trigger`: delivers the event as ElevenLabs would (./deliveries.ts). */
  deliver(event: string, schedule: Schedule): Promise<TriggerDelivery[]>;
};

interface Problem {
  loc: (string | number)[];
  msg: string;
  type: string;
}

const invalid = (problems: Problem[]): EmulatorResponse => ({ status: 422, body: { detail: problems } });
const detail = (status: number, type: string, code: string, message: string): EmulatorResponse => ({
  status,
  body: { detail: { type, code, message, status: code, request_id: randomBytes(16).toString('hex') } },
});

export function createElevenLabsEmulator(options: ElevenLabsEmulatorOptions = {}): ElevenLabsEmulator {
  let entries: Entry[] = [];
  let settings: Json = defaultSettings();
  let agents: Record<string, Json> = {};
  const memberKeys = new Set<string>();

  const keyOf = (req: EmulatorRequest) => headerValue(req.headers['xi-api-key']);
  const authorised = (key: string | undefined): boolean =>
    key !== undefined &&
    key !== '' &&
    (options.apiKey === undefined || key === options.apiKey || memberKeys.has(key));

  /** The products that point at a webhook (`usage`), and whether any of them blocks a delete. */
  const productsOf = (id: string): string[] => {
    const products: string[] = [];
    if (webhooksOf(settings).post_call_webhook_id === id) products.push('ConvAI Settings');
    if (Object.values(agents).some((agent) => agentHooks(agent).post_call_webhook_id === id)) {
      products.push('ConvAI Agent Settings');
    }
    return products;
  };

  const listed = (entry: Entry, usages: boolean): Json => {
    const webhook = structuredClone(entry.webhook) as unknown as Json;
    if (!usages) return { ...webhook, usage: null, events: null };
    const usage = [
      ...productsOf(entry.webhook.webhook_id),
      ...entry.webhook.events.map((e) => EVENT_USAGE[e] ?? e),
    ];
    return { ...webhook, usage: usage.map((usage_type) => ({ usage_type })) };
  };

  const find = (rawId: string): Entry | EmulatorResponse => {
    const id = decodeSegment(rawId);
    return (
      entries.find((e) => e.webhook.webhook_id === id) ??
      detail(404, 'not_found', 'webhook_not_found', `Webhook ${id} was not found in this workspace.`)
    );
  };

  const list = (req: EmulatorRequest): EmulatorResponse => {
    const raw = req.query.get('include_usages');
    if (raw !== null && !['true', 'false', '1', '0'].includes(raw)) {
      return invalid([
        { loc: ['query', 'include_usages'], msg: 'Input should be a valid boolean', type: 'bool_parsing' },
      ]);
    }
    const usages = raw === 'true' || raw === '1';
    if (usages && memberKeys.has(keyOf(req) ?? '')) {
      return detail(
        403,
        'authorization_error',
        'insufficient_permissions',
        'include_usages is only usable by workspace admins.',
      );
    }
    return { status: 200, body: { webhooks: entries.map((entry) => listed(entry, usages)) } };
  };

  const create = (body: unknown): EmulatorResponse => {
    const problems: Problem[] = [];
    const settingsBody = isObject(body) ? body.settings : undefined;
    if (!isObject(settingsBody)) {
      problems.push({ loc: ['body', 'settings'], msg: 'Field required', type: 'missing' });
      return invalid(problems);
    }
    const { auth_type: authType, name, webhook_url: url, request_headers: headers } = settingsBody;
    if (authType !== 'hmac') {
      problems.push({
        loc: ['body', 'settings', 'auth_type'],
        msg: "Input should be 'hmac'",
        type: 'literal_error',
      });
    }
    if (typeof name !== 'string')
      problems.push({
        loc: ['body', 'settings', 'name'],
        msg: 'Input should be a valid string',
        type: 'string_type',
      });
    const urlProblem = checkUrl(url);
    if (urlProblem)
      problems.push({ loc: ['body', 'settings', 'webhook_url'], msg: urlProblem, type: 'value_error' });
    if (headers !== undefined && headers !== null && !isStringRecord(headers)) {
      problems.push({
        loc: ['body', 'settings', 'request_headers'],
        msg: 'Input should be a valid dictionary',
        type: 'dict_type',
      });
    }
    if (problems.length > 0) return invalid(problems);
    const entry: Entry = {
      webhook: {
        webhook_id: newId(),
        name: name as string,
        webhook_url: url as string,
        is_disabled: false,
        is_auto_disabled: false,
        created_at_unix: Math.floor(Date.now() / 1000),
        auth_type: 'hmac',
        events: [],
        most_recent_failure_error_code: null,
        most_recent_failure_timestamp: null,
      },
      secret: newSecret(),
      requestHeaders: isStringRecord(headers) ? { ...headers } : null,
      retryEnabled: false,
      consecutiveFailures: 0,
      lastSuccessMs: null,
    };
    entries.push(entry);
    return { status: 200, body: { webhook_id: entry.webhook.webhook_id, webhook_secret: entry.secret } };
  };

  const update = (entry: Entry, body: unknown): EmulatorResponse => {
    if (!isObject(body))
      return invalid([{ loc: ['body'], msg: 'Input should be a valid dictionary', type: 'dict_type' }]);
    const problems: Problem[] = [];
    const { is_disabled: disabled, name, retry_enabled: retry, request_headers: headers, events } = body;
    if (disabled === undefined)
      problems.push({ loc: ['body', 'is_disabled'], msg: 'Field required', type: 'missing' });
    else if (typeof disabled !== 'boolean')
      problems.push({
        loc: ['body', 'is_disabled'],
        msg: 'Input should be a valid boolean',
        type: 'bool_type',
      });
    if (name === undefined) problems.push({ loc: ['body', 'name'], msg: 'Field required', type: 'missing' });
    else if (typeof name !== 'string')
      problems.push({ loc: ['body', 'name'], msg: 'Input should be a valid string', type: 'string_type' });
    if (retry !== undefined && retry !== null && typeof retry !== 'boolean') {
      problems.push({
        loc: ['body', 'retry_enabled'],
        msg: 'Input should be a valid boolean',
        type: 'bool_type',
      });
    }
    if (headers !== undefined && headers !== null && !isStringRecord(headers)) {
      problems.push({
        loc: ['body', 'request_headers'],
        msg: 'Input should be a valid dictionary',
        type: 'dict_type',
      });
    }
    if (events !== undefined && events !== null) {
      if (!Array.isArray(events))
        problems.push({ loc: ['body', 'events'], msg: 'Input should be a valid list', type: 'list_type' });
      else {
        events.forEach((event: unknown, i) => {
          if (typeof event !== 'string' || !WORKSPACE_EVENTS.includes(event)) {
            problems.push({
              loc: ['body', 'events', i],
              msg: `Input should be ${WORKSPACE_EVENTS.map((e) => `'${e}'`).join(', ')}`,
              type: 'enum',
            });
          }
        });
      }
    }
    if (problems.length > 0) return invalid(problems);
    entry.webhook.is_disabled = disabled as boolean;
    entry.webhook.name = name as string;
    if (typeof retry === 'boolean') entry.retryEnabled = retry;
    // Whether null clears the headers is undocumented: here it does, and an absent field keeps them.
    if (headers === null) entry.requestHeaders = null;
    else if (isStringRecord(headers)) entry.requestHeaders = { ...headers };
    // "Omit to leave the current event subscriptions unchanged."
    if (Array.isArray(events)) entry.webhook.events = [...new Set(events as string[])];
    return { status: 200, body: { status: 'ok' } };
  };

  const remove = (entry: Entry): EmulatorResponse => {
    const products = productsOf(entry.webhook.webhook_id);
    if (products.length > 0) {
      return detail(
        400,
        'invalid_request',
        'webhook_in_use',
        `The webhook is in use by: ${products.join(', ')}. Detach it first.`,
      );
    }
    entries = entries.filter((e) => e !== entry);
    return { status: 200, body: { status: 'ok' } };
  };

  /** Problems of a `ConvAIWebhooks` object at `loc`. */
  const webhooksProblems = (value: unknown, loc: (string | number)[]): Problem[] => {
    if (!isObject(value)) return [{ loc, msg: 'Input should be a valid dictionary', type: 'dict_type' }];
    const problems: Problem[] = [];
    const id = value.post_call_webhook_id;
    if (id !== undefined && id !== null) {
      if (typeof id !== 'string')
        problems.push({
          loc: [...loc, 'post_call_webhook_id'],
          msg: 'Input should be a valid string',
          type: 'string_type',
        });
      else if (!entries.some((e) => e.webhook.webhook_id === id)) {
        problems.push({
          loc: [...loc, 'post_call_webhook_id'],
          msg: `Webhook ${id} does not exist`,
          type: 'value_error',
        });
      }
    }
    if (value.events !== undefined) {
      if (!Array.isArray(value.events))
        problems.push({ loc: [...loc, 'events'], msg: 'Input should be a valid list', type: 'list_type' });
      else {
        value.events.forEach((event: unknown, i) => {
          if (typeof event !== 'string' || !SWITCHES.includes(event)) {
            problems.push({
              loc: [...loc, 'events', i],
              msg: `Input should be ${SWITCHES.map((e) => `'${e}'`).join(', ')}`,
              type: 'enum',
            });
          }
        });
      }
    }
    if (
      value.transcript_format !== undefined &&
      value.transcript_format !== 'json' &&
      value.transcript_format !== 'opentelemetry'
    ) {
      problems.push({
        loc: [...loc, 'transcript_format'],
        msg: "Input should be 'json' or 'opentelemetry'",
        type: 'enum',
      });
    }
    return problems;
  };

  const patchSettings = (body: unknown): EmulatorResponse => {
    if (!isObject(body))
      return invalid([{ loc: ['body'], msg: 'Input should be a valid dictionary', type: 'dict_type' }]);
    const problems: Problem[] =
      body.webhooks === undefined ? [] : webhooksProblems(body.webhooks, ['body', 'webhooks']);
    const days = body.rag_retention_period_days;
    if (
      days !== undefined &&
      (typeof days !== 'number' || !Number.isInteger(days) || days <= 0 || days > 30)
    ) {
      problems.push({
        loc: ['body', 'rag_retention_period_days'],
        msg: 'Input should be an integer from 1 to 30',
        type: 'value_error',
      });
    }
    if (problems.length > 0) return invalid(problems);
    for (const key of [
      'conversation_initiation_client_data_webhook',
      'can_use_mcp_servers',
      'rag_retention_period_days',
      'conversation_embedding_retention_days',
      'default_livekit_stack',
    ]) {
      if (key in body) settings[key] = structuredClone(body[key]);
    }
    if (isObject(body.webhooks))
      settings.webhooks = { ...webhooksOf(settings), ...structuredClone(body.webhooks) };
    return { status: 200, body: structuredClone(settings) };
  };

  const agentOf = (rawId: string): Json | EmulatorResponse => {
    const id = decodeSegment(rawId);
    if (!TOKEN.test(id)) return detail(404, 'not_found', 'agent_not_found', `Agent ${id} was not found.`);
    agents[id] ??= {
      agent_id: id,
      name: `Emulated agent ${Object.keys(agents).length + 1}`,
      conversation_config: {},
      metadata: {
        created_at_unix_secs: Math.floor(Date.now() / 1000),
        updated_at_unix_secs: Math.floor(Date.now() / 1000),
      },
      platform_settings: { workspace_overrides: { webhooks: { post_call_webhook_id: null, events: [] } } },
      tags: [],
    };
    return agents[id];
  };

  const patchAgent = (agent: Json, body: unknown): EmulatorResponse => {
    if (!isObject(body))
      return invalid([{ loc: ['body'], msg: 'Input should be a valid dictionary', type: 'dict_type' }]);
    const platform = body.platform_settings;
    if (platform !== undefined && platform !== null) {
      if (!isObject(platform))
        return invalid([
          {
            loc: ['body', 'platform_settings'],
            msg: 'Input should be a valid dictionary',
            type: 'dict_type',
          },
        ]);
      const overrides = platform.workspace_overrides;
      if (isObject(overrides) && overrides.webhooks !== undefined) {
        const problems = webhooksProblems(overrides.webhooks, [
          'body',
          'platform_settings',
          'workspace_overrides',
          'webhooks',
        ]);
        if (problems.length > 0) return invalid(problems);
      }
      agent.platform_settings = { ...(agent.platform_settings as Json), ...structuredClone(platform) };
    }
    if (typeof body.name === 'string') agent.name = body.name;
    if (isObject(agent.metadata)) agent.metadata.updated_at_unix_secs = Math.floor(Date.now() / 1000);
    return { status: 200, body: structuredClone(agent) };
  };

  const route = (req: EmulatorRequest): EmulatorResponse => {
    const method = req.method.toUpperCase();
    const path = req.path.replace(/\/+$/, '') || '/';
    const body = (): unknown => parseBody(req.body);
    if (path === '/v1/workspace/webhooks') {
      if (method === 'GET') return list(req);
      if (method === 'POST') return withBody(body(), create);
      return methodNotAllowed();
    }
    const item = /^\/v1\/workspace\/webhooks\/([^/]+)$/.exec(path);
    if (item) {
      if (method !== 'PATCH' && method !== 'DELETE') return methodNotAllowed();
      const found = find(item[1] ?? '');
      if (!('webhook' in found)) return found;
      return method === 'DELETE' ? remove(found) : withBody(body(), (b) => update(found, b));
    }
    if (path === '/v1/convai/settings') {
      if (method === 'GET') return { status: 200, body: structuredClone(settings) };
      if (method === 'PATCH') return withBody(body(), patchSettings);
      return methodNotAllowed();
    }
    const agentMatch = /^\/v1\/convai\/agents\/([^/]+)$/.exec(path);
    if (agentMatch) {
      if (method !== 'GET' && method !== 'PATCH') return methodNotAllowed();
      const agent = agentOf(agentMatch[1] ?? '');
      if ('status' in agent && typeof agent.status === 'number') return agent as unknown as EmulatorResponse;
      return method === 'GET'
        ? { status: 200, body: structuredClone(agent) }
        : withBody(body(), (b) => patchAgent(agent as Json, b));
    }
    return { status: 404, body: { detail: 'Not Found' } };
  };

  const emulator: ElevenLabsEmulator = {
    handle(req) {
      const key = keyOf(req);
      if (!authorised(key)) {
        return key === undefined || key === ''
          ? { status: 401, body: { detail: { status: 'unauthorized', message: 'Authentication required.' } } }
          : detail(401, 'authentication_error', 'invalid_api_key', 'Invalid API key.');
      }
      return route(req);
    },

    snapshot() {
      // The state file may hold signing secrets (contract §Security): deliveries need them after a restart.
      return {
        webhooks: structuredClone(entries),
        settings: structuredClone(settings),
        agents: structuredClone(agents),
      };
    },

    restore(state) {
      // Settings and agents may be left out (a state of `{"webhooks": []}` is an empty workspace).
      const valid =
        isObject(state) &&
        Array.isArray(state.webhooks) &&
        (state.settings === undefined || isObject(state.settings)) &&
        (state.agents === undefined || isObject(state.agents));
      if (!valid) {
        throw new TypeError(
          'ElevenLabs emulator state must be {"webhooks": [...], "settings"?: {...}, "agents"?: {...}}',
        );
      }
      if (!(state.webhooks as unknown[]).every(isStoredEntry)) {
        throw new TypeError('ElevenLabs emulator state has a malformed webhook');
      }
      entries = structuredClone(state.webhooks as Entry[]);
      settings = isObject(state.settings) ? structuredClone(state.settings) : defaultSettings();
      agents = isObject(state.agents) ? (structuredClone(state.agents) as Record<string, Json>) : {};
    },

    webhooks: () => entries.map((e) => structuredClone(e.webhook)),
    signingSecret: (id) => entries.find((e) => e.webhook.webhook_id === id)?.secret,
    hidden(id) {
      const entry = entries.find((e) => e.webhook.webhook_id === id);
      return entry && { requestHeaders: entry.requestHeaders, retryEnabled: entry.retryEnabled };
    },
    settings: () => structuredClone(settings),
    agent: (id) => (agents[id] === undefined ? undefined : structuredClone(agents[id])),
    addMemberKey: (key) => void memberKeys.add(key),
    autoDisable(id) {
      const entry = entries.find((e) => e.webhook.webhook_id === id);
      if (entry) entry.webhook.is_auto_disabled = true;
    },

    async deliver(event, schedule) {
      const { deliverAll } = await import('./deliveries.ts');
      return deliverAll(event, schedule, {
        targets: () => targetsOf(event),
        entry: (id) => entries.find((e) => e.webhook.webhook_id === id),
      });
    },
  };

  /** Who gets one delivery of the event: the webhook and, for post-call events, the agent whose call it was. */
  function targetsOf(event: string): { id: string; agentId?: string }[] {
    const known = ELEVENLABS_EVENTS.find((e) => e.name === event);
    if (!known) return [];
    const live = (id: string | null | undefined): id is string =>
      typeof id === 'string' &&
      entries.some(
        (e) => e.webhook.webhook_id === id && !e.webhook.is_disabled && !e.webhook.is_auto_disabled,
      );
    if (known.kind === 'workspace') {
      return entries
        .filter((e) => e.webhook.events.includes(known.wire) && live(e.webhook.webhook_id))
        .map((e) => ({ id: e.webhook.webhook_id }));
    }
    const targets: { id: string; agentId?: string }[] = [];
    // A call of an agent without an override goes where the workspace settings say…
    const workspace = webhooksOf(settings);
    if (
      live(workspace.post_call_webhook_id) &&
      (workspace.events as string[] | undefined)?.includes(known.wire)
    ) {
      targets.push({ id: workspace.post_call_webhook_id });
    }
    // …and one of each agent with an override where its override says.
    for (const [agentId, agent] of Object.entries(agents)) {
      const hooks = agentHooks(agent);
      if (live(hooks.post_call_webhook_id) && (hooks.events as string[] | undefined)?.includes(known.wire)) {
        targets.push({ id: hooks.post_call_webhook_id, agentId });
      }
    }
    return targets;
  }

  return emulator;
}

export type { Entry as ElevenLabsEntry, ElevenLabsWireWebhook };

/** The emulator as the server hosts it (docs/providers/elevenlabs.md, "The emulator"). */
export const elevenlabsEmulator: EmulatorModule<ElevenLabsEmulator> = {
  create: (options) => createElevenLabsEmulator({ apiKey: options.apiKey }),
  trigger: (emulator, event, schedule) => emulator.deliver(event, schedule),
  // `{detail: {type, code, message, status, request_id}}`, ElevenLabs' error body for everything but a 422.
  errorBody: (status, message) => {
    const code = status === 429 ? 'rate_limit_exceeded' : 'internal_error';
    return { detail: { type: 'server_error', code, message, status: code } };
  },
};
// ---- helpers ----

function defaultSettings(): Json {
  return {
    conversation_initiation_client_data_webhook: null,
    webhooks: { post_call_webhook_id: null, events: ['transcript'], transcript_format: 'json' },
    can_use_mcp_servers: false,
    rag_retention_period_days: 10,
    default_livekit_stack: 'standard',
  };
}

function webhooksOf(settings: Json): { post_call_webhook_id?: string | null; events?: unknown } {
  return isObject(settings.webhooks) ? settings.webhooks : {};
}

function agentHooks(agent: Json): { post_call_webhook_id?: string | null; events?: unknown } {
  const platform = isObject(agent.platform_settings) ? agent.platform_settings : {};
  const overrides = isObject(platform.workspace_overrides) ? platform.workspace_overrides : {};
  return isObject(overrides.webhooks) ? overrides.webhooks : {};
}

function methodNotAllowed(): EmulatorResponse {
  return { status: 405, body: { detail: 'Method Not Allowed' } };
}

const NOT_JSON = Symbol('not json');

function parseBody(body: string): unknown {
  if (body.trim() === '') return undefined;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return NOT_JSON;
  }
}

function withBody(body: unknown, handle: (body: unknown) => EmulatorResponse): EmulatorResponse {
  if (body === NOT_JSON) return invalid([{ loc: ['body'], msg: 'JSON decode error', type: 'json_invalid' }]);
  if (body === undefined) return invalid([{ loc: ['body'], msg: 'Field required', type: 'missing' }]);
  return handle(body);
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return isObject(value) && Object.values(value).every((v) => typeof v === 'string');
}

/** "The HTTPS callback URL": https, or plain http to a loopback host (the emulator and `listen`). */
function checkUrl(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'Input should be a valid string';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'Value error, webhook_url must be an absolute URL';
  }
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return undefined;
  return 'Value error, webhook_url must use HTTPS';
}

/** Letters and digits, 28 of them, like the spec's example id `G007vmtq9uWYl7SUW9zGS8GZZa1K`. */
function newId(): string {
  return Array.from(randomBytes(28), (b) => ALPHANUMERIC[b % ALPHANUMERIC.length]).join('');
}

/** ElevenLabs documents no secret format; `wsec_` and 32 url-safe characters, the emulator's choice. */
function newSecret(): string {
  return `wsec_${randomBytes(24).toString('base64url')}`;
}

function isStoredEntry(value: unknown): value is Entry {
  if (!isObject(value) || !isObject(value.webhook)) return false;
  const w = value.webhook;
  return (
    typeof w.webhook_id === 'string' &&
    typeof w.name === 'string' &&
    typeof w.webhook_url === 'string' &&
    typeof w.is_disabled === 'boolean' &&
    typeof w.is_auto_disabled === 'boolean' &&
    Array.isArray(w.events) &&
    typeof value.secret === 'string' &&
    typeof value.retryEnabled === 'boolean' &&
    typeof value.consecutiveFailures === 'number'
  );
}
