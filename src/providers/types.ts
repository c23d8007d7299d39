/**
 * The provider-neutral model: one `Webhook` shape for every provider, the input a create or update carries,
 * and the interfaces each provider implements. A provider is split in two so that commands which need no
 * network (`events`, `providers`, `--help`) never load HTTP code: a light {@link ProviderDescriptor} and a
 * lazily imported {@link ProviderAdapter}.
 */

export const PROVIDER_NAMES = ['ultravox', 'talkover', 'polyai', 'daily'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

/** A webhook as every provider's is shown (the contract's JSON shape). */
export interface Webhook {
  provider: ProviderName;
  id: string;
  url: string;
  events: string[];
  /** null where the provider has no on/off switch (Ultravox, Daily). */
  enabled: boolean | null;
  /** The provider's health or state word (Ultravox `status`, Daily `state`), or null. */
  status: string | null;
  name: string | null;
  agentId: string | null;
  createdAt: string | null;
  updatedAt: string | null;
  /** Signing secrets the provider returned; masked on output unless revealed. */
  secrets: string[];
  /** The provider's own object, unchanged but for masking on output. */
  raw: Record<string, unknown>;
}

/** The fields a create or update may carry, named as the contract's flags are (camelCase). */
export interface WebhookInput {
  url?: string;
  events?: string[];
  name?: string;
  secrets?: string[];
  agentId?: string;
  headers?: Record<string, string>;
  /** Seconds. */
  deliveryTimeout?: number;
  maxRetries?: number;
  httpMethod?: string;
  authScheme?: string;
  payloadTemplates?: Record<string, string>;
  retryType?: string;
  basicAuth?: string;
  enabled?: boolean;
}

export type InputField = keyof WebhookInput;

/** One documented event type. */
export interface EventType {
  name: string;
  description: string;
}

/** How a provider turns a webhook on and off, if at all. */
export type ToggleSupport =
  /** No switch: `toggle` exits 6 before any write. */
  | 'none'
  /** An `enabled` field set by an update. */
  | 'field'
  /** Only re-activation of a failed webhook (Daily). */
  | 'reactivate';

/** What a provider can do. Truthful: an unsupported operation fails before any request. */
export interface Capabilities {
  toggle: ToggleSupport;
  /** `test` asks the provider to send a delivery itself (Talkover), rather than the CLI signing one. */
  nativeTest: boolean;
  /** How a new secret is given: added beside the old ones, replaced by an update, or by a native endpoint. */
  rotateSecret: 'add' | 'replace' | 'native';
  /** The provider returns secrets on reads (so they can be compared and shown with --show-secrets). */
  secretsReadable: boolean;
  /** Delivery logs and manual redelivery. */
  deliveryLogs: boolean;
  /** The list is paginated by the provider. */
  paginated: boolean;
  /** Webhooks live under an agent that must be named. */
  agentScoped: boolean;
}

/** The light half of a provider: facts and checks, no HTTP. */
export interface ProviderDescriptor {
  name: ProviderName;
  displayName: string;
  /** The production base URL (the API reference's `servers` entry); PolyAI's depends on the region. */
  defaultBaseUrl(scope: Scope): string;
  capabilities: Capabilities;
  /** The input fields this provider has a place for; any other given flag is a usage error. */
  fields: readonly InputField[];
  /** Fields a create must have, beyond url and events. */
  requiredOnCreate: readonly InputField[];
  /** Longest URL the provider accepts. */
  maxUrlLength: number;
  /** Delivery URLs must be https (loopback excepted, with a warning). */
  httpsOnly: boolean;
  /** Human words for the id format, and its check. */
  idFormat: string;
  isValidId(id: string): boolean;
  /** Where secrets cannot be read back, what `get` tells a user looking for one. */
  secretNotice?: string;
  /** Keys of the provider's raw object whose values are secrets (masked on output, redacted in traces). */
  secretFields: readonly string[];
  /** Provider-specific checks of input (ranges, formats), throwing a UsageError; run before any request. */
  checkInput?(input: WebhookInput): void;
  /** The documented event catalog. */
  events(): readonly EventType[];
  /** The adapter, loaded on first use. */
  loadAdapter(): Promise<AdapterFactory>;
}

/** Where and how to reach a provider's API. */
export interface Connection {
  baseUrl: string;
  apiKey: string;
  /** Per-request timeout in milliseconds. */
  timeoutMs: number;
  /** Longest `Retry-After` the client will wait, in milliseconds. */
  maxWaitMs: number;
  /** `voicehooks/<version>`. */
  userAgent: string;
  /** Receives the redacted HTTP trace when `--debug` is on. */
  debug?: (line: string) => void;
  /** Receives warnings for stderr (a list cut short by a provider that repeats itself). */
  warn?: (line: string) => void;
}

/** Scope a provider may need: Talkover's agent, PolyAI's region, Ultravox's agent filter. */
export interface Scope {
  agentId?: string;
  region?: string;
}

export interface ListOptions {
  /** Stop after this many webhooks. */
  limit?: number;
  /** Provider-side filters (PolyAI `enabled`/`event_type`). */
  enabled?: boolean;
  event?: string;
}

/** A secret the provider just issued, with the webhook it belongs to. */
export interface SecretResult {
  webhook: Webhook;
  /** The new secret, printed whole once. */
  secret: string;
  /** What the user should know about the old secret(s). */
  notice: string;
}

/** The network half of a provider. Every method talks to the provider over the shared HTTP client. */
export interface ProviderAdapter {
  readonly descriptor: ProviderDescriptor;
  list(options?: ListOptions): AsyncIterable<Webhook>;
  get(id: string): Promise<Webhook>;
  create(input: WebhookInput): Promise<Webhook>;
  update(id: string, input: WebhookInput): Promise<Webhook>;
  delete(id: string): Promise<void>;
  /** Set the on/off state. Absent where `capabilities.toggle` is 'none'. */
  setEnabled?(id: string, enabled: boolean): Promise<Webhook>;
  /**
   * Flip the on/off state in one step where the provider has a native flip (Talkover's `PATCH …/toggle`, not
   * safe to repeat) or where flipping needs the provider's own rules (Daily). Without it, `toggle` reads the
   * state and calls `setEnabled` with the opposite.
   */
  flip?(id: string): Promise<Webhook>;
  rotateSecret(id: string, options: { revokeOld: boolean }): Promise<SecretResult>;
  /**
   * Asks the provider to send a test delivery to the webhook's URL itself (Talkover's `POST …/test`).
   * Present iff `capabilities.nativeTest`. A test the provider reports as failed resolves with
   * `success: false`; only a failure to ask (network, 404, bad key) rejects.
   */
  test?(id: string, options?: TestOptions): Promise<TestResult>;
  /** The delivery log of a webhook, newest first as the provider orders it. Present iff `deliveryLogs`. */
  logs?(id: string, options?: LogOptions): AsyncIterable<DeliveryLog>;
  /** Sends one logged delivery again. Present iff `deliveryLogs`. */
  redeliver?(id: string, logId: string): Promise<Redelivery>;
  /**
   * The event catalog the provider reports for this scope right now (Talkover's `available_events`), where
   * it has one; `descriptor.events()` is the documented catalog, used for checks before sending.
   */
  liveEvents?(): Promise<EventType[]>;
  /**
   * A live webhook's fields in the {@link WebhookInput} vocabulary, read from its `raw` object, so that
   * `apply` and `diff` can compare it with a file. Only what the provider returns: a secret it never shows
   * is absent.
   */
  inputOf?(webhook: Webhook): WebhookInput;
}

export interface TestOptions {
  /** The URL the provider is asked to test; default: the webhook's own URL. */
  url?: string;
}

/** What a test delivery showed. */
export interface TestResult {
  /** The URL the test was sent to. */
  url: string;
  /** The provider's verdict ("Test webhook sent successfully" vs "Webhook test failed: …"). */
  success: boolean;
  /** The endpoint's HTTP status, where known (null when it never answered). */
  statusCode: number | null;
  /** How long the endpoint took to answer, in milliseconds, where known. */
  responseTimeMs: number | null;
  /** The provider's own words about the test. */
  message: string | null;
}

export interface LogOptions {
  /** Stop after this many entries (after filtering). */
  limit?: number;
  /** Only entries with this delivery status (Talkover: pending, success, failed, retrying). */
  status?: string;
  /** The first page to read (1-based); default 1. */
  page?: number;
  /** Entries per page requested from the provider. */
  perPage?: number;
}

/** One delivery attempt as the provider logged it. */
export interface DeliveryLog {
  id: string;
  webhookId: string | null;
  event: string | null;
  attempt: number | null;
  /** The provider's status word (Talkover: pending, success, failed, retrying). */
  status: string | null;
  /** The endpoint's HTTP status, where it answered. */
  httpStatus: number | null;
  durationMs: number | null;
  error: string | null;
  deliveredAt: string | null;
  createdAt: string | null;
  /** The provider's own entry (request payload, response body and headers included). */
  raw: Record<string, unknown>;
}

/** A redelivery the provider accepted. */
export interface Redelivery {
  /** The log entry the new attempt will be recorded as, where the provider says. */
  logId: string | null;
  originalLogId: string;
  queuedAt: string | null;
  message: string | null;
}

export type AdapterFactory = (connection: Connection, scope: Scope) => ProviderAdapter;
