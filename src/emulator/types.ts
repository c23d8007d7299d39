/**
 * The types of the emulator kit (./kit.ts): what the server hosts and what a provider folder's `emulator.ts`
 * offers. Types only, importing nothing, so that the provider model (src/providers/types.ts) can name them.
 */

/** One request to a provider's emulator, its path with the provider prefix removed. */
export interface EmulatorRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** e.g. "http://127.0.0.1:4747/ultravox", for building absolute `next` links. */
  origin: string;
}

export interface EmulatorResponse {
  status: number;
  headers?: Record<string, string>;
  /** JSON-serialised; undefined = empty body. */
  body?: unknown;
}

/** A running provider emulator, as the server hosts it. */
export interface ProviderEmulator {
  /** Handles one request whose path has the provider prefix removed. */
  handle(req: EmulatorRequest): Promise<EmulatorResponse> | EmulatorResponse;
  /** State for --state persistence (plain JSON). */
  snapshot(): unknown;
  /** Loads a snapshot; throws (with the reason) when it is not one this emulator wrote. */
  restore(state: unknown): void;
}

/** What a provider folder's `emulator.ts` offers (`descriptor.loadEmulator()`). */
export interface EmulatorModule<E extends ProviderEmulator = ProviderEmulator> {
  /**
   * A fresh emulator. `apiKey`: the only key it accepts (absent: any non-empty one); the other options are the
   * provider's own knobs (page sizes, limits), given by tests as `startEmulator({providerOptions: {<name>: …}})`.
   */
  create(options: { apiKey?: string } & Record<string, unknown>): E;
  /**
   * What `emulator trigger` does: delivers `event` to every matching webhook under the provider's retry policy;
   * `scope` (setting values such as `{campaign: …}`) narrows it to the webhooks of that scope.
   */
  trigger(
    emulator: E,
    event: string,
    schedule: Schedule,
    scope: Readonly<Record<string, string | undefined>>,
  ): Promise<TriggerDelivery[]>;
  /** The body of an error the server makes up for a fault (status, rate limit), shaped like the provider's own. */
  errorBody(status: number, message: string): unknown;
}

/** How long the emulator waits between attempts: the provider's real waits, compressed and capped. */
export interface Schedule {
  /** The provider's real waits (seconds) → the compressed waits in ms, cut to the request's `maxAttempts`. */
  waits(realSeconds: readonly number[]): number[];
  /** Any other real duration (a provider's "no success for 7 days") compressed the same way, in ms, uncapped. */
  scaled(realSeconds: number): number;
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

/** The result of one delivery attempt. */
export interface Outcome {
  ok: boolean;
  status: number | null;
  error: string | null;
  latencyMs: number;
}
