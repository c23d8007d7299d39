/**
 * What the ElevenLabs emulator keeps of a webhook, and the auto-disable rule its deliveries apply: shared by
 * the emulator (./emulator.ts) and its deliveries (./deliveries.ts), so that the deliveries need nothing from
 * the emulator module (no import cycle).
 */

/** The auto-disable rule (docs/providers/elevenlabs.md, "The emulator"). */
export const AUTO_DISABLE_FAILURES = 10;
export const AUTO_DISABLE_QUIET_MS = 7 * 86_400_000;

/** A webhook as the list shows it (`WorkspaceWebhookResponseModel`), without `usage`. */
export interface ElevenLabsWireWebhook {
  webhook_id: string;
  name: string;
  webhook_url: string;
  is_disabled: boolean;
  is_auto_disabled: boolean;
  created_at_unix: number;
  auth_type: 'hmac';
  events: string[];
  most_recent_failure_error_code: number | null;
  most_recent_failure_timestamp: number | null;
}

/** What ElevenLabs keeps but never shows. */
export interface Entry {
  webhook: ElevenLabsWireWebhook;
  secret: string;
  requestHeaders: Record<string, string> | null;
  retryEnabled: boolean;
  consecutiveFailures: number;
  /** Epoch ms of the last 200, or null. */
  lastSuccessMs: number | null;
}
