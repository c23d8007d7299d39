import { Flags } from '@oclif/core';
import { BaseCommand, agentFlag, apiFlags } from '../base-command.ts';
import { UsageError } from '../errors.ts';
import { checkEvents } from '../input.ts';
import type { Webhook } from '../providers/types.ts';

export default class List extends BaseCommand<typeof List> {
  static override summary = 'List webhooks, following every page.';
  static override examples = [
    '<%= config.bin %> list -p ultravox',
    '<%= config.bin %> list -p ultravox --json | jq -r ".[].url"',
    '<%= config.bin %> list -p ultravox --limit 10 --fields id,url',
  ];
  static override flags = {
    ...apiFlags,
    agent: agentFlag,
    limit: Flags.integer({ summary: 'Stop after this many webhooks.', min: 1 }),
    enabled: Flags.boolean({
      summary: 'Only enabled (--no-enabled: only disabled) webhooks.',
      allowNo: true,
    }),
    event: Flags.string({ summary: 'Only webhooks subscribed to this event.' }),
  };

  async run(): Promise<Webhook[]> {
    const descriptor = await this.provider();
    const event = this.flags.event ? checkEvents([this.flags.event], descriptor)[0] : undefined;
    if (this.flags.enabled !== undefined && descriptor.capabilities.toggle !== 'field') {
      throw new UsageError(
        `--enabled does not apply: ${descriptor.displayName} webhooks have no on/off switch.`,
      );
    }
    const { adapter } = await this.connect(descriptor, this.flags.agent);
    const label = `Fetching ${descriptor.displayName} webhooks`;
    const webhooks = await this.withProgress(label, async (progress) => {
      const found: Webhook[] = [];
      let fetched = 0;
      for await (const webhook of adapter.list({
        limit: this.flags.limit,
        enabled: this.flags.enabled,
        event,
      })) {
        progress.update(`${label}: ${++fetched} so far`);
        // Filters the provider cannot apply itself are applied here, so every provider honours them.
        if (this.flags.enabled !== undefined && webhook.enabled !== this.flags.enabled) continue;
        if (event && !webhook.events.includes(event)) continue;
        found.push(this.present(webhook));
      }
      return found;
    });
    if (webhooks.length === 0 && process.stdout.isTTY && !this.jsonEnabled()) {
      this.notice(`No ${descriptor.displayName} webhooks.`);
    }
    return webhooks;
  }
}
