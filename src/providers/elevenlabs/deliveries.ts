/**
 * The emulator's ElevenLabs deliveries (`emulator trigger -p elevenlabs`): a sample of the event, signed as
 * ElevenLabs signs, POSTed to each target with the webhook's custom headers; a success is exactly 200
 * ("must return a 200 status code to be considered successful"). Retries only for post-call transcriptions
 * of a webhook with `retry_enabled` (attempts at once, 30 s, 2 min, 8 min, 30 min; 5xx, 408, 429 and no
 * answer). Every failed attempt counts towards the auto-disable rule, whose 7 days are compressed by the
 * trigger's time scale like every wait.
 */
import { sendDelivery, withRetries } from '../../emulator/kit.ts';
import type { Outcome, Schedule, TriggerDelivery } from '../../emulator/kit.ts';
import {
  AUTO_DISABLE_FAILURES,
  AUTO_DISABLE_QUIET_MS,
  type Entry as ElevenLabsEntry,
} from './emulator-state.ts';
import { elevenlabsSample } from './samples.ts';
import { elevenlabsSignature } from './signature.ts';

/** Waits before attempts 2 to 5 of a retried delivery, in seconds. */
const RETRY_WAITS_S = [30, 120, 480, 1800];
/** ElevenLabs documents no delivery timeout: the emulator's choice. */
const DELIVERY_TIMEOUT_MS = 10_000;
/** Outcomes of attempts that were never sent: not failures of the endpoint, and not retried. */
const NOT_SENT = new Set(['webhook deleted', 'webhook disabled']);

export interface DeliveryAccess {
  targets(): { id: string; agentId?: string }[];
  /** The live entry (its bookkeeping is updated in place), or undefined once deleted. */
  entry(id: string): ElevenLabsEntry | undefined;
}

/**
 * Counts an attempt towards the auto-disable rule; `quietMs` is the rule's 7 days as the trigger's time scale
 * compresses them.
 */
export function recordAttempt(
  entry: ElevenLabsEntry,
  outcome: Outcome,
  quietMs: number,
  now = Date.now(),
): void {
  if (outcome.ok) {
    entry.consecutiveFailures = 0;
    entry.lastSuccessMs = now;
    return;
  }
  entry.consecutiveFailures += 1;
  entry.webhook.most_recent_failure_error_code = outcome.status;
  entry.webhook.most_recent_failure_timestamp = Math.floor(now / 1000);
  // "10 or more consecutive failures and the last successful delivery was more than 7 days ago or has never
  // been successfully delivered."
  const quietFor = entry.lastSuccessMs === null ? Infinity : now - entry.lastSuccessMs;
  if (entry.consecutiveFailures >= AUTO_DISABLE_FAILURES && quietFor > quietMs) {
    entry.webhook.is_auto_disabled = true;
  }
}

export async function deliverAll(
  event: string,
  schedule: Schedule,
  access: DeliveryAccess,
): Promise<TriggerDelivery[]> {
  const quietMs = schedule.scaled(AUTO_DISABLE_QUIET_MS / 1000);
  return Promise.all(
    access.targets().map(async ({ id, agentId }) => {
      const first = access.entry(id);
      const sample = elevenlabsSample(event, new Date(), agentId);
      const body = Buffer.from(JSON.stringify(sample), 'utf8');
      const retried = first?.retryEnabled === true && event === 'post_call_transcription';
      const result = await withRetries(
        retried ? schedule.waits(RETRY_WAITS_S) : [],
        async () => {
          // Read at each attempt: the webhook may be deleted, disabled or auto-disabled in between.
          const entry = access.entry(id);
          if (entry === undefined) return { ok: false, status: null, error: 'webhook deleted', latencyMs: 0 };
          if (entry.webhook.is_disabled || entry.webhook.is_auto_disabled) {
            return { ok: false, status: null, error: 'webhook disabled', latencyMs: 0 };
          }
          const headers = {
            // Custom headers first, so none can replace the signature.
            ...entry.requestHeaders,
            'content-type': 'application/json',
            'user-agent': 'ElevenLabs-Webhooks (voicehooks emulator)',
            ...elevenlabsSignature.sign({
              body,
              secrets: [entry.secret],
              timestamp: elevenlabsSignature.formatTimestamp(new Date()),
            }),
          };
          const outcome = await sendDelivery(
            entry.webhook.webhook_url,
            'POST',
            headers,
            body,
            DELIVERY_TIMEOUT_MS,
            (s) => s === 200,
          );
          recordAttempt(entry, outcome, quietMs);
          return outcome;
        },
        (outcome) =>
          !NOT_SENT.has(outcome.error ?? '') &&
          (outcome.status === null ||
            outcome.status === 408 ||
            outcome.status === 429 ||
            outcome.status >= 500),
      );
      const after = access.entry(id);
      const conversation = (sample.data as Record<string, unknown>).conversation_id;
      return {
        provider: 'elevenlabs',
        event: event,
        webhookId: id,
        url: first?.webhook.webhook_url ?? '',
        method: 'POST',
        // No event id exists; post-call deliveries are told apart by their conversation (and type).
        deliveryId: typeof conversation === 'string' ? conversation : null,
        ...result,
        webhook: {
          is_disabled: after?.webhook.is_disabled ?? null,
          is_auto_disabled: after?.webhook.is_auto_disabled ?? null,
          consecutiveFailures: after?.consecutiveFailures ?? null,
          most_recent_failure_error_code: after?.webhook.most_recent_failure_error_code ?? null,
          ...(agentId === undefined ? {} : { agentId }),
        },
      };
    }),
  );
}
