import { Args } from '@oclif/core';
import { BaseCommand, apiFlags, scopeFlags } from '../base-command.ts';
import { UsageError } from '../errors.ts';
import { checkId } from '../input.ts';
import { keysOf, type View } from '../output.ts';
import type { Redelivery } from '../providers/types.ts';
import { noLogs } from './logs.ts';

export interface RedeliverResult extends Redelivery {
  provider: string;
  id: string;
}

export default class Redeliver extends BaseCommand<typeof Redeliver> {
  static override summary = 'Send a logged delivery again (Talkover), with the webhook’s current settings.';
  static override description =
    'Talkover retries only failed deliveries of the last 30 days of an enabled webhook; anything else exits 7 with Talkover’s reason. The new attempt shows up in `voicehooks logs`.';
  static override examples = [
    '<%= config.bin %> redeliver 9fcafbf2-7593-44d6-8cd7-1b221beba62a 0b6f7a1e-2c3d-4e5f-8a9b-0c1d2e3f4a5b -p talkover',
  ];
  static override args = {
    id: Args.string({ description: 'Webhook id.', required: true }),
    logId: Args.string({ description: 'Log entry id (from `voicehooks logs`).', required: true }),
  };
  static override flags = { ...apiFlags, ...scopeFlags };

  async run(): Promise<RedeliverResult> {
    const descriptor = await this.provider();
    const id = checkId(this.args.id, descriptor);
    const { logId } = this.args;
    if (!/^[A-Za-z0-9_-]{1,100}$/.test(logId)) {
      throw new UsageError(`"${logId}" is not a log id.`, {
        hint: `See the ids with \`voicehooks logs ${id}\`.`,
      });
    }
    if (!descriptor.capabilities.deliveryLogs) throw noLogs(descriptor);
    const { adapter } = await this.connect(descriptor);
    if (!adapter.redeliver) throw noLogs(descriptor);
    const result = await adapter.redeliver(id, logId);
    this.notice(
      `${result.message ?? 'Redelivery accepted.'} Follow it with \`voicehooks logs ${id} -p ${descriptor.name}\`.`,
    );
    return { provider: descriptor.name, id, ...result };
  }

  protected override fieldNames(): readonly string[] {
    return keysOf<RedeliverResult>()(['provider', 'id', 'logId', 'originalLogId', 'queuedAt', 'message']);
  }

  protected override view(result: RedeliverResult): View {
    return {
      kind: 'record',
      fields: [
        { key: 'id', header: 'WEBHOOK' },
        { key: 'originalLogId', header: 'ORIGINAL LOG' },
        { key: 'logId', header: 'NEW LOG' },
        { key: 'queuedAt', header: 'QUEUED' },
      ],
      record: result as unknown as Record<string, unknown>,
    };
  }
}
