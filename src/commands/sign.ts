import { Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.ts';
import { UsageError } from '../errors.ts';
import type { View } from '../output.ts';
import { loadNamedScheme, schemeFlag, type SchemeName } from '../schemes/index.ts';
import { loadSignatureScheme, readBody } from '../signatures.ts';

export default class Sign extends BaseCommand<typeof Sign> {
  static override summary = 'Print the signature headers a provider would send with a body.';
  static override description = [
    'The body is read from stdin, or from --body-file, and signed byte for byte as it is.\n',
    '- Ultravox: hex HMAC-SHA256 of body + timestamp, ISO 8601 timestamp, one signature per --secret, comma-separated.',
    '- PolyAI: hex HMAC-SHA256 of timestamp + "." + body, Unix seconds, plus a fresh X-PolyAI-Event-ID.',
    '- Daily: base64 HMAC-SHA256, keyed with the base64-decoded secret, of timestamp + "." + JSON.stringify(body); Daily\'s timestamp format is undocumented: Unix seconds are assumed.',
    '- Standard Webhooks (--scheme standard-webhooks, and OpenAI): "v1," + base64 HMAC-SHA256, keyed with the base64-decoded whsec_ secret, of webhook-id + "." + timestamp + "." + body; one signature per --secret, space-separated; webhook-id is --id, or a new one.',
    "- Talkover's scheme is undocumented: exit 6.",
  ].join('\n');
  static override examples = [
    '<%= config.bin %> sign -p ultravox --secret s3cr3t --body-file body.json',
    'echo -n \'{"event_type":"alerts.triggered"}\' | <%= config.bin %> sign -p polyai --secret s3cr3t --timestamp 1700000000',
    '<%= config.bin %> sign -p daily --secret "$(openssl rand -base64 32)" --body-file event.json --json',
    '<%= config.bin %> sign --scheme standard-webhooks --secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw --id msg_1 --body-file event.json',
  ];
  static override flags = {
    secret: Flags.string({
      summary: 'Signing secret (Ultravox: repeat for one signature per secret; Daily: the base64 hmac).',
      multiple: true,
      required: true,
    }),
    timestamp: Flags.string({
      summary: "Timestamp to sign with, used exactly as given (default: now in the provider's format).",
    }),
    id: Flags.string({
      summary: 'Delivery id to send (and sign, for Standard Webhooks) in the id header (default: a new one).',
    }),
    'body-file': Flags.string({ summary: 'Read the body from this file instead of stdin.' }),
    scheme: schemeFlag,
  };

  async run(): Promise<Record<string, string>> {
    const named = this.flags.scheme as SchemeName | undefined;
    const scheme = named ? await loadNamedScheme(named) : await loadSignatureScheme(await this.provider());
    if (this.flags.id !== undefined && scheme.idHeader === undefined) {
      throw new UsageError(`--id does not apply: ${scheme.displayName} deliveries carry no id header.`);
    }
    const timestamp = this.flags.timestamp ?? scheme.formatTimestamp(new Date());
    const body = await readBody(this.flags['body-file'], this.io.stdin);
    return scheme.sign({ body, secrets: this.flags.secret, timestamp, eventId: this.flags.id });
  }

  /** `Name: value` lines, the form of `curl -H` and of `verify --header`, on a terminal and in a pipe. */
  protected override view(headers: Record<string, string>): View {
    return {
      kind: 'text',
      text: Object.entries(headers)
        .map(([name, value]) => `${name}: ${value}`)
        .join('\n'),
    };
  }
}
