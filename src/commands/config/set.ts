import { Args } from '@oclif/core';
import { BaseCommand } from '../../base-command.ts';
import { SETTINGS, SETTING_KEYS, canonicalKey, setSetting, type SettingName } from '../../settings.ts';

export default class ConfigSet extends BaseCommand<typeof ConfigSet> {
  static override summary = 'Store a setting in the profile.';
  static override description = `Settings: ${Object.entries(SETTINGS)
    .map(([k, v]) => `${k} (${v})`)
    .join('; ')}.`;
  static override examples = [
    '<%= config.bin %> config set provider ultravox',
    '<%= config.bin %> config set ultravox.base-url http://127.0.0.1:4747/ultravox --profile local',
  ];
  static override args = {
    key: Args.string({ description: 'Setting name.', required: true, options: [...SETTING_KEYS] }),
    value: Args.string({ description: 'Value.', required: true }),
  };

  async run(): Promise<{ profile: string; key: string; value: string }> {
    const key = canonicalKey(this.args.key) as SettingName;
    const store = await this.store();
    await store.updateProfile(this.profileName, (profile) => setSetting(profile, key, this.args.value));
    this.notice(`Set ${key} in profile "${this.profileName}".`);
    return { profile: this.profileName, key, value: this.args.value };
  }

  protected override view() {
    return undefined;
  }
}
