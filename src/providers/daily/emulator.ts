/**
 * A stateful emulator of Daily's webhook API (`/webhooks`), speaking the wire format of the reference pages
 * (`test/specs/daily.reconstructed.openapi.yaml`, docs/providers/daily.md §4). Like Daily it really
 * probes the URL with a POST of `{"test":"test"}` on every create and update and refuses with 400 when that
 * does not answer 200 quickly; it counts failed deliveries and circuit-breaks to FAILED after 3.
 *
 * It only ever sends to loopback hosts: a URL elsewhere is refused as unreachable, so the emulator never
 * leaves the machine. Error wording is the emulator's own; the `{error, info}` shape and the error types are
 * Daily's (docs/providers/daily.md §4.4).
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { decodeSegment, headerValue, readJsonBody, sendDelivery, withRetries } from '../../emulator/kit.ts';
import type {
  EmulatorModule,
  EmulatorRequest,
  EmulatorResponse,
  ProviderEmulator,
  Schedule,
  TriggerDelivery,
} from '../../emulator/kit.ts';
import { isLoopbackHost } from '../../input.ts';
import { DAILY_EVENTS, DAILY_SAMPLE_PAYLOADS } from './events.ts';
import { DAILY_RETRY_TYPES, isBase64 } from './rules.ts';

export type DailyState = 'ACTIVE' | 'FAILED' | 'INACTIVE';

/** A webhook exactly as Daily puts it on the wire (`components.schemas.Webhook`). */
export interface DailyWireWebhook {
  uuid: string;
  url: string;
  hmac: string;
  basicAuth: string | null;
  retryType: string;
  eventTypes: string[];
  state: DailyState;
  failedCount: number;
  lastMomentPushed: string | null;
  domainId: string;
  createdAt: string;
  updatedAt: string;
}

export interface DailyEmulatorOptions {
  /** The accepted Bearer key; absent = any non-empty key is accepted. */
  apiKey?: string;
  /** How long the probe and deliveries wait for the endpoint, in ms. Default 2500 ("a few seconds"). */
  probeTimeoutMs?: number;
  /** Answer `GET /webhooks/:uuid` with a one-element array, as Daily's generated clients type it. */
  getAsArray?: boolean;
}

/** What one delivery attempt did. */
export interface DailyDelivery {
  /** False when nothing was sent: the webhook is FAILED (circuit broken) or not subscribed to the event. */
  sent: boolean;
  /** The endpoint's status, or null when it could not be reached or nothing was sent. */
  status: number | null;
  /** Why it failed or was not sent. */
  error?: string;
  webhook: DailyWireWebhook;
}

export type DailyEmulator = ProviderEmulator & {
  webhooks(): DailyWireWebhook[];
  /** Switches the array answer of `GET /webhooks/:uuid` on or off. */
  answerGetAsArray(on: boolean): void;
  /**
   * Sends one signed event to the webhook's URL as Daily does (docs/providers/daily.md §4.5) and applies the retry rules
   * of §4.3 to the outcome. `type` defaults to the webhook's first event type.
   */
  deliver(uuid: string, type?: string): Promise<DailyDelivery>;
  /** Counts one failed delivery without sending anything (same rules as a failed {@link deliver}). */
  recordDeliveryFailure(uuid: string): DailyWireWebhook;
  /** Counts one successful delivery made elsewhere (`emulator trigger`): resets `failedCount`. */
  recordDeliverySuccess(uuid: string): DailyWireWebhook;
};

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const COLLECTION_RE = /^\/webhooks\/?$/;
const ITEM_RE = /^\/webhooks\/([^/]+)\/?$/;
const EVENT_NAMES: ReadonlySet<string> = new Set(DAILY_EVENTS.map((e) => e.name));
const WRITABLE = new Set(['url', 'basicAuth', 'retryType', 'eventTypes', 'hmac']);
/** Consecutive failures after which a circuit-breaker webhook is FAILED (docs/providers/daily.md §4.3). */
const CIRCUIT_BREAKER_LIMIT = 3;
const PROBE_BODY = JSON.stringify({ test: 'test' });

const dailyError = (status: number, error: string, info: string): EmulatorResponse => ({
  status,
  body: { error, info },
});
const invalid = (info: string) => dailyError(400, 'invalid-request-error', info);
const notFound = (info: string) => dailyError(404, 'not-found', info);

export function createDailyEmulator(options: DailyEmulatorOptions = {}): DailyEmulator {
  const probeTimeoutMs = options.probeTimeoutMs ?? 2500;
  const domainId = randomUUID();
  let getAsArray = options.getAsArray ?? false;
  let hooks: DailyWireWebhook[] = [];

  const find = (id: string) => hooks.find((hook) => hook.uuid === id.toLowerCase());

  const authFailure = (req: EmulatorRequest): EmulatorResponse | undefined => {
    const header = headerValue(req.headers.authorization);
    if (header === undefined || header === '') {
      return dailyError(400, 'authorization-header-error', 'Authorization header missing');
    }
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (match === null) return invalid('bad Authorization header format');
    if (options.apiKey !== undefined && match[1] !== options.apiKey) {
      return dailyError(401, 'authentication-error', 'Invalid API key');
    }
    return undefined;
  };

  /** Daily's probe: a 200 within the timeout, or the reason there was none. */
  const probe = async (url: string, basicAuth: string | null): Promise<string | undefined> => {
    const result = await post(url, PROBE_BODY, basicAuth ? { authorization: `Basic ${basicAuth}` } : {});
    if (result.status === 200) return undefined;
    return result.status !== null
      ? `webhook endpoint ${url} answered ${result.status} to the test request; it must answer 200`
      : `webhook endpoint ${url} did not answer the test request with a 200 (${result.error ?? 'no answer'})`;
  };

  const post = (url: string, body: string, headers: Record<string, string>) =>
    postOnce(url, body, headers, probeTimeoutMs);

  const create = async (req: EmulatorRequest): Promise<EmulatorResponse> => {
    const parsed = parseBody(req.body);
    if ('response' in parsed) return parsed.response;
    const checked = validate(parsed.data, true);
    if ('response' in checked) return checked.response;
    const fields = checked.fields;
    const url = fields.url ?? '';
    const refused = await probe(url, fields.basicAuth ?? null);
    if (refused !== undefined) return invalid(refused);
    const now = new Date().toISOString();
    const hook: DailyWireWebhook = {
      uuid: randomUUID(),
      url,
      // "If not provided, an hmac will be provisioned for you and returned" (docs/providers/daily.md §4.2).
      hmac: fields.hmac ?? randomBytes(32).toString('base64'),
      basicAuth: fields.basicAuth ?? null,
      retryType: fields.retryType ?? 'circuit-breaker',
      eventTypes: fields.eventTypes ?? [],
      state: 'ACTIVE',
      failedCount: 0,
      lastMomentPushed: null,
      domainId,
      createdAt: now,
      updatedAt: now,
    };
    hooks.push(hook);
    return { status: 200, body: structuredClone(hook) };
  };

  const update = async (req: EmulatorRequest, hook: DailyWireWebhook): Promise<EmulatorResponse> => {
    const parsed = parseBody(req.body);
    if ('response' in parsed) return parsed.response;
    const checked = validate(parsed.data, false);
    if ('response' in checked) return checked.response;
    const fields = checked.fields;
    // Every update re-probes the (new or current) URL; a success is also what closes the circuit breaker of
    // a FAILED webhook (docs/providers/daily.md §4.2, §4.3).
    const url = fields.url ?? hook.url;
    const refused = await probe(url, fields.basicAuth !== undefined ? fields.basicAuth : hook.basicAuth);
    if (refused !== undefined) return invalid(refused);
    if (!hooks.includes(hook)) return notFound(`webhook ${hook.uuid} not found`);
    hook.url = url;
    if (fields.hmac !== undefined) hook.hmac = fields.hmac;
    if (fields.basicAuth !== undefined) hook.basicAuth = fields.basicAuth;
    if (fields.retryType !== undefined) hook.retryType = fields.retryType;
    if (fields.eventTypes !== undefined) hook.eventTypes = fields.eventTypes;
    hook.state = 'ACTIVE';
    hook.failedCount = 0;
    hook.updatedAt = new Date().toISOString();
    return { status: 200, body: structuredClone(hook) };
  };

  /** A delivery's outcome, by Daily's retry rules (docs/providers/daily.md §4.3). */
  const count = (hook: DailyWireWebhook, ok: boolean): void => {
    if (ok) {
      hook.failedCount = 0;
      hook.lastMomentPushed = new Date().toISOString();
      return;
    }
    hook.failedCount += 1;
    // Exponential mode retries each message and drops it, but never breaks the circuit.
    if (hook.retryType === 'circuit-breaker' && hook.failedCount >= CIRCUIT_BREAKER_LIMIT)
      hook.state = 'FAILED';
  };

  const mustFind = (uuid: string): DailyWireWebhook => {
    const hook = find(uuid);
    if (hook === undefined) throw new Error(`No Daily webhook ${uuid} in the emulator`);
    return hook;
  };

  const emulator: DailyEmulator = {
    async handle(req: EmulatorRequest): Promise<EmulatorResponse> {
      const method = req.method.toUpperCase();
      const itemMatch = ITEM_RE.exec(req.path);
      const isCollection = COLLECTION_RE.test(req.path);
      if (!isCollection && itemMatch === null) return notFound(`${req.path} not found`);
      const refusal = authFailure(req);
      if (refusal !== undefined) return refusal;

      if (isCollection) {
        if (method === 'GET') return { status: 200, body: hooks.map((hook) => structuredClone(hook)) };
        if (method === 'POST') return create(req);
        return methodNotAllowed();
      }
      if (!['GET', 'POST', 'DELETE'].includes(method)) return methodNotAllowed();
      const id = decodeSegment(itemMatch?.[1] ?? '');
      const hook = UUID_RE.test(id) ? find(id) : undefined;
      if (hook === undefined) return notFound(`webhook ${id} not found`);
      if (method === 'GET') {
        const body = structuredClone(hook);
        return { status: 200, body: getAsArray ? [body] : body };
      }
      if (method === 'POST') return update(req, hook);
      // "The webhook will immediately become inactive and no further events will be sent" (§4.2): gone.
      hooks = hooks.filter((other) => other !== hook);
      return { status: 200, body: {} };
    },

    snapshot(): unknown {
      return { webhooks: hooks.map((hook) => structuredClone(hook)) };
    },

    restore(state: unknown): void {
      const list =
        typeof state === 'object' && state !== null && 'webhooks' in state ? state.webhooks : undefined;
      if (!Array.isArray(list) || !list.every(isWireWebhook)) {
        throw new TypeError('Daily emulator state must be {"webhooks": [...Webhook objects]}');
      }
      hooks = list.map((hook) => structuredClone(hook));
    },

    webhooks(): DailyWireWebhook[] {
      return hooks.map((hook) => structuredClone(hook));
    },

    answerGetAsArray(on: boolean): void {
      getAsArray = on;
    },

    async deliver(uuid: string, type?: string): Promise<DailyDelivery> {
      const hook = mustFind(uuid);
      const event = type ?? hook.eventTypes[0] ?? 'meeting.started';
      // A circuit-broken webhook gets nothing until it is re-activated (docs/providers/daily.md §4.3).
      if (hook.state !== 'ACTIVE') {
        return {
          sent: false,
          status: null,
          error: `webhook is ${hook.state}`,
          webhook: structuredClone(hook),
        };
      }
      if (!hook.eventTypes.includes(event)) {
        return {
          sent: false,
          status: null,
          error: `not subscribed to ${event}`,
          webhook: structuredClone(hook),
        };
      }
      const eventTs = Math.floor(Date.now() / 1000);
      const envelope = {
        version: '1.0.0',
        type: event,
        id: `${event.split('.')[0] ?? 'evt'}-${randomUUID()}-${eventTs}`,
        payload: DAILY_SAMPLE_PAYLOADS[event] ?? {},
        event_ts: eventTs,
      };
      const body = JSON.stringify(envelope);
      // Daily signs `timestamp + "." + JSON.stringify(event)` with the base64-decoded hmac and sends the
      // digest in base64 (docs/providers/daily.md §4.5). The timestamp's format is undocumented: Unix seconds here.
      const timestamp = String(eventTs);
      const signature = createHmac('sha256', Buffer.from(hook.hmac, 'base64'))
        .update(`${timestamp}.${body}`)
        .digest('base64');
      const headers: Record<string, string> = {
        'x-webhook-signature': signature,
        'x-webhook-timestamp': timestamp,
      };
      if (hook.basicAuth) headers.authorization = `Basic ${hook.basicAuth}`;
      const result = await post(hook.url, body, headers);
      count(hook, result.status === 200);
      return { sent: true, status: result.status, error: result.error, webhook: structuredClone(hook) };
    },

    recordDeliveryFailure(uuid: string): DailyWireWebhook {
      const hook = mustFind(uuid);
      count(hook, false);
      return structuredClone(hook);
    },

    recordDeliverySuccess(uuid: string): DailyWireWebhook {
      const hook = mustFind(uuid);
      count(hook, true);
      return structuredClone(hook);
    },
  };
  return emulator;
}

// ---------------------------------------------------------------------------------------------------------
// Wire helpers

interface PostResult {
  status: number | null;
  error?: string;
}

/** One POST to a loopback URL, within `timeoutMs`; never anywhere else. */
function postOnce(
  target: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<PostResult> {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return Promise.resolve({ status: null, error: 'not a URL' });
  }
  if (!isLoopbackHost(url.hostname)) {
    return Promise.resolve({
      status: null,
      error: `the emulator sends only to loopback hosts (127.0.0.1, localhost, [::1]), not ${url.hostname}`,
    });
  }
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: PostResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const req = send(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
        'user-agent': 'voicehooks-emulator (Daily)',
        ...headers,
      },
    });
    const timer = setTimeout(() => {
      finish({ status: null, error: `no answer within ${timeoutMs / 1000} s` });
      req.destroy();
    }, timeoutMs);
    req.on('response', (res) => {
      res.resume();
      finish({ status: res.statusCode ?? null });
    });
    req.on('error', (error: NodeJS.ErrnoException) =>
      finish({ status: null, error: error.code ?? error.message }),
    );
    req.end(body);
  });
}

function methodNotAllowed(): EmulatorResponse {
  return dailyError(405, 'invalid-request-error', 'method not allowed');
}

/** Daily's own curl examples send `Content-Type: text/plain`, so the body is read as JSON whatever its type. */
function parseBody(body: string): { data: unknown } | { response: EmulatorResponse } {
  const read = readJsonBody(body);
  return 'data' in read
    ? read
    : { response: dailyError(400, 'json-parsing-error', 'Invalid JSON in request body') };
}

interface WritableFields {
  url?: string;
  basicAuth?: string | null;
  retryType?: string;
  eventTypes?: string[];
  hmac?: string;
}

/** The documented body fields, checked; anything else is refused (`additionalProperties: false`). */
function validate(
  data: unknown,
  creating: boolean,
): { fields: WritableFields } | { response: EmulatorResponse } {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { response: invalid('request body must be a JSON object') };
  }
  const body = data as Record<string, unknown>;
  const unknown = Object.keys(body).find((key) => !WRITABLE.has(key));
  if (unknown !== undefined) return { response: invalid(`"${unknown}" is not allowed`) };
  const fields: WritableFields = {};

  if (body.url === undefined) {
    if (creating) return { response: invalid('url is required') };
  } else if (typeof body.url !== 'string' || !isHttpUrl(body.url)) {
    return { response: invalid('url must be a valid http or https URL') };
  } else fields.url = body.url;

  if (body.basicAuth !== undefined) {
    if (body.basicAuth !== null && typeof body.basicAuth !== 'string') {
      return { response: invalid('basicAuth must be a string') };
    }
    fields.basicAuth = body.basicAuth === '' ? null : body.basicAuth;
  }

  if (body.retryType !== undefined) {
    if (
      typeof body.retryType !== 'string' ||
      !(DAILY_RETRY_TYPES as readonly string[]).includes(body.retryType)
    ) {
      return { response: invalid(`retryType must be one of ${DAILY_RETRY_TYPES.join(', ')}`) };
    }
    fields.retryType = body.retryType;
  }

  if (body.eventTypes !== undefined) {
    if (!Array.isArray(body.eventTypes)) return { response: invalid('eventTypes must be an array') };
    const bad = body.eventTypes.find((e: unknown) => typeof e !== 'string' || !EVENT_NAMES.has(e));
    if (bad !== undefined)
      return { response: invalid(`eventTypes: ${JSON.stringify(bad)} is not a valid event type`) };
    fields.eventTypes = [...new Set(body.eventTypes as string[])];
  }

  if (body.hmac !== undefined) {
    if (typeof body.hmac !== 'string' || !isBase64(body.hmac)) {
      return { response: invalid('hmac must be a BASE-64 encoded string') };
    }
    fields.hmac = body.hmac;
  }
  return { fields };
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function isWireWebhook(value: unknown): value is DailyWireWebhook {
  if (typeof value !== 'object' || value === null) return false;
  const hook = value as Record<string, unknown>;
  return (
    typeof hook.uuid === 'string' &&
    typeof hook.url === 'string' &&
    typeof hook.hmac === 'string' &&
    (hook.basicAuth === null || typeof hook.basicAuth === 'string') &&
    typeof hook.retryType === 'string' &&
    Array.isArray(hook.eventTypes) &&
    hook.eventTypes.every((e) => typeof e === 'string') &&
    (hook.state === 'ACTIVE' || hook.state === 'FAILED' || hook.state === 'INACTIVE') &&
    typeof hook.failedCount === 'number' &&
    (hook.lastMomentPushed === null || typeof hook.lastMomentPushed === 'string') &&
    typeof hook.domainId === 'string' &&
    typeof hook.createdAt === 'string' &&
    typeof hook.updatedAt === 'string'
  );
}

// ---- deliveries (`emulator trigger`) ----

/**
 * `circuit-breaker` tries each message once, counts failures and is FAILED (no more deliveries) at 3;
 * `exponential` retries a message up to 5 times, backing off to 15 min, and never breaks the circuit
 * (docs/providers/daily.md §4.3).
 */
const EXPONENTIAL_RETRIES_S = [60, 120, 240, 480, 900];
/** Daily says "a few seconds": the emulator's choice. */
const TIMEOUT_MS = 2500;

async function trigger(
  emulator: DailyEmulator,
  event: string,
  schedule: Schedule,
): Promise<TriggerDelivery[]> {
  const scheme = (await import('./signature.ts')).dailySignature;
  const { dailySample } = await import('./samples.ts');
  // A FAILED webhook gets nothing until it is re-activated (docs/providers/daily.md §4.3).
  const hooks = emulator.webhooks().filter((h) => h.state === 'ACTIVE' && h.eventTypes.includes(event));
  return Promise.all(
    hooks.map(async (hook) => {
      const sample = dailySample(event);
      const body = Buffer.from(JSON.stringify(sample), 'utf8');
      const waits = hook.retryType === 'exponential' ? schedule.waits(EXPONENTIAL_RETRIES_S) : [];
      const result = await withRetries(
        waits,
        async () => {
          const current = emulator.webhooks().find((h) => h.uuid === hook.uuid);
          if (current === undefined)
            return { ok: false, status: null, error: 'webhook deleted', latencyMs: 0 };
          const headers: Record<string, string> = {
            'content-type': 'application/json',
            'user-agent': 'voicehooks-emulator (Daily)',
            ...scheme.sign({ body, secrets: [current.hmac], timestamp: scheme.formatTimestamp(new Date()) }),
          };
          if (current.basicAuth) headers.authorization = `Basic ${current.basicAuth}`;
          // Daily wants a 200, as its URL probe does.
          const outcome = await sendDelivery(
            current.url,
            'POST',
            headers,
            body,
            TIMEOUT_MS,
            (s) => s === 200,
          );
          if (outcome.ok) emulator.recordDeliverySuccess(hook.uuid);
          else emulator.recordDeliveryFailure(hook.uuid);
          return outcome;
        },
        () => true,
      );
      const after = emulator.webhooks().find((h) => h.uuid === hook.uuid) ?? hook;
      return {
        provider: 'daily',
        event,
        webhookId: hook.uuid,
        url: hook.url,
        method: 'POST',
        deliveryId: typeof sample.id === 'string' ? sample.id : null,
        ...result,
        webhook: {
          state: after.state,
          failedCount: after.failedCount,
          retryType: after.retryType,
          lastMomentPushed: after.lastMomentPushed,
        },
      };
    }),
  );
}

/** The Daily emulator module (`daily.loadEmulator()`). */
export const dailyEmulator: EmulatorModule<DailyEmulator> = {
  create: (options) => createDailyEmulator(options as DailyEmulatorOptions),
  trigger,
  errorBody: (status, message) => ({
    error: status === 429 ? 'rate-limit-error' : 'server-error',
    info: message,
  }),
};
