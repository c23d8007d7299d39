/**
 * ElevenLabs' workspace webhooks over the shared HTTP client, and their attachment to agents through the
 * ConvAI settings (docs/providers/elevenlabs.md). ElevenLabs has four webhook routes (list, create, update,
 * delete); everything else a user expects is built from them here, and said so where it differs:
 *
 * - `get` reads the list (there is no get-one route);
 * - a create takes no events: they are set by an update that follows, and post-call events by pointing the
 *   ConvAI settings (or one agent's override) at the webhook. One command, several writes: a failure after
 *   the first keeps the secret and says how to finish (`update …`, or `create --if-not-exists` again);
 * - an update must carry `name` and `is_disabled`, so both are read first; it cannot change the URL;
 * - there is no rotation: `recreate` makes a new webhook, moves every attachment to it, deletes the old one.
 */
import { ApiError, UnsupportedError, UsageError, type CliError } from '../../errors.ts';
import { HttpClient, decode, type ErrorReading, type RequestSpec } from '../../http.ts';
import type {
  Connection,
  ListOptions,
  ProviderAdapter,
  ProviderDescriptor,
  Scope,
  Webhook,
  WebhookInput,
  WriteOptions,
} from '../types.ts';
import { catalogNames, splitEvents } from './events.ts';
import {
  SETTINGS_FIELDS,
  agentWire,
  createdWire,
  listWire,
  settingsWire,
  statusWire,
  type ConvAISettings,
  type ConvAIWebhooks,
  type ElevenLabsAgent,
  type ElevenLabsPatch,
  type ElevenLabsWebhook,
} from './wire.ts';

const COLLECTION = '/v1/workspace/webhooks';
const SETTINGS = '/v1/convai/settings';
const P = '-p elevenlabs';

/** Products whose pointer at a webhook voicehooks can move (`recreate`) or clear (`delete`). */
const SETTINGS_USAGE = 'ConvAI Settings';
const AGENT_USAGE = 'ConvAI Agent Settings';
/** Usages that are the webhook's own workspace events: they move with its `events` list. */
const EVENT_USAGES = new Set([
  'Voice Library Removal Notices',
  'Speech to Text',
  'Agent QA Evaluations',
  'Flows',
]);

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;

/**
 * ElevenLabs' two error bodies (docs/providers/elevenlabs.md, "Facts and sources"): FastAPI's validation error
 * `{detail: [{loc, msg, type}]}` (422), and `{detail: {type, code, message, status, request_id, param}}`
 * for everything else (`status` is the legacy name of `code`).
 */
export function readElevenLabsError(status: number, body: unknown): ErrorReading {
  const reading: ErrorReading = {};
  const detail = body && typeof body === 'object' ? (body as Record<string, unknown>).detail : undefined;
  if (Array.isArray(detail)) {
    const fieldErrors = detail.flatMap((item: unknown) => {
      if (!item || typeof item !== 'object') return [];
      const { loc, msg } = item as Record<string, unknown>;
      const reason = text(msg);
      if (!reason) return [];
      // `loc` starts with where the value was ("body", "query", "path"); the field path follows.
      const path = Array.isArray(loc) ? loc.filter((part, i) => i > 0 || loc.length === 1).join('.') : '';
      return [path ? `${path}: ${reason}` : reason];
    });
    reading.message = `ElevenLabs refused the request (${status}).`;
    if (fieldErrors.length > 0) reading.fieldErrors = fieldErrors;
  } else if (detail && typeof detail === 'object') {
    const record = detail as Record<string, unknown>;
    const code = text(record.code) ?? text(record.status);
    const message = text(record.message);
    if (message) reading.message = `ElevenLabs: ${message}${code ? ` (${code})` : ''}`;
    else if (code) reading.message = `ElevenLabs answered ${status} (${code}).`;
    const requestId = text(record.request_id);
    if (requestId) reading.requestId = requestId;
    const param = text(record.param);
    if (param) reading.fieldErrors = [`${param}: ${message ?? code ?? 'refused'}`];
  } else if (typeof detail === 'string' && detail.trim() !== '' && detail.length < 300) {
    reading.message = `ElevenLabs: ${detail.trim()}`;
  }
  return reading;
}

/** Where post-call deliveries are switched on: the workspace's ConvAI settings, or one agent's override. */
type Target =
  | { where: 'settings'; settings: ConvAISettings; webhooks: ConvAIWebhooks }
  | { where: 'agent'; agentId: string; agent: ElevenLabsAgent; webhooks: ConvAIWebhooks };

/** What one read of the workspace shows. */
interface Workspace {
  webhooks: ElevenLabsWebhook[];
  /** False when the key may not see `events` and `usage` (`include_usages` is for admins only). */
  usagesShown: boolean;
  settings: ConvAISettings;
  agent?: { agentId: string; agent: ElevenLabsAgent };
}

const describeTarget = (target: Target): string =>
  target.where === 'settings' ? 'the ConvAI settings' : `agent ${target.agentId}'s webhook override`;

const unix = (seconds: number | null | undefined): string | null =>
  typeof seconds === 'number' && Number.isFinite(seconds) ? new Date(seconds * 1000).toISOString() : null;

export function createElevenLabsAdapter(
  connection: Connection,
  scope: Scope,
  descriptor: ProviderDescriptor,
): ProviderAdapter {
  const http = new HttpClient({
    ...connection,
    provider: 'elevenlabs',
    displayName: 'ElevenLabs',
    authHeaders: { 'xi-api-key': connection.apiKey },
    readError: readElevenLabsError,
    secretFields: descriptor.secretFields,
  });
  const item = (id: string) => `${COLLECTION}/${encodeURIComponent(id)}`;
  const agentPath = (agentId: string) => `/v1/convai/agents/${encodeURIComponent(agentId)}`;
  let toldAboutUsages = false;

  // ---- reads ----

  async function readList(): Promise<{ webhooks: ElevenLabsWebhook[]; usagesShown: boolean }> {
    try {
      // `events` are "only populated when usages are requested", and usages are for admins only.
      const res = await http.request({ method: 'GET', path: COLLECTION, query: { include_usages: true } });
      return { webhooks: decode(listWire, res.body, 'ElevenLabs', 'elevenlabs').webhooks, usagesShown: true };
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 403) throw error;
    }
    // A 403 to the admin-only form: the plain list tells a key without admin rights from a bad key.
    const res = await http.request({ method: 'GET', path: COLLECTION });
    if (!toldAboutUsages) {
      toldAboutUsages = true;
      connection.warn?.(
        "Note: this ElevenLabs key is not a workspace admin's, and ElevenLabs shows a webhook's workspace events " +
          '(speech_to_text, agent_qa, flows, voice_library_removal_notice) and its usages to admins only: EVENTS ' +
          'shows only post-call events, and a webhook used elsewhere cannot be told from an unused one.',
      );
    }
    return { webhooks: decode(listWire, res.body, 'ElevenLabs', 'elevenlabs').webhooks, usagesShown: false };
  }

  async function readSettings(): Promise<ConvAISettings> {
    const res = await http.request({ method: 'GET', path: SETTINGS });
    return decode(settingsWire, res.body, 'ElevenLabs', 'elevenlabs');
  }

  async function readAgent(agentId: string): Promise<ElevenLabsAgent> {
    const res = await http.request({ method: 'GET', path: agentPath(agentId) });
    return decode(agentWire, res.body, 'ElevenLabs', 'elevenlabs');
  }

  /** The list, the ConvAI settings and, with an agent, its override: all a webhook's state. */
  async function readWorkspace(agentId = scope.agent): Promise<Workspace> {
    const [list, settings, agent] = await Promise.all([
      readList(),
      readSettings(),
      agentId === undefined ? undefined : readAgent(agentId),
    ]);
    return { ...list, settings, agent: agent && agentId !== undefined ? { agentId, agent } : undefined };
  }

  function targetOf(workspace: Workspace): Target {
    if (workspace.agent) {
      const { agentId, agent } = workspace.agent;
      return {
        where: 'agent',
        agentId,
        agent,
        webhooks: agent.platform_settings?.workspace_overrides?.webhooks ?? {},
      };
    }
    return { where: 'settings', settings: workspace.settings, webhooks: workspace.settings.webhooks ?? {} };
  }

  function find(workspace: Workspace, id: string): ElevenLabsWebhook {
    const found = workspace.webhooks.find((w) => w.webhook_id === id);
    if (found) return found;
    // There is no get-one route: "not found" means the list does not hold it.
    throw new ApiError('notFound', `ElevenLabs has no webhook ${id} in this workspace.`, {
      provider: 'elevenlabs',
      status: 404,
      hint: `List what exists with \`voicehooks list ${P}\`.`,
    });
  }

  function toWebhook(wire: ElevenLabsWebhook, workspace: Workspace): Webhook {
    const settingsHooks = workspace.settings.webhooks;
    const inSettings = settingsHooks?.post_call_webhook_id === wire.webhook_id;
    const agentHooks = workspace.agent?.agent.platform_settings?.workspace_overrides?.webhooks;
    const inAgent = agentHooks?.post_call_webhook_id === wire.webhook_id;
    // Post-call events reach it from the workspace settings and, with --agent, from that agent's override.
    const postCall = new Set([
      ...(inSettings ? (settingsHooks?.events ?? []) : []),
      ...(inAgent ? (agentHooks?.events ?? []) : []),
    ]);
    const raw: Record<string, unknown> = { ...wire };
    // Where it is attached, in ElevenLabs' own words: the `webhooks` objects that point at it.
    if (inSettings) raw.convai_settings_webhooks = settingsHooks;
    if (inAgent && workspace.agent) raw.agent_webhooks = { [workspace.agent.agentId]: agentHooks };
    return {
      provider: 'elevenlabs',
      id: wire.webhook_id,
      url: wire.webhook_url,
      events: [...catalogNames([...postCall], 'post-call'), ...catalogNames(wire.events ?? [], 'workspace')],
      // An auto-disabled webhook gets nothing, whatever `is_disabled` says.
      enabled: !wire.is_disabled && !wire.is_auto_disabled,
      status: wire.is_auto_disabled ? 'auto_disabled' : wire.is_disabled ? 'disabled' : 'active',
      name: wire.name,
      agentId: inAgent && workspace.agent ? workspace.agent.agentId : null,
      createdAt: unix(wire.created_at_unix),
      updatedAt: null,
      secrets: [],
      raw,
    };
  }

  async function getOne(id: string, agentId?: string): Promise<Webhook> {
    const workspace = await readWorkspace(agentId ?? scope.agent);
    return toWebhook(find(workspace, id), workspace);
  }

  // ---- writes ----

  async function patchWebhook(id: string, body: ElevenLabsPatch, check: string): Promise<void> {
    const res = await http.request({ method: 'PATCH', path: item(id), body, check });
    decode(statusWire, res.body, 'ElevenLabs', 'elevenlabs');
  }

  /** Points the target's post-call webhook at `id` (or at nothing), changing nothing else in it. */
  async function setTarget(target: Target, webhooks: ConvAIWebhooks, check: string): Promise<void> {
    const spec: RequestSpec =
      target.where === 'settings'
        ? {
            method: 'PATCH',
            path: SETTINGS,
            // Whether fields left out are kept or reset is undocumented: every setting goes back as it was read.
            body: {
              ...Object.fromEntries(
                SETTINGS_FIELDS.filter((f) => f in target.settings).map((f) => [f, target.settings[f]]),
              ),
              webhooks,
            },
            check,
          }
        : {
            method: 'PATCH',
            path: agentPath(target.agentId),
            body: {
              platform_settings: {
                ...target.agent.platform_settings,
                workspace_overrides: { ...target.agent.platform_settings?.workspace_overrides, webhooks },
              },
            },
            check,
          };
    await http.request(spec);
  }

  /**
   * Refuses, before any write, to take the target's one post-call slot from another webhook unless asked to.
   * A slot pointing at a webhook that no longer exists is free.
   */
  function checkSlot(
    target: Target,
    workspace: Workspace,
    id: string | undefined,
    options?: WriteOptions,
  ): void {
    const holder = target.webhooks.post_call_webhook_id;
    if (!holder || holder === id || options?.replace) return;
    if (!workspace.webhooks.some((w) => w.webhook_id === holder)) return;
    throw new UsageError(
      `The post-call events of ${describeTarget(target)} go to webhook ${holder} already, and ElevenLabs has one post-call webhook there; nothing was changed.`,
      {
        provider: 'elevenlabs',
        hint:
          `Give --replace to send them to this webhook instead (${holder} then gets none), ` +
          (target.where === 'settings' ? 'or --agent ID to attach it to one agent only, ' : '') +
          'or subscribe only to workspace events.',
      },
    );
  }

  /** The `update` command that finishes a create or an update whose later writes failed. */
  function finishCommand(id: string, input: WebhookInput, options?: WriteOptions): string {
    const parts = [`voicehooks update ${id} ${P}`];
    for (const event of input.events ?? []) parts.push(`--event ${event}`);
    const agentId = input.agentId ?? scope.agent;
    if (agentId !== undefined) parts.push(`--agent ${agentId}`);
    if (input.maxRetries !== undefined) parts.push(`--max-retries ${input.maxRetries}`);
    if (input.enabled !== undefined) parts.push(input.enabled ? '--enabled' : '--no-enabled');
    if (options?.replace) parts.push('--replace');
    return parts.join(' ');
  }

  /** An error of a later write of a create, saying what exists and how to finish; the secret is kept by the command. */
  function unfinished(error: unknown, id: string, secret: string | null | undefined, how: string): CliError {
    const cause = error instanceof ApiError ? error : undefined;
    const why = error instanceof Error ? error.message : String(error);
    return new ApiError(
      cause?.kind ?? 'unavailable',
      `Created ElevenLabs webhook ${id}, but setting it up failed: ${why}`,
      {
        provider: 'elevenlabs',
        status: cause?.status,
        requestId: cause?.requestId,
        fieldErrors: cause?.fieldErrors,
        mayHaveReached: cause?.mayHaveReached,
        hint: how,
        issued: secret ? { id, secret } : undefined,
      },
    );
  }

  /**
   * The writes after a create (or a resumed one): the webhook's own fields, then its post-call attachment.
   * `current` is the webhook as listed, absent right after its create (nothing is set yet).
   */
  async function setUp(
    id: string,
    input: WebhookInput,
    workspace: Workspace | undefined,
    current: ElevenLabsWebhook | undefined,
    options?: WriteOptions,
  ): Promise<void> {
    const { postCall, workspace: events } = splitEvents(input.events ?? []);
    const check = `voicehooks get ${id} ${P}`;
    // A resumed create keeps the on/off state it has unless --enabled says otherwise.
    const wantDisabled = input.enabled === undefined ? (current?.is_disabled ?? false) : !input.enabled;
    const sameEvents = current?.events != null && sameSet(current.events, events);
    const needsPatch =
      input.maxRetries !== undefined ||
      (current === undefined
        ? events.length > 0 || wantDisabled
        : !sameEvents || current.is_disabled !== wantDisabled);
    if (needsPatch) {
      const body: ElevenLabsPatch = { name: input.name ?? current?.name ?? '', is_disabled: wantDisabled };
      if (input.maxRetries !== undefined) body.retry_enabled = input.maxRetries > 0;
      body.events = events;
      await patchWebhook(id, body, check);
    }
    if (postCall.length > 0 && workspace) {
      const target = targetOf(workspace);
      if (target.webhooks.post_call_webhook_id !== id || !sameSet(target.webhooks.events ?? [], postCall)) {
        checkSlot(target, workspace, id, options);
        await setTarget(target, { ...target.webhooks, post_call_webhook_id: id, events: postCall }, check);
      }
    }
  }

  /**
   * Detaches the webhook from every post-call slot voicehooks can see pointing at it: the ConvAI settings
   * and, with an agent, that agent's override.
   */
  async function detach(id: string, workspace: Workspace): Promise<void> {
    const check = `voicehooks get ${id} ${P}`;
    const settingsHooks = workspace.settings.webhooks ?? {};
    if (settingsHooks.post_call_webhook_id === id) {
      await setTarget(
        { where: 'settings', settings: workspace.settings, webhooks: settingsHooks },
        { ...settingsHooks, post_call_webhook_id: null },
        check,
      );
    }
    if (workspace.agent) {
      const target = targetOf(workspace);
      if (target.webhooks.post_call_webhook_id === id) {
        await setTarget(target, { ...target.webhooks, post_call_webhook_id: null }, check);
      }
    }
  }

  /** Refuses, before any write, a recreate or delete that would leave a product pointing at a webhook that is gone. */
  function checkMovable(wire: ElevenLabsWebhook, workspace: Workspace, what: string): void {
    const agentAttached =
      workspace.agent?.agent.platform_settings?.workspace_overrides?.webhooks?.post_call_webhook_id ===
      wire.webhook_id;
    const stuck = (wire.usage ?? [])
      .map((u) => u.usage_type)
      .filter(
        (type) =>
          type !== SETTINGS_USAGE && !EVENT_USAGES.has(type) && !(type === AGENT_USAGE && agentAttached),
      );
    if (stuck.length === 0) return;
    const agentHint = stuck.includes(AGENT_USAGE)
      ? ' An agent override points at it: name the agent with --agent ID so voicehooks can move it.'
      : '';
    throw new UnsupportedError(
      `Webhook ${wire.webhook_id} is used by ${[...new Set(stuck)].join(', ')}, which voicehooks cannot ${what}; nothing was changed.${agentHint}`,
      {
        provider: 'elevenlabs',
        hint: 'Point those products at another webhook in the ElevenLabs dashboard first, then run the command again.',
      },
    );
  }

  const adapter: ProviderAdapter = {
    descriptor,

    inputOf(webhook) {
      const raw = webhook.raw as ElevenLabsWebhook;
      // Headers and retries are write-only (the list shows neither): `apply` cannot compare them.
      const input: WebhookInput = {
        url: raw.webhook_url,
        name: raw.name,
        events: webhook.events,
        enabled: !raw.is_disabled,
      };
      if (webhook.agentId !== null) input.agentId = webhook.agentId;
      return input;
    },

    async *list(options: ListOptions = {}) {
      // No pagination: one answer holds every webhook of the workspace.
      const workspace = await readWorkspace();
      const limit = options.limit ?? Infinity;
      let count = 0;
      for (const wire of workspace.webhooks) {
        if (count++ >= limit) return;
        yield toWebhook(wire, workspace);
      }
    },

    get: (id) => getOne(id),

    async create(input, options) {
      const agentId = input.agentId ?? scope.agent;
      const { postCall } = splitEvents(input.events ?? []);
      // The slot is checked before the create, so a refusal writes nothing.
      const workspace = postCall.length > 0 ? await readWorkspace(agentId) : undefined;
      if (workspace) checkSlot(targetOf(workspace), workspace, undefined, options);
      const settings: Record<string, unknown> = {
        auth_type: 'hmac',
        name: input.name ?? '',
        webhook_url: input.url,
      };
      if (input.headers !== undefined) settings.request_headers = input.headers;
      const res = await http.request({
        method: 'POST',
        path: COLLECTION,
        body: { settings },
        ifLost:
          'If it did, a webhook exists without its events, and its secret is lost (ElevenLabs shows it once): find it ' +
          `with \`voicehooks list ${P}\`; \`create --if-not-exists\` with the same flags finishes it.`,
      });
      const created = decode(createdWire, res.body, 'ElevenLabs', 'elevenlabs');
      const id = created.webhook_id;
      try {
        await setUp(id, input, workspace, undefined, options);
        const webhook = await getOne(id, agentId);
        return { ...webhook, secrets: created.webhook_secret ? [created.webhook_secret] : [] };
      } catch (error) {
        throw unfinished(
          error,
          id,
          created.webhook_secret,
          `Finish it with \`${finishCommand(id, input, options)}\`, or run the same create again with --if-not-exists.`,
        );
      }
    },

    async resume(existing, input, options) {
      const agentId = input.agentId ?? scope.agent;
      const workspace = await readWorkspace(agentId);
      const current = find(workspace, existing.id);
      await setUp(existing.id, { ...input, name: input.name ?? current.name }, workspace, current, options);
      return getOne(existing.id, agentId);
    },

    async update(id, input, options) {
      if (input.url !== undefined) throw urlIsFixed(id);
      const agentId = input.agentId ?? scope.agent;
      const workspace = await readWorkspace(agentId);
      const current = find(workspace, id);
      const events = input.events === undefined ? undefined : splitEvents(input.events);
      const target = targetOf(workspace);
      const attached = target.webhooks.post_call_webhook_id === id;
      if (events && events.postCall.length > 0) checkSlot(target, workspace, id, options);
      const check = `voicehooks get ${id} ${P}`;
      const touchesWebhook =
        input.name !== undefined ||
        input.enabled !== undefined ||
        input.maxRetries !== undefined ||
        input.headers !== undefined ||
        events !== undefined;
      if (touchesWebhook) {
        // `name` and `is_disabled` are required: what is not being changed is sent back as it was read.
        const body: ElevenLabsPatch = {
          name: input.name ?? current.name,
          is_disabled: input.enabled === undefined ? current.is_disabled : !input.enabled,
        };
        if (input.maxRetries !== undefined) body.retry_enabled = input.maxRetries > 0;
        if (input.headers !== undefined) body.request_headers = input.headers;
        // "The complete set of workspace-level events": sent only when --event gave the complete set.
        if (events) body.events = events.workspace;
        await patchWebhook(id, body, check);
      }
      if (events) {
        if (events.postCall.length > 0) {
          if (!attached || !sameSet(target.webhooks.events ?? [], events.postCall)) {
            await setTarget(
              target,
              { ...target.webhooks, post_call_webhook_id: id, events: events.postCall },
              check,
            );
          }
        } else if (attached) {
          await setTarget(target, { ...target.webhooks, post_call_webhook_id: null }, check);
        }
      }
      return getOne(id, agentId);
    },

    async delete(id) {
      const workspace = await readWorkspace();
      const wire = find(workspace, id);
      checkMovable(wire, workspace, 'detach it from');
      // "Webhooks can be deleted if not in use by any products": the post-call slots are freed first.
      await detach(id, workspace);
      const res = await http.request({ method: 'DELETE', path: item(id), check: `voicehooks list ${P}` });
      decode(statusWire, res.body, 'ElevenLabs', 'elevenlabs');
    },

    async setEnabled(id, enabled) {
      const workspace = await readWorkspace();
      const current = find(workspace, id);
      if (enabled && current.is_auto_disabled) {
        throw new UnsupportedError(
          `ElevenLabs webhook ${id} was auto-disabled after repeated failed deliveries, and the API cannot re-enable it ` +
            '(ElevenLabs: "Auto-disabled webhooks require re-enabling from the settings page"); nothing was sent.',
          {
            provider: 'elevenlabs',
            hint:
              `Check that the endpoint answers 200 (\`voicehooks test ${id} ${P}\`), then re-enable it in the ` +
              'ElevenLabs dashboard: Settings → Webhooks.',
          },
        );
      }
      if (current.is_disabled !== !enabled) {
        await patchWebhook(id, { name: current.name, is_disabled: !enabled }, `voicehooks get ${id} ${P}`);
      }
      return getOne(id);
    },

    async rotateSecret(id) {
      throw new UnsupportedError(
        "ElevenLabs cannot rotate a webhook's signing secret: the secret is made with the webhook and never changes; nothing was sent.",
        {
          provider: 'elevenlabs',
          hint:
            `\`voicehooks rotate-secret ${id} ${P} --recreate\` makes a new webhook (new id, new secret) with the same ` +
            'fields, moves its post-call attachment to it and deletes this one.',
        },
      );
    },

    async recreate(id, input, options) {
      const agentId = input.agentId ?? scope.agent;
      const workspace = await readWorkspace(agentId);
      const old = find(workspace, id);
      checkMovable(old, workspace, 'move to a new webhook');
      if (!workspace.usagesShown && input.events === undefined) {
        // Without admin rights the old webhook's workspace events cannot be read, so they cannot be carried.
        throw new UnsupportedError(
          `ElevenLabs shows webhook ${id}'s workspace events to admins only, so voicehooks cannot carry them to a new webhook; nothing was changed.`,
          {
            provider: 'elevenlabs',
            hint: "Give the complete set with --event (post-call and workspace events), or use an admin's key.",
          },
        );
      }
      const settingsHooks = workspace.settings.webhooks ?? {};
      const agentHooks = workspace.agent?.agent.platform_settings?.workspace_overrides?.webhooks ?? {};
      const events = input.events ?? [
        ...catalogNames(old.events ?? [], 'workspace'),
        ...toWebhook(old, workspace).events.filter((e) => splitEvents([e]).postCall.length > 0),
      ];
      const fresh: WebhookInput = {
        name: input.name ?? old.name,
        url: input.url ?? old.webhook_url,
        enabled: input.enabled ?? !old.is_disabled,
        events,
      };
      if (input.headers !== undefined) fresh.headers = input.headers;
      if (input.maxRetries !== undefined) fresh.maxRetries = input.maxRetries;
      const { postCall } = splitEvents(events);
      const target = targetOf(workspace);
      if (postCall.length > 0 && target.webhooks.post_call_webhook_id !== id)
        checkSlot(target, workspace, id, options);

      const res = await http.request({
        method: 'POST',
        path: COLLECTION,
        body: {
          settings: {
            auth_type: 'hmac',
            name: fresh.name,
            webhook_url: fresh.url,
            ...(fresh.headers ? { request_headers: fresh.headers } : {}),
          },
        },
        ifLost:
          `If it did, a second webhook for ${fresh.url} exists beside ${id}, and its secret is lost: find it with ` +
          `\`voicehooks list ${P}\`, delete it, and run the command again.`,
      });
      const created = decode(createdWire, res.body, 'ElevenLabs', 'elevenlabs');
      const newId = created.webhook_id;
      try {
        const check = `voicehooks list ${P}`;
        await patchWebhook(
          newId,
          {
            name: fresh.name ?? old.name,
            is_disabled: fresh.enabled === false,
            events: splitEvents(events).workspace,
            ...(fresh.maxRetries !== undefined ? { retry_enabled: fresh.maxRetries > 0 } : {}),
          },
          check,
        );
        // Every slot that pointed at the old webhook points at the new one. Where --event gave the complete set,
        // the target slot (the agent's with --agent, else the settings') gets its post-call part, or is freed.
        const next = (hooks: ConvAIWebhooks, isTarget: boolean): ConvAIWebhooks | undefined => {
          const pointsAtOld = hooks.post_call_webhook_id === id;
          if (isTarget && input.events !== undefined) {
            if (postCall.length > 0) return { ...hooks, post_call_webhook_id: newId, events: postCall };
            return pointsAtOld ? { ...hooks, post_call_webhook_id: null } : undefined;
          }
          return pointsAtOld ? { ...hooks, post_call_webhook_id: newId } : undefined;
        };
        const settingsNext = next(settingsHooks, !workspace.agent);
        if (settingsNext) {
          await setTarget(
            { where: 'settings', settings: workspace.settings, webhooks: settingsHooks },
            settingsNext,
            check,
          );
        }
        const agentNext = workspace.agent ? next(agentHooks, true) : undefined;
        if (agentNext) await setTarget(target, agentNext, check);
        await http.request({ method: 'DELETE', path: item(id), check });
      } catch (error) {
        throw unfinished(
          error,
          newId,
          created.webhook_secret,
          `The new webhook ${newId} exists beside the old ${id}. Finish by hand: \`${finishCommand(newId, fresh, { replace: true })}\`, ` +
            `then \`voicehooks delete ${id} ${P} --yes\`.`,
        );
      }
      const webhook = await getOne(newId, agentId);
      const secret = created.webhook_secret ?? '';
      const dropped =
        input.headers === undefined
          ? ' Custom headers cannot be read back: give them again with --header if it had any.'
          : '';
      return {
        webhook: { ...webhook, secrets: secret ? [secret] : [] },
        secret,
        notice:
          `ElevenLabs webhook ${id} was replaced by ${newId} (a new id and a new secret); its post-call attachment ` +
          `moved with it and the old webhook is deleted. Give the new secret to your receivers now.${dropped}`,
      };
    },
  };
  return adapter;
}

/** `update --url` without `--recreate`: exit 6 before any request. */
function urlIsFixed(id: string): UnsupportedError {
  return new UnsupportedError(
    "ElevenLabs cannot change a webhook's URL (its update has no URL field); nothing was sent.",
    {
      provider: 'elevenlabs',
      hint:
        `\`voicehooks update ${id} ${P} --url URL --recreate\` makes a new webhook at the new URL (new id and ` +
        'secret), moves its attachments to it and deletes this one.',
    },
  );
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  return left.size === new Set(b).size && b.every((value) => left.has(value));
}
