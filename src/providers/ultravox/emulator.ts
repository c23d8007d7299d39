/**
 * A stateful emulator of Ultravox's webhook API (`/api/webhooks`), speaking the wire format of the OpenAPI
 * spec (`test/specs/ultravox.openapi.yaml`, see docs/providers/ultravox.md §1). The backend is Django REST
 * Framework, so error bodies, cursors and field validation follow DRF's conventions.
 */
import { ULTRAVOX_EVENTS } from './events.ts';
import { randomBytes, randomUUID } from 'node:crypto';
import {
  decodeSegment,
  headerValue,
  keyAccepted,
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

/** The emulator accepts exactly the documented catalog (`EventsEnum` in the spec). */
const EVENT_NAMES: readonly string[] = ULTRAVOX_EVENTS.map((e) => e.name);

export interface UltravoxWebhookFailure {
  timestamp: string;
  failure: string;
}

/** A webhook exactly as Ultravox puts it on the wire (`components.schemas.Webhook`). */
export interface UltravoxWireWebhook {
  webhookId: string;
  agentId: string | null;
  created: string;
  url: string;
  secrets: string[];
  events: string[];
  status: 'normal' | 'unhealthy';
  lastStatusChange: string | null;
  recentFailures: UltravoxWebhookFailure[];
}

export interface UltravoxEmulatorOptions {
  /** The accepted `X-API-Key`; absent = any non-empty key is accepted. */
  apiKey?: string;
  /** Default 100 (Ultravox does not document its own default). */
  defaultPageSize?: number;
  /** Default 1000; larger `pageSize` values are capped. */
  maxPageSize?: number;
  /** When set, `next`/`previous` links use this origin+prefix instead of the request's origin. */
  nextOrigin?: string;
}

export type UltravoxEmulator = ProviderEmulator & {
  webhooks(): UltravoxWireWebhook[];
  seed(count: number, agentId?: string): void;
  markFailure(id: string, failure: string): void;
};

interface Entry {
  /** Creation order; cursors point at it so that deletes during paging neither skip nor repeat rows. */
  seq: number;
  hook: UltravoxWireWebhook;
}

type FieldErrors = Record<string, unknown>;

const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const COLLECTION_RE = /^\/api\/webhooks\/?$/;
const ITEM_RE = /^\/api\/webhooks\/([^/]+)\/?$/;
const MAX_RECENT_FAILURES = 10;

const notFound = (): EmulatorResponse => ({ status: 404, body: { detail: 'Not found.' } });

export function createUltravoxEmulator(options: UltravoxEmulatorOptions = {}): UltravoxEmulator {
  const defaultPageSize = options.defaultPageSize ?? 100;
  const maxPageSize = options.maxPageSize ?? 1000;
  let entries: Entry[] = [];
  let nextSeq = 1;
  let lastCreatedMs = 0;

  /** Strictly increasing creation times, so ordering by `created` and by creation agree. */
  const nowCreated = (): string => {
    lastCreatedMs = Math.max(Date.now(), lastCreatedMs + 1);
    return new Date(lastCreatedMs).toISOString();
  };

  const find = (id: string): Entry | undefined => {
    const normal = normalUuid(id);
    return normal === undefined ? undefined : entries.find((entry) => entry.hook.webhookId === normal);
  };

  const insert = (hook: UltravoxWireWebhook): void => {
    entries.push({ seq: nextSeq++, hook });
  };

  const authorised = (req: EmulatorRequest) => keyAccepted(req.headers['x-api-key'], options.apiKey);

  const list = (req: EmulatorRequest): EmulatorResponse => {
    const agentParam = req.query.get('agentId') ?? '';
    let agentId: string | undefined;
    if (agentParam !== '') {
      agentId = normalUuid(agentParam);
      if (agentId === undefined) return { status: 400, body: { agentId: ['Enter a valid UUID.'] } };
    }
    const pageSize = resolvePageSize(req.query.get('pageSize'), defaultPageSize, maxPageSize);
    const rawCursor = req.query.get('cursor');
    const cursor = rawCursor === null || rawCursor === '' ? undefined : decodeCursor(rawCursor);
    if (cursor === null) return { status: 404, body: { detail: 'Invalid cursor' } };

    const matching = entries.filter((entry) => agentId === undefined || entry.hook.agentId === agentId);
    let page: Entry[];
    if (cursor === undefined) page = matching.slice(0, pageSize);
    else if (cursor.reverse) page = matching.filter((entry) => entry.seq < cursor.position).slice(-pageSize);
    else page = matching.filter((entry) => entry.seq > cursor.position).slice(0, pageSize);

    const first = page[0];
    const last = page[page.length - 1];
    const base = `${options.nextOrigin ?? req.origin}/api/webhooks`;
    let next: string | null = null;
    let previous: string | null = null;
    if (first !== undefined && last !== undefined) {
      if (matching.some((entry) => entry.seq > last.seq)) {
        next = pageLink(base, req.query, { position: last.seq, reverse: false });
      }
      if (matching.some((entry) => entry.seq < first.seq)) {
        previous = pageLink(base, req.query, { position: first.seq, reverse: true });
      }
    } else if (cursor !== undefined && !cursor.reverse && matching.some((e) => e.seq <= cursor.position)) {
      previous = pageLink(base, req.query, { position: cursor.position + 1, reverse: true });
    }
    return {
      status: 200,
      body: {
        next,
        previous,
        results: page.map((entry) => structuredClone(entry.hook)),
        total: matching.length,
      },
    };
  };

  const create = (req: EmulatorRequest): EmulatorResponse => {
    const parsed = parseBody(req);
    if ('response' in parsed) return parsed.response;
    const checked = validate(parsed.data, 'create');
    if ('errors' in checked) return { status: 400, body: checked.errors };
    const fields = checked.fields;
    const hook: UltravoxWireWebhook = {
      webhookId: randomUUID(),
      agentId: fields.agentId ?? null,
      created: nowCreated(),
      url: fields.url ?? '',
      // "a secret key is automatically generated for you or you can choose to provide your own secret"
      // (docs/providers/ultravox.md §1.3).
      secrets:
        fields.secrets !== undefined && fields.secrets.length > 0 ? fields.secrets : [generateSecret()],
      events: fields.events ?? [],
      status: 'normal',
      lastStatusChange: null,
      recentFailures: [],
    };
    insert(hook);
    return { status: 201, body: structuredClone(hook) };
  };

  const update = (req: EmulatorRequest, entry: Entry, mode: 'put' | 'patch'): EmulatorResponse => {
    const parsed = parseBody(req);
    if ('response' in parsed) return parsed.response;
    const checked = validate(parsed.data, mode);
    if ('errors' in checked) return { status: 400, body: checked.errors };
    // DRF's non-partial update still leaves optional fields that are absent from the body unchanged.
    const { url, events, secrets, agentId } = checked.fields;
    if (url !== undefined) entry.hook.url = url;
    if (events !== undefined) entry.hook.events = events;
    if (secrets !== undefined) entry.hook.secrets = secrets;
    if (agentId !== undefined) entry.hook.agentId = agentId;
    return { status: 200, body: structuredClone(entry.hook) };
  };

  const emulator: UltravoxEmulator = {
    handle(req: EmulatorRequest): EmulatorResponse {
      const method = req.method.toUpperCase();
      const itemMatch = ITEM_RE.exec(req.path);
      const isCollection = COLLECTION_RE.test(req.path);
      if (!isCollection && itemMatch === null) return notFound();
      if (!authorised(req)) return { status: 401, body: { detail: 'Invalid API key.' } };

      if (isCollection) {
        if (method === 'GET') return list(req);
        if (method === 'POST') return create(req);
        return methodNotAllowed(method, 'GET, POST, HEAD, OPTIONS');
      }
      const entry = find(decodeSegment(itemMatch?.[1] ?? ''));
      const allowed = 'GET, PUT, PATCH, DELETE, HEAD, OPTIONS';
      if (!['GET', 'PUT', 'PATCH', 'DELETE'].includes(method)) return methodNotAllowed(method, allowed);
      if (entry === undefined) return notFound();
      if (method === 'GET') return { status: 200, body: structuredClone(entry.hook) };
      if (method === 'PUT') return update(req, entry, 'put');
      if (method === 'PATCH') return update(req, entry, 'patch');
      entries = entries.filter((other) => other !== entry);
      return { status: 204 };
    },

    snapshot(): unknown {
      return { webhooks: entries.map((entry) => structuredClone(entry.hook)) };
    },

    restore(state: unknown): void {
      const hooks =
        typeof state === 'object' && state !== null && 'webhooks' in state ? state.webhooks : undefined;
      if (!Array.isArray(hooks) || !hooks.every(isWireWebhook)) {
        throw new TypeError('Ultravox emulator state must be {"webhooks": [...Webhook objects]}');
      }
      entries = [];
      nextSeq = 1;
      for (const hook of hooks) {
        insert(structuredClone(hook));
        lastCreatedMs = Math.max(lastCreatedMs, Date.parse(hook.created) || 0);
      }
    },

    webhooks(): UltravoxWireWebhook[] {
      return entries.map((entry) => structuredClone(entry.hook));
    },

    seed(count: number, agentId?: string): void {
      const agent = agentId === undefined ? null : normalUuid(agentId);
      if (agent === undefined) throw new TypeError(`seed: agentId ${agentId ?? ''} is not a UUID`);
      const start = entries.length;
      for (let i = 0; i < count; i++) {
        insert({
          webhookId: randomUUID(),
          agentId: agent,
          created: nowCreated(),
          url: `https://hooks.example.com/ultravox/${start + i + 1}`,
          secrets: [generateSecret()],
          events: ['call.ended'],
          status: 'normal',
          lastStatusChange: null,
          recentFailures: [],
        });
      }
    },

    markFailure(id: string, failure: string): void {
      const entry = find(id);
      if (entry === undefined) throw new Error(`No Ultravox webhook ${id} in the emulator`);
      const now = new Date().toISOString();
      entry.hook.recentFailures = [...entry.hook.recentFailures, { timestamp: now, failure }].slice(
        -MAX_RECENT_FAILURES,
      );
      if (entry.hook.status !== 'unhealthy') {
        entry.hook.status = 'unhealthy';
        entry.hook.lastStatusChange = now;
      }
    },
  };
  return emulator;
}

// ---------------------------------------------------------------------------------------------------------
// Wire helpers

/** The canonical (lower-case, hyphenated) form of a UUID, or undefined when `value` is not one. */
function normalUuid(value: string): string | undefined {
  if (!UUID_RE.test(value)) return undefined;
  const hex = value.replaceAll('-', '').toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function generateSecret(): string {
  return randomBytes(24).toString('base64url'); // 32 url-safe characters
}

function methodNotAllowed(method: string, allow: string): EmulatorResponse {
  return { status: 405, headers: { allow }, body: { detail: `Method "${method}" not allowed.` } };
}

/** DRF: a missing, non-positive or non-numeric `pageSize` falls back to the default; a large one is capped. */
function resolvePageSize(raw: string | null, fallback: number, max: number): number {
  if (raw === null || !/^\s*\d+\s*$/.test(raw)) return fallback;
  const n = Number.parseInt(raw, 10);
  if (n <= 0) return fallback;
  return Math.min(n, max);
}

interface Cursor {
  position: number;
  reverse: boolean;
}

/** DRF-style cursor: base64 of a query string, `p=<position>` plus `r=1` for backwards pages. */
function encodeCursor(cursor: Cursor): string {
  const params = new URLSearchParams();
  if (cursor.reverse) params.set('r', '1');
  params.set('p', String(cursor.position));
  return Buffer.from(params.toString(), 'utf8').toString('base64');
}

/** The cursor, or null when it is not one this server issued. */
function decodeCursor(raw: string): Cursor | null {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(raw)) return null;
  const params = new URLSearchParams(Buffer.from(raw, 'base64').toString('utf8'));
  const position = params.get('p');
  const reverse = params.get('r');
  if (position === null || !/^\d{1,15}$/.test(position)) return null;
  if (reverse !== null && reverse !== '0' && reverse !== '1') return null;
  return { position: Number(position), reverse: reverse === '1' };
}

/** DRF's `replace_query_param`: the request's own query (pageSize, agentId, …) with a new cursor. */
function pageLink(base: string, query: URLSearchParams, cursor: Cursor): string {
  const params = new URLSearchParams(query);
  params.set('cursor', encodeCursor(cursor));
  return `${base}?${params.toString()}`;
}

function parseBody(req: EmulatorRequest): { data: unknown } | { response: EmulatorResponse } {
  const contentType = headerValue(req.headers['content-type']);
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  if (req.body.trim() === '') return { data: {} };
  // Without a content type DRF would see no data at all; the emulator reads the body as JSON instead.
  if (mediaType !== undefined && mediaType !== '' && mediaType !== 'application/json') {
    return {
      response: {
        status: 415,
        body: { detail: `Unsupported media type "${contentType ?? ''}" in request.` },
      },
    };
  }
  const read = readJsonBody(req.body);
  return 'data' in read
    ? read
    : { response: { status: 400, body: { detail: `JSON parse error - ${read.error}` } } };
}

interface WritableFields {
  url?: string;
  events?: string[];
  secrets?: string[];
  agentId?: string | null;
}

/**
 * Validates the writable fields of a body as DRF's serializer would: every field's errors are collected,
 * read-only and unknown properties are ignored, `url` and `events` are required except on PATCH.
 */
function validate(
  data: unknown,
  mode: 'create' | 'put' | 'patch',
): { fields: WritableFields } | { errors: FieldErrors } {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    const got = data === null ? 'null' : Array.isArray(data) ? 'list' : typeof data;
    return { errors: { non_field_errors: [`Invalid data. Expected a dictionary, but got ${got}.`] } };
  }
  const body = data as Record<string, unknown>;
  const errors: FieldErrors = {};
  const fields: WritableFields = {};
  const required = mode !== 'patch';

  if (body.url === undefined) {
    if (required) errors.url = ['This field is required.'];
  } else {
    const problems = urlProblems(body.url);
    if (problems.length > 0) errors.url = problems;
    else fields.url = String(body.url);
  }

  if (body.events === undefined) {
    if (required) errors.events = ['This field is required.'];
  } else {
    const result = validateList(body.events, (item) => {
      if (typeof item !== 'string' || !EVENT_NAMES.includes(item)) {
        return [`"${typeof item === 'string' ? item : JSON.stringify(item)}" is not a valid choice.`];
      }
      return [];
    });
    if ('error' in result) errors.events = result.error;
    else fields.events = result.items as string[];
  }

  if (body.secrets !== undefined) {
    const result = validateList(
      body.secrets,
      (item) => {
        if (typeof item !== 'string') return ['Not a valid string.'];
        if (item.trim() === '') return ['This field may not be blank.'];
        if (item.length > 120) return ['Ensure this field has no more than 120 characters.'];
        return [];
      },
      true,
    );
    if ('error' in result) errors.secrets = result.error;
    else fields.secrets = result.items as string[];
  }

  if (body.agentId !== undefined) {
    if (body.agentId === null) fields.agentId = null;
    else {
      const agent = typeof body.agentId === 'string' ? normalUuid(body.agentId) : undefined;
      if (agent === undefined) errors.agentId = ['Must be a valid UUID.'];
      else fields.agentId = agent;
    }
  }

  return Object.keys(errors).length > 0 ? { errors } : { fields };
}

function validateList(
  value: unknown,
  check: (item: unknown) => string[],
  allowEmpty = false,
): { items: unknown[] } | { error: unknown } {
  if (value === null) return { error: ['This field may not be null.'] };
  if (!Array.isArray(value)) {
    const got = typeof value === 'object' ? 'dict' : typeof value === 'string' ? 'str' : typeof value;
    return { error: [`Expected a list of items but got type "${got}".`] };
  }
  if (!allowEmpty && value.length === 0) return { error: ['This list may not be empty.'] };
  const itemErrors: Record<string, string[]> = {};
  value.forEach((item: unknown, index) => {
    const problems = check(item);
    if (problems.length > 0) itemErrors[String(index)] = problems;
  });
  return Object.keys(itemErrors).length > 0 ? { error: itemErrors } : { items: value as unknown[] };
}

/** Django's URLField: a string of at most 200 characters that its URLValidator accepts. */
function urlProblems(value: unknown): string[] {
  if (value === null) return ['This field may not be null.'];
  if (typeof value !== 'string') return ['Not a valid string.'];
  if (value.trim() === '') return ['This field may not be blank.'];
  const problems: string[] = [];
  if (value.length > 200) problems.push('Ensure this field has no more than 200 characters.');
  if (!isValidUrl(value)) problems.push('Enter a valid URL.');
  return problems;
}

/**
 * An approximation of Django's URLValidator: http(s)/ftp(s) scheme, and a host that is `localhost`, an IP
 * address or a domain name with a top-level domain.
 */
function isValidUrl(value: string): boolean {
  if (/\s/.test(value)) return false;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (!['http:', 'https:', 'ftp:', 'ftps:'].includes(url.protocol)) return false;
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return false;
  const host = url.hostname;
  if (host === 'localhost') return true;
  if (host.startsWith('[') && host.endsWith(']')) return true;
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host)) return host.split('.').every((octet) => Number(octet) <= 255);
  const labels = host.replace(/\.$/, '').split('.');
  const tld = labels[labels.length - 1] ?? '';
  if (labels.length < 2 || !/^([a-z]{2,63}|xn--[a-z0-9]{1,59})$/i.test(tld)) return false;
  return labels.every((label) => /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i.test(label));
}

function isWireWebhook(value: unknown): value is UltravoxWireWebhook {
  if (typeof value !== 'object' || value === null) return false;
  const hook = value as Record<string, unknown>;
  const strings = (v: unknown): boolean => Array.isArray(v) && v.every((item) => typeof item === 'string');
  return (
    typeof hook.webhookId === 'string' &&
    (hook.agentId === null || typeof hook.agentId === 'string') &&
    typeof hook.created === 'string' &&
    typeof hook.url === 'string' &&
    strings(hook.secrets) &&
    strings(hook.events) &&
    (hook.status === 'normal' || hook.status === 'unhealthy') &&
    (hook.lastStatusChange === null || typeof hook.lastStatusChange === 'string') &&
    Array.isArray(hook.recentFailures) &&
    hook.recentFailures.every(
      (f: unknown) =>
        typeof f === 'object' &&
        f !== null &&
        typeof (f as Record<string, unknown>).timestamp === 'string' &&
        typeof (f as Record<string, unknown>).failure === 'string',
    )
  );
}

// ---- deliveries (`emulator trigger`) ----

/**
 * Any 4xx/5xx (or no answer) is retried, 10 retries from 30 s doubling; every failed attempt goes into
 * `recentFailures` and makes the webhook `unhealthy` (docs/providers/ultravox.md §1.5).
 */
const RETRIES_S = Array.from({ length: 10 }, (_, i) => 30 * 2 ** i);
/** Ultravox documents no delivery timeout: the emulator's choice. */
const TIMEOUT_MS = 10_000;
/** "any 2xx or 3xx is fine" (docs/providers/ultravox.md §1.5). */
const okUpTo399 = (status: number) => status >= 200 && status < 400;

async function trigger(
  emulator: UltravoxEmulator,
  event: string,
  schedule: Schedule,
): Promise<TriggerDelivery[]> {
  const scheme = (await import('./signature.ts')).ultravoxSignature;
  const { ultravoxSample } = await import('./samples.ts');
  const hooks = emulator.webhooks().filter((hook) => (hook.events as string[]).includes(event));
  return Promise.all(
    hooks.map(async (hook) => {
      const sample = ultravoxSample(event);
      // An agent's webhook hears about that agent's calls only: the sample call is one of them.
      const call = sample.call as Record<string, unknown>;
      if (hook.agentId !== null) {
        call.agentId = hook.agentId;
        call.agent = { ...(call.agent as Record<string, unknown>), agentId: hook.agentId };
      }
      const body = Buffer.from(JSON.stringify(sample), 'utf8');
      const result = await withRetries(
        schedule.waits(RETRIES_S),
        async () => {
          // Every attempt is signed afresh, with every secret of the webhook (one signature each).
          const headers = {
            'content-type': 'application/json',
            'user-agent': 'Ultravox-Webhooks (voicehooks emulator)',
            ...scheme.sign({ body, secrets: hook.secrets, timestamp: scheme.formatTimestamp(new Date()) }),
          };
          const outcome = await sendDelivery(hook.url, 'POST', headers, body, TIMEOUT_MS, okUpTo399);
          if (!outcome.ok) emulator.markFailure(hook.webhookId, outcome.error ?? 'failed');
          return outcome;
        },
        () => true,
      );
      const after = emulator.webhooks().find((h) => h.webhookId === hook.webhookId) ?? hook;
      return {
        provider: 'ultravox',
        event,
        webhookId: hook.webhookId,
        url: hook.url,
        method: 'POST',
        deliveryId: typeof call.callId === 'string' ? call.callId : null,
        ...result,
        webhook: { status: after.status, recentFailures: after.recentFailures },
      };
    }),
  );
}

/** The Ultravox emulator module (`ultravox.loadEmulator()`). */
export const ultravoxEmulator: EmulatorModule<UltravoxEmulator> = {
  create: (options) => createUltravoxEmulator(options as UltravoxEmulatorOptions),
  trigger,
  // Django REST framework's error shape.
  errorBody: (_status, message) => ({ detail: message }),
};
