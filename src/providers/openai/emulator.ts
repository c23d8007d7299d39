/**
 * A stateful emulator of OpenAI's webhook-endpoint API (`/webhook_endpoints`, `/webhook_event_types`),
 * speaking the wire format of test/specs/openai-webhooks.openapi.yaml, and of its deliveries
 * (docs/providers/openai.md).
 *
 * As OpenAI does: a Bearer key; `whe_…` ids; newest-first pages with `limit` (1–100) and `after`; request bodies
 * with no unknown properties (400 "Unrecognized request argument supplied"); https delivery URLs (plain http
 * to loopback accepted, so `listen` can receive); `signing_secret` only in the answers to create and
 * rotate_secret, `signing_secret_hint` elsewhere; an update is a POST and `event_types` replaces the set;
 * delete answers 200 with the deleted object; errors are `{"error": {message, type, param, code}}`.
 *
 * Rotation keeps the old secret valid for 24 hours on request, and every delivery meanwhile carries two
 * signatures (new, then old). The native test sends one signed sample of `event_type` to the endpoint and
 * reports its status (0 when it gave none). `trigger` delivers with the retry policy of §7.
 */
import { randomBytes } from 'node:crypto';
import { bearerToken, decodeSegment, ok2xx, sendDelivery, withRetries } from '../../emulator/kit.ts';
import type {
  EmulatorModule,
  EmulatorRequest,
  EmulatorResponse,
  Outcome,
  ProviderEmulator,
  Schedule,
  TriggerDelivery,
} from '../../emulator/kit.ts';
import { isLoopbackHost } from '../../input.ts';
import { OPENAI_EVENTS } from './events.ts';
import { newOpenAIDeliveryId, openaiSample } from './samples.ts';
import { createBody, rotateBody, testBody, updateBody } from './wire.ts';

const EVENT_NAMES = OPENAI_EVENTS.map((e) => e.name) as [string, ...string[]];
const CREATE = createBody(EVENT_NAMES);
const UPDATE = updateBody(EVENT_NAMES);
const TEST = testBody(EVENT_NAMES);

/** How long a replaced secret stays valid with `keep_old_secret_active_for_24_hours` (§3). */
export const GRACE_MS = 24 * 60 * 60 * 1000;
/**
 * Waits between attempts, in seconds. OpenAI says only "up to 72 hours with exponential backoff" (§7); this is
 * the Standard Webhooks example schedule (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h) with a last
 * 20 h, which ends within those 72 hours (71.6 h).
 */
export const OPENAI_RETRIES_S = [5, 300, 1800, 7200, 18_000, 36_000, 50_400, 72_000, 72_000] as const;
/** "doesn't respond within a few seconds" (§7): five. */
export const OPENAI_TIMEOUT_MS = 5000;
export const OPENAI_USER_AGENT = 'OpenAI/1.0 (+https://platform.openai.com/docs/webhooks)';

/** A webhook endpoint exactly as OpenAI puts it on the wire (`WebhookEndpointBody`). */
export interface OpenAIWireEndpoint {
  id: string;
  object: 'webhook_endpoint';
  created_at: number;
  updated_at: number;
  name: string;
  url: string;
  event_types: string[];
  signing_secret_hint: string;
}

export interface OpenAIEmulatorOptions {
  /** The accepted Bearer key; absent = any non-empty key is accepted. */
  apiKey?: string;
  /** Epoch milliseconds; default Date.now. Tests move it to end a 24-hour grace period. */
  clock?: () => number;
}

export type OpenAIEmulator = ProviderEmulator & {
  endpoints(): OpenAIWireEndpoint[];
  /** The secrets deliveries are signed with now: the current one, then an old one still in its grace period. */
  signingSecrets(id: string): string[];
  seed(count: number): OpenAIWireEndpoint[];
  trigger(event: string, schedule: Schedule): Promise<TriggerDelivery[]>;
};

interface Entry {
  endpoint: OpenAIWireEndpoint;
  secret: string;
  /** The secret replaced by a rotation that kept it, and until when (epoch ms) it still signs. */
  previous?: { secret: string; until: number };
}

const COLLECTION_RE = /^\/webhook_endpoints\/?$/;
const ITEM_RE = /^\/webhook_endpoints\/([^/]+)\/?$/;
const ACTION_RE = /^\/webhook_endpoints\/([^/]+)\/(rotate_secret|test)\/?$/;
const EVENT_TYPES_RE = /^\/webhook_event_types\/?$/;

export function createOpenAIEmulator(options: OpenAIEmulatorOptions = {}): OpenAIEmulator {
  const now = options.clock ?? Date.now;
  let entries: Entry[] = [];
  /** Creation order breaks ties between endpoints made in the same second (newest first). */
  let sequence = 0;
  const order = new Map<string, number>();

  const secretsOf = (entry: Entry): string[] =>
    entry.previous && entry.previous.until > now() ? [entry.secret, entry.previous.secret] : [entry.secret];

  const find = (rawId: string): Entry | EmulatorResponse => {
    const id = decodeSegment(rawId);
    return (
      entries.find((e) => e.endpoint.id === id) ??
      fail(404, `No webhook endpoint found with id '${id}'.`, 'invalid_request_error', null, 'not_found')
    );
  };

  const newest = (): Entry[] =>
    [...entries].sort(
      (a, b) =>
        b.endpoint.created_at - a.endpoint.created_at ||
        (order.get(b.endpoint.id) ?? 0) - (order.get(a.endpoint.id) ?? 0),
    );

  const list = (req: EmulatorRequest): EmulatorResponse => {
    const rawLimit = req.query.get('limit');
    const limit = rawLimit === null ? 20 : Number(rawLimit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      return invalid(`Invalid 'limit': integer from 1 to 100 expected, got '${rawLimit}'.`, 'limit');
    }
    let all = newest();
    const after = req.query.get('after');
    if (after !== null && after !== '') {
      const index = all.findIndex((e) => e.endpoint.id === after);
      if (index < 0) return invalid(`Invalid 'after': no webhook endpoint with id '${after}'.`, 'after');
      all = all.slice(index + 1);
    }
    const data = all.slice(0, limit).map((e) => structuredClone(e.endpoint));
    return ok({
      object: 'list',
      data,
      first_id: data[0]?.id ?? null,
      last_id: data.at(-1)?.id ?? null,
      has_more: all.length > limit,
    });
  };

  const create = (req: EmulatorRequest): EmulatorResponse => {
    const body = readBody(req.body, CREATE);
    if (!body.ok) return body.error;
    const urlError = urlProblem(body.value.url);
    if (urlError) return urlError;
    const at = Math.floor(now() / 1000);
    const secret = newSecret();
    const endpoint: OpenAIWireEndpoint = {
      id: newId(),
      object: 'webhook_endpoint',
      created_at: at,
      updated_at: at,
      name: body.value.name,
      url: body.value.url,
      event_types: [...new Set(body.value.event_types)],
      signing_secret_hint: hintOf(secret),
    };
    entries.push({ endpoint, secret });
    order.set(endpoint.id, ++sequence);
    // "This is returned only when the endpoint is created or the secret is rotated."
    return ok({ ...structuredClone(endpoint), signing_secret: secret });
  };

  const update = (req: EmulatorRequest, entry: Entry): EmulatorResponse => {
    const body = readBody(req.body, UPDATE);
    if (!body.ok) return body.error;
    const { name, url, event_types: events } = body.value;
    if (url !== undefined) {
      const urlError = urlProblem(url);
      if (urlError) return urlError;
    }
    const endpoint = entry.endpoint;
    const before = JSON.stringify(endpoint);
    if (name !== undefined) endpoint.name = name;
    if (url !== undefined) endpoint.url = url;
    // "The complete set of event types that should trigger deliveries": a replacement, not a merge.
    if (events !== undefined) endpoint.event_types = [...new Set(events)];
    // "tests and unchanged updates do not advance it"
    if (JSON.stringify(endpoint) !== before) endpoint.updated_at = Math.floor(now() / 1000);
    return ok(structuredClone(endpoint));
  };

  const rotate = (req: EmulatorRequest, entry: Entry): EmulatorResponse => {
    const body = readBody(req.body, rotateBody);
    if (!body.ok) return body.error;
    const keep = body.value.keep_old_secret_active_for_24_hours === true;
    // Rotating again inside a grace period keeps (at most) the secret being replaced: one old secret at a time.
    entry.previous = keep ? { secret: entry.secret, until: now() + GRACE_MS } : undefined;
    entry.secret = newSecret();
    entry.endpoint.signing_secret_hint = hintOf(entry.secret);
    entry.endpoint.updated_at = Math.floor(now() / 1000);
    return ok({ ...structuredClone(entry.endpoint), signing_secret: entry.secret });
  };

  const test = async (req: EmulatorRequest, entry: Entry): Promise<EmulatorResponse> => {
    const body = readBody(req.body, TEST);
    if (!body.ok) return body.error;
    const event = body.value.event_type;
    const outcome = await deliverOnce(entry, newOpenAIDeliveryId(), sampleBody(event));
    return ok({
      object: 'webhook_endpoint.test',
      webhook_endpoint_id: entry.endpoint.id,
      event_type: event,
      // The docs leave a test that got no answer undescribed: 0 says so without an error (§8).
      status_code: outcome.status ?? 0,
      success: true,
    });
  };

  /**
   * One signed attempt: every valid secret signs, the same webhook-id on every attempt of one delivery. The
   * scheme is loaded on first use, so that starting the emulator loads none of it.
   */
  const deliverOnce = async (entry: Entry, webhookId: string, body: Buffer): Promise<Outcome> => {
    const { openaiSignature: standardWebhooksSignature } = await import('./signature.ts');
    const headers = {
      'content-type': 'application/json',
      'user-agent': OPENAI_USER_AGENT,
      ...standardWebhooksSignature.sign({
        body,
        secrets: secretsOf(entry),
        timestamp: String(Math.floor(now() / 1000)),
        eventId: webhookId,
      }),
    };
    return sendDelivery(entry.endpoint.url, 'POST', headers, body, OPENAI_TIMEOUT_MS, ok2xx);
  };

  const emulator: OpenAIEmulator = {
    async handle(req: EmulatorRequest): Promise<EmulatorResponse> {
      const method = req.method.toUpperCase();
      const action = ACTION_RE.exec(req.path);
      const item = action === null ? ITEM_RE.exec(req.path) : null;
      const isCollection = COLLECTION_RE.test(req.path);
      const isEventTypes = EVENT_TYPES_RE.test(req.path);
      if (!isCollection && !isEventTypes && item === null && action === null) {
        return fail(404, `Invalid URL (${method} ${req.path})`, 'invalid_request_error', null, null);
      }
      const denied = authProblem(req, options.apiKey);
      if (denied) return denied;

      if (isEventTypes) {
        if (method !== 'GET') return methodNotAllowed('GET');
        return ok({ object: 'list', data: [...EVENT_NAMES] });
      }
      if (isCollection) {
        if (method === 'GET') return list(req);
        if (method === 'POST') return create(req);
        return methodNotAllowed('GET, POST');
      }
      if (action !== null) {
        if (method !== 'POST') return methodNotAllowed('POST');
        const found = find(action[1] ?? '');
        if (!('endpoint' in found)) return found;
        return action[2] === 'test' ? test(req, found) : rotate(req, found);
      }
      const found = find(item?.[1] ?? '');
      if (!('endpoint' in found)) return found;
      if (method === 'GET') return ok(structuredClone(found.endpoint));
      if (method === 'POST') return update(req, found);
      if (method === 'DELETE') {
        entries = entries.filter((e) => e !== found);
        return ok({ id: found.endpoint.id, object: 'webhook_endpoint.deleted', deleted: true });
      }
      return methodNotAllowed('GET, POST, DELETE');
    },

    snapshot(): unknown {
      // The state file holds signing secrets (contract §Security): deliveries need them after a restart.
      return {
        endpoints: entries.map((e) => ({
          ...structuredClone(e.endpoint),
          signing_secret: e.secret,
          previous_secret: e.previous ?? null,
        })),
      };
    },

    restore(state: unknown): void {
      const list =
        typeof state === 'object' && state !== null && 'endpoints' in state ? state.endpoints : undefined;
      if (!Array.isArray(list) || !list.every(isStoredEndpoint)) {
        throw new TypeError(
          'OpenAI emulator state must be {"endpoints": [...WebhookEndpointBody objects with signing_secret]}',
        );
      }
      entries = list.map(({ signing_secret, previous_secret, ...endpoint }) => ({
        endpoint: structuredClone(endpoint),
        secret: signing_secret,
        ...(previous_secret ? { previous: previous_secret } : {}),
      }));
      order.clear();
      entries.forEach((e) => order.set(e.endpoint.id, ++sequence));
    },

    endpoints(): OpenAIWireEndpoint[] {
      return newest().map((e) => structuredClone(e.endpoint));
    },

    signingSecrets(id: string): string[] {
      const entry = entries.find((e) => e.endpoint.id === id);
      return entry ? secretsOf(entry) : [];
    },

    seed(count: number): OpenAIWireEndpoint[] {
      const made: OpenAIWireEndpoint[] = [];
      for (let i = 0; i < count; i++) {
        const at = Math.floor(now() / 1000);
        const secret = newSecret();
        const n = entries.length + 1;
        const endpoint: OpenAIWireEndpoint = {
          id: newId(),
          object: 'webhook_endpoint',
          created_at: at,
          updated_at: at,
          name: `Seeded endpoint ${n}`,
          url: `https://hooks.example.com/openai/${n}`,
          event_types: ['realtime.call.incoming'],
          signing_secret_hint: hintOf(secret),
        };
        entries.push({ endpoint, secret });
        order.set(endpoint.id, ++sequence);
        made.push(structuredClone(endpoint));
      }
      return made;
    },

    /**
     * Every endpoint subscribed to `event` gets it: one webhook-id for all attempts, each attempt signed afresh
     * (a rotation in between signs the retry with the new secret), any 2xx accepted, 3xx and everything else
     * retried on the schedule; a safety event answered 410 Gone is not retried (§7).
     */
    async trigger(event: string, schedule: Schedule): Promise<TriggerDelivery[]> {
      const targets = newest().filter((e) => e.endpoint.event_types.includes(event));
      return Promise.all(
        targets.map(async (target) => {
          const webhookId = newOpenAIDeliveryId();
          const body = sampleBody(event);
          const result = await withRetries(
            schedule.waits(OPENAI_RETRIES_S),
            async () => {
              const current = entries.find((e) => e.endpoint.id === target.endpoint.id);
              if (current === undefined) {
                return { ok: false, status: null, error: 'endpoint deleted', latencyMs: 0 };
              }
              return deliverOnce(current, webhookId, body);
            },
            (outcome) => !(outcome.status === 410 && event.startsWith('safety.')),
          );
          return {
            provider: 'openai',
            event,
            webhookId: target.endpoint.id,
            url: target.endpoint.url,
            method: 'POST',
            deliveryId: webhookId,
            ...result,
            webhook: { signingSecrets: secretsOf(target).length },
          };
        }),
      );
    },
  };
  return emulator;
}

// ---------------------------------------------------------------------------------------------------------
// Wire helpers

const ok = (body: unknown): EmulatorResponse => ({ status: 200, body });

function fail(
  status: number,
  message: string,
  type: string,
  param: string | null,
  code: string | null,
): EmulatorResponse {
  return {
    status,
    headers: { 'x-request-id': `req_${randomBytes(16).toString('hex')}` },
    body: { error: { message, type, param, code } },
  };
}

const invalid = (message: string, param: string | null, code: string | null = null) =>
  fail(400, message, 'invalid_request_error', param, code);

function methodNotAllowed(allow: string): EmulatorResponse {
  const response = fail(405, 'Method not allowed.', 'invalid_request_error', null, null);
  return { ...response, headers: { ...response.headers, allow } };
}

/** 401 as OpenAI words it; the key given is never echoed. */
function authProblem(req: EmulatorRequest, apiKey: string | undefined): EmulatorResponse | undefined {
  const key = bearerToken(req.headers.authorization);
  if (key === undefined) {
    return fail(
      401,
      "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
      'invalid_request_error',
      null,
      null,
    );
  }
  if (apiKey !== undefined && key !== apiKey) {
    return fail(401, 'Incorrect API key provided.', 'invalid_request_error', null, 'invalid_api_key');
  }
  return undefined;
}

type Parsed<T> = { ok: true; value: T } | { ok: false; error: EmulatorResponse };

/** The JSON body checked against a request schema ({} when empty); unknown properties are refused. */
function readBody<T>(
  text: string,
  schema: {
    safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: Issue[] } };
  },
): Parsed<T> {
  let data: unknown = {};
  if (text.trim() !== '') {
    try {
      data = JSON.parse(text) as unknown;
    } catch {
      return {
        ok: false,
        error: invalid(
          "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly.)",
          null,
        ),
      };
    }
  }
  const parsed = schema.safeParse(data);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  if (issue?.code === 'unrecognized_keys') {
    const name = String(issue.keys?.[0] ?? '');
    return { ok: false, error: invalid(`Unrecognized request argument supplied: ${name}`, null) };
  }
  const param = issue?.path.join('.') || null;
  return {
    ok: false,
    error: invalid(`Invalid '${param ?? 'body'}': ${issue?.message ?? 'invalid value'}.`, param),
  };
}

interface Issue {
  code?: string;
  path: PropertyKey[];
  message: string;
  keys?: string[];
}

/** `pattern: ^https://`, with plain http to loopback accepted so that the emulator can deliver to `listen`. */
function urlProblem(value: string): EmulatorResponse | undefined {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url?.protocol === 'https:') return undefined;
  if (url?.protocol === 'http:' && isLoopbackHost(url.hostname)) return undefined;
  return invalid("Invalid 'url': the URL must start with https://.", 'url');
}

function sampleBody(event: string): Buffer {
  return Buffer.from(JSON.stringify(openaiSample(event)), 'utf8');
}

/** `whe_` and 32 hex digits (OpenAI's only example is `whe_123`; its other ids have 32 hex digits). */
function newId(): string {
  return `whe_${randomBytes(16).toString('hex')}`;
}

/** `whsec_` and the base64 of 32 random bytes, the form of the SDK's test secret (§3). */
function newSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** The mask format is undocumented; the spec's example is `whsec_...j40c` for a secret ending `j40c=`. */
function hintOf(secret: string): string {
  return `whsec_...${secret.replace(/=+$/, '').slice(-4)}`;
}

function isStoredEndpoint(value: unknown): value is OpenAIWireEndpoint & {
  signing_secret: string;
  previous_secret: { secret: string; until: number } | null;
} {
  if (typeof value !== 'object' || value === null) return false;
  const e = value as Record<string, unknown>;
  const previous = e.previous_secret as Record<string, unknown> | null | undefined;
  return (
    typeof e.id === 'string' &&
    e.id !== '' &&
    typeof e.name === 'string' &&
    typeof e.url === 'string' &&
    Array.isArray(e.event_types) &&
    e.event_types.every((t) => typeof t === 'string') &&
    typeof e.created_at === 'number' &&
    typeof e.updated_at === 'number' &&
    typeof e.signing_secret === 'string' &&
    (previous == null ||
      (typeof previous === 'object' &&
        typeof previous.secret === 'string' &&
        typeof previous.until === 'number'))
  );
}

/** The emulator as the server hosts it (`voicehooks emulator`, `emulator trigger -p openai`). */
export const openaiEmulator: EmulatorModule<OpenAIEmulator> = {
  create: (options) => createOpenAIEmulator(options as OpenAIEmulatorOptions),
  trigger: (emulator, event, schedule) => emulator.trigger(event, schedule),
  // OpenAI's error body (docs/providers/openai.md §2.4).
  errorBody: (status, message) => ({
    error: {
      message,
      type: status === 429 ? 'rate_limit_exceeded' : 'server_error',
      param: null,
      code: null,
    },
  }),
};
