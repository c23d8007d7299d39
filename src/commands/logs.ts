import { Args, Flags } from '@oclif/core';
import { BaseCommand, apiFlags, scopeFlags } from '../base-command.ts';
import { UnsupportedError } from '../errors.ts';
import { checkId } from '../input.ts';
import { keysOf, type View } from '../output.ts';
import type { DeliveryLog, ProviderDescriptor } from '../providers/types.ts';

export default class Logs extends BaseCommand<typeof Logs> {
  static override summary = "List a webhook's delivery attempts (Talkover), following every page.";
  static override description =
    'Newest first, as Talkover lists them; Talkover keeps 30 days. --status filters on the delivery status; --limit stops early. --json includes each request payload, response body and headers.';
  static override examples = [
    '<%= config.bin %> logs 9fcafbf2-7593-44d6-8cd7-1b221beba62a -p talkover',
    '<%= config.bin %> logs 9fcafbf2-7593-44d6-8cd7-1b221beba62a -p talkover --status failed --limit 10',
  ];
  static override args = { id: Args.string({ description: 'Webhook id.', required: true }) };
  static override flags = {
    ...apiFlags,
    ...scopeFlags,
    limit: Flags.integer({ summary: 'Stop after this many entries.', min: 1 }),
    status: Flags.string({
      summary: 'Only entries with this delivery status.',
      options: ['pending', 'success', 'failed', 'retrying'],
    }),
    page: Flags.integer({ summary: 'Start at this page (1 = newest).', min: 1 }),
    'per-page': Flags.integer({ summary: 'Entries per request (1-100; default 100).', min: 1, max: 100 }),
  };

  async run(): Promise<DeliveryLog[]> {
    const descriptor = await this.provider();
    const id = checkId(this.args.id, descriptor);
    if (!descriptor.capabilities.deliveryLogs) throw noLogs(descriptor);
    const { adapter } = await this.connect(descriptor);
    if (!adapter.logs) throw noLogs(descriptor);
    const entries: DeliveryLog[] = [];
    const { limit, status, page } = this.flags;
    for await (const entry of adapter.logs(id, { limit, status, page, perPage: this.flags['per-page'] })) {
      entries.push(entry);
    }
    if (entries.length === 0 && this.io.stdout.isTTY && !this.jsonEnabled()) this.notice('No delivery logs.');
    return entries;
  }

  protected override fieldNames(): readonly string[] {
    return keysOf<DeliveryLog>()([
      'id',
      'webhookId',
      'event',
      'attempt',
      'status',
      'httpStatus',
      'durationMs',
      'error',
      'deliveredAt',
      'createdAt',
      'raw',
    ]);
  }

  protected override view(entries: DeliveryLog[]): View {
    const bad = (v: unknown) => (v === 'success' ? 'good' : v === 'failed' ? 'bad' : 'warn');
    return {
      kind: 'table',
      columns: [
        { key: 'id', header: 'LOG ID' },
        { key: 'event', header: 'EVENT' },
        { key: 'attempt', header: 'ATTEMPT' },
        { key: 'status', header: 'STATUS', tone: bad },
        { key: 'httpStatus', header: 'HTTP' },
        { key: 'durationMs', header: 'MS' },
        { key: 'createdAt', header: 'CREATED' },
        { key: 'error', header: 'ERROR' },
      ],
      rows: entries as unknown as Record<string, unknown>[],
    };
  }
}

export function noLogs(descriptor: ProviderDescriptor): UnsupportedError {
  return new UnsupportedError(
    `${descriptor.displayName} keeps no delivery logs that can be read; nothing was sent.`,
    {
      provider: descriptor.name,
      hint: 'Delivery logs and redelivery are a Talkover feature (see `voicehooks providers`).',
    },
  );
}
