/** Daily's webhook API over the shared HTTP client (docs/providers/daily.md §4). */
import { ApiError, UnsupportedError } from '../../errors.ts';
import { HttpClient, decode, type ErrorReading, type RequestSpec } from '../../http.ts';
import type {
  Connection,
  ListOptions,
  ProviderAdapter,
  ProviderDescriptor,
  Scope,
  Webhook,
  WebhookInput,
} from '../types.ts';
import {
  errorWire,
  listWire,
  oneOrArrayWire,
  webhookWire,
  type DailyWebhook,
  type DailyWrite,
} from './wire.ts';
import { newSecret } from '../random.ts';

/** Daily's old beta docs numbered the states `FAILED: 0, ACTIVE: 1, STOPPED: 2` (docs/providers/daily.md §4.2). */
const LEGACY_STATES: Readonly<Record<number, string>> = { 0: 'FAILED', 1: 'ACTIVE', 2: 'INACTIVE' };

/** The `state` word as `status`: strings unchanged, legacy numbers translated. */
export function statusOf(state: DailyWebhook['state']): string | null {
  if (state === null || state === undefined) return null;
  if (typeof state === 'number') return LEGACY_STATES[state] ?? String(state);
  return state;
}

/** ISO 8601 unchanged; the legacy Unix seconds (or milliseconds) as ISO 8601. */
function timeOf(value: DailyWebhook['createdAt']): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  return new Date(value > 1e11 ? value : value * 1000).toISOString();
}

export function toWebhook(wire: DailyWebhook): Webhook {
  return {
    provider: 'daily',
    id: wire.uuid,
    url: wire.url,
    events: wire.eventTypes ?? [],
    // Daily has no on/off switch; `state` is the webhook's health, shown as `status` (docs/providers/daily.md §4.2).
    enabled: null,
    status: statusOf(wire.state),
    name: null,
    agentId: null,
    createdAt: timeOf(wire.createdAt),
    updatedAt: timeOf(wire.updatedAt),
    secrets: typeof wire.hmac === 'string' && wire.hmac !== '' ? [wire.hmac] : [],
    raw: wire,
  };
}

/** The fields `apply` compares, read from the wire object (`hmac` is returned on every read). */
export function inputOf(webhook: Webhook): WebhookInput {
  const raw = webhook.raw as DailyWebhook;
  const input: WebhookInput = { url: raw.url, events: raw.eventTypes ?? [] };
  if (typeof raw.hmac === 'string' && raw.hmac !== '') input.secrets = [raw.hmac];
  if (raw.basicAuth != null) input.basicAuth = raw.basicAuth;
  if (raw.retryType != null) input.retryType = raw.retryType;
  return input;
}

/** Daily's errors are `{"error": "<type>", "info": "<human text>"}` (docs/providers/daily.md §4.4). */
export function readDailyError(_status: number, body: unknown): ErrorReading {
  const parsed = errorWire.safeParse(body);
  if (parsed.success && (parsed.data.info || parsed.data.error)) {
    const { error, info } = parsed.data;
    return { message: info ? `Daily: ${info}${error ? ` (${error})` : ''}` : `Daily: ${error ?? ''}` };
  }
  return typeof body === 'string' && body.length < 300 ? { message: `Daily: ${body}` } : {};
}

/** Only the documented body fields (specs/daily.reconstructed.openapi.yaml `CreateWebhook`/`UpdateWebhook`). */
function toWrite(input: WebhookInput): DailyWrite {
  const body: DailyWrite = {};
  if (input.url !== undefined) body.url = input.url;
  if (input.events !== undefined) body.eventTypes = input.events;
  if (input.secrets?.[0] !== undefined) body.hmac = input.secrets[0];
  // `basicAuth` is nullable: an empty --basic-auth removes it.
  if (input.basicAuth !== undefined) body.basicAuth = input.basicAuth === '' ? null : input.basicAuth;
  if (input.retryType !== undefined) body.retryType = input.retryType;
  return body;
}

/** Words of a 400 that point at something other than the URL probe. */
const NOT_A_PROBE = /hmac|retryType|eventTypes|basicAuth|json-parsing|authorization/i;

/**
 * Daily POSTs `{"test":"test"}` to the URL on every create and update and answers 400 unless it gets a 200
 * quickly (docs/providers/daily.md §4.2); such a refusal gets a hint on making the endpoint answer.
 */
function explainProbe(error: unknown, url: string | undefined): unknown {
  if (!(error instanceof ApiError) || error.status !== 400 || NOT_A_PROBE.test(error.message)) return error;
  const where = url ? ` ${url}` : ' the URL';
  return new ApiError(error.kind, error.message, {
    status: error.status,
    provider: error.provider,
    requestId: error.requestId,
    fieldErrors: error.fieldErrors,
    retryable: error.retryable,
    hint:
      `Daily tests${where} with a POST of {"test":"test"} on every create and update and needs a 200 within ` +
      'a few seconds; nothing was changed. Make the URL answer 200 to a POST (e.g. a local receiver), then try again.',
  });
}

export function createDailyAdapter(
  connection: Connection,
  scope: Scope,
  descriptor: ProviderDescriptor,
): ProviderAdapter {
  const http = new HttpClient({
    ...connection,
    provider: 'daily',
    displayName: 'Daily',
    authHeaders: { Authorization: `Bearer ${connection.apiKey}` },
    readError: readDailyError,
    secretFields: descriptor.secretFields,
  });
  const path = (id: string) => `/webhooks/${encodeURIComponent(id)}`;
  const one = (body: unknown) => toWebhook(decode(webhookWire, body, 'Daily', 'daily'));

  /**
   * Create and update both make Daily probe the URL; a refusal keeps Daily's message and gains a hint. Daily
   * updates with a POST too, so an update says what to do if its answer is lost (`lost`); without it, the
   * client would give a create's advice.
   */
  const write = async (
    requestPath: string,
    input: WebhookInput,
    url: string | undefined,
    lost?: Pick<RequestSpec, 'check' | 'ifLost'>,
  ) => {
    try {
      return one(
        (await http.request({ method: 'POST', path: requestPath, body: toWrite(input), ...lost })).body,
      );
    } catch (error) {
      throw explainProbe(error, url);
    }
  };
  const checkWithGet = (id: string) => ({ check: `voicehooks get ${id} -p daily` });

  /** The same URL sent back: Daily probes it and turns a FAILED webhook back on (docs/providers/daily.md §4.2). */
  const reactivate = (current: Webhook) =>
    write(path(current.id), { url: current.url }, current.url, checkWithGet(current.id));

  const noOffSwitch = (id: string, what: string) =>
    new UnsupportedError(`${what}; nothing was changed.`, {
      provider: 'daily',
      hint:
        `To stop deliveries, delete it (\`voicehooks delete ${id} -p daily --yes\`) and create it again later; ` +
        `to get fewer events, narrow them (\`voicehooks update ${id} -p daily --event …\`).`,
    });

  const adapter: ProviderAdapter = {
    descriptor,
    inputOf,

    async *list(options: ListOptions = {}) {
      const res = await http.request({ method: 'GET', path: '/webhooks' });
      const all = decode(listWire, res.body, 'Daily', 'daily');
      yield* all.slice(0, options.limit ?? all.length).map(toWebhook);
    },

    async get(id) {
      const body = decode(
        oneOrArrayWire,
        (await http.request({ method: 'GET', path: path(id) })).body,
        'Daily',
        'daily',
      );
      if (!Array.isArray(body)) return toWebhook(body);
      const found = body.length === 1 ? body[0] : body.find((w) => w.uuid === id);
      if (found === undefined) {
        throw new ApiError('notFound', `Daily answered no webhook ${id}.`, {
          status: 404,
          provider: 'daily',
          hint: 'List what exists with `voicehooks list -p daily`.',
        });
      }
      return toWebhook(found);
    },

    create: (input) => write('/webhooks', input, input.url),

    async update(id, input) {
      return write(path(id), input, input.url, checkWithGet(id));
    },

    async delete(id) {
      await http.request({ method: 'DELETE', path: path(id) });
    },

    // Daily has no switch (docs/providers/daily.md §4.2): "on" re-activates a webhook that is not ACTIVE (after 3 failed
    // deliveries it is FAILED and Daily stops sending), "off" does not exist.
    async setEnabled(id, enabled) {
      if (!enabled) throw noOffSwitch(id, 'Daily webhooks cannot be turned off');
      const current = await adapter.get(id);
      return current.status === 'ACTIVE' ? current : reactivate(current);
    },

    async flip(id) {
      const current = await adapter.get(id);
      if (current.status === 'ACTIVE') {
        throw noOffSwitch(id, `Daily webhook ${id} is ACTIVE and Daily webhooks cannot be turned off`);
      }
      return reactivate(current);
    },

    async rotateSecret(id) {
      // 32 random bytes, base64: the form of the hmac Daily provisions itself (docs/providers/daily.md §4.2 example).
      const secret = await newSecret('base64');
      const webhook = await write(path(id), { secrets: [secret] }, undefined, {
        ifLost: `If it did, Daily now signs with a secret that was never shown: run \`voicehooks rotate-secret ${id} -p daily\` again.`,
      });
      const notice =
        'Daily switched to the new secret at once: deliveries are signed with it from now on and the old ' +
        'secret no longer verifies (Daily keeps no overlap), so update your receivers now. Daily also ' +
        'probed the URL again, and it answered.';
      return { webhook, secret, notice };
    },
  };
  return adapter;
}
