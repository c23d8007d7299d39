import { Args } from '@oclif/core';
import { BaseCommand, agentFlag, apiFlags } from '../base-command.ts';
import { checkId } from '../input.ts';
import type { Webhook } from '../providers/types.ts';

export default class Get extends BaseCommand<typeof Get> {
  static override summary = 'Show one webhook.';
  static override examples = [
    '<%= config.bin %> get 3c90c3cc-0d44-4b50-8888-8dd25736052a -p ultravox',
    '<%= config.bin %> get 3c90c3cc-0d44-4b50-8888-8dd25736052a -p ultravox --json | jq .url',
  ];
  static override args = { id: Args.string({ description: 'Webhook id.', required: true }) };
  static override flags = { ...apiFlags, agent: agentFlag };

  async run(): Promise<Webhook> {
    const descriptor = await this.provider();
    const id = checkId(this.args.id, descriptor);
    const { adapter } = await this.connect(descriptor, this.flags.agent);
    return this.present(await adapter.get(id));
  }
}
