import { Args, Flags } from '@oclif/core';
import { BaseCommand, apiFlags, scopeFlags } from '../base-command.ts';
import { CancelledError } from '../errors.ts';
import { checkId } from '../input.ts';
import { keysOf } from '../output.ts';
import { askConfirm, missingInput } from '../prompt.ts';

export interface DeleteResult {
  deleted: true;
  provider: string;
  id: string;
}

export default class Delete extends BaseCommand<typeof Delete> {
  static override summary = 'Delete a webhook.';
  static override description =
    'Asks for confirmation on a terminal, showing the URL, name and events of the webhook; needs --yes otherwise.';
  static override examples = [
    '<%= config.bin %> delete 3c90c3cc-0d44-4b50-8888-8dd25736052a -p ultravox --yes',
  ];
  static override args = { id: Args.string({ description: 'Webhook id.', required: true }) };
  static override flags = {
    ...apiFlags,
    ...scopeFlags,
    yes: Flags.boolean({ char: 'y', summary: 'Delete without asking.' }),
  };

  async run(): Promise<DeleteResult> {
    const descriptor = await this.provider();
    const id = checkId(this.args.id, descriptor);
    if (!this.flags.yes && !this.canPrompt()) {
      // The scope, when it is missing too, is named in the same error.
      const scope = await this.missingScope(descriptor);
      throw missingInput(
        ['--yes', ...(scope?.flags ?? [])],
        `deleting needs confirmation${scope ? `; ${scope.why}` : ''}`,
        scope?.hint,
      );
    }
    const { adapter } = await this.connect(descriptor);
    if (!this.flags.yes) {
      // An id alone says little to a person about to delete: show what it points at (a missing one fails here).
      const webhook = await this.withProgress(`Fetching ${id}`, () => adapter.get(id));
      this.notice(`  URL     ${webhook.url}`);
      if (webhook.name) this.notice(`  NAME    ${webhook.name}`);
      this.notice(`  EVENTS  ${webhook.events.join(', ')}`);
      if (!(await askConfirm(`Delete ${descriptor.displayName} webhook ${id}?`, false, this.io)))
        throw new CancelledError();
    }
    await this.withProgress(`Deleting ${id}`, () => adapter.delete(id));
    this.notice(`Deleted ${descriptor.displayName} webhook ${id}.`);
    await this.issuedSecrets.forget(descriptor, id);
    return { deleted: true, provider: descriptor.name, id };
  }

  protected override fieldNames(): readonly string[] {
    return keysOf<DeleteResult>()(['deleted', 'provider', 'id']);
  }

  protected override view() {
    return undefined;
  }
}
