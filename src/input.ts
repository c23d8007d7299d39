/**
 * Checks of user input, made before any request (contract §Input checked before any request). Each check
 * names the flag and the rule and throws a UsageError (exit 2); none of them sends anything.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { ConfigError, FieldError, UsageError } from './errors.ts';
import type { InputField, ProviderDescriptor, Scope, WebhookInput } from './providers/types.ts';

import { isLoopbackHost } from './loopback.ts';

export { isLoopbackHost };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** The contract's flag name for each input field. */
export const FLAG_FOR_FIELD: Record<InputField, string> = {
  url: '--url',
  events: '--event',
  name: '--name',
  secrets: '--secret',
  agentId: '--agent',
  headers: '--header',
  deliveryTimeout: '--delivery-timeout',
  maxRetries: '--max-retries',
  httpMethod: '--http-method',
  authScheme: '--auth-scheme',
  payloadTemplates: '--payload-template',
  retryType: '--retry-type',
  basicAuth: '--basic-auth',
  enabled: '--enabled',
  includeCallEvents: '--include-call-events',
};

export interface UrlCheck {
  /** The URL, unchanged. */
  url: string;
  /** Set when the URL is allowed only as an exception (plain http to loopback where https is required). */
  warning?: string;
}

/** An absolute http(s) URL within the provider's length limit; https where the provider requires it. */
export function checkUrl(value: string, descriptor: ProviderDescriptor, flag = '--url'): UrlCheck {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${flag} must be an absolute http(s) URL, got "${value}".`, {
      hint: 'For example: --url https://example.com/webhooks',
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${flag} must use http or https, not ${url.protocol}`);
  }
  // The URL parser drops tabs, line breaks and surrounding controls and reads a backslash as a slash; a
  // provider's parser may not. What is sent must be what was checked, so such characters are refused.
  // eslint-disable-next-line no-control-regex
  const unsafe = /[\u0000-\u0020\u007f\\]/.exec(value);
  if (unsafe) {
    const shown = unsafe[0] === ' ' ? 'a space' : unsafe[0] === '\\' ? 'a backslash' : 'a control character';
    throw new UsageError(`${flag} has ${shown} at position ${unsafe.index + 1}; a URL may not contain one.`, {
      hint: 'Percent-encode it (a space is %20), or remove it.',
    });
  }
  if (value.length > descriptor.maxUrlLength) {
    throw new UsageError(
      `${flag} is ${value.length} characters; ${descriptor.displayName} accepts at most ${descriptor.maxUrlLength}.`,
    );
  }
  if (descriptor.httpsOnly && url.protocol === 'http:') {
    if (!isLoopbackHost(url.hostname)) {
      throw new UsageError(
        `${flag} must use https: ${descriptor.displayName} delivers only to https endpoints.`,
      );
    }
    return {
      url: value,
      warning: `${descriptor.displayName} accepts only https; plain http to ${url.hostname} works only with a local emulator or listener.`,
    };
  }
  return { url: value };
}

/** "an Ultravox event", "a Daily event": the article for a provider's name. */
export function aOrAn(name: string): string {
  return `${/^[aeiou]/i.test(name) ? 'an' : 'a'} ${name}`;
}

/**
 * Events from the provider's documented catalog for the resolved scope `settings` (a provider may have one
 * catalog per scope: Talkover's agents and campaigns); an unknown one gets a did-you-mean, and one that belongs
 * to another scope's catalog is named as such.
 */
export function checkEvents(
  values: string[],
  descriptor: ProviderDescriptor,
  flag = '--event',
  settings: Scope = {},
): string[] {
  const known = descriptor.events(settings).map((e) => e.name);
  const catalog = descriptor.catalogName?.(settings);
  for (const value of values) {
    if (known.includes(value)) continue;
    const guess = closest(value, known);
    const where = scopeArgs(descriptor, settings);
    const list = `\`voicehooks events -p ${descriptor.name}${where}\``;
    const other = otherCatalog(descriptor, settings, value);
    const what = catalog === undefined ? '' : ` ${catalog}`;
    if (other !== undefined) {
      // An event of another scope's catalog: the scope is what is wrong, not the event.
      throw new FieldError(
        flag,
        `"${value}" is ${aOrAn(descriptor.displayName)} ${other.name} event; ${descriptor.displayName}${what} webhooks take the${what} catalog.`,
        {
          hint: `For ${aOrAn(other.name)} webhook pass --${other.flag} ${other.valueName}; the${what} catalog: ${list}.`,
        },
      );
    }
    throw new FieldError(flag, `"${value}" is not ${aOrAn(descriptor.displayName)}${what} event.`, {
      hint: guess ? `Did you mean "${guess}"? See ${list}.` : `See ${list} for the list.`,
    });
  }
  return [...new Set(values)];
}

/** ` --campaign ID`: the flags of the scope settings given, for a hint that lists the right catalog. */
function scopeArgs(descriptor: ProviderDescriptor, settings: Scope): string {
  return descriptor.settings
    .filter((s) => s.role === 'scope' && settings[s.name] !== undefined)
    .map((s) => ` --${s.flag} ${settings[s.name] ?? ''}`)
    .join('');
}

/** Another scope's catalog that holds `event` (its name and flag), where the provider has one per scope. */
function otherCatalog(
  descriptor: ProviderDescriptor,
  settings: Scope,
  event: string,
): { name: string; flag: string; valueName: string } | undefined {
  if (descriptor.catalogName === undefined) return undefined;
  for (const spec of descriptor.settings.filter((s) => s.role === 'scope')) {
    if (settings[spec.name] !== undefined) continue;
    const other: Scope = { [spec.name]: 'x' };
    const name = descriptor.catalogName(other);
    if (name !== undefined && descriptor.events(other).some((e) => e.name === event)) {
      return { name, flag: spec.flag, valueName: spec.valueName };
    }
  }
  return undefined;
}

export function checkId(id: string, descriptor: ProviderDescriptor): string {
  if (!descriptor.isValidId(id)) {
    throw new UsageError(
      `"${id}" is not ${aOrAn(descriptor.displayName)} webhook id (${descriptor.idFormat}).`,
      {
        hint: `List ids with \`voicehooks list -p ${descriptor.name}\`.`,
      },
    );
  }
  return id;
}

/** An absolute http(s) URL, any host (`send --url`, `replay --to`): sending is to the user's own endpoints. */
export function checkTarget(value: string, flag: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${flag} must be an absolute http(s) URL, got "${value}".`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${flag} must use http or https, not ${url.protocol}`);
  }
  return value;
}

/** `K=V` pairs (`--header`, `--payload-template`) as a record. */
export function parsePairs(values: string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const value of values) {
    const eq = value.indexOf('=');
    const key = eq > 0 ? value.slice(0, eq).trim() : '';
    if (!key) throw new UsageError(`${flag} takes KEY=VALUE, got "${value}".`);
    out[key] = value.slice(eq + 1);
  }
  return out;
}

/** The longest custom header value accepted: far above any token, far below what servers refuse (8 KiB). */
export const MAX_HEADER_VALUE = 4096;
/** Headers the HTTP stack sets itself from the request; a custom value would break or hijack the delivery. */
const RESERVED_HEADERS = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'expect',
]);

/**
 * A header name as HTTP allows it (RFC 9110 token), not one the HTTP stack owns, and a value of visible
 * characters, spaces and tabs (no control character) of at most {@link MAX_HEADER_VALUE} characters.
 */
export function checkHeaders(headers: Record<string, string>): Record<string, string> {
  for (const [name, value] of Object.entries(headers)) {
    if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) {
      throw new UsageError(`--header name "${name}" is not a valid HTTP header name.`);
    }
    if (RESERVED_HEADERS.has(name.toLowerCase())) {
      throw new UsageError(`--header ${name} is set by HTTP itself and cannot be given.`);
    }
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(value))
      throw new UsageError(`--header ${name} has a control character (line break, NUL, ESC …) in its value.`);
    if (value.length > MAX_HEADER_VALUE) {
      throw new UsageError(
        `--header ${name} is ${value.length} characters; at most ${MAX_HEADER_VALUE} are accepted.`,
      );
    }
  }
  return headers;
}

/** The shortest API key accepted: a shorter one could not be told apart from text when it is redacted. */
export const MIN_KEY_LENGTH = 8;

/** A key that cannot be sent; `source` says where it was found, as `auth status` shows it (`env NAME` …). */
export class ApiKeyError extends ConfigError {
  readonly source: string | undefined;
  constructor(message: string, source: string | undefined) {
    super(message, {
      hint: "Copy the key again from the provider's dashboard, without quotes or a trailing newline.",
    });
    this.name = 'ApiKeyError';
    this.source = source;
  }
}

/**
 * An API key as it is read (from the environment, the config file or stdin): at least {@link MIN_KEY_LENGTH}
 * characters, printable Latin-1 (HTTP headers carry nothing else), no line break or control character. Anything
 * else is an {@link ApiKeyError} (exit 3) naming where the key came from (`what`, in the message; `source`, as a
 * status row shows it), before it is sent or stored.
 */
export function checkApiKey(key: string, what: string, source?: string): string {
  // eslint-disable-next-line no-control-regex
  const control = /[\u0000-\u001f\u007f-\u009f]/.exec(key);
  // Controls are caught above; what is left outside this range is beyond Latin-1.
  const wide = /[^\u0020-\u00ff]/.exec(key);
  const problem = control
    ? `has a ${/[\r\n]/.test(control[0]) ? 'line break' : 'control character'} at position ${control.index + 1}`
    : wide
      ? `has a character outside Latin-1 at position ${wide.index + 1}, which HTTP headers cannot carry`
      : key.length < MIN_KEY_LENGTH
        ? `is ${key.length} characters long; an API key has at least ${MIN_KEY_LENGTH}`
        : undefined;
  if (problem) throw new ApiKeyError(`The API key from ${what} ${problem}.`, source);
  return key;
}

/** The most read whole from a file or stdin (an apply file, a body, a template, a key): 10 MiB. */
export const MAX_INPUT_BYTES = 10 * 1024 * 1024;

function tooLarge(what: string, max: number): UsageError {
  return new UsageError(`${what} is larger than ${max / 1024 / 1024} MiB; it was not read.`, {
    hint: 'Check that the right file was given.',
  });
}

/**
 * A file read whole, refused past `max` bytes (exit 2) instead of growing without end (`/dev/zero`, a
 * mistaken log). Errors of reading are thrown as they are, for the caller to word.
 */
export function readFileCapped(path: string, what: string, max = MAX_INPUT_BYTES): Buffer {
  const fd = openSync(path, 'r');
  try {
    const chunks: Buffer[] = [];
    let size = 0;
    for (;;) {
      const chunk = Buffer.alloc(64 * 1024);
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      size += n;
      if (size > max) throw tooLarge(what, max);
      chunks.push(chunk.subarray(0, n));
    }
    return Buffer.concat(chunks);
  } finally {
    closeSync(fd);
  }
}

/**
 * A file's lines, one at a time (a record file may be far larger than anything read whole), each refused past
 * `maxLine` bytes like {@link readFileCapped}: a line that long is not one this program wrote. Line numbers
 * start at 1; a final line without a newline is read too, and a trailing carriage return is dropped.
 */
export function* readLinesCapped(
  path: string,
  what: string,
  maxLine = MAX_INPUT_BYTES,
): Generator<{ number: number; line: string }> {
  const fd = openSync(path, 'r');
  try {
    let pending: Buffer[] = [];
    let pendingSize = 0;
    let number = 0;
    const chunk = Buffer.alloc(64 * 1024);
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      let data = chunk.subarray(0, n);
      if (n === 0) break;
      for (let nl = data.indexOf(10); nl !== -1; nl = data.indexOf(10)) {
        pending.push(data.subarray(0, nl));
        pendingSize += nl;
        if (pendingSize > maxLine) throw tooLarge(`${what}, line ${number + 1},`, maxLine);
        number++;
        yield { number, line: Buffer.concat(pending).toString('utf8').replace(/\r$/, '') };
        pending = [];
        pendingSize = 0;
        data = data.subarray(nl + 1);
      }
      pendingSize += data.length;
      if (pendingSize > maxLine) throw tooLarge(`${what}, line ${number + 1},`, maxLine);
      pending.push(Buffer.from(data));
    }
    if (pendingSize > 0) yield { number: number + 1, line: Buffer.concat(pending).toString('utf8') };
  } finally {
    closeSync(fd);
  }
}

/** A stream (stdin) read whole, refused past `max` bytes like {@link readFileCapped}. */
export async function readStreamCapped(
  stream: AsyncIterable<Buffer | Uint8Array | string>,
  what: string,
  max = MAX_INPUT_BYTES,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = Buffer.from(chunk);
    size += buffer.length;
    if (size > max) throw tooLarge(what, max);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/** A whole number within a range, named by its flag or field. */
export function checkRange(value: number, min: number, max: number, flag: string, unit = ''): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new FieldError(flag, `must be a whole number from ${min} to ${max}${unit}, got ${value}.`);
  }
  return value;
}

/** Flags given that the provider has no field for: a usage error, never silently dropped. */
export function checkFieldsSupported(input: WebhookInput, descriptor: ProviderDescriptor): void {
  const unsupported = (Object.keys(input) as InputField[]).filter(
    (field) => input[field] !== undefined && !descriptor.fields.includes(field),
  );
  if (unsupported.length > 0) {
    throw new UsageError(
      `${descriptor.displayName} has no field for ${unsupported.map((f) => FLAG_FOR_FIELD[f]).join(', ')}.`,
      { hint: `See \`voicehooks providers\` for what each provider supports.` },
    );
  }
}

/**
 * `--fields` names, each one the command's output has: a misspelt name would otherwise print a column of
 * nulls that looks like data.
 */
export function checkFieldNames(fields: readonly string[], valid: readonly string[]): void {
  const unknown = [...new Set(fields.filter((f) => !valid.includes(f)))];
  const [first] = unknown;
  if (first === undefined) return;
  const guess = unknown.length === 1 ? closest(first, valid) : undefined;
  const names = unknown.map((f) => `"${f}"`).join(', ');
  throw new UsageError(
    `--fields: ${names} ${unknown.length === 1 ? 'is not a field' : 'are not fields'} of this command's output.`,
    {
      hint: `${guess ? `Did you mean "${guess}"? ` : ''}Valid fields: ${valid.join(', ')}.`,
    },
  );
}

/** The candidate nearest to `value` by edit distance, if it is near enough to be a plausible typo. */
export function closest(value: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(value.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return bestDistance <= Math.max(2, Math.floor(value.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
