/**
 * The apply file: `{"webhooks": [ … ]}` in YAML or JSON (YAML's parser reads both, so one code path gives
 * both the same line numbers). Everything is checked before anything is sent, and every problem names the
 * file, the line and the key, the way a compiler does, so a CI log points straight at the culprit.
 */
import { isMap, isPair, isScalar, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import * as z from '../zod.ts';
import { UsageError } from '../errors.ts';
import { checkEvents, checkHeaders, checkUrl, isUuid, readFileCapped } from '../input.ts';
import { getProvider } from '../providers/index.ts';
import {
  PROVIDER_NAMES,
  type InputField,
  type ProviderDescriptor,
  type ProviderName,
  type WebhookInput,
} from '../providers/types.ts';

/** One webhook the file asks for, checked and ready to compare with live state. */
export interface DesiredWebhook {
  provider: ProviderName;
  /** Talkover's agent (its scope), Ultravox's agent (a field that is also its scope), else undefined. */
  agentId?: string;
  /** PolyAI's region. */
  region?: string;
  /** url, events and exactly the fields the entry states, in the WebhookInput vocabulary. */
  input: WebhookInput & { url: string; events: string[] };
  /** `file:line:column` of the entry, for messages and the plan. */
  source: string;
}

export interface ApplyFile {
  path: string;
  webhooks: DesiredWebhook[];
  /** Warnings the checks allow through (plain http to loopback for PolyAI). */
  warnings: string[];
}

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  /** The PolyAI region of entries that name none (--region, env, profile, else us). */
  defaultRegion?: string;
}

const REGIONS = ['us', 'uk', 'eu'] as const;

const entrySchema = z.strictObject({
  provider: z.enum(PROVIDER_NAMES),
  url: z.string(),
  events: z.array(z.string()).check(z.minLength(1, 'needs at least one event')),
  name: z.optional(z.string()),
  agent: z.optional(z.string()),
  region: z.optional(z.enum(REGIONS)),
  secret: z.optional(z.union([z.string(), z.array(z.string()).check(z.minLength(1))])),
  headers: z.optional(z.record(z.string(), z.string())),
  deliveryTimeout: z.optional(z.int()),
  maxRetries: z.optional(z.int()),
  httpMethod: z.optional(z.string()),
  authScheme: z.optional(z.string()),
  retryType: z.optional(z.string()),
  basicAuth: z.optional(z.string()),
  enabled: z.optional(z.boolean()),
});
const looseEntrySchema = z.object(entrySchema.shape);
type Entry = z.infer<typeof entrySchema>;

/** The file's keys that are webhook fields, and the input field each one sets. */
const FIELD_OF_KEY = {
  name: 'name',
  secret: 'secrets',
  headers: 'headers',
  deliveryTimeout: 'deliveryTimeout',
  maxRetries: 'maxRetries',
  httpMethod: 'httpMethod',
  authScheme: 'authScheme',
  retryType: 'retryType',
  basicAuth: 'basicAuth',
  enabled: 'enabled',
} as const satisfies Partial<Record<keyof Entry, InputField>>;

/** Every problem found, each as `file:line:col: key message`. */
class Problems {
  readonly list: string[] = [];
  /** Values already found wrong at the root (an unset variable): what follows from it would only repeat it. */
  private readonly settled = new Set<string>();
  private readonly file: string;
  private readonly doc: Document;
  private readonly lines: LineCounter;
  constructor(file: string, doc: Document, lines: LineCounter) {
    this.file = file;
    this.doc = doc;
    this.lines = lines;
  }

  /** Where a path points: the key itself when `atKey`, else its value; the nearest existing parent otherwise. */
  where(path: (string | number)[], atKey = false): string {
    for (let depth = path.length; depth >= 0; depth--) {
      const node = locate(this.doc, path.slice(0, depth), atKey && depth === path.length);
      if (node?.range) {
        const { line, col } = this.lines.linePos(node.range[0]);
        return `${this.file}:${line}:${col}`;
      }
    }
    return this.file;
  }

  /** Reports a problem of a value and none after it for the same value. */
  settle(path: (string | number)[], message: string): void {
    this.add(path, message);
    this.settled.add(keyPath(path));
  }

  add(path: (string | number)[], message: string, atKey = false): void {
    const key = keyPath(path);
    if ([...this.settled].some((s) => key === s || key.startsWith(`${s}.`) || key.startsWith(`${s}[`)))
      return;
    this.list.push(`${this.where(path, atKey)}: ${keyPath(path)} ${message}`.replace(/: {2}/, ': '));
  }
}

/** Reads, substitutes `${VAR}`, validates and checks an apply file; any problem is a UsageError (exit 2). */
export function loadApplyFile(path: string, options: LoadOptions = {}): ApplyFile {
  let text: string;
  try {
    text = readFileCapped(path, path).toString('utf8');
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(
      `Cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`,
      {
        hint: 'Pass the apply file with -f FILE.',
      },
    );
  }
  return parseApplyFile(text, path, options);
}

export function parseApplyFile(text: string, file: string, options: LoadOptions = {}): ApplyFile {
  const env = options.env ?? process.env;
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    const messages = doc.errors.map((e) => {
      // Positions come as offsets here (pretty errors would rewrite the message): the counter turns them into
      // line and column.
      const pos = e.linePos?.[0] ?? (e.pos ? lines.linePos(e.pos[0]) : undefined);
      return `${file}${pos ? `:${pos.line}:${pos.col}` : ''}: ${e.message.split('\n')[0]}`;
    });
    throw fileError(file, messages);
  }
  const problems = new Problems(file, doc, lines);
  // toJS() throws on what parsing lets through (an alias before its anchor, a merge key of a non-map):
  // that is a problem of the file (exit 2), not a crash (found by test/properties.test.ts).
  let root: unknown;
  try {
    root = doc.toJS();
  } catch (error) {
    throw fileError(file, [`${file}: ${(error as Error).message.split('\n')[0]}`]);
  }
  if (
    !root ||
    typeof root !== 'object' ||
    Array.isArray(root) ||
    !Array.isArray((root as { webhooks?: unknown }).webhooks)
  ) {
    problems.add([], 'must be an object with a "webhooks" list, e.g. {"webhooks": [{"provider": …}]}');
    throw fileError(file, problems.list);
  }
  for (const key of Object.keys(root)) {
    if (key !== 'webhooks') problems.add([key], `is not a key of an apply file (only "webhooks")`, true);
  }
  const raw = (root as { webhooks: unknown[] }).webhooks;
  const webhooks: DesiredWebhook[] = [];
  const warnings: string[] = [];
  raw.forEach((value, index) => {
    const base: (string | number)[] = ['webhooks', index];
    const substituted = substitute(value, base, env, problems);
    let parsed = entrySchema.safeParse(substituted);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const at = [...base, ...(issue.path as (string | number)[])];
        if (issue.code === 'unrecognized_keys') {
          for (const key of issue.keys)
            problems.add([...at, key], `is not a known key (${knownKeys()})`, true);
        } else if (issue.code === 'invalid_type') {
          // zod does not report the input it got: whether the key is absent or of the wrong type is read here.
          const got = valueAt(substituted, issue.path as (string | number)[]);
          problems.add(
            at,
            got === undefined ? 'is missing' : `must be ${article(issue.expected)}, got ${typeName(got)}`,
          );
        } else {
          problems.add(at, issue.message.replace(/^Invalid input: /, ''));
        }
      }
      // Unknown keys alone still leave an entry whose other keys deserve their checks.
      if (parsed.error.issues.some((i) => i.code !== 'unrecognized_keys')) return;
      parsed = looseEntrySchema.safeParse(substituted);
      if (!parsed.success) return;
    }
    const desired = checkEntry(parsed.data, base, problems, warnings, options.defaultRegion ?? 'us');
    if (desired) webhooks.push({ ...desired, source: problems.where(base) });
  });
  checkDuplicates(webhooks, problems);
  if (problems.list.length > 0) throw fileError(file, problems.list);
  return { path: file, webhooks, warnings };
}

/** `provider + scope + url`: two entries with the same identity would fight over one webhook. */
export function identityOf(w: {
  provider: ProviderName;
  agentId?: string;
  region?: string;
  input: { url: string };
}): string {
  return `${w.provider} ${scopeOf(w) ?? '-'} ${w.input.url}`;
}

/** The scope shown and compared: Talkover's or Ultravox's agent, PolyAI's region; null for account-wide. */
export function scopeOf(w: { provider: ProviderName; agentId?: string; region?: string }): string | null {
  if (w.provider === 'polyai') return w.region ?? 'us';
  if (w.provider === 'talkover' || w.provider === 'ultravox') return w.agentId ?? null;
  return null;
}

function checkDuplicates(webhooks: DesiredWebhook[], problems: Problems): void {
  const seen = new Map<string, string>();
  for (const w of webhooks) {
    const id = identityOf(w);
    const first = seen.get(id);
    if (first !== undefined) {
      problems.list.push(
        `${w.source}: webhooks entry has the same identity (provider, scope and url) as the entry at ${first}: ${id}`,
      );
    } else seen.set(id, w.source);
  }
}

/** The checks `create` makes on flags, made here on keys, so that each message names the key. */
function checkEntry(
  entry: Entry,
  base: (string | number)[],
  problems: Problems,
  warnings: string[],
  defaultRegion: string,
): Omit<DesiredWebhook, 'source'> | undefined {
  const descriptor = getProvider(entry.provider);
  const before = problems.list.length;
  const attempt = <T>(key: string, check: () => T): T | undefined => {
    try {
      return check();
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      const message = error.message.replace(/^--[a-z-]+ /, '').replace(/^"([^"]*)" /, '"$1" ');
      problems.add(
        [...base, key],
        message + (error.hint && /Did you mean/.test(error.hint) ? ` ${error.hint}` : ''),
      );
      return undefined;
    }
  };

  const url = attempt('url', () => checkUrl(entry.url, descriptor, '--url'));
  if (url?.warning) warnings.push(`${problems.where([...base, 'url'])}: ${url.warning}`);
  const events = attempt('events', () => checkEvents(entry.events, descriptor, '--event'));
  const input: WebhookInput = {};

  for (const [key, field] of Object.entries(FIELD_OF_KEY) as [keyof typeof FIELD_OF_KEY, InputField][]) {
    const value = entry[key];
    if (value === undefined) continue;
    if (!descriptor.fields.includes(field)) {
      problems.add([...base, key], `is not a field ${descriptor.displayName} has`, true);
      continue;
    }
    const one = { [field]: key === 'secret' ? [value].flat() : value } as WebhookInput;
    if (attempt(key, () => checkField(one, descriptor)) !== undefined) Object.assign(input, one);
  }
  for (const field of descriptor.requiredOnCreate) {
    const key = Object.entries(FIELD_OF_KEY).find(([, f]) => f === field)?.[0] ?? field;
    if (input[field] === undefined && !problems.list.some((p) => p.includes(`.${key} `))) {
      problems.add(base, `needs "${key}": ${descriptor.displayName} requires it`);
    }
  }

  let agentId: string | undefined;
  let region: string | undefined;
  if (entry.agent !== undefined) {
    if (descriptor.name !== 'talkover' && descriptor.name !== 'ultravox') {
      problems.add([...base, 'agent'], `is not a field ${descriptor.displayName} has`, true);
    } else if (!isUuid(entry.agent)) {
      problems.add([...base, 'agent'], `must be a UUID, got "${entry.agent}"`);
    } else agentId = entry.agent;
  } else if (descriptor.capabilities.agentScoped) {
    problems.add(base, `needs "agent": ${descriptor.displayName} webhooks belong to an agent`);
  }
  if (entry.region !== undefined && descriptor.name !== 'polyai') {
    problems.add([...base, 'region'], `is for PolyAI only; ${descriptor.displayName} has no regions`, true);
  }
  if (descriptor.name === 'polyai') region = entry.region ?? defaultRegion;
  // Ultravox's agent is a field of the webhook as well as its scope: a stated agent is managed.
  if (descriptor.name === 'ultravox' && agentId !== undefined) input.agentId = agentId;

  if (problems.list.length > before || !url || !events) return undefined;
  return {
    provider: descriptor.name,
    ...(agentId !== undefined ? { agentId } : {}),
    ...(region !== undefined ? { region } : {}),
    input: { ...input, url: url.url, events },
  };
}

function checkField(one: WebhookInput, descriptor: ProviderDescriptor): true {
  if (one.name !== undefined && (one.name.trim() === '' || one.name.length > 255)) {
    throw new UsageError('--name must be 1 to 255 characters.');
  }
  if (one.secrets?.some((s) => s.trim() === '')) throw new UsageError('--secret cannot be empty.');
  if (one.headers !== undefined) checkHeaders(one.headers);
  descriptor.checkInput?.(one);
  return true;
}

/**
 * `${VAR}` in any string becomes the variable's value; `$${` stands for a literal `${` (the inverse of
 * `escapeForApply`, whatever follows it). An unset (or empty) variable is a problem named by its key, so that a
 * secret never has to live in the file. The CLI's own credentials (`*_API_KEY`) are never filled in: a file
 * (or a webhook exported into one) could otherwise send the key to whatever host its URL names.
 */
function substitute(
  value: unknown,
  path: (string | number)[],
  env: NodeJS.ProcessEnv,
  problems: Problems,
): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\$\{|\$\{([^}]*)\}/g, (whole, name: string | undefined) => {
      if (name === undefined) return '${';
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
        problems.add(path, `has "\${${name}}", which is not a variable name`);
        return whole;
      }
      if (/_API_KEY$/i.test(name)) {
        problems.add(path, `has "\${${name}}": an API key variable is never filled into an apply file`);
        return whole;
      }
      const found = env[name];
      if (found === undefined || found === '') {
        problems.settle(
          path,
          `needs the environment variable ${name}, which is ${found === undefined ? 'unset' : 'empty'}: set it (export ${name}=…) and run again`,
        );
        return whole;
      }
      return found;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => substitute(v, [...path, i], env, problems));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, substitute(v, [...path, k], env, problems)]),
    );
  }
  return value;
}

function valueAt(value: unknown, path: readonly (string | number)[]): unknown {
  let here = value;
  for (const key of path) {
    if (here === null || typeof here !== 'object' || !Object.hasOwn(here, key)) return undefined;
    here = (here as Record<string | number, unknown>)[key];
  }
  return here;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  return `${article(typeof value)} (${JSON.stringify(value)?.slice(0, 40)})`;
}

function article(type: string): string {
  return `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;
}

function locate(doc: Document, path: (string | number)[], atKey: boolean): Node | undefined {
  if (!atKey) {
    const node: unknown = path.length === 0 ? doc.contents : doc.getIn(path, true);
    return isNode(node) ? node : undefined;
  }
  const parent: unknown = path.length <= 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
  if (!isMap(parent)) return undefined;
  const pair = parent.items.find(
    (p) => isPair(p) && isScalar(p.key) && p.key.value === path[path.length - 1],
  );
  return pair && isScalar(pair.key) ? pair.key : undefined;
}

function isNode(value: unknown): value is Node {
  return value !== null && typeof value === 'object' && 'range' in value;
}

/** `webhooks[2].headers.X-Token` */
function keyPath(path: (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function knownKeys(): string {
  return Object.keys(entrySchema.shape).join(', ');
}

function fileError(file: string, messages: string[]): UsageError {
  const [first = `${file} is not a valid apply file`, ...rest] = messages;
  const message =
    rest.length === 0 ? first : `${messages.length} problems in ${file}:\n  ${messages.join('\n  ')}`;
  return new UsageError(message, {
    hint: 'Fix the file and run again; nothing was sent. The format is described in docs/apply.md.',
  });
}
