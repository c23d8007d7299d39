import { Args, Flags } from '@oclif/core';
import { BaseCommand, apiFlags, saveSecretFlag, scopeFlags } from '../base-command.ts';
import { UnsupportedError, UsageError } from '../errors.ts';
import { recreateFlag, replaceFlag } from '../flags.ts';
import { checkEvents, checkId } from '../input.ts';
import type { Webhook } from '../providers/types.ts';
import { flagForField } from '../resolve.ts';
import { checkWriteFlags, inputFromFlags, webhookFlags } from '../webhook-flags.ts';

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
    replace: replaceFlag,
    recreate: recreateFlag,
    'save-secret': saveSecretFlag,
  };

  async run(): Promise<Webhook> {
    const descriptor = await this.provider();
    const id = checkId(this.args.id, descriptor);
    const scope = await this.resolvedScope(descriptor);
    const { input, warnings } = inputFromFlags(this.flags, descriptor, scope);
    const add = checkEvents(this.flags['add-event'] ?? [], descriptor, '--add-event', scope);
    const remove = checkEvents(this.flags['remove-event'] ?? [], descriptor, '--remove-event', scope);
    if (Object.keys(input).length === 0 && add.length === 0 && remove.length === 0) {
      throw new UsageError('Nothing to change: give at least one field flag.', {
        hint: 'See `voicehooks update --help`.',
      });
    }
    // What the provider cannot change in place is refused before any request, unless it is to be recreated.
    const fixed = (descriptor.fixedFields ?? []).filter((field) => input[field] !== undefined);
    checkWriteFlags(this.flags, descriptor, fixed.length > 0);
    if (fixed.length > 0 && !this.flags.recreate) {
      const flags = fixed.map((field) => flagForField(field)).join(', ');
      throw new UnsupportedError(
        `${descriptor.displayName} cannot change ${flags} of a webhook; nothing was sent.`,
        {
          provider: descriptor.name,
          hint: 'Add --recreate to make a new webhook with it (a new id and secret), move what points at the old one to it, and delete the old one.',
        },
      );
    }
    const options = { replace: this.flags.replace };
    warnings.forEach((w) => this.notice(`Warning: ${w}`));
    const { adapter } = await this.connect(descriptor, scope);
    return this.withProgress(`Updating ${id}`, async () => {
      if (add.length || remove.length) {
        const current = await adapter.get(id);
        input.events = [...new Set([...current.events, ...add])].filter((e) => !remove.includes(e));
        if (input.events.length === 0)
          throw new UsageError('--remove-event would leave the webhook with no events.');
      }
      const recreate = this.flags.recreate ? adapter.recreate?.bind(adapter) : undefined;
      if (recreate) {
        const result = await recreate(id, input, options);
        this.notice(result.notice);
        await this.issuedSecrets.keep(
          descriptor,
          result.webhook.id,
          result.secret,
          this.flags['save-secret'],
        );
        await this.issuedSecrets.forget(descriptor, id);
        return this.present(result.webhook, [result.secret]);
      }
      return this.present(await adapter.update(id, input, options));
    });
  }
}
