import { Flags } from '@oclif/core';
import { PlanCommand, planFlags, type Row } from '../apply/command.ts';
import type { ApplyResult } from '../apply/run.ts';
import { CancelledError } from '../errors.ts';
import { keysOf, type View } from '../output.ts';
import { askConfirm, missingInput } from '../prompt.ts';
import { getProvider } from '../providers/index.ts';

/** `apply --json`: pinned by test/apply.test.ts and documented in docs/apply.md. */
export interface ApplySummary {
  dryRun: boolean;
  /** No item failed. */
  ok: boolean;
  counts: Record<ApplyResult['result'], number>;
  items: Row[];
}

export default class Apply extends PlanCommand<typeof Apply> {
  static override summary =
    'Make live webhooks match an apply file (create, update, and with --prune delete).';
  static override description = [
    'Idempotent: a second apply sends no write. Only the fields an entry states are managed. Identity is',
    'provider + scope (Talkover agent, PolyAI region, Ultravox agent) + url. One failed item does not stop the',
    'others; the summary lists every result on stdout and the exit code is the highest among the failures.',
    '--prune deletes webhooks of the providers and scopes in the file that it does not list; it asks on a',
    'terminal and needs --yes otherwise.',
  ].join(' ');
  static override examples = [
    '<%= config.bin %> apply -f webhooks.yaml --dry-run',
    '<%= config.bin %> apply -f webhooks.yaml --json',
    '<%= config.bin %> apply -f webhooks.yaml --prune --yes',
  ];
  static override flags = {
    ...planFlags,
    'dry-run': Flags.boolean({ summary: 'Show what would be done and send no write.' }),
    yes: Flags.boolean({ char: 'y', summary: 'Prune without asking.' }),
  };

  async run(): Promise<ApplySummary> {
    const { prune, yes, 'dry-run': dryRun } = this.flags;
    if (prune && !yes && !dryRun && !this.canPrompt()) {
      throw missingInput(['--yes'], '--prune deletes webhooks and needs confirmation');
    }
    const desired = await this.desired();
    const prepared = await this.prepare(desired, prune);
    const { concurrency, execute, failureOf } = await import('../apply/run.ts');
    const { groupOf } = await import('../apply/plan.ts');
    const deletes = prepared.steps.filter((s) => s.item.action === 'delete');
    if (deletes.length > 0 && !yes && !dryRun) {
      deletes.forEach((s) => this.notice(`  delete ${s.item.provider} ${s.item.id} ${s.item.url}`));
      if (!(await askConfirm(`Delete these ${deletes.length} webhooks?`, false, this.io)))
        throw new CancelledError();
    }
    const results: Row[] = dryRun
      ? prepared.steps.map((s) => ({
          ...s.item,
          result: s.item.action === 'unchanged' || s.item.action === 'duplicate' ? s.item.action : 'planned',
          error: null,
        }))
      : await this.withProgress('Applying', () =>
          execute(prepared.steps, prepared.adapters, {
            concurrency: concurrency(this.io.env),
            created: (step, webhook) => {
              const secret = webhook.secrets[0] ?? step.input?.secrets?.[0];
              const descriptor = getProvider(webhook.provider);
              if (secret !== undefined && !descriptor.capabilities.secretsReadable) {
                this.notice(
                  `${descriptor.displayName} webhook ${webhook.id} (${webhook.url}): its secret cannot be read back.`,
                );
              }
              return secret === undefined
                ? Promise.resolve()
                : this.issuedSecrets.keep(descriptor, webhook.id, secret, true);
            },
            deleted: (step) => this.issuedSecrets.forget(getProvider(step.item.provider), step.item.id ?? ''),
          }),
        );
    const items = [...results, ...this.unknownRows(desired, prepared, (d) => groupOf(d).key)];
    this.failure = failureOf(items) ?? this.reportDuplicates(items, 'apply');
    const counts = { created: 0, updated: 0, deleted: 0, unchanged: 0, planned: 0, failed: 0, duplicate: 0 };
    for (const item of items) counts[(item.result ?? 'unchanged') as keyof typeof counts] += 1;
    return { dryRun, ok: counts.failed === 0, counts, items };
  }

  protected override fieldNames(): readonly string[] {
    return this.jsonEnabled()
      ? keysOf<ApplySummary>()(['dryRun', 'ok', 'counts', 'items'])
      : this.rowFieldNames();
  }

  protected override view(summary: ApplySummary): View {
    return this.planView(summary.items, true);
  }
}
