/**
 * `emulator trigger`: the emulator delivers an event to every matching enabled webhook of one provider as
 * that provider would (payload shape, headers, signature, per-webhook method and timeout), and applies the
 * provider's failure rules to what the endpoints answer (providers.md §1.5, §2.2, §3.5, §4.3):
 *
 * - Ultravox: any 4xx/5xx (or no answer) is retried, 10 retries from 30 s doubling; every failed attempt goes
 *   into `recentFailures` and makes the webhook `unhealthy`.
 * - Talkover: each attempt is a delivery log entry; up to the webhook's `max_retries` retries (its backoff is
 *   undocumented: 10 s doubling here), with the webhook's method, custom headers and timeout.
 * - PolyAI: retried after 1 min, 5 min, 15 min, 1 h, 4 h on timeouts, network errors, 408, 429 and 5xx; other
 *   4xx are not retried. The same event id goes with every attempt.
 * - Daily: `circuit-breaker` tries each message once, counts failures and is FAILED (no more deliveries) at 3;
 *   `exponential` retries a message up to 5 times, backing off to 15 min, and never breaks the circuit.
 *
 * The waits are the provider's, multiplied by `timeScale` (default 1/10 000: Ultravox's 8.5 hours of retries
 * take about 3 seconds). Deliveries go to loopback hosts only; any other URL fails without a connection.
 */
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { isLoopbackHost } from '../input.ts';
import { loadSignatureScheme } from '../signatures.ts';
import type { ProviderEmulator } from './server.ts';
import type { DailyEmulator } from '../providers/daily/emulator.ts';
import type { PolyAIEmulator } from '../providers/polyai/emulator.ts';
import type { TalkoverEmulator } from '../providers/talkover/emulator.ts';
import type { UltravoxEmulator } from '../providers/ultravox/emulator.ts';

export interface TriggerRequest {
  provider: string;
  event: string;
  /** Multiplies every real retry wait; 0 retries at once. Default {@link DEFAULT_TIME_SCALE}. */
  timeScale?: number;
  /** At most this many attempts per delivery (1 = no retries); default: the provider's rule. */
  maxAttempts?: number;
}

export interface TriggerAttempt {
  attempt: number;
  /** The endpoint's HTTP status, or null when it gave none. */
  status: number | null;
  /** Why the attempt failed (no answer, or the status), or null when it succeeded. */
  error: string | null;
  latencyMs: number;
  /** The compressed wait before the next attempt, or null when this was the last one. */
  retryInMs: number | null;
}

/** One delivery as `emulator trigger` reports it (one JSON object per line with --json). */
export interface TriggerDelivery {
  provider: string;
  event: string;
  webhookId: string;
  url: string;
  method: string;
  /** The id a receiver de-duplicates on (Ultravox call id, PolyAI event id, Daily event id), or null. */
  deliveryId: string | null;
  /** True when the last attempt was accepted. */
  delivered: boolean;
  attempts: TriggerAttempt[];
  /** The webhook's delivery state afterwards, in the provider's own fields. */
  webhook: Record<string, unknown>;
}

export const DEFAULT_TIME_SCALE = 1 / 10_000;
const SECOND = 1000;
const ULTRAVOX_RETRIES_S = Array.from({ length: 10 }, (_, i) => 30 * 2 ** i);
const POLYAI_RETRIES_S = [60, 300, 900, 3600, 14_400];
const DAILY_EXPONENTIAL_RETRIES_S = [60, 120, 240, 480, 900];
const talkoverRetriesS = (maxRetries: number) => Array.from({ length: maxRetries }, (_, i) => 10 * 2 ** i);
/** Ultravox documents no delivery timeout; Daily says "a few seconds". These are the emulator's choices. */
const ULTRAVOX_TIMEOUT_MS = 10_000;
const DAILY_TIMEOUT_MS = 2500;

/** Why a trigger cannot run (unknown provider): the control API answers 400 with it. */
export class TriggerError extends Error {}

/** Delivers the event to every matching webhook and reports each delivery. */
export async function trigger(
  providers: Record<string, ProviderEmulator>,
  request: TriggerRequest,
): Promise<TriggerDelivery[]> {
  const emulator = Object.hasOwn(providers, request.provider) ? providers[request.provider] : undefined;
  if (emulator === undefined) throw new TriggerError(`No ${request.provider} emulator is running.`);
  const schedule = scheduleOf(request);
  switch (request.provider) {
    case 'ultravox':
      return triggerUltravox(emulator as UltravoxEmulator, request.event, schedule);
    case 'talkover':
      return triggerTalkover(emulator as TalkoverEmulator, request.event, schedule);
    case 'polyai':
      return triggerPolyAI(emulator as PolyAIEmulator, request.event, schedule);
    case 'daily':
      return triggerDaily(emulator as DailyEmulator, request.event, schedule);
    default:
      // A provider whose emulator delivers by itself, with the helpers below.
      if (emulator.trigger) return emulator.trigger(request);
      throw new TriggerError(`The ${request.provider} emulator cannot trigger events.`);
  }
}

export interface Schedule {
  /** The provider's real waits (seconds) → the compressed waits, capped by maxAttempts. */
  waits(realSeconds: readonly number[]): number[];
}

export function scheduleOf(request: TriggerRequest): Schedule {
  const scale = request.timeScale ?? DEFAULT_TIME_SCALE;
  return {
    waits: (real) =>
      real
        .slice(0, request.maxAttempts === undefined ? undefined : Math.max(0, request.maxAttempts - 1))
        .map((s) => Math.round(s * SECOND * scale)),
  };
}

/**
 * Attempts `send` until it succeeds, `retryable` says no, or the waits run out; `after` sees each outcome so
 * the provider's bookkeeping (failures, logs, counters) happens attempt by attempt.
 */
export async function withRetries(
  waits: readonly number[],
  send: (attempt: number) => Promise<Outcome>,
  retryable: (outcome: Outcome) => boolean,
): Promise<{ attempts: TriggerAttempt[]; delivered: boolean }> {
  const attempts: TriggerAttempt[] = [];
  for (let attempt = 1; ; attempt++) {
    const outcome = await send(attempt);
    const wait = waits[attempt - 1];
    const retry = !outcome.ok && wait !== undefined && retryable(outcome);
    attempts.push({
      attempt,
      status: outcome.status,
      error: outcome.error,
      latencyMs: outcome.latencyMs,
      retryInMs: retry ? wait : null,
    });
    if (!retry) return { attempts, delivered: outcome.ok };
    await sleep(wait);
  }
}

// ---- Ultravox ----

async function triggerUltravox(
  emulator: UltravoxEmulator,
  event: string,
  schedule: Schedule,
): Promise<TriggerDelivery[]> {
  const scheme = await loadSignatureScheme('ultravox');
  const { ultravoxSample } = await import('../providers/ultravox/samples.ts');
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
        schedule.waits(ULTRAVOX_RETRIES_S),
        async () => {
          // Every attempt is signed afresh, with every secret of the webhook (one signature each).
          const headers = {
            'content-type': 'application/json',
            'user-agent': 'Ultravox-Webhooks (voicehooks emulator)',
            ...scheme.sign({ body, secrets: hook.secrets, timestamp: scheme.formatTimestamp(new Date()) }),
          };
          const outcome = await send(hook.url, 'POST', headers, body, ULTRAVOX_TIMEOUT_MS, okUpTo399);
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

// ---- Talkover ----

async function triggerTalkover(
  emulator: TalkoverEmulator,
  event: string,
  schedule: Schedule,
): Promise<TriggerDelivery[]> {
  const hooks = emulator.webhooks().filter((hook) => hook.enabled && hook.events.includes(event));
  return Promise.all(
    hooks.map(async (hook) => {
      // Talkover documents no event payloads (providers.md §2.2): a webhook's own template for the event
      // when it has one, else an envelope naming the event, agent, webhook and a call.
      const payload = hook.payload_templates[event] ?? {
        event,
        agent_id: hook.agent_id,
        webhook_id: hook.id,
        timestamp: new Date().toISOString(),
        data: { call_id: randomUUID(), direction: 'outbound', duration: 45 },
      };
      const logIds: string[] = [];
      const result = await withRetries(
        schedule.waits(talkoverRetriesS(hook.max_retries)),
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
        webhook: { enabled: hook.enabled, maxRetries: hook.max_retries, logIds },
      };
    }),
  );
}

// ---- PolyAI ----

async function triggerPolyAI(
  emulator: PolyAIEmulator,
  event: string,
  schedule: Schedule,
): Promise<TriggerDelivery[]> {
  const scheme = await loadSignatureScheme('polyai');
  const { polyaiSample } = await import('../providers/polyai/samples.ts');
  const { newPolyAIEventId } = await import('../providers/polyai/signature.ts');
  const endpoints = emulator.endpoints().filter((e) => e.enabled && e.event_types.includes(event));
  return Promise.all(
    endpoints.map(async (endpoint) => {
      const body = Buffer.from(JSON.stringify(polyaiSample(event)), 'utf8');
      const eventId = newPolyAIEventId();
      const result = await withRetries(
        schedule.waits(POLYAI_RETRIES_S),
        async () => {
          // Read at each attempt: a rotation in between signs the retry with the new secret.
          const secret = emulator.signingSecret(endpoint.id);
          if (secret === undefined)
            return { ok: false, status: null, error: 'endpoint deleted', latencyMs: 0 };
          const headers = {
            // Custom headers first, so none can replace a signature header (providers.md §3.3).
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
          return send(endpoint.url, 'POST', headers, body, endpoint.timeout_ms, ok2xx);
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

// ---- Daily ----

async function triggerDaily(
  emulator: DailyEmulator,
  event: string,
  schedule: Schedule,
): Promise<TriggerDelivery[]> {
  const scheme = await loadSignatureScheme('daily');
  const { dailySample } = await import('../providers/daily/samples.ts');
  // A FAILED webhook gets nothing until it is re-activated (providers.md §4.3).
  const hooks = emulator.webhooks().filter((h) => h.state === 'ACTIVE' && h.eventTypes.includes(event));
  return Promise.all(
    hooks.map(async (hook) => {
      const sample = dailySample(event);
      const body = Buffer.from(JSON.stringify(sample), 'utf8');
      const waits = hook.retryType === 'exponential' ? schedule.waits(DAILY_EXPONENTIAL_RETRIES_S) : [];
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
          const outcome = await send(current.url, 'POST', headers, body, DAILY_TIMEOUT_MS, (s) => s === 200);
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

// ---- sending ----

export interface Outcome {
  ok: boolean;
  status: number | null;
  error: string | null;
  latencyMs: number;
}

const ok2xx = (status: number) => status >= 200 && status < 300;
/** Ultravox: "any 2xx or 3xx is fine" (providers.md §1.5). */
const okUpTo399 = (status: number) => status >= 200 && status < 400;

/** One request to a loopback URL within `timeoutMs`; any other host fails without a connection attempt. */
export function send(
  target: string,
  method: string,
  headers: Record<string, string>,
  body: Buffer,
  timeoutMs: number,
  accepted: (status: number) => boolean,
): Promise<Outcome> {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return Promise.resolve({ ok: false, status: null, error: 'not a URL', latencyMs: 0 });
  }
  if (!isLoopbackHost(url.hostname)) {
    return Promise.resolve({
      ok: false,
      status: null,
      error: `the emulator delivers only to loopback hosts (127.0.0.1, localhost, [::1]), not ${url.hostname}`,
      latencyMs: 0,
    });
  }
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: Omit<Outcome, 'latencyMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...outcome, latencyMs: elapsed() });
    };
    const req = request(url, {
      method,
      headers: { ...headers, 'content-length': String(body.length) },
      // A local https endpoint has a self-signed certificate as often as not.
      rejectUnauthorized: false,
    });
    const timer = setTimeout(() => {
      finish({ ok: false, status: null, error: `no answer within ${timeoutMs / 1000} s` });
      req.destroy();
    }, timeoutMs);
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        const good = accepted(status);
        finish({ ok: good, status, error: good ? null : `HTTP ${status}` });
      });
      res.on('error', (error) => finish({ ok: false, status: null, error: error.message }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      const what = error.code === 'ECONNREFUSED' ? 'connection refused' : (error.code ?? error.message);
      finish({ ok: false, status: null, error: what });
    });
    req.end(body);
  });
}
