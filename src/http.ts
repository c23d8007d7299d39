/**
 * The one HTTP client every provider adapter talks through (undici). It owns what the contract says about
 * the wire: per-request timeouts, retries with jittered backoff and `Retry-After`, which requests are safe to
 * repeat, proxies from the environment, the `User-Agent`, a redacted `--debug` trace, a cap on answer size,
 * and the rule that the API key goes only to the configured origin.
 */
import type { Dispatcher } from 'undici';
import { EnvHttpProxyAgent, request as undiciRequest } from './undici.ts';
import { ApiError, UsageError, kindForStatus } from './errors.ts';
import { isLoopbackHost } from './input.ts';
import type { ZodMiniType } from 'zod/mini';
import type { Connection } from './providers/types.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One request, relative to the connection's base URL. */
export interface RequestSpec {
  method: HttpMethod;
  /** Appended to the base URL's path unchanged (e.g. `/api/webhooks`). */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /**
   * Whether sending the request twice does no harm. Defaults to true for GET, PUT, PATCH and DELETE and
   * false for POST; an adapter sets it false for a PATCH that flips state (Talkover's toggle).
   */
  idempotent?: boolean;
  /**
   * For a write: the command that shows whether it took effect, named when its answer is lost. Default:
   * `voicehooks list` (and `create --if-not-exists` for a POST, which is then a create), which only finds
   * webhooks out.
   */
  check?: string;
  /**
   * For a write whose effect no command can show (a rotated secret that the provider shows once): what to do
   * when its answer is lost, in place of a command to check with.
   */
  ifLost?: string;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body, or undefined for an empty one. */
  body: unknown;
}

/** How a provider words its errors; the client turns that into an {@link ApiError}. */
export interface ErrorReading {
  message?: string;
  fieldErrors?: string[];
  requestId?: string;
  /** Overrides the exit-code kind picked from the status (e.g. a provider's 409 meaning "limit reached"). */
  hint?: string;
}

export interface HttpClientOptions extends Connection {
  provider: string;
  displayName: string;
  /** Headers that carry the credential; redacted in traces. */
  authHeaders: Record<string, string>;
  /** Other headers sent with every request (OpenAI's organization and project); shown in traces. */
  headers?: Record<string, string>;
  /** Reads the provider's error body (and its headers, where the request id travels in one). */
  readError: (status: number, body: unknown, headers: HttpResponse['headers']) => ErrorReading;
  /** Body keys whose values are secrets, redacted in the trace. */
  secretFields?: readonly string[];
  /** Attempts per request, the first included. */
  maxAttempts?: number;
  /** First backoff step in milliseconds (doubled per attempt, jittered). */
  backoffMs?: number;
}

/** Answers larger than this are refused as unusable (no webhook list comes near it). */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;
/** The longest delay a Node timer holds. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const RETRY_STATUSES = new Set([429, 502, 503, 504]);
/** Network errors that prove the request never left: safe to retry even for a POST. */
const NEVER_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);
/**
 * OpenSSL's and Node's codes for a server certificate that this process does not trust or that does not name
 * the host. The handshake failed, so no request was sent; trying again cannot help until the trust changes.
 */
const UNTRUSTED_CERT_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);
const ALWAYS_REDACTED_HEADERS = new Set(['authorization', 'x-api-key', 'cookie']);

/**
 * Checks a base URL before any credential goes near it: absolute http(s), and plain http only to loopback.
 * Returns the parsed URL.
 */
export function checkBaseUrl(baseUrl: string, displayName: string): URL {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new UsageError(`The ${displayName} base URL "${baseUrl}" is not an absolute URL.`, {
      hint: 'Give a full URL such as https://api.example.com, or unset the base URL to use production.',
    });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UsageError(`The ${displayName} base URL must be http or https, not ${url.protocol}`);
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new UsageError(
      `Refusing to send the ${displayName} API key over plain http to ${url.host}: only loopback hosts may use http.`,
      { hint: 'Use an https base URL.' },
    );
  }
  return url;
}

let sharedDispatcher: Dispatcher | undefined;
/** One connection pool per process; proxies come from HTTPS_PROXY / HTTP_PROXY / NO_PROXY. */
function dispatcher(): Dispatcher {
  sharedDispatcher ??= new EnvHttpProxyAgent();
  return sharedDispatcher;
}

/** Closes pooled connections so the process can exit as soon as its work is done. */
export async function closeConnections(): Promise<void> {
  const d = sharedDispatcher;
  sharedDispatcher = undefined;
  await d?.close();
}

export class HttpClient {
  private readonly base: URL;
  private readonly options: HttpClientOptions;

  constructor(options: HttpClientOptions) {
    this.options = options;
    this.base = checkBaseUrl(options.baseUrl, options.displayName);
  }

  /** A guard for one paginated read (see {@link PageWalk}). */
  pageWalk(): PageWalk {
    return new PageWalk(this.options.displayName, this.options.provider, this.options.warn);
  }

  /** The URL a path is sent to: the base URL's path with the API path appended. */
  urlFor(path: string, query?: RequestSpec['query']): URL {
    const url = new URL(this.base.href);
    url.pathname = `${url.pathname.replace(/\/+$/, '')}${path}`;
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url;
  }

  async request(spec: RequestSpec): Promise<HttpResponse> {
    const idempotent = spec.idempotent ?? spec.method !== 'POST';
    const maxAttempts = this.options.maxAttempts ?? 4;
    const url = this.urlFor(spec.path, spec.query);
    const payload = spec.body === undefined ? undefined : JSON.stringify(spec.body);
    for (let attempt = 1; ; attempt++) {
      const last = attempt >= maxAttempts;
      let response: HttpResponse;
      try {
        response = await this.send(spec.method, url, payload);
      } catch (error) {
        const failure = this.networkFailure(error, spec, idempotent);
        if (last || !failure.retryable) throw failure;
        await this.pause(this.backoff(attempt), `${failure.message} Retrying`);
        continue;
      }
      if (response.status < 400) return response;
      const retryable = RETRY_STATUSES.has(response.status) && (idempotent || response.status === 429);
      const failure = this.statusFailure(response, retryable, attempt);
      if (last || !retryable) throw failure;
      const asked = retryAfterMs(response.headers['retry-after']);
      if (asked !== undefined && asked > this.options.maxWaitMs) {
        throw new ApiError(
          'unavailable',
          `${this.options.displayName} asked to wait ${Math.ceil(asked / 1000)} s before retrying (Retry-After), longer than --max-wait ${Math.round(this.options.maxWaitMs / 1000)} s.`,
          {
            status: response.status,
            provider: this.options.provider,
            hint: 'Try again later, or raise --max-wait.',
          },
        );
      }
      await this.pause(
        asked ?? this.backoff(attempt),
        `${response.status} from ${this.options.displayName}. Retrying`,
      );
    }
  }

  private async send(method: HttpMethod, url: URL, payload: string | undefined): Promise<HttpResponse> {
    const headers: Record<string, string> = {
      'user-agent': this.options.userAgent,
      accept: 'application/json',
      ...this.options.headers,
      ...this.options.authHeaders,
    };
    if (payload !== undefined) headers['content-type'] = 'application/json';
    // The trace's lines are made only under --debug: redacting a body parses and prints it again, which for a
    // list of 10,000 was a tenth of its time.
    const tracing = Boolean(this.options.debug);
    if (tracing) {
      this.trace(`> ${method} ${url.href}`);
      this.trace(...Object.entries(headers).map(([k, v]) => `> ${k}: ${this.redactHeader(k, v)}`));
      if (payload !== undefined) this.trace(`> ${this.redactBody(payload)}`);
    }
    const started = performance.now();
    const res = await undiciRequest(url, {
      method,
      headers,
      body: payload,
      dispatcher: dispatcher(),
      headersTimeout: this.options.timeoutMs,
      bodyTimeout: this.options.timeoutMs,
      signal: AbortSignal.timeout(this.options.timeoutMs),
    });
    const text = await readCapped(res.body, this.options.displayName, this.options.provider, res.statusCode);
    const elapsed = Math.round(performance.now() - started);
    if (tracing) {
      this.trace(`< ${res.statusCode} (${elapsed} ms)`);
      if (text) this.trace(`< ${this.redactBody(text)}`);
    }
    if (res.statusCode >= 300 && res.statusCode < 400) {
      // Redirects are never followed: the key must not travel to wherever the Location points.
      throw new ApiError(
        'unavailable',
        `${this.options.displayName} answered with a redirect (${res.statusCode}), which is not followed.`,
        {
          status: res.statusCode,
          provider: this.options.provider,
          hint: 'Check the base URL.',
        },
      );
    }
    // A provider may echo the key back ("Invalid API key <key>", a field, a request id): it is removed from
    // the answer before anything reads it, so that no message, table, cut or log can show it.
    return {
      status: res.statusCode,
      headers: res.headers,
      body: scrubSecrets(this.parse(text, res.statusCode, res.headers), secretsIn(text, this.secrets())),
    };
  }

  private parse(text: string, status: number, headers: HttpResponse['headers']): unknown {
    if (text.trim() === '') return undefined;
    const type = String(headers['content-type'] ?? '');
    if (!/json/i.test(type)) {
      if (status >= 400) return text; // error pages are often HTML; the status still says what happened
      throw this.unusable(`answered with ${type || 'no content type'} instead of JSON`, status);
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      if (status >= 400) return text;
      throw this.unusable('answered with malformed JSON', status);
    }
  }

  private unusable(what: string, status?: number): ApiError {
    return new ApiError('unavailable', `${this.options.displayName} ${what}.`, {
      status,
      provider: this.options.provider,
      hint: 'Try again; if it persists, run with --debug to see the answer.',
    });
  }

  private statusFailure(response: HttpResponse, retryable: boolean, attempts: number): ApiError {
    const reading = this.options.readError(response.status, response.body, response.headers);
    const kind = kindForStatus(response.status);
    // The body was scrubbed already (see send); what the adapter made of it is scrubbed again, cheaply.
    const scrub = (text: string) => redactThenClip(text, this.secrets());
    const base = scrub(reading.message ?? `${this.options.displayName} answered ${response.status}.`);
    const after = retryable && attempts > 1 ? ` (after ${attempts} attempts)` : '';
    return new ApiError(kind, `${base}${after}`, {
      status: response.status,
      provider: this.options.provider,
      requestId: reading.requestId === undefined ? undefined : scrub(reading.requestId),
      fieldErrors: reading.fieldErrors?.map(scrub),
      retryable,
      hint: reading.hint ?? hintForKind(kind, this.options.provider),
    });
  }

  private networkFailure(error: unknown, spec: RequestSpec, idempotent: boolean): ApiError {
    if (error instanceof ApiError) return error;
    const code = errorCode(error);
    const timedOut =
      code === 'UND_ERR_HEADERS_TIMEOUT' ||
      code === 'UND_ERR_BODY_TIMEOUT' ||
      (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'));
    const name = this.options.displayName;
    if (UNTRUSTED_CERT_CODES.has(code)) {
      return new ApiError(
        'unavailable',
        `The TLS certificate of ${this.base.host} is not trusted (${code}).`,
        {
          provider: this.options.provider,
          hint:
            'For `voicehooks emulator --tls`, run `eval "$(voicehooks emulator env --tls)"`, which sets NODE_EXTRA_CA_CERTS to its certificate. ' +
            'For another server, set NODE_EXTRA_CA_CERTS to a PEM file of the CA that signed its certificate.',
          retryable: false,
          mayHaveReached: false,
        },
      );
    }
    const neverSent = NEVER_SENT_CODES.has(code);
    const seconds = Math.round(this.options.timeoutMs / 100) / 10;
    const what = timedOut
      ? `${name} did not answer within ${seconds} s.`
      : neverSent
        ? `Could not connect to ${name} at ${this.base.host} (${code}).`
        : `The connection to ${name} failed (${code || (error instanceof Error ? error.message : String(error))}).`;
    const mayHaveReached = spec.method !== 'GET' && !neverSent;
    // Where a write whose answer was lost can be checked: the adapter's own command, or the list (which, for a
    // create, `create --if-not-exists` also consults).
    const check = spec.check ?? `voicehooks list -p ${this.options.provider}`;
    const orRetry =
      spec.check === undefined && spec.method === 'POST' ? ', or retry with `create --if-not-exists`' : '';
    const advice = spec.ifLost ?? `Check with \`${check}\` before retrying${orRetry}.`;
    const hint = mayHaveReached
      ? `The ${spec.method} may have reached ${name}. ${advice}`
      : code === 'ECONNREFUSED' && this.looksLikeEmulator()
        ? `This base URL is the emulator's: is \`voicehooks emulator\` running? Start it with \`voicehooks emulator --port ${this.base.port || 80}\`, in another terminal.`
        : neverSent
          ? 'Check the base URL and your network or proxy settings.'
          : 'Try again; raise --timeout if the provider is slow.';
    return new ApiError('unavailable', what, {
      provider: this.options.provider,
      hint,
      retryable: idempotent || neverSent,
      mayHaveReached,
    });
  }

  /** A base URL the way `voicehooks emulator env` writes them: a loopback host, then `/<provider>`. */
  private looksLikeEmulator(): boolean {
    const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(this.base.hostname);
    return loopback && this.base.pathname.replace(/\/+$/, '') === `/${this.options.provider}`;
  }

  private backoff(attempt: number): number {
    const step = (this.options.backoffMs ?? 500) * 2 ** (attempt - 1);
    return Math.min(step, 8000) * (0.5 + Math.random() / 2);
  }

  private async pause(ms: number, why: string): Promise<void> {
    // A timer given more than 2^31-1 ms fires at once: the wait is bounded (--max-wait already refused longer).
    const wait = Math.min(Math.max(0, ms), MAX_TIMER_MS);
    this.trace(`! ${why} in ${Math.round(wait)} ms`);
    await new Promise((resolve) => setTimeout(resolve, wait));
  }

  private trace(...lines: string[]): void {
    const debug = this.options.debug;
    if (!debug) return;
    for (const line of lines) debug(redactThenClip(line, this.secrets()));
  }

  /** What no output may show: the API key (at least 8 characters, see checkApiKey). */
  private secrets(): string[] {
    return this.options.apiKey ? [this.options.apiKey] : [];
  }

  private redactHeader(name: string, value: string): string {
    const lower = name.toLowerCase();
    const isAuth = ALWAYS_REDACTED_HEADERS.has(lower) || lower in lowerKeys(this.options.authHeaders);
    return isAuth ? '[redacted]' : value;
  }

  private redactBody(text: string): string {
    const fields = new Set(this.options.secretFields ?? []);
    try {
      return JSON.stringify(redactValue(JSON.parse(text) as unknown, fields));
    } catch {
      return redactThenClip(text, this.secrets(), 2000);
    }
  }
}

/** More pages than this in one list is a provider that never stops (a webhook list is a few pages). */
export const MAX_PAGES = 10_000;
/** Pages in a row that bring no id not seen before, after which a provider's pagination is taken as broken. */
export const FRUITLESS_PAGES = 3;

/**
 * The guard of every paginated read, so that no list runs forever whatever a provider answers:
 * - a cursor or page number seen before (the provider ignored it) ends the list, with a warning (exit 0);
 * - fresh cursors that bring no new id for {@link FRUITLESS_PAGES} pages in a row, or more than
 *   {@link MAX_PAGES} pages, end it with exit 9 and a message naming the misbehaviour.
 * It also drops ids seen on an earlier page, so a repeated row is never shown twice.
 */
export class PageWalk {
  readonly #positions = new Set<string>();
  readonly #ids = new Set<string>();
  #pages = 0;
  #fruitless = 0;

  private readonly displayName: string;
  private readonly provider: string;
  private readonly warn?: (line: string) => void;

  constructor(displayName: string, provider: string, warn?: (line: string) => void) {
    this.displayName = displayName;
    this.provider = provider;
    this.warn = warn;
  }

  /** Whether to request the page at `position` (a cursor, a page number; undefined for the first page). */
  visit(position: string | number | undefined): boolean {
    const key = position === undefined ? '' : String(position);
    if (this.#positions.has(key)) {
      this.warn?.(
        `Warning: ${this.displayName} sent a page position it had sent before (${redactThenClip(key, [], 40)}); the list ends there and may be incomplete.`,
      );
      return false;
    }
    this.#positions.add(key);
    if (++this.#pages > MAX_PAGES) {
      throw this.broken(`sent more than ${MAX_PAGES} pages`);
    }
    return true;
  }

  /** Records a page's ids and returns whether each is new, in order; a run of pages with none new is refused. */
  page<T>(items: readonly T[], idOf: (item: T) => string): T[] {
    const fresh = items.filter((item) => {
      const id = idOf(item);
      if (this.#ids.has(id)) return false;
      this.#ids.add(id);
      return true;
    });
    this.#fruitless = fresh.length === 0 ? this.#fruitless + 1 : 0;
    if (this.#fruitless >= FRUITLESS_PAGES) {
      throw this.broken(
        `sent ${FRUITLESS_PAGES} pages in a row with nothing new, each pointing to a further page`,
      );
    }
    return fresh;
  }

  private broken(what: string): ApiError {
    return new ApiError(
      'unavailable',
      `${this.displayName} ${what}: its pagination does not end, so the list was stopped (what was printed may be incomplete).`,
      {
        provider: this.provider,
        hint: 'Check the base URL; run with --debug to see the pages. Narrow the list with its filters, or try later.',
      },
    );
  }
}

/**
 * The one way a provider's text is shown: every secret replaced first, then cut to `max` characters. Cutting
 * first would let a key straddling the cut through, all but its last few characters.
 */
export function redactThenClip(text: string, secrets: readonly string[], max = Infinity): string {
  let out = text;
  for (const secret of secrets) if (secret) out = out.split(secret).join('[redacted]');
  return out.length > max ? `${out.slice(0, max)}…` : out;
}

/**
 * The secrets that parsing `text` as JSON can yield, so that an answer which cannot contain the key is not
 * walked (walking every value of every page took `list` of 10,000 from 1.24x to 1.51x a bare page loop).
 * JSON.parse makes a string's characters from the text's characters one by one, except after a backslash
 * (`\u0073k-…` spells `sk-…`): without a backslash, a secret is in the parsed value only if it is in the
 * text. With one, every secret is kept.
 */
export function secretsIn(text: string, secrets: readonly string[]): readonly string[] {
  if (secrets.length === 0 || text.includes('\\')) return secrets;
  return secrets.filter((secret) => text.includes(secret));
}

/** A parsed answer with every secret removed from its strings and keys (see {@link redactThenClip}). */
export function scrubSecrets(value: unknown, secrets: readonly string[]): unknown {
  if (secrets.length === 0) return value;
  if (typeof value === 'string') return redactThenClip(value, secrets);
  if (Array.isArray(value)) return value.map((v) => scrubSecrets(v, secrets));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [redactThenClip(k, secrets), scrubSecrets(v, secrets)]),
    );
  }
  return value;
}

/** Replaces the values of secret keys anywhere in a JSON value. */
export function redactValue(value: unknown, fields: ReadonlySet<string>): unknown {
  if (Array.isArray(value)) return value.map((v) => redactValue(v, fields));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        fields.has(k) && v !== null ? '[redacted]' : redactValue(v, fields),
      ]),
    );
  }
  return value;
}

/**
 * `Retry-After` as milliseconds: delta seconds or an HTTP date (which names its day
 * and month in letters). Anything else (`-5`, which Date.parse reads as a year, `1e999`, garbage) is ignored,
 * and the client's own backoff applies.
 */
export function retryAfterMs(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (value === undefined || value === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) {
    const ms = Number(value) * 1000;
    return Number.isFinite(ms) ? ms : Number.MAX_SAFE_INTEGER;
  }
  if (!/^[A-Za-z]{3}, /.test(value)) return undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function hintForKind(kind: string, provider: string): string | undefined {
  switch (kind) {
    case 'auth':
      return `Check the API key: \`voicehooks auth status\`, or \`voicehooks auth login -p ${provider}\`.`;
    case 'notFound':
      return `List what exists with \`voicehooks list -p ${provider}\`.`;
    case 'unavailable':
      return 'Try again later; run with --debug to see the exchange.';
    default:
      return undefined;
  }
}

async function readCapped(
  body: AsyncIterable<Buffer | Uint8Array>,
  displayName: string,
  provider: string,
  status: number,
): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      throw new ApiError(
        'unavailable',
        `${displayName} sent an answer larger than ${MAX_BODY_BYTES / 1024 / 1024} MiB; it was not read.`,
        { hint: 'Check the base URL; run with --debug to see the exchange.', provider, status },
      );
    }
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The network error code (ECONNREFUSED, UND_ERR_…) of an error or of its causes. */
export function errorCode(error: unknown): string {
  if (!error || typeof error !== 'object') return '';
  const own = (error as { code?: unknown }).code;
  if (typeof own === 'string') return own;
  const cause = (error as { cause?: unknown }).cause;
  return cause && cause !== error ? errorCode(cause) : '';
}

function lowerKeys(record: Record<string, string>): Record<string, true> {
  return Object.fromEntries(Object.keys(record).map((k) => [k.toLowerCase(), true]));
}

/** Checks a provider's answer against its wire schema; an answer of another shape is unusable (exit 9). */
export function decode<T>(schema: ZodMiniType<T>, body: unknown, displayName: string, provider: string): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new ApiError(
    'unavailable',
    `${displayName} answered with an unexpected shape (${issue?.path.join('.') || 'body'}: ${issue?.message}).`,
    { provider, hint: 'Check the base URL; run with --debug to see the answer.' },
  );
}
