import { BaseCommand } from '../../base-command.ts';

export default class Logout extends BaseCommand<typeof Logout> {
  static override summary = "Remove a provider's stored API key from the profile.";
  static override examples = ['<%= config.bin %> auth logout -p ultravox'];

  async run(): Promise<{ provider: string; profile: string; removed: boolean }> {
    const descriptor = await this.provider();
    const store = await this.store();
    const removed = store.apiKey(this.profileName, descriptor.name) !== undefined;
    if (removed) {
      await store.updateProfile(this.profileName, (profile) => {
        if (profile.keys) delete profile.keys[descriptor.name];
      });
    }
    this.notice(
      removed
        ? `Removed the ${descriptor.displayName} key from profile "${this.profileName}".`
        : `Profile "${this.profileName}" had no stored ${descriptor.displayName} key.`,
    );
    return { provider: descriptor.name, profile: this.profileName, removed };
  }

  protected override view() {
    return undefined;
  }
}
