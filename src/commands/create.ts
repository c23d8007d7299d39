import { Flags } from '@oclif/core';
import { BaseCommand, apiFlags, saveSecretFlag, scopeFlags } from '../base-command.ts';
import { CliError } from '../errors.ts';
import { replaceFlag } from '../flags.ts';
import { hasScope, scopeSettings } from '../providers/index.ts';
import type { ProviderDescriptor, Webhook } from '../providers/types.ts';
import { missingInput } from '../prompt.ts';
import {
  checkWriteFlags,
  completeCreateFlags,
  inputFromFlags,
  missingCreateFlags,
  webhookFlags,
} from '../webhook-flags.ts';

export default class Create extends BaseCommand<typeof Create> {
  static override summary = 'Create a webhook.';
  static override description =
    'Asks for the URL and events on a terminal when they are not given. With --if-not-exists, a webhook with the same identity (provider, scope and URL) is returned instead of a duplicate, so a deploy script can run it again safely.';
  static override examples = [
    '<%= config.bin %> create -p ultravox --url https://example.com/hooks --event call.ended --event call.billed',
    '<%= config.bin %> create -p ultravox --url https://example.com/hooks --event call.ended --if-not-exists --json',
    '<%= config.bin %> create -p polyai --name Alerts --url https://example.com/hooks --event alerts.triggered',
  ];
  static override flags = {
    ...apiFlags,
    ...webhookFlags,
    ...scopeFlags,
    'if-not-exists': Flags.boolean({
      summary: 'Return an existing webhook with the same identity instead of creating one.',
    }),
    'save-secret': saveSecretFlag,
    replace: replaceFlag,
  };

  async run(): Promise<Webhook> {
    const descriptor = await this.provider();
    // Without a terminal, every missing flag is named in one error, the scope's among them: a script's author
    // fixes the command once, not flag by flag.
    if (!this.canPrompt()) {
      const flags = missingCreateFlags(this.flags, descriptor);
      const scope = await this.missingScope(descriptor);
      if (scope) {
        const why = flags.length > 0 ? `no terminal to ask on; ${scope.why}` : scope.why;
        throw missingInput([...flags, ...scope.flags], why, scope.hint);
      }
      if (flags.length > 0) throw missingInput(flags);
    }
    // The scope first: the events and fields a webhook may have depend on it (Talkover's campaigns).
    const resolved = await this.resolvedScope(descriptor);
    const flags = await completeCreateFlags(
      this.flags,
      descriptor,
      this.canPrompt() ? this.io : undefined,
      resolved,
    );
    const { input, warnings } = inputFromFlags(flags, descriptor, resolved);
    checkWriteFlags(this.flags, descriptor, false);
    const options = { replace: this.flags.replace };
    warnings.forEach((w) => this.notice(`Warning: ${w}`));
    const { adapter, scope } = await this.connect(descriptor, resolved);
    if (this.flags['if-not-exists']) {
      for await (const existing of adapter.list()) {
        // Identity is provider + scope + URL: a scoped list is already within the scope; where a setting is
        // also a field of the webhook (Ultravox's agent), the field is part of the identity.
        // Where a create is several writes (`resume`), a setting-field such as the agent is one of them: the URL
        // alone finds the webhook to finish.
        const sameScope =
          hasScope(descriptor) ||
          adapter.resume !== undefined ||
          descriptor.settings.every(
            (s) =>
              s.field === undefined ||
              ((existing as unknown as Record<string, unknown>)[s.field] ?? null) ===
                (input[s.field] ?? null),
          );
        if (existing.url === input.url && sameScope) {
          const wanted = new Set(input.events ?? []);
          const differ =
            wanted.size !== new Set(existing.events).size || existing.events.some((e) => !wanted.has(e));
          if (differ) {
            // Returned as it is: --if-not-exists never changes a webhook, so say what it would take.
            const events = [...wanted].map((e) => `--event ${e}`).join(' ');
            this.notice(
              `Warning: its events differ: it has [${existing.events.join(', ')}], you asked for [${[...wanted].join(', ')}].\n` +
                `Change them with \`${this.config.bin} update ${existing.id} -p ${descriptor.name}${scopeFlagsOf(descriptor, scope)} ${events}\`, or manage them with \`${this.config.bin} apply\`.`,
            );
          }
          const resume = adapter.resume?.bind(adapter);
          if (!resume) {
            this.notice(`A webhook for ${input.url} exists already (${existing.id}); nothing was created.`);
            return this.present(existing);
          }
          this.notice(
            `A webhook for ${input.url} exists already (${existing.id}); nothing was created, its setup was completed.`,
          );
          return this.present(
            await this.withProgress(`Finishing ${existing.id}`, () => resume(existing, input, options)),
          );
        }
      }
    }
    const label = `Creating ${descriptor.displayName} webhook`;
    const webhook = await this.withProgress(label, () => adapter.create(input, options)).catch(
      async (error: unknown) => {
        // A create of several writes that failed after the first: its once-shown secret must not be lost.
        if (error instanceof CliError && error.issued) {
          const { id, secret } = error.issued;
          if (!this.flags['save-secret']) this.notice(`Its signing secret, shown this once: ${secret}`);
          await this.issuedSecrets.keep(descriptor, id, secret, this.flags['save-secret']);
        }
        throw error;
      },
    );
    this.notice(`Created ${descriptor.displayName} webhook ${webhook.id}.`);
    // The next step, so a person at a terminal need not look it up; on stderr, so scripts see data only.
    this.notice(
      `Test it: ${this.config.bin} test ${webhook.id} -p ${descriptor.name}${scopeFlagsOf(descriptor, scope)}`,
    );
    const secret = webhook.secrets[0];
    if (secret !== undefined) {
      this.notice('Its signing secret is shown whole this once; keep it safe.');
      await this.issuedSecrets.keep(descriptor, webhook.id, secret, this.flags['save-secret']);
    } else if (input.secrets?.[0] !== undefined) {
      // A provider that never returns secrets (Talkover): keep the one given, so `get` can say it is known.
      await this.issuedSecrets.keep(descriptor, webhook.id, input.secrets[0], this.flags['save-secret']);
    }
    return this.present(webhook, webhook.secrets);
  }
}

/** The scope flags that address a webhook of this scope again (` --agent UUID`), for a next step's command. */
function scopeFlagsOf(descriptor: ProviderDescriptor, scope: Record<string, string | undefined>): string {
  return scopeSettings(descriptor)
    .filter((s) => scope[s.name] !== undefined)
    .map((s) => ` --${s.flag} ${scope[s.name] ?? ''}`)
    .join('');
}
