import { PlanCommand, planFlags, type Row } from '../apply/command.ts';
import { CliError } from '../errors.ts';
import { keysOf, type View } from '../output.ts';

/** `diff --json`: pinned by test/apply.test.ts and documented in docs/apply.md. */
export interface DiffReport {
  inSync: boolean;
  counts: Record<'create' | 'update' | 'delete' | 'unchanged' | 'unknown' | 'duplicate', number>;
  items: Row[];
}

export default class Diff extends PlanCommand<typeof Diff> {
  static override summary = 'Show how live webhooks differ from an apply file; exit 10 when they do.';
  static override description = [
    'The plan apply would carry out: create, update (field by field), delete (with --prune) and unchanged.',
    'Sends no write. Exit 0 when live state matches the file, 10 when it does not; when a provider could not be',
    "read, that failure's exit code.",
  ].join(' ');
  static override examples = [
    '<%= config.bin %> diff -f webhooks.yaml',
    '<%= config.bin %> diff -f webhooks.yaml --prune --json',
  ];
  static override flags = { ...planFlags };

  async run(): Promise<DiffReport> {
    const desired = await this.desired();
    const prepared = await this.prepare(desired, this.flags.prune);
    const { failureOf } = await import('../apply/run.ts');
    const { groupOf } = await import('../apply/plan.ts');
    const unknown = this.unknownRows(desired, prepared, (d) => groupOf(d).key);
    const items: Row[] = [...prepared.steps.map((s) => s.item), ...unknown];
    const counts = { create: 0, update: 0, delete: 0, unchanged: 0, unknown: 0, duplicate: 0 };
    for (const item of items) counts[item.action] += 1;
    const inSync = items.every((i) => i.action === 'unchanged');
    this.reportDuplicates(items, 'diff');
    this.failure =
      failureOf(unknown, 'diff') ??
      (inSync
        ? undefined
        : new CliError(
            'drift',
            `Live webhooks differ from ${this.flags.file} (${counts.create} to create, ${counts.update} to update, ${counts.delete} to delete${counts.duplicate ? `, ${counts.duplicate} duplicate${counts.duplicate === 1 ? '' : 's'}` : ''}).`,
            {
              hint: `Run \`voicehooks apply -f ${this.flags.file}${this.flags.prune ? ' --prune' : ''}\` to converge.`,
            },
          ));
    return { inSync, counts, items };
  }

  protected override fieldNames(): readonly string[] {
    return this.jsonEnabled() ? keysOf<DiffReport>()(['inSync', 'counts', 'items']) : this.rowFieldNames();
  }

  protected override view(report: DiffReport): View {
    return this.planView(report.items, false);
  }
}
