import { Args } from '@oclif/core';
import { BaseCommand } from '../../base-command.ts';
import { SETTING_KEYS, canonicalKey, setSetting, type SettingName } from '../../settings.ts';

export default class ConfigUnset extends BaseCommand<typeof ConfigUnset> {
  static override summary = 'Remove a setting from the profile.';
  static override examples = ['<%= config.bin %> config unset provider'];
  static override args = {
    key: Args.string({ description: 'Setting name.', required: true, options: [...SETTING_KEYS] }),
  };

  async run(): Promise<{ profile: string; key: string }> {
    const key = canonicalKey(this.args.key) as SettingName;
    await (
      await this.store()
    ).updateProfile(this.profileName, (profile) => setSetting(profile, key, undefined));
    this.notice(`Unset ${key} in profile "${this.profileName}".`);
    return { profile: this.profileName, key };
  }

  protected override view() {
    return undefined;
  }
}
