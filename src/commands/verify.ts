import { Flags } from '@oclif/core';
import { BaseCommand, accountFlags, apiFlags } from '../base-command.ts';
import { TestFailedError } from '../errors.ts';
import type { View } from '../output.ts';
import type { ProviderDescriptor } from '../providers/types.ts';
import { loadNamedScheme, schemeFlag, type SchemeName } from '../schemes/index.ts';
import {
  loadSignatureScheme,
  parseHeaderFlags,
  readBody,
  type SignatureScheme,
  type VerifyResult,
} from '../signatures.ts';

/** The report `verify` prints on stdout, valid or not. */
export interface VerifyReport extends VerifyResult {
  /** The provider named with -p, or null with --scheme. */
  provider: string | null;
  /** The scheme checked with: the provider's own, or a standard (`standard-webhooks`). */
  scheme: string;
}

export default class Verify extends BaseCommand<typeof Verify> {
  static override summary = "Check a delivery's signature offline, as a receiver would.";
  static override description = [
    [
      'Give the body (stdin or --body-file) exactly as received, and the headers that came with it.',
      'Exits 0 when the signature matches one of the secrets within the tolerance, 8 otherwise; the report',
      "(valid, reason, which secret matched, the timestamp's age) is printed on stdout either way.",
    ].join(' '),
    '',
    [
      'Why a delivery fails, the first that fits (docs/debugging.md): missing-signature, malformed-signature,',
      'missing-timestamp, missing-id, bad-timestamp, stale (by how much, and which clock), re-serialised (a',
      "re-encoding of the JSON verifies), other-secret (a replaced secret, or another webhook's), secret-encoding",
      '(the secret read another way verifies), mismatch (the body or the secret differs). No secret is printed.',
    ].join(' '),
    '',
    '- Default tolerance: Ultravox 60 s, PolyAI 300 s, Daily 300 s (Daily documents none; 300 s is assumed), Standard Webhooks (--scheme standard-webhooks, and OpenAI) 300 s.',
    '- Daily: the raw body is tried first, then JSON.stringify of the parsed body.',
  ].join('\n');
  static override examples = [
    "<%= config.bin %> verify -p ultravox --secret s3cr3t --body-file body.json --header 'X-Ultravox-Webhook-Signature: 5f1c…' --header 'X-Ultravox-Webhook-Timestamp: 2026-07-04T12:00:00Z'",
    "<%= config.bin %> verify -p daily --secret \"$HMAC\" --tolerance 0 --header 'X-Webhook-Signature: …' --header 'X-Webhook-Timestamp: 1700000000' < event.json",
    "<%= config.bin %> verify --scheme standard-webhooks --secret \"$WHSEC\" --header 'webhook-id: msg_1' --header 'webhook-timestamp: 1700000000' --header 'webhook-signature: v1,…' < event.json",
  ];
  static override flags = {
    secret: Flags.string({
      summary: 'Secret to check with; repeat to accept any of several (during a rotation).',
      multiple: true,
      exactlyOne: ['secret', 'webhook'],
    }),
    webhook: Flags.string({
      summary: "Check with this webhook's secret(s) (PolyAI: the one kept in the local secret store).",
      exactlyOne: ['secret', 'webhook'],
    }),
    header: Flags.string({
      summary: "A received header, 'Name: value'; repeatable.",
      multiple: true,
      default: [],
    }),
    tolerance: Flags.integer({
      summary: "Seconds the timestamp may be from now (default: the provider's; 0 skips the check).",
      min: 0,
    }),
    'body-file': Flags.string({ summary: 'Read the body from this file instead of stdin.' }),
    'base-url': apiFlags['base-url'],
    ...accountFlags,
    scheme: schemeFlag,
  };

  /** Set when the signature did not verify; reported after the report itself has been printed. */
  private failure?: TestFailedError;

  async run(): Promise<VerifyReport> {
    const named = this.flags.scheme as SchemeName | undefined;
    const descriptor = named === undefined ? await this.provider() : undefined;
    const scheme =
      named === undefined
        ? await loadSignatureScheme(descriptor as ProviderDescriptor)
        : await loadNamedScheme(named);
    const headers = parseHeaderFlags(this.flags.header);
    const secrets = await this.secretsFor(descriptor, scheme, this.flags.secret, this.flags.webhook);
    const body = await readBody(this.flags['body-file'], this.io.stdin);
    const result = scheme.verify({
      body,
      headers,
      secrets,
      otherSecrets: descriptor ? await this.issuedSecrets.known(descriptor, this.flags.webhook) : [],
      toleranceSeconds: this.flags.tolerance,
    });
    if (!result.valid) {
      this.failure = new TestFailedError(
        `The ${(descriptor ?? scheme).displayName} signature is not valid (${result.reason}): ${result.detail}`,
        {
          provider: descriptor?.name,
          hint: hintFor(result, scheme),
        },
      );
    }
    return { provider: descriptor?.name ?? null, scheme: scheme.name, ...result };
  }

  public override async _run<R>(): Promise<R> {
    const result = await super._run<R>();
    if (this.failure) await this.catch(this.failure);
    return result;
  }

  protected override view(report: VerifyReport): View {
    return {
      kind: 'record',
      fields: [
        { key: 'valid', header: 'VALID', tone: (v) => (v ? 'good' : 'bad') },
        { key: 'reason', header: 'REASON' },
        { key: 'matchedSecret', header: 'MATCHED SECRET' },
        { key: 'timestamp', header: 'TIMESTAMP' },
        { key: 'ageSeconds', header: 'AGE (S)' },
        { key: 'toleranceSeconds', header: 'TOLERANCE (S)' },
        { key: 'detail', header: 'DETAIL' },
      ],
      record: { ...report },
    };
  }
}

function hintFor(result: VerifyResult, scheme: SignatureScheme): string {
  switch (result.reason) {
    case 'missing-signature':
    case 'malformed-signature':
      return `Pass it with --header '${scheme.signatureHeader}: …', exactly as received.`;
    case 'missing-id':
      return `Pass it with --header '${scheme.idHeader ?? 'id'}: …', exactly as received.`;
    case 'missing-timestamp':
    case 'bad-timestamp':
      return `Pass it with --header '${scheme.timestampHeader}: …', exactly as received.`;
    case 'stale':
      return 'A replayed or delayed delivery, or a clock off. To check an old capture, raise --tolerance (0 skips the age check).';
    case 're-serialised':
      return 'Verify the bytes of the request body as they arrived: read it raw, before any JSON parser or framework touches it.';
    case 'other-secret':
      return "Check with the webhook's current secret, and update the receiver (or the sender) to it.";
    case 'secret-encoding':
      return 'Give the secret exactly as the provider shows it; the provider decodes it as its scheme says.';
    default:
      return "Check that the body is byte for byte what was received and that the secret is the webhook's current one.";
  }
}
