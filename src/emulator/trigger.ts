/**
 * `emulator trigger`: the emulator delivers an event to every matching enabled webhook of one provider as
 * that provider would (payload shape, headers, signature, per-webhook method and timeout), and applies the
 * provider's failure rules to what the endpoints answer. Each provider's policy is its emulator module's
 * `trigger` (src/providers/<name>/emulator.ts); this module finds it and compresses the waits.
 *
 * The waits are the provider's, multiplied by `timeScale` (default 1/10 000: Ultravox's 8.5 hours of retries
 * take about 3 seconds). Deliveries go to loopback hosts only; any other URL fails without a connection.
 */
import { getProvider, isProviderName } from '../providers/index.ts';
import type { ProviderEmulator, Schedule, TriggerDelivery } from './kit.ts';
import type { Scope } from '../providers/types.ts';

export type { TriggerAttempt, TriggerDelivery } from './kit.ts';

export interface TriggerRequest {
  provider: string;
  event: string;
  /** Multiplies every real retry wait; 0 retries at once. Default {@link DEFAULT_TIME_SCALE}. */
  timeScale?: number;
  /** At most this many attempts per delivery (1 = no retries); default: the provider's rule. */
  maxAttempts?: number;
  /** Only the webhooks of this scope (Talkover's `{campaign: …}`); absent: every matching webhook. */
  scope?: Scope;
}

export const DEFAULT_TIME_SCALE = 1 / 10_000;
const SECOND = 1000;

/** Why a trigger cannot run (unknown provider): the control API answers 400 with it. */
export class TriggerError extends Error {}

/** Delivers the event to every matching webhook and reports each delivery. */
export async function trigger(
  providers: Record<string, ProviderEmulator>,
  request: TriggerRequest,
): Promise<TriggerDelivery[]> {
  const emulator = Object.hasOwn(providers, request.provider) ? providers[request.provider] : undefined;
  if (emulator === undefined) throw new TriggerError(`No ${request.provider} emulator is running.`);
  if (!isProviderName(request.provider)) {
    throw new TriggerError(`The ${request.provider} emulator cannot trigger events.`);
  }
  const module = await getProvider(request.provider).loadEmulator();
  return module.trigger(emulator, request.event, scheduleOf(request), request.scope ?? {});
}

function scheduleOf(request: TriggerRequest): Schedule {
  const scale = request.timeScale ?? DEFAULT_TIME_SCALE;
  return {
    waits: (real) =>
      real
        .slice(0, request.maxAttempts === undefined ? undefined : Math.max(0, request.maxAttempts - 1))
        .map((s) => Math.round(s * SECOND * scale)),
    scaled: (realSeconds) => realSeconds * SECOND * scale,
  };
}
