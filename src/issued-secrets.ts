/**
 * Signing secrets a provider shows only once (PolyAI), kept in the config file's secret store so that `sign`,
 * `verify`, `listen` and `test` can use them later. A store that cannot be written is a warning, never a failure:
 * the secret has been printed whole, and the provider's change stands.
 */
import type { ConfigStore } from './config.ts';
import { UsageError } from './errors.ts';
import { checkId } from './input.ts';
import type { ProviderDescriptor } from './providers/types.ts';
import type { KnownSecret, SignatureScheme } from './signature-types.ts';

/** How long a replaced secret is recognised where the provider documents no grace period. */
export const DEFAULT_SECRET_GRACE_SECONDS = 24 * 60 * 60;

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
        await store.saveWebhookSecret(this.profileName, descriptor.name, id, secret);
        this.notice(`Saved it in ${store.path} (profile "${this.profileName}") for sign, verify and listen.`);
      } else if (await store.forgetWebhookSecret(this.profileName, descriptor.name, id)) {
        // A secret kept from before a rotation no longer verifies anything.
        this.notice('The secret kept before was removed from the local secret store: it no longer works.');
      }
    } catch (error) {
      const why = (error as Error).message;
      this.notice(`Warning: the local secret store was not updated (${why}); keep the secret printed.`);
    }
  }

  /**
   * Keeps the secrets a rotation replaced for the provider's grace period (24 hours where it has none), so that
   * `verify` and `listen` can say a delivery was signed with one. A store that cannot be written is a warning.
   */
  async retire(descriptor: ProviderDescriptor, id: string, secrets: readonly string[]): Promise<void> {
    if (secrets.length === 0) return;
    const seconds = descriptor.secretGraceSeconds ?? DEFAULT_SECRET_GRACE_SECONDS;
    try {
      await (
        await this.store()
      ).retireSecrets(this.profileName, descriptor.name, id, secrets, new Date(Date.now() + seconds * 1000));
    } catch (error) {
      this.notice(`Warning: the replaced secret was not kept (${(error as Error).message}).`);
    }
  }

  /** The secrets of the webhook now kept: the provider's own where readable, else the local store's. */
  async current(
    descriptor: ProviderDescriptor,
    id: string,
    read: () => Promise<readonly string[]>,
  ): Promise<string[]> {
    try {
      if (descriptor.capabilities.secretsReadable) return [...(await read())];
      const kept = (await this.store()).webhookSecret(this.profileName, descriptor.name, id);
      return kept === undefined ? [] : [kept];
    } catch {
      // Not knowing the old secret only means it cannot be recognised later; the rotation goes on.
      return [];
    }
  }

  /**
   * The other secrets voicehooks knows for a provider's webhooks, each named in words: the ones replaced by a
   * rotation (still within their grace period), and the ones kept for other webhooks. Only ever tried to
   * explain a failed check (src/signatures.ts), never to accept a delivery. An unreadable store knows none.
   */
  async known(descriptor: ProviderDescriptor, webhook?: string): Promise<KnownSecret[]> {
    try {
      const store = await this.store();
      const out: KnownSecret[] = [];
      const retired = Object.entries(store.retiredSecrets(this.profileName, descriptor.name));
      // The webhook's own replaced secrets first: the likeliest explanation.
      retired.sort(([a], [b]) => Number(b === webhook) - Number(a === webhook));
      for (const [id, list] of retired) {
        for (const r of list) {
          out.push({
            secret: r.secret,
            label: `the secret webhook ${id} had before its last rotation (recognised until ${r.until})`,
          });
        }
      }
      const kept = store.profile(this.profileName).secrets?.[descriptor.name] ?? {};
      for (const [id, secret] of Object.entries(kept)) {
        if (id !== webhook) out.push({ secret, label: `the secret kept for webhook ${id}` });
      }
      return out;
    } catch {
      return [];
    }
  }

  /** Whether a secret is kept for the webhook; undefined where the provider shows secrets on every read. */
  async isKept(descriptor: ProviderDescriptor, id: string): Promise<boolean | undefined> {
    if (descriptor.capabilities.secretsReadable) return undefined;
    return (await this.store()).webhookSecret(this.profileName, descriptor.name, id) !== undefined;
  }

  /**
   * The secrets to sign or check with (`verify`, `send`, `replay`, `listen`): `--secret` (each checked against
   * the scheme's form), else those of `--webhook ID`: `read` from the provider where it shows them, else the one
   * kept in the local secret store. None when neither is given. Without a provider (`--scheme`), only `--secret`
   * can give them. Here because the kept secret is the usual answer for a provider that shows it only once.
   */
  async secretsFor(
    descriptor: ProviderDescriptor | undefined,
    scheme: SignatureScheme,
    given: readonly string[] | undefined,
    webhook: string | undefined,
    read: (descriptor: ProviderDescriptor, id: string) => Promise<readonly string[]>,
  ): Promise<string[]> {
    if (given) {
      for (const secret of given) {
        const problem = scheme.secretProblem(secret);
        if (problem) throw new UsageError(`--secret ${problem}`);
      }
      return [...given];
    }
    if (webhook === undefined) return [];
    if (descriptor === undefined) {
      throw new UsageError('--webhook needs a provider (-p): with --scheme, pass the secret with --secret.');
    }
    const id = checkId(webhook, descriptor);
    if (!descriptor.capabilities.secretsReadable) {
      const kept = (await this.store()).webhookSecret(this.profileName, descriptor.name, id);
      if (kept === undefined) {
        throw new UsageError(
          `No signing secret is kept for ${descriptor.displayName} webhook ${id}, and ${descriptor.displayName} shows it only once.`,
          {
            hint: `Pass it with --secret, or get a new one with \`voicehooks rotate-secret ${id} -p ${descriptor.name}\`.`,
          },
        );
      }
      return [kept];
    }
    const found = [...(await read(descriptor, id))];
    if (found.length === 0)
      throw new UsageError(`${descriptor.displayName} webhook ${id} has no signing secret; pass --secret.`);
    return found;
  }

  /** Drops the kept secret of a deleted webhook; the deletion stands even when the store cannot be written. */
  async forget(descriptor: ProviderDescriptor, id: string): Promise<void> {
    if (descriptor.capabilities.secretsReadable) return;
    try {
      if (await (await this.store()).forgetWebhookSecret(this.profileName, descriptor.name, id)) {
        this.notice('Removed its signing secret from the local secret store.');
      }
    } catch (error) {
      this.notice(`Warning: the local secret store was not updated (${(error as Error).message}).`);
    }
  }
}
