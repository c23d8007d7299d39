import { Args } from '@oclif/core';
import { BaseCommand } from '../../base-command.ts';
import type { View } from '../../output.ts';
import { SETTING_KEYS, canonicalKey, getSetting, type SettingName } from '../../settings.ts';

export default class ConfigGet extends BaseCommand<typeof ConfigGet> {
  static override summary = 'Print a stored setting (empty when unset).';
  static override examples = ['<%= config.bin %> config get provider'];
  static override args = {
    key: Args.string({ description: 'Setting name.', required: true, options: [...SETTING_KEYS] }),
  };

  async run(): Promise<{ profile: string; key: string; value: string | null }> {
    const key = canonicalKey(this.args.key) as SettingName;
    return { profile: this.profileName, key, value: getSetting(await this.profile(), key) ?? null };
  }

  protected override view(result: { value: string | null }): View {
    return { kind: 'text', text: result.value ?? '' };
  }
}
