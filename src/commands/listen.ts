import { Flags } from '@oclif/core';
import { BaseCommand, accountFlags, apiFlags } from '../base-command.ts';
import { UsageError } from '../errors.ts';
import { isLoopbackHost } from '../input.ts';
import type { ReceivedDelivery } from '../listener.ts';
import type { ProviderDescriptor, ReceiverKit } from '../providers/types.ts';
import { loadNamedScheme, schemeFlag, schemeReceiver, type SchemeName } from '../schemes/index.ts';
import {
  hasSignatureScheme,
  loadSignatureScheme,
  type KnownSecret,
  type SignatureScheme,
} from '../signatures.ts';

export default class Listen extends BaseCommand<typeof Listen> {
  static override summary = 'Receive deliveries locally: verify, print and optionally forward each one.';
  static override description = [
    'Prints the URL it listens on (stderr), then one row per delivery on stdout: time, event, verification',
    '(verified, invalid, unsigned, or unchecked when no secret was given), id, the status answered, the',
    'forward result (status, time, the start of the answer) and why a delivery was invalid (reason code and',
    'sentence, as `verify` gives them). --json prints one JSON object per delivery and line. --record FILE',
    'appends each delivery (headers, raw body, verification) as a JSON line for `replay`; credential headers',
    'are masked unless --record-secrets.',
    'Answers 200 to accepted deliveries and 401 to invalid ones (--accept-invalid: 200 anyway). With',
    '--forward-to, each accepted delivery is relayed with its body and headers unchanged and the sender gets',
    'the target\'s answer (502 when it cannot be reached). Daily\'s unsigned {"test":"test"} URL probe is',
    'answered 200 and not counted by --max-events. Stops after --max-events, or on Ctrl-C, exiting 0.',
  ].join(' ');
  static override examples = [
    '<%= config.bin %> listen -p ultravox --secret s3cr3t',
    '<%= config.bin %> listen -p polyai --webhook whe_9ZtRcXw3nByK5pVqMaEfJs --forward-to http://localhost:3000/hooks',
    '<%= config.bin %> listen -p daily --secret "$HMAC" --port 0 --max-events 1 --json',
    '<%= config.bin %> listen -p ultravox --secret s3cr3t --record deliveries.jsonl',
    '<%= config.bin %> listen --scheme standard-webhooks --secret "$WHSEC" --port 0',
  ];
  static override flags = {
    port: Flags.integer({
      summary: 'Port to listen on (0 picks a free one).',
      default: 4748,
      min: 0,
      max: 65535,
    }),
    host: Flags.string({ summary: 'Address to listen on.', default: '127.0.0.1' }),
    path: Flags.string({ summary: 'Accept deliveries on this path only (default: any path).' }),
    secret: Flags.string({
      summary: 'Secret to verify with; repeatable (any may match).',
      multiple: true,
      exclusive: ['webhook'],
    }),
    webhook: Flags.string({
      summary: "Verify with this webhook's secret(s) (PolyAI: the one kept in the local secret store).",
    }),
    'forward-to': Flags.string({ summary: 'Relay each accepted delivery, unchanged, to this URL.' }),
    record: Flags.string({
      summary: 'Append each delivery to this file, one JSON line each (mode 0600), for `replay`.',
    }),
    'record-secrets': Flags.boolean({
      summary: 'Keep credential headers (Authorization, API keys, tokens) in the --record file unmasked.',
      dependsOn: ['record'],
    }),
    'max-events': Flags.integer({ summary: 'Stop after this many deliveries.', min: 1 }),
    'accept-invalid': Flags.boolean({
      summary: 'Answer 200 (and forward) even when a signature does not verify.',
    }),
    tolerance: Flags.integer({
      summary: "Seconds a timestamp may be from now (default: the provider's; 0 skips the check).",
      min: 0,
    }),
    timeout: Flags.integer({
      summary: 'Seconds to wait for the --forward-to answer (and API requests).',
      default: 30,
      min: 1,
      max: 86_400,
    }),
    'base-url': apiFlags['base-url'],
    ...accountFlags,
    scheme: schemeFlag,
  };

  async run(): Promise<void> {
    if (this.flags.path !== undefined && !this.flags.path.startsWith('/')) {
      throw new UsageError(`--path must start with "/", got "${this.flags.path}".`);
    }
    const forwardTo = this.flags['forward-to'];
    if (forwardTo !== undefined && !/^https?:\/\/[^/]/.test(forwardTo)) {
      throw new UsageError(`--forward-to must be an absolute http(s) URL, got "${forwardTo}".`);
    }
    const named = this.flags.scheme as SchemeName | undefined;
    if (named !== undefined) {
      // A standard scheme stands in for the provider: only --secret can give the secrets.
      if (this.flags.webhook !== undefined) {
        throw new UsageError(
          '--webhook needs a provider (-p): with --scheme, pass the secret with --secret.',
        );
      }
      const scheme = await loadNamedScheme(named);
      const secrets = this.flags.secret ?? [];
      for (const secret of secrets) {
        const problem = scheme.secretProblem(secret);
        if (problem) throw new UsageError(`--secret ${problem}`);
      }
      return this.listenWith(scheme.name, scheme.displayName, schemeReceiver(scheme), scheme, secrets, []);
    }
    const descriptor = await this.provider();
    const scheme = hasSignatureScheme(descriptor) ? await loadSignatureScheme(descriptor) : undefined;
    const secrets = await this.secrets(descriptor, scheme);
    // Other secrets known for the provider's webhooks explain a failure (docs/debugging.md), never accept.
    const others = secrets.length > 0 ? await this.issuedSecrets.known(descriptor, this.flags.webhook) : [];
    return this.listenWith(
      descriptor.name,
      descriptor.displayName,
      descriptor.receiver,
      scheme,
      secrets,
      others,
    );
  }

  /** Listens as `name` (a provider, or a scheme named with --scheme), verifying with `scheme` and `secrets`. */
  private async listenWith(
    name: string,
    displayName: string,
    receiver: ReceiverKit,
    scheme: SignatureScheme | undefined,
    secrets: string[],
    otherSecrets: KnownSecret[],
  ): Promise<void> {
    const forwardTo = this.flags['forward-to'];
    const { startListener, deliveryRow } = await import('../listener.ts');
    const tty = this.io.stdout.isTTY;
    let written: Promise<void> = Promise.resolve();
    const recorder = await this.recorder();
    const listener = await startListener({
      provider: name,
      receiver,
      scheme,
      secrets,
      otherSecrets,
      toleranceSeconds: this.flags.tolerance,
      host: this.flags.host,
      port: this.flags.port,
      path: this.flags.path,
      forwardTo,
      forwardTimeoutMs: this.flags.timeout * 1000,
      maxEvents: this.flags['max-events'],
      acceptInvalid: this.flags['accept-invalid'],
      onRaw: recorder?.append,
      onDelivery: (d) => {
        if (!this.jsonEnabled()) return void this.io.stdout.write(deliveryRow(d, tty));
        // Filtered lines are written in the order the deliveries came, however long each filter takes.
        written = written
          .then(() => this.jsonLine(d))
          .then(
            (line) => void this.io.stdout.write(line),
            (error: unknown) => this.notice(`Error: ${(error as Error).message}`),
          );
      },
    });
    // The handlers are in place before the URL is printed: a signal sent as soon as it appears stops cleanly.
    const off = this.io.onInterrupt(() => void listener.close());
    this.announce(displayName, listener.url, scheme, secrets.length);
    await listener.done;
    await written;
    recorder?.close();
    off();
    this.notice(`Stopped after ${listener.count()} deliver${listener.count() === 1 ? 'y' : 'ies'}.`);
  }

  /** The --record file, opened before listening so that a file that cannot be written stops at once. */
  private async recorder() {
    const file = this.flags.record;
    if (file === undefined) return undefined;
    const { openRecordFile, toRecord } = await import('../recording.ts');
    const opened = openRecordFile(file);
    const reveal = this.flags['record-secrets'];
    return {
      append: (d: ReceivedDelivery, rawHeaders: readonly string[], body: Buffer) =>
        opened.append(toRecord(d, rawHeaders, body, reveal)),
      close: opened.close,
    };
  }

  /** The secrets to verify with: --secret, or the webhook's own (read from the provider or the local store). */
  private async secrets(
    descriptor: ProviderDescriptor,
    scheme: SignatureScheme | undefined,
  ): Promise<string[]> {
    const { secret: given, webhook } = this.flags;
    if (!scheme) {
      // Not knowing the scheme, a secret could check nothing: the same exit 6 as `verify`.
      if (given || webhook) await loadSignatureScheme(descriptor);
      return [];
    }
    return this.secretsFor(descriptor, scheme, given, webhook);
  }

  private announce(
    displayName: string,
    url: string,
    scheme: SignatureScheme | undefined,
    secrets: number,
  ): void {
    if (!isLoopbackHost(this.flags.host)) {
      this.notice(`Warning: listening on ${this.flags.host}, so other machines can reach it.`);
    }
    const checking = !scheme
      ? `not verified: ${displayName} does not document how it signs deliveries`
      : secrets === 0
        ? 'not verified: no --secret or --webhook given'
        : `verified with ${secrets} secret${secrets === 1 ? '' : 's'}`;
    this.notice(`Listening for ${displayName} deliveries on ${url} (${checking}). Ctrl-C stops.`);
  }
}
