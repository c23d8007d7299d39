import { BaseCommand } from '../../base-command.ts';
import type { View } from '../../output.ts';
import { SETTINGS, getSetting, type SettingName } from '../../settings.ts';

export interface SettingRow {
  key: string;
  value: string | null;
  description: string;
}

export default class ConfigList extends BaseCommand<typeof ConfigList> {
  static override summary = "List the profile's settings and where the config file is.";
  static override examples = [
    '<%= config.bin %> config list',
    '<%= config.bin %> config list --profile staging --json',
  ];

  async run(): Promise<SettingRow[]> {
    const store = await this.store();
    if (this.io.stdout.isTTY && !this.jsonEnabled())
      this.notice(`${store.path} (profile "${this.profileName}")`);
    const profile = store.profile(this.profileName);
    return (Object.keys(SETTINGS) as SettingName[]).map((key) => ({
      key,
      value: getSetting(profile, key) ?? null,
      description: SETTINGS[key] ?? '',
    }));
  }

  protected override view(result: SettingRow[]): View {
    return {
      kind: 'table',
      columns: [
        { key: 'key', header: 'SETTING' },
        { key: 'value', header: 'VALUE' },
        { key: 'description', header: 'WHAT' },
      ],
      rows: result as unknown as Record<string, unknown>[],
    };
  }
}
