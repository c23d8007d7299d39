/**
 * Signing secrets a provider shows only once (PolyAI), kept in the config file's secret store so that `sign`,
 * `verify`, `listen` and `test` can use them later. A store that cannot be written is a warning, never a failure:
 * the secret has been printed whole, and the provider's change stands.
 */
import type { ConfigStore } from './config.ts';
import type { ProviderDescriptor } from './providers/types.ts';

export class IssuedSecrets {
  private readonly store: () => Promise<ConfigStore>;
  private readonly profileName: string;
  private readonly notice: (text: string) => void;

  constructor(store: () => Promise<ConfigStore>, profileName: string, notice: (text: string) => void) {
    this.store = store;
    this.profileName = profileName;
    this.notice = notice;
  }

  /** Keeps a secret the provider just issued and will not show again (unless `save` is false), saying so. */
  async keep(descriptor: ProviderDescriptor, id: string, secret: string, save: boolean): Promise<void> {
    if (descriptor.capabilities.secretsReadable) return;
    if (!save) this.notice(`Not saved (--no-save-secret): ${descriptor.displayName} will not show it again.`);
    try {
      const store = await this.store();
      if (save) {
        store.saveWebhookSecret(this.profileName, descriptor.name, id, secret);
        this.notice(`Saved it in ${store.path} (profile "${this.profileName}") for sign, verify and listen.`);
      } else if (store.forgetWebhookSecret(this.profileName, descriptor.name, id)) {
        // A secret kept from before a rotation no longer verifies anything.
        this.notice('The secret kept before was removed from the local secret store: it no longer works.');
      }
    } catch (error) {
      const why = (error as Error).message;
      this.notice(`Warning: the local secret store was not updated (${why}); keep the secret printed.`);
    }
  }

  /** Whether a secret is kept for the webhook; undefined where the provider shows secrets on every read. */
  async isKept(descriptor: ProviderDescriptor, id: string): Promise<boolean | undefined> {
    if (descriptor.capabilities.secretsReadable) return undefined;
    return (await this.store()).webhookSecret(this.profileName, descriptor.name, id) !== undefined;
  }

  /** Drops the kept secret of a deleted webhook; the deletion stands even when the store cannot be written. */
  async forget(descriptor: ProviderDescriptor, id: string): Promise<void> {
    if (descriptor.capabilities.secretsReadable) return;
    try {
      if ((await this.store()).forgetWebhookSecret(this.profileName, descriptor.name, id)) {
        this.notice('Removed its signing secret from the local secret store.');
      }
    } catch (error) {
      this.notice(`Warning: the local secret store was not updated (${(error as Error).message}).`);
    }
  }
}
