/**
 * Rendering, as pure functions that return strings: tables for people, tab-separated rows for pipes, and
 * secret masking. Nothing here writes to a stream; the base command decides where the string goes.
 */
import { createRequire } from 'node:module';
import type { Webhook } from './providers/types.ts';

/** How a command's result is shown when it is not printed as JSON. */
export type View =
  | { kind: 'table'; columns: Column[]; rows: Record<string, unknown>[] }
  | { kind: 'record'; fields: Column[]; record: Record<string, unknown> }
  | { kind: 'text'; text: string }
  /**
   * Lines for a person, each whole (never cut: the terminal wraps a long one) and coloured by its tone, such as
   * a plan. Piped, `piped` is printed instead, so that scripts keep their rows.
   */
  | { kind: 'lines'; lines: Line[]; piped: View };

export interface Line {
  text: string;
  tone?: Tone;
}

export interface Column {
  key: string;
  header: string;
  /** Colour rule for the cell, applied on terminals only. */
  tone?: (value: unknown) => Tone | undefined;
  /** An ISO timestamp: relative ("3 min ago") in terminal tables; exact everywhere else. */
  date?: boolean;
  /** Never cut on a terminal (an id: a cut one cannot be copied); the table is wider than the screen first. */
  whole?: boolean;
  /**
   * Gives way first when a terminal table is too wide (long free text: URLs, event lists), down to `min`
   * characters; columns without it shrink only after these have.
   */
  yields?: { min: number };
  /**
   * Shown on a terminal only when some row has a value: a field a provider never fills (Ultravox has no name,
   * no on/off switch) takes no room. Piped rows keep every column, so that scripts see a fixed layout.
   */
  optional?: boolean;
  /**
   * Left out on a terminal too narrow for the rest: `early` ones (a date, the agent a list was asked for)
   * rather than cut a URL at all; `late` ones (on/off, status, name) only when the URL and events would
   * otherwise be cut below their minimum.
   */
  spare?: 'early' | 'late';
}
export type Tone = 'good' | 'bad' | 'muted' | 'warn';

export interface RenderOptions {
  /** A terminal: tables with headers; otherwise tab-separated rows without a header. */
  tty: boolean;
  color: boolean;
  /** Terminal width, for sizing tables. */
  width?: number;
  /** `--fields`: which keys to show, in that order. */
  fields?: string[];
  /** The time relative dates count from (ms since the epoch); default now. */
  now?: number;
}

const MASK = '****';

/** `****` plus the last 4 characters: enough to tell secrets apart, not enough to use one. */
export function maskSecret(secret: string): string {
  return secret.length <= 8 ? MASK : `${MASK}${secret.slice(-4)}`;
}

/**
 * Masks a webhook's secrets, in `secrets` and in the raw object's secret fields, except the values in
 * `reveal` (a secret just issued, printed whole once).
 */
export function maskWebhook(
  webhook: Webhook,
  secretFields: readonly string[],
  reveal: readonly string[] = [],
): Webhook {
  // Once per row of a list: nothing is built for a webhook that has no secret to mask.
  const mask = (value: unknown): unknown => {
    if (typeof value === 'string') return reveal.includes(value) ? value : maskSecret(value);
    if (Array.isArray(value)) return value.map(mask);
    if (value && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mask(v)]));
    return value;
  };
  let raw = webhook.raw;
  for (const field of secretFields) {
    if (!Object.hasOwn(webhook.raw, field)) continue;
    if (raw === webhook.raw) raw = { ...webhook.raw };
    raw[field] = mask(webhook.raw[field]);
  }
  const secrets = webhook.secrets.length === 0 ? [] : webhook.secrets.map((s) => mask(s) as string);
  return { ...webhook, secrets, raw };
}

/**
 * Elements of a JSON array exactly as `JSON.stringify(array, null, 2)` prints them, so that a long list written
 * a batch at a time as its pages arrive is byte-identical to the same list written whole. The first batch opens
 * the array. A batch is made with one `JSON.stringify` of its own array, whose brackets are cut off: element by
 * element (each stringified, then indented) was a tenth of `list --json`.
 */
export function jsonArrayElements(values: readonly unknown[], first: boolean): string {
  if (values.length === 0) return '';
  // "[\n" + the elements, each indented by two spaces and separated by ",\n" + "\n]"
  return `${first ? '[\n' : ',\n'}${safeJson(JSON.stringify(values, null, 2)).slice(2, -2)}`;
}

/** Closes an array begun with {@link jsonArrayElements}, or prints an empty one, as `JSON.stringify` would. */
export function jsonArrayEnd(empty: boolean): string {
  return empty ? '[]\n' : '\n]\n';
}

/** The names `--fields` gives, in order: `a, b,,c` is `a`, `b` and `c`. */
export function fieldList(fields: string | undefined): string[] | undefined {
  return fields
    ?.split(',')
    .map((f) => f.trim())
    .filter(Boolean);
}

/** Keeps only the named keys of each object (the `--fields` of JSON output). */
export function pickFields(value: unknown, fields: string[] | undefined): unknown {
  if (!fields?.length) return value;
  if (Array.isArray(value)) return value.map((v) => pickFields(v, fields));
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    return Object.fromEntries(fields.map((f) => [f, record[f] ?? null]));
  }
  return value;
}

/**
 * The keys of `T` as a list for run time (the names `--fields` may give). The compiler refuses a list that
 * names a key `T` lacks or leaves one out, so the list cannot drift from the type whose output it describes.
 */
export function keysOf<T>(): <const K extends readonly (keyof T & string)[]>(
  keys: K & (Exclude<keyof T, K[number]> extends never ? unknown : { missing: Exclude<keyof T, K[number]> }),
) => readonly string[] {
  return (keys) => keys;
}

/** What `--fields` may name for a webhook or a list of them: the keys of the contract's JSON shape. */
export const WEBHOOK_FIELDS = keysOf<Webhook>()([
  'provider',
  'id',
  'url',
  'events',
  'enabled',
  'status',
  'name',
  'agentId',
  'createdAt',
  'updatedAt',
  'secrets',
  'raw',
]);

export const WEBHOOK_COLUMNS: Column[] = [
  { key: 'id', header: 'ID', whole: true },
  { key: 'url', header: 'URL', yields: { min: 20 } },
  { key: 'events', header: 'EVENTS', yields: { min: 12 } },
  {
    key: 'enabled',
    header: 'ENABLED',
    optional: true,
    spare: 'late',
    tone: (v) => (v === true ? 'good' : v === false ? 'bad' : 'muted'),
  },
  {
    key: 'status',
    header: 'STATUS',
    optional: true,
    spare: 'late',
    tone: (v) => (v === 'normal' || v === 'ACTIVE' || v === 'active' ? 'good' : v ? 'bad' : 'muted'),
  },
  { key: 'name', header: 'NAME', optional: true, yields: { min: 12 }, spare: 'late' },
  // An agent is the scope a list was asked for; `get` shows it whole.
  { key: 'agentId', header: 'AGENT', optional: true, spare: 'early' },
  { key: 'createdAt', header: 'CREATED', date: true, optional: true, spare: 'early' },
];

/** Renders a view as text, ending with a newline (or empty for an empty table on a pipe). */
export function render(view: View, options: RenderOptions): string {
  if (view.kind === 'text') {
    // Text views are whole formats (an apply file, a signature header, a secret): piped, they stay byte for
    // byte what was made; on a terminal, their escape sequences are shown, not obeyed.
    const text = options.tty ? safeLines(view.text) : view.text;
    return text.endsWith('\n') || text === '' ? text : `${text}\n`;
  }
  if (view.kind === 'record') return renderRecord(view.fields, view.record, options);
  if (view.kind === 'lines') {
    if (!options.tty) return render(view.piped, options);
    const colors = palette(options.color);
    return view.lines.map((l) => `${colors.tone(safeText(l.text), l.tone)}\n`).join('');
  }
  return renderTable(view.columns, view.rows, options);
}

const isBlank = (value: unknown): boolean =>
  value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0);

/** On a terminal without --fields, optional columns that no row fills are left out. */
function shownColumns(columns: Column[], rows: Record<string, unknown>[], options: RenderOptions): Column[] {
  if (options.fields?.length) return selectColumns(columns, options.fields);
  if (!options.tty) return columns;
  return columns.filter((c) => !c.optional || rows.some((row) => !isBlank(row[c.key])));
}

function selectColumns(columns: Column[], fields: string[] | undefined): Column[] {
  if (!fields?.length) return columns;
  return fields.map((f) => columns.find((c) => c.key === f) ?? { key: f, header: f.toUpperCase() });
}

/**
 * Characters a terminal acts on instead of showing: C0 controls (tab, CR and LF included), DEL, C1 controls
 * (U+0080 to U+009F: 8-bit CSI is one of them) and the bidirectional overrides and isolates, which reorder
 * what is shown. ESC, the start of every escape sequence, is a C0 control.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/** {@link UNSAFE} less the C0 controls, which JSON escapes itself (and whose newline is JSON's own layout). */
const UNSAFE_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/**
 * A string from a provider, a delivery or a file, made safe for a terminal and for a piped row: every control
 * character is shown visibly (`\x1b`, `\n`, `\u202e`), so an escape sequence cannot move the cursor, recolour or
 * draw over other output, and a tab or newline cannot split a row. All rendering goes through here.
 */
export function safeText(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const named = NAMED[c];
    if (named) return named;
    const code = c.charCodeAt(0);
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/**
 * JSON text made as safe as {@link safeText} without changing its value: `JSON.stringify` escapes C0 controls
 * but leaves DEL, the C1 controls and the bidirectional overrides raw; in a JSON string each is written as its
 * `\uXXXX` escape, which parses back to the same character. Every JSON written to a stream goes through here.
 */
export function safeJson(json: string): string {
  return json.replace(UNSAFE_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** {@link safeText} line by line: for messages whose own line breaks are structure (a list of problems). */
export function safeLines(text: string): string {
  return text.split('\n').map(safeText).join('\n');
}

/** A cell's text: lists joined with commas, null and undefined as an empty cell (a dash on terminals). */
export function cellText(value: unknown, tty: boolean): string {
  if (value === null || value === undefined || value === '') return tty ? '-' : '';
  if (Array.isArray(value)) return value.map((v) => cellText(v, tty)).join(',');
  if (typeof value === 'object') return safeText(JSON.stringify(value));
  return safeText(String(value));
}

function renderTable(columns: Column[], rows: Record<string, unknown>[], options: RenderOptions): string {
  const cols = shownColumns(columns, rows, options);
  if (!options.tty) {
    return rows.map((row) => cols.map((c) => cellText(row[c.key], false)).join('\t') + '\n').join('');
  }
  if (rows.length === 0) return '';
  const colors = palette(options.color);
  const now = options.now ?? Date.now();
  const cells = rows.map((row) =>
    cols.map((c) => (c.date ? relativeTime(row[c.key], now) : undefined) ?? cellText(row[c.key], true)),
  );
  const fitted = fitWidths(
    cols,
    cols.map((c, i) => Math.max(c.header.length, ...cells.map((r) => textWidth(r[i] ?? '')))),
    options.width ?? 120,
  );
  const kept = cols.flatMap((c, i) => (fitted[i] === null ? [] : [{ column: c, index: i }]));
  const widths = kept.map(({ index }) => fitted[index] ?? 0);
  const Table = load<typeof import('cli-table3')>('cli-table3');
  const table = new Table({
    head: kept.map(({ column }) => colors.bold(column.header)),
    // Cells are cut to size here (in the middle, so a URL keeps its host and its last path segment), so the
    // table only lays them out (the padding after the last column is trimmed below).
    colWidths: widths.map((w) => w + 2),
    wordWrap: false,
    truncate: '…',
    chars: BORDERLESS,
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 2 },
  });
  rows.forEach((row, r) => {
    table.push(
      kept.map(({ column, index }, k) =>
        colors.tone(cutMiddle(cells[r]?.[index] ?? '', widths[k] ?? 0), column.tone?.(row[column.key])),
      ),
    );
  });
  return (
    table
      .toString()
      .split('\n')
      .map((l) => l.trimEnd())
      .join('\n') + '\n'
  );
}

function renderRecord(fields: Column[], record: Record<string, unknown>, options: RenderOptions): string {
  const cols = shownColumns(fields, [record], options);
  if (!options.tty) return cols.map((c) => cellText(record[c.key], false)).join('\t') + '\n';
  const colors = palette(options.color);
  const width = Math.max(...cols.map((c) => c.header.length));
  const now = options.now ?? Date.now();
  return (
    cols
      .map((c) => {
        const ago = c.date ? relativeTime(record[c.key], now) : undefined;
        // One webhook on its own has room for both: the exact time, and how long ago that was. The time is
        // shown in one format, whatever form each provider sends it in.
        const exact = ago ? exactTime(record[c.key]) : cellText(record[c.key], true);
        const text = exact + (ago ? ` (${ago})` : '');
        return `${colors.bold(c.header.padEnd(width))}  ${colors.tone(text, c.tone?.(record[c.key]))}`;
      })
      .join('\n') + '\n'
  );
}

/**
 * How long ago an ISO timestamp was, as a person would say it at a glance ("3 min ago", "2 days ago");
 * undefined for anything that is not a date. Older than 30 days it is the date itself, which reads better.
 */
export function relativeTime(value: unknown, now: number): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const then = Date.parse(value);
  if (Number.isNaN(then)) return undefined;
  const seconds = Math.round((now - then) / 1000);
  const future = seconds < 0;
  const s = Math.abs(seconds);
  const say = (n: number, unit: string): string => (future ? `in ${n} ${unit}` : `${n} ${unit} ago`);
  if (s < 45) return 'just now';
  if (s < 3600) return say(Math.max(1, Math.round(s / 60)), 'min');
  if (s < 86_400) return say(Math.round(s / 3600), 'h');
  const days = Math.round(s / 86_400);
  if (days <= 30) return say(days, days === 1 ? 'day' : 'days');
  return new Date(then).toISOString().slice(0, 10);
}

/** A timestamp in the one format records show: `2026-03-01 11:57:00 UTC`. */
function exactTime(value: unknown): string {
  const iso = new Date(Date.parse(String(value))).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

/** Columns a character takes: wide (East Asian, emoji) ones take two. */
function textWidth(text: string): number {
  let width = 0;
  for (const char of text) width += isWide(char.codePointAt(0) ?? 0) ? 2 : 1;
  return width;
}

function isWide(code: number): boolean {
  return (
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0xa4cf) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    (code >= 0x1f300 && code <= 0x1faff) ||
    (code >= 0x20000 && code <= 0x3fffd)
  );
}

/** Cuts text to `width` columns in the middle, with `…`: the start and the end of a URL say the most. */
export function cutMiddle(text: string, width: number): string {
  if (textWidth(text) <= width) return text;
  if (width <= 1) return '…'.slice(0, width);
  const chars = [...text];
  const take = (list: string[], room: number): string[] => {
    const kept: string[] = [];
    for (const char of list) {
      const w = textWidth(char);
      if (w > room) break;
      kept.push(char);
      room -= w;
    }
    return kept;
  };
  const room = width - 1;
  const head = take(chars, Math.ceil(room / 2));
  const tail = take([...chars].reverse(), room - textWidth(head.join(''))).reverse();
  return `${head.join('')}…${tail.join('')}`;
}

/**
 * Column widths that fit the terminal, or null for a column left out. First spare columns are left out; then
 * the columns that yield (URL, events) shrink, widest first, to their minimum; then the others to their header
 * (or 8); then all of them further. A column kept whole (an id) never shrinks: when the rest cannot give
 * enough, the table is wider than the screen and the terminal wraps it, rather than showing an id nobody can
 * copy.
 */
function fitWidths(columns: Column[], natural: number[], total: number): (number | null)[] {
  const widths: (number | null)[] = [...natural];
  const room = (): number => total - 2 * (widths.filter((w) => w !== null).length - 1);
  const sum = (): number => widths.reduce<number>((a, b) => a + (b ?? 0), 0);
  const shrink = (floor: (c: Column) => number | undefined): void => {
    while (sum() > room()) {
      let widest = -1;
      columns.forEach((c, i) => {
        const width = widths[i];
        const min = floor(c);
        if (width === null || width === undefined || min === undefined || width <= min) return;
        if (widest < 0 || width > (widths[widest] ?? 0)) widest = i;
      });
      if (widest < 0) return;
      widths[widest] = (widths[widest] ?? 0) - 1;
    }
  };
  columns.forEach((c, i) => {
    if (c.spare === 'early' && sum() > room()) widths[i] = null;
  });
  shrink((c) => (c.whole ? undefined : c.yields?.min));
  // Measured with the others at their floor: a late spare goes only when even that does not fit.
  const floor = (): number =>
    columns.reduce((total, c, i) => {
      const width = widths[i];
      if (width === null || width === undefined) return total;
      return total + (c.whole || c.yields ? width : Math.min(width, Math.max(c.header.length, 8)));
    }, 0);
  columns.forEach((c, i) => {
    if (c.spare === 'late' && floor() > room()) widths[i] = null;
  });
  shrink((c) => (c.whole || c.yields ? undefined : Math.max(c.header.length, 8)));
  shrink((c) => (c.whole ? undefined : Math.max(c.header.length, c.yields ? 8 : 0)));
  shrink((c) => (c.whole ? undefined : Math.max(c.header.length, 5)));
  return widths;
}

const BORDERLESS = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '',
  'mid-mid': '',
  right: '',
  'right-mid': '',
  middle: '',
};

// cli-table3 and chalk are loaded on first use, so commands that print JSON never pay for them.
let requireLazily: NodeJS.Require | undefined;
function load<T>(name: string): T {
  requireLazily ??= createRequire(import.meta.url);
  return requireLazily(name) as T;
}

interface Palette {
  bold(text: string): string;
  tone(text: string, tone: Tone | undefined): string;
}

function palette(color: boolean): Palette {
  if (!color) return { bold: (t) => t, tone: (t) => t };
  // chalk does not read NO_COLOR itself; the caller decides `color`, and the level is set explicitly here.
  const { Chalk } = load<typeof import('chalk')>('chalk');
  const chalk = new Chalk({ level: 1 });
  const tones: Record<Tone, (t: string) => string> = {
    good: chalk.green,
    bad: chalk.red,
    warn: chalk.yellow,
    muted: chalk.dim,
  };
  return { bold: chalk.bold, tone: (t, tone) => (tone ? tones[tone](t) : t) };
}

/** The table view of webhooks; `withProvider` for a list of several providers' webhooks. */
export function webhookTable(webhooks: Webhook[], options: { withProvider?: boolean } = {}): View {
  const columns = options.withProvider
    ? [{ key: 'provider', header: 'PROVIDER' }, ...WEBHOOK_COLUMNS]
    : WEBHOOK_COLUMNS;
  return { kind: 'table', columns, rows: webhooks as unknown as Record<string, unknown>[] };
}

/** The key-value view of one webhook. */
export function webhookRecord(webhook: Webhook, extra: Column[] = []): View {
  return {
    kind: 'record',
    fields: [
      ...WEBHOOK_COLUMNS,
      { key: 'updatedAt', header: 'UPDATED', date: true, optional: true },
      { key: 'secrets', header: 'SECRETS', optional: true },
      ...extra,
    ],
    record: webhook as unknown as Record<string, unknown>,
  };
}
