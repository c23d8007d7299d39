import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command.ts';
import { UsageError } from '../../errors.ts';
import { FAULT_KINDS, faultRuleProblem } from '../../emulator/faults.ts';
import type { FaultKind, FaultRule } from '../../emulator/faults.ts';
import type { View } from '../../output.ts';
import { PROVIDER_NAMES } from '../../providers/index.ts';

export default class EmulatorFault extends BaseCommand<typeof EmulatorFault> {
  static override summary = 'Switch faults on the running emulator: add one, clear them all, or list them.';
  static override description = [
    'Kinds: rate-limit (429 with Retry-After: --retry-after, default 1), status (--status, default 500),',
    'delay (--delay-ms, then answered normally), reset-before (connection dropped unread, nothing changes),',
    'reset-after (the request takes effect, then the connection drops), malformed (200 with broken JSON),',
    'html, truncated, huge. A fault applies to requests matching -p, --method and --path (all by default),',
    '--times times (every one by default). Each action prints the faults then active.',
  ].join(' ');
  static override examples = [
    '<%= config.bin %> emulator fault add status --status 503 --times 1 -p ultravox',
    '<%= config.bin %> emulator fault add rate-limit --retry-after 2 --times 1',
    '<%= config.bin %> emulator fault add delay --delay-ms 1500 --method GET',
    '<%= config.bin %> emulator fault list',
    '<%= config.bin %> emulator fault clear',
  ];
  static override args = {
    action: Args.string({ description: 'What to do.', options: ['add', 'clear', 'list'], required: true }),
    kind: Args.string({
      description: `The fault to add: ${FAULT_KINDS.join(', ')}.`,
      options: [...FAULT_KINDS],
    }),
  };
  static override flags = {
    emulator: Flags.string({ summary: 'URL of the running emulator, e.g. http://127.0.0.1:4747.' }),
    method: Flags.string({ summary: 'Only requests with this HTTP method.' }),
    path: Flags.string({ summary: 'Only requests whose path (after /<provider>) contains this.' }),
    times: Flags.integer({ summary: 'Apply to this many matching requests, then drop the fault.', min: 1 }),
    status: Flags.integer({ summary: 'The status of a `status` fault.', min: 100, max: 599 }),
    'retry-after': Flags.string({ summary: 'Retry-After of a `rate-limit` fault (seconds or HTTP date).' }),
    'delay-ms': Flags.integer({ summary: 'Milliseconds a `delay` fault waits.', min: 0 }),
  };

  async run(): Promise<FaultRule[]> {
    const client = await import('../../emulator/client.ts');
    const provider = this.flags.provider;
    const base =
      [provider, ...PROVIDER_NAMES]
        .map((p) => (p === undefined ? undefined : client.emulatorUrl(this.flags.emulator, p, this.io.env)))
        .find((url) => url !== undefined && url !== client.DEFAULT_EMULATOR_URL) ??
      client.emulatorUrl(this.flags.emulator, undefined, this.io.env);
    if (this.args.action === 'add') await client.addFault(base, this.rule());
    else if (this.args.action === 'clear') await client.clearFaults(base);
    else if (this.args.kind !== undefined) throw new UsageError(`"fault ${this.args.action}" takes no KIND.`);
    return client.listFaults(base);
  }

  private rule(): FaultRule {
    const kind = this.args.kind as FaultKind | undefined;
    if (kind === undefined) {
      throw new UsageError('Missing KIND: which fault to add.', {
        hint: `One of: ${FAULT_KINDS.join(', ')}.`,
      });
    }
    const { method, path, times, status } = this.flags;
    const rule: FaultRule = { kind };
    if (this.flags.provider !== undefined) rule.provider = this.flags.provider;
    if (method !== undefined) rule.method = method.toUpperCase();
    if (path !== undefined) rule.path = path;
    if (times !== undefined) rule.times = times;
    if (status !== undefined) rule.status = status;
    if (this.flags['retry-after'] !== undefined) rule.retryAfter = this.flags['retry-after'];
    if (this.flags['delay-ms'] !== undefined) rule.delayMs = this.flags['delay-ms'];
    const problem = faultRuleProblem(rule);
    if (problem !== undefined) throw new UsageError(`Invalid fault: ${problem}.`);
    return rule;
  }

  protected override view(rules: FaultRule[]): View {
    return {
      kind: 'table',
      columns: ['kind', 'provider', 'method', 'path', 'times', 'status', 'retryAfter', 'delayMs'].map(
        (key) => ({
          key,
          header: key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase(),
        }),
      ),
      rows: rules.map((rule) => ({ ...rule })),
    };
  }
}
