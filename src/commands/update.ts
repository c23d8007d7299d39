import { Args, Flags } from '@oclif/core';
import { BaseCommand, apiFlags, saveSecretFlag } from '../base-command.ts';
import { UnsupportedError, UsageError } from '../errors.ts';
import { FLAG_FOR_FIELD, checkEvents, checkId } from '../input.ts';
import type { Webhook } from '../providers/types.ts';
import {
  checkWriteFlags,
  inputFromFlags,
  recreateFlag,
  replaceFlag,
  webhookFlags,
} from '../webhook-flags.ts';

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
    replace: replaceFlag,
    recreate: recreateFlag,
    'save-secret': saveSecretFlag,
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
    // What the provider cannot change in place is refused before any request, unless it is to be recreated.
    const fixed = (descriptor.fixedFields ?? []).filter((field) => input[field] !== undefined);
    checkWriteFlags(this.flags, descriptor, fixed.length > 0);
    if (fixed.length > 0 && !this.flags.recreate) {
      const flags = fixed.map((field) => FLAG_FOR_FIELD[field]).join(', ');
      throw new UnsupportedError(
        `${descriptor.displayName} cannot change ${flags} of a webhook; nothing was sent.`,
        {
          provider: descriptor.name,
          hint: `Add --recreate to make a new webhook with it (a new id and secret), move what points at the old one to it, and delete the old one.`,
        },
      );
    }
    const options = { replace: this.flags.replace };
    warnings.forEach((w) => this.notice(`Warning: ${w}`));
    // The agent is the scope of agent-scoped providers, and where a webhook is attached for the others.
    const { adapter } = await this.connect(descriptor, this.flags.agent);
    const updated = await this.withProgress(`Updating ${id}`, async () => {
      if (add.length || remove.length) {
        const current = await adapter.get(id);
        input.events = [...new Set([...current.events, ...add])].filter((e) => !remove.includes(e));
        if (input.events.length === 0)
          throw new UsageError('--remove-event would leave the webhook with no events.');
      }
      if (this.flags.recreate && adapter.recreate) {
        const result = await adapter.recreate(id, input, options);
        this.notice(result.notice);
        await this.keepIssuedSecret(descriptor, result.webhook.id, result.secret, this.flags['save-secret']);
        await this.forgetIssuedSecret(descriptor, id);
        return this.present(result.webhook, [result.secret]);
      }
      return this.present(await adapter.update(id, input, options));
    });
    return updated;
  }
}
