/**
 * The apply file: `{"webhooks": [ … ]}` in YAML or JSON (YAML's parser reads both, so one code path gives
 * both the same line numbers). Everything is checked before anything is sent, and every problem names the
 * file, the line and the key, the way a compiler does, so a CI log points straight at the culprit.
 */
import { isMap, isPair, isScalar, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import * as z from '../zod.ts';
import { FieldError, UsageError } from '../errors.ts';
import { aOrAn, checkEvents, checkHeaders, checkUrl, readFileCapped } from '../input.ts';
import { PROVIDER_NAMES, declaredSettings, getProvider, scopeSettings } from '../providers/index.ts';
import type {
  InputField,
  ProviderDescriptor,
  ProviderName,
  Scope,
  WebhookInput,
} from '../providers/types.ts';
import { flagOwners, settingProblem } from '../resolve.ts';

/** One webhook the file asks for, checked and ready to compare with live state. */
export interface DesiredWebhook {
  provider: ProviderName;
  /**
   * The provider's settings the entry is under, by setting name: its scope (Talkover's agent), its account
   * settings (PolyAI's region, defaulted), and settings that are fields (Ultravox's agent, also in `input`).
   */
  settings: Record<string, string>;
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
  /**
   * The account settings of entries that state none, by provider (PolyAI's region from --region, env, profile,
   * else its default). Absent: each setting's declared default.
   */
  defaults?: Readonly<Record<ProviderName, Readonly<Record<string, string>>>>;
}

/** The keys an entry may have for settings: every setting name some provider declares. */
const SETTING_KEYS = [...new Set(declaredSettings().map((d) => d.setting.name))];

const entrySchema = z.strictObject({
  provider: z.enum(PROVIDER_NAMES),
  url: z.string(),
  events: z.array(z.string()).check(z.minLength(1, 'needs at least one event')),
  name: z.optional(z.string()),
  secret: z.optional(z.union([z.string(), z.array(z.string()).check(z.minLength(1))])),
  headers: z.optional(z.record(z.string(), z.string())),
  deliveryTimeout: z.optional(z.int()),
  maxRetries: z.optional(z.int()),
  httpMethod: z.optional(z.string()),
  authScheme: z.optional(z.string()),
  retryType: z.optional(z.string()),
  basicAuth: z.optional(z.string()),
  enabled: z.optional(z.boolean()),
  includeCallEvents: z.optional(z.boolean()),
  ...Object.fromEntries(SETTING_KEYS.map((key) => [key, z.optional(z.string())])),
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
  includeCallEvents: 'includeCallEvents',
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
    const desired = checkEntry(parsed.data as Entry, base, problems, warnings, options.defaults ?? {});
    if (desired) webhooks.push({ ...desired, source: problems.where(base) });
  });
  checkDuplicates(webhooks, problems);
  if (problems.list.length > 0) throw fileError(file, problems.list);
  return { path: file, webhooks, warnings };
}

/** `provider + scope + url`: two entries with the same identity would fight over one webhook. */
export function identityOf(w: {
  provider: ProviderName;
  settings: Readonly<Record<string, string>>;
  input: { url: string };
}): string {
  return `${w.provider} ${scopeOf(w) ?? '-'} ${w.input.url}`;
}

/**
 * The scope shown and compared: the values of the provider's scope and account settings and of settings that
 * are fields (Talkover's agent, PolyAI's region, Ultravox's agent), in declared order; null for account-wide.
 * Where a provider has several scope settings, whose values alone could not be told apart (Talkover's agent and
 * campaign are both UUIDs), each value is shown as `name:value`, as the file's keys name them.
 */
export function scopeOf(w: {
  provider: ProviderName;
  settings: Readonly<Record<string, string>>;
}): string | null {
  const labelled = scopeSettings(getProvider(w.provider)).length > 1;
  const values = scopeSettingsOf(w.provider).flatMap((s) => {
    const value = w.settings[s.name];
    if (value === undefined) return [];
    return [labelled && s.role === 'scope' ? `${s.name}:${value}` : value];
  });
  return values.length ? values.join(' ') : null;
}

/** The settings a scope shown by {@link scopeOf} stands for (its values hold no spaces: they are checked). */
export function settingsOfScope(provider: ProviderName, scope: string | null): Record<string, string> {
  const descriptor = getProvider(provider);
  const specs = scopeSettingsOf(provider);
  // A setting without a value is left out of the scope: each value goes to the first setting that accepts it.
  const settings: Record<string, string> = {};
  for (const value of scope === null ? [] : scope.split(' ')) {
    const named = /^([a-z][a-z0-9-]*):(.+)$/.exec(value);
    const owner = named && specs.find((s) => s.name === named[1]);
    if (named?.[2] !== undefined && owner) {
      settings[owner.name] = named[2];
      continue;
    }
    const spec = specs.find(
      (s) => settings[s.name] === undefined && settingProblem(descriptor, s, value) === undefined,
    );
    if (spec !== undefined) settings[spec.name] = value;
  }
  return settings;
}

/** The settings a webhook's identity includes: scope and account settings, and settings that are fields. */
function scopeSettingsOf(provider: ProviderName) {
  return getProvider(provider).settings.filter((s) => s.role !== 'filter' || s.field !== undefined);
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
  defaults: NonNullable<LoadOptions['defaults']>,
): Omit<DesiredWebhook, 'source'> | undefined {
  const descriptor = getProvider(entry.provider);
  const before = problems.list.length;
  const attempt = <T>(key: string, check: () => T): T | undefined => {
    try {
      return check();
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      // A provider's problem names the field; the generic checks name a flag: the file's key is said instead.
      const message = (
        error instanceof FieldError ? error.problem : error.message.replace(/^--[a-z-]+ /, '')
      ).replace(/^"([^"]*)" /, '"$1" ');
      problems.add(
        [...base, key],
        message + (error.hint && /Did you mean/.test(error.hint) ? ` ${error.hint}` : ''),
      );
      return undefined;
    }
  };

  // Settings first: those the provider declares are checked by its declaration; any other is not the
  // provider's. The events and fields below are checked against the scope they give.
  const settings: Record<string, string> = {};
  const input: WebhookInput = {};
  for (const key of SETTING_KEYS) {
    const value = (entry as Record<string, unknown>)[key];
    if (typeof value !== 'string') continue;
    const spec = descriptor.settings.find((s) => s.name === key);
    if (spec === undefined) {
      const owners = flagOwners(declaredSettings().find((d) => d.setting.name === key)?.setting.flag ?? key);
      problems.add(
        [...base, key],
        `is for ${owners.map((o) => o.displayName).join(' and ')} only; ${descriptor.displayName} has no ${key}s`,
        true,
      );
      continue;
    }
    const problem = settingProblem(descriptor, spec, value);
    if (problem !== undefined) {
      problems.add([...base, key], problem.replace(/\.$/, ''));
      continue;
    }
    settings[key] = value;
    // A setting that is also a field of the webhook (Ultravox's agent) is managed as that field.
    if (spec.field !== undefined) (input as Record<string, unknown>)[spec.field] = value;
  }
  for (const spec of descriptor.settings) {
    if (spec.role !== 'account' || settings[spec.name] !== undefined) continue;
    const fallback = defaults[descriptor.name]?.[spec.name] ?? spec.default;
    if (fallback !== undefined) settings[spec.name] = fallback;
  }
  const url = attempt('url', () => checkUrl(entry.url, descriptor, '--url'));
  if (url?.warning) warnings.push(`${problems.where([...base, 'url'])}: ${url.warning}`);
  // Events and fields are checked against the entry's scope: its catalog (Talkover's campaigns have their own).
  const events = attempt('events', () => checkEvents(entry.events, descriptor, '--event', settings));

  for (const [key, field] of Object.entries(FIELD_OF_KEY) as [keyof typeof FIELD_OF_KEY, InputField][]) {
    const value = entry[key];
    if (value === undefined) continue;
    if (!descriptor.fields.includes(field)) {
      problems.add([...base, key], `is not a field ${descriptor.displayName} has`, true);
      continue;
    }
    const one = { [field]: key === 'secret' ? [value].flat() : value } as WebhookInput;
    if (attempt(key, () => checkField(one, descriptor, settings)) !== undefined) Object.assign(input, one);
  }
  for (const field of descriptor.requiredOnCreate) {
    const key = Object.entries(FIELD_OF_KEY).find(([, f]) => f === field)?.[0] ?? field;
    if (input[field] === undefined && !problems.list.some((p) => p.includes(`.${key} `))) {
      problems.add(base, `needs "${key}": ${descriptor.displayName} requires it`);
    }
  }

  const scopes = scopeSettings(descriptor);
  const both = scopes.filter((s) => settings[s.name] !== undefined);
  if (both.length > 1) {
    problems.add(
      [...base, both[1]?.name ?? ''],
      `and "${both[0]?.name ?? ''}" are alternatives: ${descriptor.displayName} webhooks belong to ${both.map((s) => aOrAn(s.name)).join(' or ')}, not both`,
      true,
    );
  }
  if (scopes.length > 0 && !scopes.some((s) => settings[s.name] !== undefined)) {
    const keys = scopes.map((s) => `"${s.name}"`).join(' or ');
    const what = scopes.map((s) => aOrAn(s.name)).join(' or ');
    if (!problems.list.some((p) => scopes.some((s) => p.includes(`.${s.name} `)))) {
      problems.add(base, `needs ${keys}: ${descriptor.displayName} webhooks belong to ${what}`);
    }
  }

  if (problems.list.length > before || !url || !events) return undefined;
  return { provider: descriptor.name, settings, input: { ...input, url: url.url, events } };
}

function checkField(one: WebhookInput, descriptor: ProviderDescriptor, settings: Scope): true {
  if (one.name !== undefined && (one.name.trim() === '' || one.name.length > 255)) {
    throw new UsageError('--name must be 1 to 255 characters.');
  }
  if (one.secrets?.some((s) => s.trim() === '')) throw new UsageError('--secret cannot be empty.');
  if (one.headers !== undefined) checkHeaders(one.headers);
  descriptor.checkInput?.(one, settings);
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
