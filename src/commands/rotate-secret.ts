import { Args, Flags } from '@oclif/core';
import { BaseCommand, apiFlags, scopeFlags, saveSecretFlag } from '../base-command.ts';
import { UsageError } from '../errors.ts';
import { checkId } from '../input.ts';
import { keysOf, type View } from '../output.ts';
import type { Webhook } from '../providers/types.ts';

export interface RotateResult {
  secret: string;
  webhook: Webhook;
}

export default class RotateSecret extends BaseCommand<typeof RotateSecret> {
  static override summary = 'Give a webhook a new signing secret and print it once.';
  static override description =
    "Piped, only the secret is printed, so `SECRET=$(voicehooks rotate-secret ID)` captures it. On Ultravox the old secrets keep signing beside the new one until --revoke-old. On PolyAI the old secret stops working at once, and the new one is kept in the config file's secret store unless --no-save-secret.";
  static override examples = [
    '<%= config.bin %> rotate-secret 3c90c3cc-0d44-4b50-8888-8dd25736052a -p ultravox',
    '<%= config.bin %> rotate-secret 3c90c3cc-0d44-4b50-8888-8dd25736052a -p ultravox --revoke-old --json',
    '<%= config.bin %> rotate-secret whe_9ZtRcXw3nByK5pVqMaEfJs -p polyai',
  ];
  static override args = { id: Args.string({ description: 'Webhook id.', required: true }) };
  static override flags = {
    ...apiFlags,
    ...scopeFlags,
    'revoke-old': Flags.boolean({
      summary: 'Drop the old secrets at once (Ultravox keeps them by default).',
    }),
    'save-secret': saveSecretFlag,
  };

  async run(): Promise<RotateResult> {
    const descriptor = await this.provider();
    const id = checkId(this.args.id, descriptor);
    if (this.flags['revoke-old'] && descriptor.capabilities.rotateSecret !== 'add') {
      throw new UsageError(
        `--revoke-old is for Ultravox: ${descriptor.displayName} replaces the old secret anyway.`,
      );
    }
    const { adapter } = await this.connect(descriptor);
    const result = await this.withProgress(`Rotating the secret of ${id}`, () =>
      adapter.rotateSecret(id, { revokeOld: this.flags['revoke-old'] }),
    );
    this.notice(result.notice);
    await this.issuedSecrets.keep(descriptor, id, result.secret, this.flags['save-secret']);
    // listen reads a webhook's secrets once, when it starts.
    this.notice(
      `A \`${this.config.bin} listen --webhook ${id}\` already running verifies with the secrets it read at start: restart it to verify with the new one.`,
    );
    return { secret: result.secret, webhook: this.present(result.webhook, [result.secret]) };
  }

  /** JSON has the secret and the webhook; the terminal record, the secret and the webhook's id. */
  protected override fieldNames(): readonly string[] {
    return this.jsonEnabled() ? keysOf<RotateResult>()(['secret', 'webhook']) : ['id', 'secret'];
  }

  protected override view(result: RotateResult): View {
    if (!process.stdout.isTTY) return { kind: 'text', text: result.secret };
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
