import { Args } from '@oclif/core';
import { BaseCommand, apiFlags, scopeFlags } from '../base-command.ts';
import { checkId } from '../input.ts';
import { WEBHOOK_FIELDS, webhookRecord, type View } from '../output.ts';
import type { Webhook } from '../providers/types.ts';

export default class Get extends BaseCommand<typeof Get> {
  static override summary = 'Show one webhook.';
  static override examples = [
    '<%= config.bin %> get 3c90c3cc-0d44-4b50-8888-8dd25736052a -p ultravox',
    '<%= config.bin %> get 3c90c3cc-0d44-4b50-8888-8dd25736052a -p ultravox --json | jq .url',
    '<%= config.bin %> get whe_9ZtRcXw3nByK5pVqMaEfJs -p polyai --json | jq .secretStoredLocally',
  ];
  static override args = { id: Args.string({ description: 'Webhook id.', required: true }) };
  static override flags = { ...apiFlags, ...scopeFlags };

  /** Where the provider shows a secret only once (PolyAI), whether one is kept in the local secret store. */
  async run(): Promise<Webhook & { secretStoredLocally?: boolean }> {
    const descriptor = await this.provider();
    const id = checkId(this.args.id, descriptor);
    const { adapter } = await this.connect(descriptor);
    const webhook = this.present(await this.withProgress(`Fetching ${id}`, () => adapter.get(id)));
    const stored = await this.issuedSecrets.isKept(descriptor, id);
    if (descriptor.secretNotice && this.io.stderr.isTTY && !this.jsonEnabled())
      this.notice(descriptor.secretNotice);
    return stored === undefined ? webhook : { ...webhook, secretStoredLocally: stored };
  }

  protected override fieldNames(): readonly string[] {
    return [...WEBHOOK_FIELDS, 'secretStoredLocally'];
  }

  protected override view(result: Webhook & { secretStoredLocally?: boolean }): View {
    const local = { key: 'secretStoredLocally', header: 'SECRET SAVED' };
    return webhookRecord(result, result.secretStoredLocally === undefined ? [] : [local]);
  }
}
