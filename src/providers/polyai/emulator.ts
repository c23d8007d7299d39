/**
 * A stateful emulator of PolyAI's webhook-endpoint API (`/v1/webhook-endpoints`), speaking the wire format
 * of `test/specs/polyai.openapi.json` (see docs/providers/polyai.md §3). It answers for every region
 * alike: the CLI's base URL replaces the regional host, so one emulator stands in for us, uk and eu.
 *
 * Rules it enforces as PolyAI does: the `x-api-key` header, ids of the form `whe_…` (422 otherwise),
 * request bodies with no unknown properties, https delivery URLs, at most 10 endpoints per account (409),
 * and a signing secret that appears only in the answers to create and rotate-secret.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import {
  decodeSegment,
  keyAccepted,
  ok2xx,
  readJsonBody,
  sendDelivery,
  withRetries,
} from '../../emulator/kit.ts';
import type {
  EmulatorModule,
  EmulatorRequest,
  EmulatorResponse,
  ProviderEmulator,
  Schedule,
  TriggerDelivery,
} from '../../emulator/kit.ts';
import { isLoopbackHost } from '../../input.ts';

export const POLYAI_EVENT_TYPES = ['alerts.triggered', 'alerts.resolved'] as const;

/** A webhook endpoint exactly as PolyAI puts it on the wire (`components.schemas.WebhookEndpoint`). */
export interface PolyAIWireEndpoint {
  id: string;
  name: string;
  url: string;
  enabled: boolean;
  event_types: string[];
  headers: Record<string, string>;
  timeout_ms: number;
  created_at: string;
  updated_at: string;
}

export interface PolyAIEmulatorOptions {
  /** The accepted `x-api-key`; absent = any non-empty key is accepted. */
  apiKey?: string;
  /** Endpoints an account may have; default 10 (docs/providers/polyai.md §3.1). */
  maxEndpoints?: number;
  /**
   * The error body: the platform envelope PolyAI documents now (default), or the `{message, errors}` shape
   * it used before 2026-07-03 (docs/providers/polyai.md §3.4).
   */
  errorShape?: 'envelope' | 'message';
}

export type PolyAIEmulator = ProviderEmulator & {
  endpoints(): PolyAIWireEndpoint[];
  /** The secret the emulator signs an endpoint's deliveries with. */
  signingSecret(id: string): string | undefined;
  seed(count: number): PolyAIWireEndpoint[];
};

interface Entry {
  endpoint: PolyAIWireEndpoint;
  secret: string;
}

interface Problem {
  field: string;
  message: string;
}

const ID_RE = /^whe_[A-Za-z0-9]+$/;
const COLLECTION_RE = /^\/v1\/webhook-endpoints\/?$/;
const ITEM_RE = /^\/v1\/webhook-endpoints\/([^/]+)\/?$/;
const ROTATE_RE = /^\/v1\/webhook-endpoints\/([^/]+)\/rotate-secret\/?$/;
const WRITABLE = ['name', 'url', 'event_types', 'headers', 'timeout_ms', 'enabled'] as const;
const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function createPolyAIEmulator(options: PolyAIEmulatorOptions = {}): PolyAIEmulator {
  const maxEndpoints = options.maxEndpoints ?? 10;
  let entries: Entry[] = [];

  const fail = (
    status: number,
    code: string,
    message: string,
    problems: Problem[] = [],
  ): EmulatorResponse => {
    const correlationId = randomUUID();
    const headers = { 'x-polyai-correlation-id': correlationId };
    if (options.errorShape === 'message') {
      return { status, headers, body: problems.length > 0 ? { message, errors: problems } : { message } };
    }
    // The envelope has no place for field errors: the first one goes into the message.
    const first = problems[0];
    const text = first ? `${message}: ${first.field}: ${first.message}` : message;
    return {
      status,
      headers,
      body: {
        success: false,
        error: text,
        error_id: correlationId,
        error_code: code,
        error_message: text,
        data: null,
      },
    };
  };
  const notFound = () => fail(404, 'NOT_FOUND', 'Webhook endpoint not found.');

  const authorised = (req: EmulatorRequest) => keyAccepted(req.headers['x-api-key'], options.apiKey);

  const list = (req: EmulatorRequest): EmulatorResponse => {
    const enabled = req.query.get('enabled');
    const eventType = req.query.get('event_type');
    if (enabled !== null && enabled !== 'true' && enabled !== 'false') {
      return fail(400, 'VALIDATION_ERROR', 'Validation error', [
        { field: 'enabled', message: 'must be a boolean' },
      ]);
    }
    if (eventType !== null && !(POLYAI_EVENT_TYPES as readonly string[]).includes(eventType)) {
      return fail(400, 'VALIDATION_ERROR', 'Validation error', [
        { field: 'event_type', message: `must be one of ${POLYAI_EVENT_TYPES.join(', ')}` },
      ]);
    }
    const data = entries
      .map((entry) => entry.endpoint)
      .filter((e) => enabled === null || e.enabled === (enabled === 'true'))
      .filter((e) => eventType === null || e.event_types.includes(eventType));
    return { status: 200, body: { data: structuredClone(data) } };
  };

  const create = (req: EmulatorRequest): EmulatorResponse => {
    const parsed = parseBody(req.body);
    if (parsed === undefined) return fail(400, 'INVALID_JSON', 'The request body is not valid JSON.');
    const problems = validateWrite(parsed, 'create');
    if (problems.length > 0) return fail(400, 'VALIDATION_ERROR', 'Validation error', problems);
    if (entries.length >= maxEndpoints) {
      return fail(409, 'CONFLICT', 'Maximum number of webhook endpoints reached.');
    }
    const body = parsed as Record<string, unknown>;
    const now = new Date().toISOString();
    const endpoint: PolyAIWireEndpoint = {
      id: newId(),
      name: body.name as string,
      url: body.url as string,
      enabled: (body.enabled as boolean | undefined) ?? true,
      event_types: [...new Set(body.event_types as string[])],
      headers: (body.headers as Record<string, string> | undefined) ?? {},
      timeout_ms: (body.timeout_ms as number | undefined) ?? 5000,
      created_at: now,
      updated_at: now,
    };
    const secret = newSecret();
    entries.push({ endpoint, secret });
    // "Returned only once during endpoint creation. Store it securely." (WebhookEndpointCreateResponse)
    return { status: 201, body: { ...structuredClone(endpoint), signing_secret: secret } };
  };

  const update = (req: EmulatorRequest, entry: Entry): EmulatorResponse => {
    const parsed = parseBody(req.body);
    if (parsed === undefined) return fail(400, 'INVALID_JSON', 'The request body is not valid JSON.');
    const problems = validateWrite(parsed, 'update');
    if (problems.length > 0) return fail(400, 'VALIDATION_ERROR', 'Validation error', problems);
    const body = parsed as Record<string, unknown>;
    const endpoint = entry.endpoint;
    if (body.name !== undefined) endpoint.name = body.name as string;
    if (body.url !== undefined) endpoint.url = body.url as string;
    if (body.event_types !== undefined) endpoint.event_types = [...new Set(body.event_types as string[])];
    if (body.headers !== undefined) endpoint.headers = body.headers as Record<string, string>;
    if (body.timeout_ms !== undefined) endpoint.timeout_ms = body.timeout_ms as number;
    if (body.enabled !== undefined) endpoint.enabled = body.enabled as boolean;
    endpoint.updated_at = new Date().toISOString();
    return { status: 200, body: structuredClone(endpoint) };
  };

  /** The entry a path's id names, or the error answer: 422 for a malformed id, 404 for an unknown one. */
  const lookup = (rawId: string): Entry | EmulatorResponse => {
    const id = decodeSegment(rawId);
    if (!ID_RE.test(id)) {
      return fail(
        422,
        'INVALID_RESOURCE_ID',
        `Malformed endpoint_id "${id}": expected a prefixed id (whe_…).`,
      );
    }
    return entries.find((entry) => entry.endpoint.id === id) ?? notFound();
  };

  const emulator: PolyAIEmulator = {
    handle(req: EmulatorRequest): EmulatorResponse {
      const method = req.method.toUpperCase();
      const rotate = ROTATE_RE.exec(req.path);
      const item = rotate === null ? ITEM_RE.exec(req.path) : null;
      const isCollection = COLLECTION_RE.test(req.path);
      if (!isCollection && item === null && rotate === null) return fail(404, 'NOT_FOUND', 'Not found.');
      if (!authorised(req)) return fail(401, 'UNAUTHORIZED', 'Missing or invalid API key.');

      if (isCollection) {
        if (method === 'GET') return list(req);
        if (method === 'POST') return create(req);
        return methodNotAllowed(fail, 'GET, POST');
      }
      if (rotate !== null) {
        if (method !== 'POST') return methodNotAllowed(fail, 'POST');
        const found = lookup(rotate[1] ?? '');
        if (!('endpoint' in found)) return found;
        found.secret = newSecret();
        found.endpoint.updated_at = new Date().toISOString();
        // The previous secret is invalidated at once (docs/providers/polyai.md §3.2).
        return { status: 200, body: { signing_secret: found.secret } };
      }
      if (!['GET', 'PATCH', 'DELETE'].includes(method)) return methodNotAllowed(fail, 'GET, PATCH, DELETE');
      const found = lookup(item?.[1] ?? '');
      if (!('endpoint' in found)) return found;
      if (method === 'GET') return { status: 200, body: structuredClone(found.endpoint) };
      if (method === 'PATCH') return update(req, found);
      entries = entries.filter((entry) => entry !== found);
      return { status: 204 };
    },

    snapshot(): unknown {
      // The state file may hold signing secrets (contract §Security): deliveries need them after a restart.
      return {
        endpoints: entries.map((entry) => ({
          ...structuredClone(entry.endpoint),
          signing_secret: entry.secret,
        })),
      };
    },

    restore(state: unknown): void {
      const list =
        typeof state === 'object' && state !== null && 'endpoints' in state ? state.endpoints : undefined;
      if (!Array.isArray(list) || !list.every(isStoredEndpoint)) {
        throw new TypeError(
          'PolyAI emulator state must be {"endpoints": [...WebhookEndpoint objects with signing_secret]}',
        );
      }
      entries = list.map(({ signing_secret, ...endpoint }) => ({
        endpoint: structuredClone(endpoint),
        secret: signing_secret,
      }));
    },

    endpoints(): PolyAIWireEndpoint[] {
      return entries.map((entry) => structuredClone(entry.endpoint));
    },

    signingSecret(id: string): string | undefined {
      return entries.find((entry) => entry.endpoint.id === id)?.secret;
    },

    seed(count: number): PolyAIWireEndpoint[] {
      const made: PolyAIWireEndpoint[] = [];
      for (let i = 0; i < count; i++) {
        const now = new Date().toISOString();
        const endpoint: PolyAIWireEndpoint = {
          id: newId(),
          name: `Seeded endpoint ${entries.length + 1}`,
          url: `https://hooks.example.com/polyai/${entries.length + 1}`,
          enabled: true,
          event_types: ['alerts.triggered'],
          headers: {},
          timeout_ms: 5000,
          created_at: now,
          updated_at: now,
        };
        entries.push({ endpoint, secret: newSecret() });
        made.push(structuredClone(endpoint));
      }
      return made;
    },
  };
  return emulator;
}

// ---------------------------------------------------------------------------------------------------------
// Wire helpers

function methodNotAllowed(
  fail: (status: number, code: string, message: string) => EmulatorResponse,
  allow: string,
): EmulatorResponse {
  const response = fail(405, 'METHOD_NOT_ALLOWED', 'Method not allowed.');
  return { ...response, headers: { ...response.headers, allow } };
}

/** `whe_` and 22 letters and digits, like the spec's example `whe_9ZtRcXw3nByK5pVqMaEfJs`. */
function newId(): string {
  const bytes = randomBytes(22);
  let id = 'whe_';
  for (const byte of bytes) id += ALPHANUMERIC[byte % ALPHANUMERIC.length];
  return id;
}

/** PolyAI documents no secret format (docs/providers/README.md §6); 32 url-safe characters. */
function newSecret(): string {
  return randomBytes(24).toString('base64url');
}

/** The parsed JSON body ({} when empty), or undefined when it does not parse. */
function parseBody(body: string): unknown {
  const read = readJsonBody(body);
  return 'data' in read ? read.data : undefined;
}

/**
 * Checks a body against `CreateWebhookEndpointRequest` or `UpdateWebhookEndpointAttributes`, unknown
 * properties included (`additionalProperties: false`). The one departure from the spec: a plain-http URL
 * on a loopback host is accepted, so the CLI's local listener can receive deliveries (docs/contract.md).
 */
function validateWrite(data: unknown, mode: 'create' | 'update'): Problem[] {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return [{ field: 'body', message: 'must be a JSON object' }];
  }
  const body = data as Record<string, unknown>;
  const problems: Problem[] = [];
  for (const key of Object.keys(body)) {
    if (!(WRITABLE as readonly string[]).includes(key)) {
      problems.push({ field: key, message: 'unknown property (additional properties are not allowed)' });
    }
  }
  if (mode === 'create') {
    for (const key of ['name', 'url', 'event_types'] as const) {
      if (body[key] === undefined) problems.push({ field: key, message: 'is required' });
    }
  }
  const { name, url, event_types: events, headers, timeout_ms: timeout, enabled } = body;
  if (name !== undefined && (typeof name !== 'string' || name.length < 1 || name.length > 255)) {
    problems.push({ field: 'name', message: 'must be a string of 1 to 255 characters' });
  }
  if (url !== undefined) {
    const problem = urlProblem(url);
    if (problem !== undefined) problems.push({ field: 'url', message: problem });
  }
  if (events !== undefined) {
    if (!Array.isArray(events) || events.length === 0) {
      problems.push({ field: 'event_types', message: 'must be a non-empty array' });
    } else {
      for (const event of events) {
        if (typeof event !== 'string' || !(POLYAI_EVENT_TYPES as readonly string[]).includes(event)) {
          problems.push({
            field: 'event_types',
            message: `${JSON.stringify(event)} is not one of ${POLYAI_EVENT_TYPES.join(', ')}`,
          });
        }
      }
    }
  }
  if (
    headers !== undefined &&
    (typeof headers !== 'object' ||
      headers === null ||
      Array.isArray(headers) ||
      !Object.values(headers).every((v) => typeof v === 'string'))
  ) {
    problems.push({ field: 'headers', message: 'must be an object of string values' });
  }
  if (
    timeout !== undefined &&
    (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout < 1000 || timeout > 30000)
  ) {
    problems.push({ field: 'timeout_ms', message: 'must be an integer from 1000 to 30000' });
  }
  if (enabled !== undefined && typeof enabled !== 'boolean') {
    problems.push({ field: 'enabled', message: 'must be a boolean' });
  }
  return problems;
}

function urlProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute URI';
  }
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return undefined;
  return 'must start with https://';
}

function isStoredEndpoint(value: unknown): value is PolyAIWireEndpoint & { signing_secret: string } {
  if (typeof value !== 'object' || value === null) return false;
  const e = value as Record<string, unknown>;
  return (
    typeof e.id === 'string' &&
    ID_RE.test(e.id) &&
    typeof e.name === 'string' &&
    typeof e.url === 'string' &&
    typeof e.enabled === 'boolean' &&
    Array.isArray(e.event_types) &&
    typeof e.headers === 'object' &&
    e.headers !== null &&
    typeof e.timeout_ms === 'number' &&
    typeof e.created_at === 'string' &&
    typeof e.updated_at === 'string' &&
    typeof e.signing_secret === 'string'
  );
}

// ---- deliveries (`emulator trigger`) ----

/**
 * Retried after 1 min, 5 min, 15 min, 1 h, 4 h on timeouts, network errors, 408, 429 and 5xx; other 4xx are not
 * retried. The same event id goes with every attempt (docs/providers/polyai.md §3.5).
 */
const RETRIES_S = [60, 300, 900, 3600, 14_400];

async function trigger(
  emulator: PolyAIEmulator,
  event: string,
  schedule: Schedule,
): Promise<TriggerDelivery[]> {
  const scheme = (await import('./signature.ts')).polyaiSignature;
  const { polyaiSample } = await import('./samples.ts');
  const { newPolyAIEventId } = await import('./signature.ts');
  const endpoints = emulator.endpoints().filter((e) => e.enabled && e.event_types.includes(event));
  return Promise.all(
    endpoints.map(async (endpoint) => {
      const body = Buffer.from(JSON.stringify(polyaiSample(event)), 'utf8');
      const eventId = newPolyAIEventId();
      const result = await withRetries(
        schedule.waits(RETRIES_S),
        async () => {
          // Read at each attempt: a rotation in between signs the retry with the new secret.
          const secret = emulator.signingSecret(endpoint.id);
          if (secret === undefined)
            return { ok: false, status: null, error: 'endpoint deleted', latencyMs: 0 };
          const headers = {
            // Custom headers first, so none can replace a signature header (docs/providers/polyai.md §3.3).
            ...endpoint.headers,
            'content-type': 'application/json',
            'user-agent': 'PolyAI-Webhooks (voicehooks emulator)',
            ...scheme.sign({
              body,
              secrets: [secret],
              timestamp: scheme.formatTimestamp(new Date()),
              eventId,
            }),
          };
          return sendDelivery(endpoint.url, 'POST', headers, body, endpoint.timeout_ms, ok2xx);
        },
        (outcome) =>
          outcome.status === null ||
          outcome.status === 408 ||
          outcome.status === 429 ||
          outcome.status >= 500,
      );
      return {
        provider: 'polyai',
        event,
        webhookId: endpoint.id,
        url: endpoint.url,
        method: 'POST',
        deliveryId: eventId,
        ...result,
        webhook: { enabled: endpoint.enabled },
      };
    }),
  );
}

/** The PolyAI emulator module (`polyai.loadEmulator()`). */
export const polyaiEmulator: EmulatorModule<PolyAIEmulator> = {
  create: (options) => createPolyAIEmulator(options as PolyAIEmulatorOptions),
  trigger,
  // PolyAI's error envelope (docs/providers/polyai.md §3.4).
  errorBody: (status, message) => ({
    success: false,
    error: message,
    error_id: randomUUID(),
    error_code: status === 429 ? 'RATE_LIMITED' : 'INTERNAL_ERROR',
    error_message: message,
    data: null,
  }),
};
