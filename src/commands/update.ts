import { Args, Flags } from '@oclif/core';
import { BaseCommand, apiFlags, scopeFlags } from '../base-command.ts';
import { UsageError } from '../errors.ts';
import { checkEvents, checkId } from '../input.ts';
import type { Webhook } from '../providers/types.ts';
import { inputFromFlags, webhookFlags } from '../webhook-flags.ts';

export default class Update extends BaseCommand<typeof Update> {
  static override summary = 'Change the fields given; the rest stay as they are.';
  static override description =
    'A list flag (--event, --secret, --header) replaces the list; --add-event and --remove-event change the events in place.';
  static override examples = [
    '<%= config.bin %> update 3c90c3cc-0d44-4b50-8888-8dd25736052a -p ultravox --url https://example.com/new',
    '<%= config.bin %> update 3c90c3cc-0d44-4b50-8888-8dd25736052a -p ultravox --add-event call.billed',
  ];
  static override args = { id: Args.string({ description: 'Webhook id.', required: true }) };
  static override flags = {
    ...apiFlags,
    ...webhookFlags,
    ...scopeFlags,
    'add-event': Flags.string({
      summary: 'Subscribe to one more event; repeatable.',
      multiple: true,
      exclusive: ['event'],
    }),
    'remove-event': Flags.string({
      summary: 'Unsubscribe from an event; repeatable.',
      multiple: true,
      exclusive: ['event'],
    }),
  };

  async run(): Promise<Webhook> {
    const descriptor = await this.provider();
    const id = checkId(this.args.id, descriptor);
    const { input, warnings } = inputFromFlags(this.flags, descriptor);
    const add = checkEvents(this.flags['add-event'] ?? [], descriptor, '--add-event');
    const remove = checkEvents(this.flags['remove-event'] ?? [], descriptor, '--remove-event');
    if (Object.keys(input).length === 0 && add.length === 0 && remove.length === 0) {
      throw new UsageError('Nothing to change: give at least one field flag.', {
        hint: 'See `voicehooks update --help`.',
      });
    }
    warnings.forEach((w) => this.notice(`Warning: ${w}`));
    const { adapter } = await this.connect(descriptor);
    const updated = await this.withProgress(`Updating ${id}`, async () => {
      if (add.length || remove.length) {
        const current = await adapter.get(id);
        input.events = [...new Set([...current.events, ...add])].filter((e) => !remove.includes(e));
        if (input.events.length === 0)
          throw new UsageError('--remove-event would leave the webhook with no events.');
      }
      return adapter.update(id, input);
    });
    return this.present(updated);
  }
}
