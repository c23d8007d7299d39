import { Args, Flags } from '@oclif/core';
import { BaseCommand, apiFlags, scopeFlags } from '../base-command.ts';
import { UnsupportedError } from '../errors.ts';
import { checkId } from '../input.ts';
import type { ProviderDescriptor, Webhook } from '../providers/types.ts';

export default class Toggle extends BaseCommand<typeof Toggle> {
  static override summary = 'Enable or disable a webhook; without --on or --off, flip it.';
  static override description =
    '--on and --off are idempotent: they set the state whatever it was. Providers without an on/off switch (Ultravox) exit 6 having sent nothing.';
  static override examples = [
    '<%= config.bin %> toggle whe_2a9f0c -p polyai --off',
    '<%= config.bin %> toggle whe_2a9f0c -p polyai',
  ];
  static override args = { id: Args.string({ description: 'Webhook id.', required: true }) };
  static override flags = {
    ...apiFlags,
    ...scopeFlags,
    on: Flags.boolean({ summary: 'Enable it.', exclusive: ['off'] }),
    off: Flags.boolean({ summary: 'Disable it.', exclusive: ['on'] }),
  };

  async run(): Promise<Webhook> {
    const descriptor = await this.provider();
    const id = checkId(this.args.id, descriptor);
    if (descriptor.capabilities.toggle === 'none') throw noSwitch(descriptor, id);
    const { adapter } = await this.connect(descriptor);
    const setEnabled = adapter.setEnabled?.bind(adapter);
    if (!setEnabled) throw noSwitch(descriptor, id);
    const flip = adapter.flip?.bind(adapter);
    const { on, off } = this.flags;
    const label = `${on ? 'Enabling' : off ? 'Disabling' : 'Switching'} ${id}`;
    const webhook = await this.withProgress(label, async () => {
      if (!on && !off && flip) return flip(id);
      return setEnabled(id, on ? true : off ? false : !(await adapter.get(id)).enabled);
    });
    return this.present(webhook);
  }
}

function noSwitch(descriptor: ProviderDescriptor, id: string): UnsupportedError {
  return new UnsupportedError(
    `${descriptor.displayName} webhooks have no on/off switch; nothing was changed.`,
    {
      provider: descriptor.name,
      hint: `To stop deliveries, delete it (\`voicehooks delete ${id} -p ${descriptor.name}\`) and create it again later, or narrow its events with \`voicehooks update ${id} -p ${descriptor.name} --event …\`.`,
    },
  );
}
