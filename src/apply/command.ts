/**
 * What `apply` and `diff` share: reading the file, connecting to every provider and scope it names, reading
 * live state, planning, and showing plan items as a table. The commands themselves stay thin.
 */
import { Flags, type Command } from '@oclif/core';
import { BaseCommand, apiFlags } from '../base-command.ts';
import { CliError } from '../errors.ts';
import { keysOf, type Column, type Line, type Tone, type View } from '../output.ts';
import { availableProviders, getProvider } from '../providers/index.ts';
import { resolveSettings } from '../resolve.ts';
import { scopeOf, settingsOfScope } from './file.ts';
import type { ProviderAdapter } from '../providers/types.ts';
import type { DesiredWebhook } from './file.ts';
import type { Group, PlanItem } from './plan.ts';
import type { ItemError, Prepared } from './run.ts';

export const planFlags = {
  ...apiFlags,
  file: Flags.string({
    char: 'f',
    summary: 'Apply file (YAML or JSON): {"webhooks": [ … ]}.',
    required: true,
  }),
  prune: Flags.boolean({
    summary: 'Also delete webhooks of the providers and scopes in the file that the file does not list.',
  }),
};

/** A plan item, or a result, with the error that came with it. */
export type Row = PlanItem & { result?: string; error?: ItemError | null };

export abstract class PlanCommand<T extends typeof Command> extends BaseCommand<T> {
  /** Set when the report calls for a non-zero exit; raised after the report has been printed. */
  protected failure?: CliError;

  /** The file's entries, checked; warnings go to stderr. */
  protected async desired(): Promise<DesiredWebhook[]> {
    const { loadApplyFile } = await import('./file.ts');
    const flags = this.flags as { file: string };
    // The account settings of entries that state none (PolyAI's region): flag, env, profile, default.
    const defaults: Record<string, Record<string, string>> = {};
    for (const descriptor of availableProviders()) {
      const account = descriptor.settings.filter((s) => s.role === 'account');
      if (account.length === 0) continue;
      const only = { ...descriptor, settings: account };
      defaults[descriptor.name] = resolveSettings(only, await this.resolveInput(only), {
        strict: false,
      }).values;
    }
    const file = loadApplyFile(flags.file, { defaults, env: this.io.env });
    file.warnings.forEach((w) => this.notice(`Warning: ${w}`));
    return file.webhooks;
  }

  /** Connections for every group, live state and the plan. */
  protected async prepare(desired: DesiredWebhook[], prune: boolean): Promise<Prepared> {
    const { concurrency, prepare } = await import('./run.ts');
    const connect = (group: Group): Promise<ProviderAdapter> =>
      this.adapter(getProvider(group.provider), group.settings);
    return this.withProgress('Reading live webhooks', () =>
      prepare(desired, connect, { prune, concurrency: concurrency(this.io.env) }),
    );
  }

  /** Items the live state of which could not be read, one per entry of a failed group. */
  protected unknownRows(
    desired: DesiredWebhook[],
    prepared: Prepared,
    groupKey: (d: DesiredWebhook) => string,
  ): Row[] {
    return desired.flatMap((d) => {
      const error = prepared.readErrors.get(groupKey(d));
      if (!error) return [];
      const scope = scopeOf(d);
      return [
        {
          action: 'unknown' as const,
          provider: d.provider,
          scope,
          url: d.input.url,
          id: null,
          changes: [],
          source: d.source,
          result: 'failed',
          error,
        },
      ];
    });
  }

  /**
   * Live duplicates of the file's entries (made by concurrent runs): each named on stderr with the command
   * that removes it, and the drift they are (exit 10) unless a worse failure came first.
   */
  protected reportDuplicates(items: Row[], command: 'apply' | 'diff'): CliError | undefined {
    const duplicates = items.filter((i) => i.action === 'duplicate');
    if (duplicates.length === 0) return undefined;
    for (const d of duplicates) {
      // The flags that reach the webhook's scope (Talkover's agent, PolyAI's region); filters are not needed.
      const settings = settingsOfScope(d.provider, d.scope);
      const scope = getProvider(d.provider)
        .settings.filter((s) => s.role !== 'filter' && settings[s.name] !== undefined)
        .map((s) => ` --${s.flag} ${settings[s.name] ?? ''}`)
        .join('');
      this.notice(
        `Duplicate of the entry at ${d.source ?? '?'} (the oldest is kept): ${d.provider} ${d.id} ${d.url}\n  remove it with: voicehooks delete ${d.id} -p ${d.provider}${scope} --yes`,
      );
    }
    const flags = this.flags as { file: string };
    const what = duplicates.length === 1 ? '1 duplicate' : `${duplicates.length} duplicates`;
    return new CliError('drift', `${flags.file}: live webhooks include ${what} of its entries.`, {
      hint: `Delete ${duplicates.length === 1 ? 'it' : 'them'} with the commands above, or run \`voicehooks apply -f ${flags.file} --prune\`${command === 'diff' ? '' : ', which keeps the oldest'}.`,
    });
  }

  public override async _run<R>(): Promise<R> {
    const result = await super._run<R>();
    if (this.failure) await this.catch(this.failure);
    return result;
  }

  /** Without --json, --fields picks the columns of the plan's rows; with it, the keys of the report. */
  protected rowFieldNames(): readonly string[] {
    const row = keysOf<Row>()([
      'result',
      'action',
      'provider',
      'scope',
      'url',
      'id',
      'changes',
      'source',
      'error',
    ]);
    return [...row, 'details'];
  }

  /**
   * On a terminal, the plan as a person reads one: a line per webhook, then one line per changed field with
   * both values whole (never cut), updates in yellow. Piped, or with --fields, a table of one row per webhook.
   */
  protected planView(rows: Row[], withResult: boolean): View {
    const columns: Column[] = [
      ...(withResult ? [{ key: 'result', header: 'RESULT', tone: toneOf }] : []),
      { key: 'action', header: 'ACTION', tone: toneOf },
      { key: 'provider', header: 'PROVIDER' },
      { key: 'scope', header: 'SCOPE' },
      { key: 'url', header: 'URL', yields: { min: 24 } },
      { key: 'id', header: 'ID', whole: true },
      { key: 'details', header: 'DETAILS', yields: { min: 16 } },
    ];
    const table: View = {
      kind: 'table',
      columns,
      rows: rows.map((r) => ({ ...r, details: r.error ? `${r.error.message}` : describeChanges(r) })),
    };
    if (this.fieldList()?.length) return table;
    return { kind: 'lines', lines: rows.flatMap((r) => planLines(r, withResult)), piped: table };
  }
}

const SYMBOL: Record<PlanItem['action'], string> = {
  create: '+',
  update: '~',
  delete: '-',
  unchanged: '=',
  unknown: '?',
  duplicate: '!',
};

function toneOf(value: unknown): Tone {
  if (value === 'failed' || value === 'delete' || value === 'deleted') return 'bad';
  if (value === 'update' || value === 'updated' || value === 'planned') return 'warn';
  if (value === 'unchanged') return 'muted';
  if (value === 'unknown' || value === 'duplicate') return 'warn';
  return 'good';
}

/** A value as a plan shows it: lists as `[a, b]`, nothing as `(none)`. */
function planValue(value: unknown): string {
  if (value === null || value === undefined) return '(none)';
  if (Array.isArray(value)) return `[${value.map(planValue).join(', ')}]`;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** One webhook of a plan: its heading, then one line per field, each value whole. */
function planLines(row: Row, withResult: boolean): Line[] {
  const word = withResult && row.result && row.result !== 'planned' ? row.result : row.action;
  const tone = row.error ? 'bad' : toneOf(row.action);
  const where = [row.provider, row.scope, row.id].filter((v) => v !== null && v !== undefined);
  const lines: Line[] = [
    { text: `${SYMBOL[row.action]} ${word} ${where.join(' ')} ${row.url}`.trimEnd(), tone },
  ];
  for (const change of row.changes) {
    const text =
      row.action === 'create'
        ? `    ${change.field}: ${planValue(change.to)}`
        : `    ${change.field}: ${planValue(change.from)} -> ${planValue(change.to)}`;
    lines.push({ text, tone: row.action === 'create' ? 'good' : 'warn' });
  }
  if (row.error) lines.push({ text: `    error: ${row.error.message}`, tone: 'bad' });
  return lines;
}

/** One line per change, for tables: `events: [a] → [a,b]; name: x → y`. */
export function describeChanges(item: PlanItem): string {
  const text = (value: unknown): string =>
    value === null || value === undefined
      ? '(none)'
      : typeof value === 'string'
        ? value
        : JSON.stringify(value);
  return item.changes.map((c) => `${c.field}: ${text(c.from)} → ${text(c.to)}`).join('; ');
}
