/**
 * The provider-neutral model and the provider-module interface.
 *
 * A provider is one folder, `src/providers/<name>/`, whose `index.ts` exports a {@link ProviderDescriptor}; one
 * line in the registry (`src/providers/index.ts`) lists it. Everything the rest of the code knows about a
 * platform comes through the descriptor: its facts and checks, the settings it needs to reach an account, and
 * loaders for the heavier parts (adapter, signature scheme, sample deliveries, emulator), each imported on
 * first use so that commands which need no network (`events`, `providers`, `--help`) load none of them.
 * Nothing outside `src/providers/` names a provider or imports a provider's module (test/boundaries.test.ts).
 * docs/adding-a-provider.md walks through a new folder.
 */
import type { SigningSupport } from '../signature-types.ts';
import type { EmulatorModule } from '../emulator/types.ts';

/** A provider's `name` (`descriptor.name`): lower-case letters, the key of its settings and env variables. */
export type ProviderName = string;

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
  /** Also deliver the per-call events of the scope's calls (Talkover campaign webhooks). */
  includeCallEvents?: boolean;
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
  /** The native test sends a sample of a chosen event (OpenAI's `event_type`), so `test --event` applies. */
  nativeTestEvents?: boolean;
  /**
   * How a new secret is given: added beside the old ones, replaced by an update, by a native endpoint, or
   * not at all: only a new webhook has a new secret, made by `--recreate` (the adapter's `recreate`).
   */
  rotateSecret: 'add' | 'replace' | 'native' | 'recreate';
  /**
   * What becomes of the old secret on a rotation: kept unless `--revoke-old` (Ultravox: it signs beside the
   * new one), revoked unless `--keep-old` (OpenAI: kept valid 24 hours on request), or always revoked (and
   * where rotation is `recreate`, the old webhook itself is deleted with its secret).
   */
  oldSecret: 'kept' | 'optional' | 'revoked';
  /** The provider returns secrets on reads (so they can be compared and shown with --show-secrets). */
  secretsReadable: boolean;
  /** Delivery logs and manual redelivery. */
  deliveryLogs: boolean;
  /** The list is paginated by the provider. */
  paginated: boolean;
  /**
   * Some events go to one webhook at a time (a single post-call slot): taking them from the webhook that has
   * them is refused before any write unless the command is given `--replace`.
   */
  exclusiveEvents?: boolean;
  /**
   * The API reports the catalog the account may subscribe to (OpenAI's `/webhook_event_types`): `events` shows
   * it when a key is set. Providers whose live catalog needs a scope (Talkover's agent) say so through it.
   */
  liveEvents?: boolean;
}

/**
 * A value a provider needs to reach an account, or a scope within it, declared once. The command layer derives
 * everything else from the declaration: the flag (`--<flag>`), the env variable `VOICEHOOKS_<PROVIDER>_<NAME>`
 * (upper case, `-` as `_`), the profile key `<provider>.<name>`, the help line and the check. Resolution order:
 * flag, env, profile, `default` (src/resolve.ts).
 */
export interface SettingSpec {
  /** The setting's name within its provider (`region`, `agent`, `campaign`, `project`). */
  name: string;
  /** The flag that gives it, without dashes. Providers may share a flag (`--region`); each checks its own values. */
  flag: string;
  /**
   * `account`: picks the host or the account (PolyAI's region, an OpenAI project): flag, env, profile, default.
   * `scope`: the parent the webhooks live under (Talkover's agent, later its campaign). A provider's scopes are
   * alternatives; when it declares any, exactly one is needed, and one given by flag wins over every scope from
   * env or profile. `filter`: narrows one command (Ultravox's agent on `list`), read from the flag only.
   */
  role: 'account' | 'scope' | 'filter';
  /** One line for `config list` and help: "PolyAI region: us, uk or eu". */
  summary: string;
  /** The value in words, for hints and prompts: "UUID", "us, uk or eu". */
  valueName: string;
  /** The values it takes (help and the check); absent: any value `check` accepts. */
  options?: readonly string[];
  /** Used when nothing gives a value (account settings). */
  default?: string;
  /** A problem with a value, in words that follow the setting's name ("must be a UUID"), or undefined. */
  check?(value: string): string | undefined;
  /** A webhook field the setting also is (Ultravox's agent is the webhook's `agentId`); apply and export use it. */
  field?: InputField;
  /** The global profile key that held it before settings were per provider (`region`, `agent`): read until the first write moves it. */
  legacyKey?: string;
  /**
   * Other environment variables that give it, read in order after `VOICEHOOKS_<PROVIDER>_<NAME>` (OpenAI's
   * `OPENAI_ORG_ID`, the variable its own tools read).
   */
  env?: readonly string[];
}

/** Resolved setting values by setting name (`{agent: "…"}`, `{region: "eu"}`): what an adapter is made for. */
export type Scope = Readonly<Record<string, string | undefined>>;

/** Where a provider's delivery names its event and the id a receiver de-duplicates on (`listen`). */
export interface ReceiverKit {
  /** The event name of a delivery body (already parsed; anything may be in it), or null. */
  eventOf(body: unknown): string | null;
  /** The delivery's id (body or headers; header names lower case), or null. */
  idOf(body: unknown, headers: Readonly<Record<string, string | string[] | undefined>>): string | null;
  /** An unsigned probe the provider sends to check a URL, answered 200 and never counted (Daily's). */
  isProbe?(body: unknown): boolean;
}

/** How the CLI builds a delivery the way the provider would (`test`, `sign`, the emulator's `trigger`). */
export interface DeliveryKit {
  /** The event of a test delivery when none is named (Talkover's `webhook.test`); default: one the webhook has. */
  testEvent?: string;
  /** A realistic body of `event` in the provider's delivery shape; `webhook` when one is being tested. */
  sample(event: string, context: { now: Date; webhook?: Webhook }): Record<string, unknown>;
  /** The webhook's own headers sent with every delivery (custom headers), set before the CLI's and the signature's. */
  webhookHeaders?(webhook: Webhook): Record<string, string>;
  /** Headers the provider adds after its own (Daily's `Authorization: Basic`). */
  authHeaders?(webhook: Webhook): Record<string, string>;
  /** The HTTP method of the webhook's deliveries; default POST. */
  method?(webhook: Webhook): string;
  /** The id a receiver would de-duplicate on, from the body or the signed headers. */
  deliveryId?(sample: Record<string, unknown>, headers: Record<string, string>): string | null;
}

/**
 * How a provider signs deliveries: `{load}` of its scheme module, or `{unknown: {message, hint}}` when it
 * documents none (`sign`/`verify` exit 6 with these words; `listen` shows its deliveries unchecked).
 */
export type { SigningSupport } from '../signature-types.ts';

/** The light half of a provider: facts and checks, no HTTP. Its `index.ts` exports one. */
export interface ProviderDescriptor {
  name: ProviderName;
  displayName: string;
  /** The production base URL (the API reference's `servers` entry), which may depend on settings (PolyAI's region). */
  defaultBaseUrl(settings: Scope): string;
  /** What it needs to reach an account or a scope (see {@link SettingSpec}); [] when the API key is enough. */
  settings: readonly SettingSpec[];
  capabilities: Capabilities;
  /** The input fields this provider has a place for; any other given flag is a usage error. */
  fields: readonly InputField[];
  /** Fields a create must have, beyond url and events. */
  requiredOnCreate: readonly InputField[];
  /** Longest URL the provider accepts. */
  maxUrlLength: number;
  /** The documented request rate limit (or a conservative one): at most `limit` requests per `windowMs`. `apply` keeps under it. */
  rateLimit: { limit: number; windowMs: number };
  /** Delivery URLs must be https (loopback excepted, with a warning). */
  httpsOnly: boolean;
  /** Human words for the id format, and its check. */
  idFormat: string;
  isValidId(id: string): boolean;
  /** Where secrets cannot be read back, what `get` tells a user looking for one. */
  secretNotice?: string;
  /** Keys of the provider's raw object whose values are secrets (masked on output, redacted in traces). */
  secretFields: readonly string[];
  /** Input fields besides `secrets` and `basicAuth` whose values are credentials (masked in plans, placeholders in exports). */
  secretInputFields?: readonly InputField[];
  /**
   * Provider-specific checks of input (ranges, formats), run before any request. A problem is a `FieldError`
   * (src/errors.ts) naming the input field, never a flag: the command layer says which flag or file key it was.
   * `settings` are the resolved settings (the scope) the webhook lives under, where the command knows them:
   * a field or an event may belong to one scope only (Talkover's campaign webhooks).
   */
  checkInput?(input: WebhookInput, settings?: Scope): void;
  /** Fields an update cannot change; only `--recreate` (a new webhook, the adapter's `recreate`) can. */
  fixedFields?: readonly InputField[];
  /**
   * The documented event catalog of the scope `settings` names (Talkover's campaigns have their own); every
   * check of an event before sending uses the catalog of the resolved scope. Without settings: the catalog of
   * the provider's first scope (or its only one).
   */
  events(settings?: Scope): readonly EventType[];
  /**
   * The name of the catalog `settings` selects, for messages ("campaign"), where a provider has several
   * (one per scope); absent: one catalog.
   */
  catalogName?(settings?: Scope): string | undefined;
  /** Where its deliveries carry event and id, for `listen`. */
  receiver: ReceiverKit;
  /** Its signature scheme. */
  signing: SigningSupport;
  /**
   * Seconds the provider keeps signing with a replaced secret after a rotation, where it documents such a grace
   * period; `verify` and `listen` recognise the replaced secret that long (24 hours where absent).
   */
  secretGraceSeconds?: number;
  /** Sample deliveries, loaded on first use. */
  loadDeliveries(): Promise<DeliveryKit>;
  /** The adapter, loaded on first use. */
  loadAdapter(): Promise<AdapterFactory>;
  /** The local emulator of its API and of its deliveries (`voicehooks emulator`, the tests). */
  loadEmulator(): Promise<EmulatorModule>;
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

/** How a write may go beyond the webhook's own fields. */
export interface WriteOptions {
  /** Take events that go to one webhook at a time from the webhook that has them (`exclusiveEvents`). */
  replace?: boolean;
}

/** The network half of a provider. Every method talks to the provider over the shared HTTP client. */
export interface ProviderAdapter {
  readonly descriptor: ProviderDescriptor;
  list(options?: ListOptions): AsyncIterable<Webhook>;
  get(id: string): Promise<Webhook>;
  create(input: WebhookInput, options?: WriteOptions): Promise<Webhook>;
  update(id: string, input: WebhookInput, options?: WriteOptions): Promise<Webhook>;
  /**
   * Where a create is several writes (a create, then the events by an update): finishes the writes of an
   * existing webhook that `create --if-not-exists` found, so that a re-run after a failure completes the create.
   */
  resume?(existing: Webhook, input: WebhookInput, options?: WriteOptions): Promise<Webhook>;
  /**
   * Makes the webhook anew, for what an update cannot change (`fixedFields`) or a secret the provider cannot
   * rotate: creates a webhook with `input` over the old one's fields, moves to it everything that pointed at
   * the old one, then deletes the old one. Its secret is new. Present where `--recreate` is offered.
   */
  recreate?(id: string, input: WebhookInput, options?: WriteOptions): Promise<SecretResult>;
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
  /** The event the provider sends a sample of, where it takes one (OpenAI's `event_type`). */
  event?: string;
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
