import { Args, Flags } from '@oclif/core';
import { BaseCommand, apiFlags, scopeFlags, saveSecretFlag } from '../base-command.ts';
import { UsageError } from '../errors.ts';
import { checkId } from '../input.ts';
import { keysOf, type View } from '../output.ts';
import { recreateFlag } from '../flags.ts';
import type { Webhook } from '../providers/types.ts';
import { checkWriteFlags } from '../webhook-flags.ts';

export interface RotateResult {
  secret: string;
  webhook: Webhook;
}

export default class RotateSecret extends BaseCommand<typeof RotateSecret> {
  static override summary = 'Give a webhook a new signing secret and print it once.';
  static override description = [
    'Piped, only the secret is printed, so `SECRET=$(voicehooks rotate-secret ID)` captures it.',
    'What becomes of the old secret, by provider (--keep-old and --revoke-old choose where the provider can):',
    'Ultravox keeps the old secrets signing beside the new one by default (--revoke-old drops them);',
    'OpenAI invalidates the old secret at once by default (--keep-old keeps it valid for 24 hours, with both',
    'signatures on each delivery meanwhile); Talkover, PolyAI and Daily always replace it at once (--keep-old',
    'is refused). ElevenLabs cannot rotate: --recreate makes a new webhook (new id and secret), moves its',
    "attachments to it and deletes the old one (--keep-old is refused). PolyAI's, OpenAI's and ElevenLabs'",
    "new secret is kept in the config file's secret store unless --no-save-secret.",
  ].join(' ');
  static override examples = [
    '<%= config.bin %> rotate-secret 3c90c3cc-0d44-4b50-8888-8dd25736052a -p ultravox',
    '<%= config.bin %> rotate-secret 3c90c3cc-0d44-4b50-8888-8dd25736052a -p ultravox --revoke-old --json',
    '<%= config.bin %> rotate-secret whe_9ZtRcXw3nByK5pVqMaEfJs -p polyai',
    '<%= config.bin %> rotate-secret whe_123 -p openai --keep-old',
  ];
  static override args = { id: Args.string({ description: 'Webhook id.', required: true }) };
  static override flags = {
    ...apiFlags,
    ...scopeFlags,
    'revoke-old': Flags.boolean({
      summary: 'Make the old secret stop working at once (the default but on Ultravox).',
      exclusive: ['keep-old'],
    }),
    'keep-old': Flags.boolean({
      summary: 'Keep the old secret working too (Ultravox: signing beside the new; OpenAI: for 24 hours).',
      exclusive: ['revoke-old'],
    }),
    'save-secret': saveSecretFlag,
    recreate: recreateFlag,
  };

  async run(): Promise<RotateResult> {
    const descriptor = await this.provider();
    const id = checkId(this.args.id, descriptor);
    const oldSecret = descriptor.capabilities.oldSecret;
    const recreates = descriptor.capabilities.rotateSecret === 'recreate';
    if (this.flags['keep-old'] && oldSecret === 'revoked') {
      throw new UsageError(
        recreates
          ? `--keep-old does not apply: ${descriptor.displayName} cannot rotate a secret, and --recreate deletes the old webhook with its secret.`
          : `--keep-old does not apply: ${descriptor.displayName} replaces the old secret at once on every rotation.`,
      );
    }
    checkWriteFlags(this.flags, descriptor, recreates);
    // Each provider's default when neither flag is given (capabilities.oldSecret).
    const revokeOld = this.flags['revoke-old'] || (!this.flags['keep-old'] && oldSecret !== 'kept');
    const { adapter } = await this.connect(descriptor);
    // The secrets before the rotation, so that those it replaces can be recognised for the grace period.
    const before =
      this.flags['save-secret'] && !this.flags.recreate
        ? await this.issuedSecrets.current(descriptor, id, async () => (await adapter.get(id)).secrets)
        : [];
    // Without a rotation of its own, only a new webhook has a new secret (--recreate); the adapter refuses the
    // plain rotation before any request and says so.
    const recreate = this.flags.recreate ? adapter.recreate?.bind(adapter) : undefined;
    const result = await this.withProgress(`Rotating the secret of ${id}`, () =>
      recreate ? recreate(id, {}) : adapter.rotateSecret(id, { revokeOld }),
    );
    this.notice(result.notice);
    // A replaced secret is kept for the grace period. A recreated webhook's is not: the webhook that signed with
    // it is deleted, so no delivery can carry it any more, and the store keeps no secret of a deleted webhook.
    const replaced = before.filter((s) => s !== result.secret && !result.webhook.secrets.includes(s));
    if (result.webhook.id === id) await this.issuedSecrets.retire(descriptor, id, replaced);
    await this.issuedSecrets.keep(descriptor, result.webhook.id, result.secret, this.flags['save-secret']);
    if (result.webhook.id !== id) await this.issuedSecrets.forget(descriptor, id);
    // listen reads a webhook's secrets once, when it starts.
    this.notice(
      `A \`${this.config.bin} listen --webhook ${result.webhook.id}\` already running verifies with the secrets it read at start: restart it to verify with the new one.`,
    );
    return { secret: result.secret, webhook: this.present(result.webhook, [result.secret]) };
  }

  /** JSON has the secret and the webhook; the terminal record, the secret and the webhook's id. */
  protected override fieldNames(): readonly string[] {
    return this.jsonEnabled() ? keysOf<RotateResult>()(['secret', 'webhook']) : ['id', 'secret'];
  }

  protected override view(result: RotateResult): View {
    if (!this.io.stdout.isTTY) return { kind: 'text', text: result.secret };
    return {
      kind: 'record',
      fields: [
        { key: 'id', header: 'WEBHOOK' },
        { key: 'secret', header: 'NEW SECRET' },
      ],
      record: { id: result.webhook.id, secret: result.secret },
    };
  }
}
