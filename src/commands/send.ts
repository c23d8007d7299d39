import { Flags } from '@oclif/core';
import { BaseCommand, accountFlags, apiFlags } from '../base-command.ts';
import { TestFailedError, UsageError } from '../errors.ts';
import { checkEvents, checkHeaders, checkTarget } from '../input.ts';
import { keysOf, type View } from '../output.ts';
import type { ProviderDescriptor } from '../providers/types.ts';
import { loadNamedScheme, schemeFlag, type SchemeName } from '../schemes/index.ts';
import { hasSignatureScheme, loadSignatureScheme, readBody, type SignatureScheme } from '../signatures.ts';

/** What `send` prints (docs/debugging.md): what was sent, and the endpoint's answer as `test` reports it. */
export interface SendReport {
  /** The provider named with -p, or null with --scheme. */
  provider: string | null;
  /** The scheme signed with (the provider's, or the standard named with --scheme), or null when unsigned. */
  scheme: string | null;
  url: string;
  method: string;
  /** The event named with --event (or the sample's), or null for a body given as it is. */
  event: string | null;
  /** `signed`: as the provider signs; `unsigned`: the provider's scheme is undocumented (Talkover). */
  mode: 'signed' | 'unsigned';
  bytes: number;
  /** The names of the headers sent (never their values: a header may carry a credential). */
  headersSent: string[];
  /** The endpoint answered 2xx. */
  passed: boolean;
  statusCode: number | null;
  responseTimeMs: number;
  /** The start of the endpoint's answer (null without one). */
  responseBody: string | null;
  /** Why there was no answer, or null. */
  error: string | null;
}

export default class Send extends BaseCommand<typeof Send> {
  static override summary =
    'Send any body, signed as the provider signs it, to any URL, and show the answer.';
  static override description = [
    "The body is --body-file, or stdin, or else the provider's sample of --event. It is signed byte for byte",
    'with --secret, or with the secret of --webhook ID (read from the provider, or the local secret store), and a',
    "timestamp of now; --header adds headers (the signature headers are always the scheme's own). Talkover's",
    'scheme is undocumented: its bodies are sent unsigned. The report (status, response time, the start of the',
    'answer) is printed on stdout either way; an answer other than 2xx, or none, exits 8.',
  ].join(' ');
  static override examples = [
    '<%= config.bin %> send -p ultravox --url http://127.0.0.1:4748/hooks --secret s3cr3t --body-file call.json',
    '<%= config.bin %> send --scheme standard-webhooks --url http://127.0.0.1:4748/ --secret "$WHSEC" --body-file event.json',
    '<%= config.bin %> send -p polyai --url http://127.0.0.1:3000/webhooks --webhook whe_9ZtRcXw3nByK5pVqMaEfJs --event alerts.triggered',
    'echo \'{"test":1}\' | <%= config.bin %> send -p daily --url http://127.0.0.1:4748/ --secret "$HMAC" --header \'X-Trace=1\' --json',
  ];
  static override flags = {
    url: Flags.string({ summary: 'Where to send it (any http(s) URL).', required: true }),
    secret: Flags.string({
      summary: 'Secret to sign with (Ultravox: repeatable, one signature each).',
      multiple: true,
      exclusive: ['webhook'],
    }),
    webhook: Flags.string({ summary: "Sign with this webhook's secret." }),
    event: Flags.string({ summary: "Without a body, send the provider's sample of this event." }),
    'body-file': Flags.string({ summary: 'Read the body from this file instead of stdin.' }),
    header: Flags.string({
      summary: "An extra header, 'Name=value' or 'Name: value'; repeatable.",
      multiple: true,
      default: [],
    }),
    timeout: apiFlags.timeout,
    'base-url': apiFlags['base-url'],
    ...accountFlags,
    scheme: schemeFlag,
  };

  private failure?: TestFailedError;

  async run(): Promise<SendReport> {
    const named = this.flags.scheme as SchemeName | undefined;
    const descriptor = named === undefined ? await this.provider() : undefined;
    const url = checkTarget(this.flags.url, '--url');
    const scheme = descriptor ? await this.schemeFor(descriptor) : await loadNamedScheme(named!);
    if (this.flags.event !== undefined && descriptor) checkEvents([this.flags.event], descriptor);
    const extra = checkHeaders(parseHeaderPairs(this.flags.header));
    const secrets = scheme ? await this.signingSecrets(descriptor, scheme) : [];
    const { sendDelivery, signedHeaders } = await import('../delivery.ts');
    const { body, event } = await this.body(descriptor);
    const base: Record<string, string> = {
      'Content-Type': 'application/json',
      'User-Agent': `voicehooks/${this.config.version} (send)`,
      ...extra,
    };
    const headers = scheme ? signedHeaders(scheme, base, body, secrets) : base;
    const outcome = await this.withProgress(`Sending to ${url}`, () =>
      sendDelivery(
        { url, method: 'POST', event: event ?? '', body, headers, deliveryId: null },
        { timeoutMs: this.flags.timeout * 1000 },
      ),
    );
    const passed = outcome.status !== null && outcome.status >= 200 && outcome.status < 300;
    if (!passed) this.failure = failureOf(outcome, url, descriptor?.name);
    return {
      provider: descriptor?.name ?? null,
      scheme: scheme?.name ?? null,
      url,
      method: 'POST',
      event: event ?? null,
      mode: scheme ? 'signed' : 'unsigned',
      bytes: body.length,
      headersSent: Object.keys(headers),
      passed,
      statusCode: outcome.status,
      responseTimeMs: outcome.latencyMs,
      responseBody: outcome.responseBody,
      error: outcome.error,
    };
  }

  /** The provider's scheme; none where it is undocumented, and then a secret is refused (exit 6). */
  private async schemeFor(descriptor: ProviderDescriptor): Promise<SignatureScheme | undefined> {
    if (hasSignatureScheme(descriptor)) return loadSignatureScheme(descriptor);
    if (this.flags.secret !== undefined || this.flags.webhook !== undefined)
      await loadSignatureScheme(descriptor);
    this.notice(`${descriptor.displayName} does not document how it signs deliveries: sending unsigned.`);
    return undefined;
  }

  private async signingSecrets(
    descriptor: ProviderDescriptor | undefined,
    scheme: SignatureScheme,
  ): Promise<string[]> {
    const secrets = await this.secretsFor(descriptor, scheme, this.flags.secret, this.flags.webhook);
    if (secrets.length === 0) {
      const name = descriptor ? `-p ${descriptor.name}` : `--scheme ${scheme.name}`;
      throw new UsageError(
        `Missing --secret or --webhook: ${(descriptor ?? scheme).displayName} deliveries are signed.`,
        { hint: `For example: voicehooks send ${name} --url URL --secret S --body-file body.json` },
      );
    }
    // A webhook's several secrets sign together only where the provider sends several signatures.
    return scheme.multipleSignatures || this.flags.secret ? secrets : secrets.slice(0, 1);
  }

  /**
   * --body-file, else what is piped on stdin, else (a terminal, or nothing piped) the provider's sample of
   * --event (default: its test event).
   */
  private async body(descriptor: ProviderDescriptor | undefined): Promise<{ body: Buffer; event?: string }> {
    if (this.flags['body-file'] !== undefined) {
      return { body: await readBody(this.flags['body-file'], this.io.stdin), event: this.flags.event };
    }
    if (!this.io.stdin.isTTY) {
      const piped = await readBody(undefined, this.io.stdin);
      if (piped.length > 0) return { body: piped, event: this.flags.event };
    }
    if (descriptor === undefined) {
      throw new UsageError('No body: with --scheme, give it with --body-file or on stdin.');
    }
    const kit = await descriptor.loadDeliveries();
    const event = this.flags.event ?? kit.testEvent ?? descriptor.events()[0]?.name ?? '';
    const sample = kit.sample(event, { now: new Date(), webhook: placeholderWebhook(descriptor.name) });
    return { body: Buffer.from(JSON.stringify(sample), 'utf8'), event };
  }

  public override async _run<R>(): Promise<R> {
    const result = await super._run<R>();
    if (this.failure) await this.catch(this.failure);
    return result;
  }

  protected override fieldNames(): readonly string[] {
    return keysOf<SendReport>()([
      'provider',
      'scheme',
      'url',
      'method',
      'event',
      'mode',
      'bytes',
      'headersSent',
      'passed',
      'statusCode',
      'responseTimeMs',
      'responseBody',
      'error',
    ]);
  }

  protected override view(report: SendReport): View {
    return {
      kind: 'record',
      fields: [
        { key: 'url', header: 'URL' },
        { key: 'mode', header: 'SIGNED' },
        { key: 'statusCode', header: 'STATUS CODE', tone: () => (report.passed ? 'good' : 'bad') },
        { key: 'responseTimeMs', header: 'RESPONSE TIME (MS)' },
        { key: 'responseBody', header: 'RESPONSE' },
        { key: 'error', header: 'ERROR' },
      ],
      record: { ...report },
    };
  }
}

/** `Name=value` or `Name: value`, as a header record. */
export function parseHeaderPairs(values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const value of values) {
    const colon = value.indexOf(':');
    const eq = value.indexOf('=');
    const at = colon > 0 && (eq < 0 || colon < eq) ? colon : eq;
    const name = at > 0 ? value.slice(0, at).trim() : '';
    if (!name) throw new UsageError(`--header takes 'Name=value' or 'Name: value', got "${value}".`);
    out[name] = value.slice(at + 1).trim();
  }
  return out;
}

/** The outcome of a send that did not get a 2xx, as an exit-8 error. */
export function failureOf(
  outcome: { status: number | null; error: string | null },
  url: string,
  provider: string | undefined,
): TestFailedError {
  const what =
    outcome.status === null ? (outcome.error ?? 'no answer') : `it answered HTTP ${outcome.status}`;
  return new TestFailedError(`The delivery to ${url} failed: ${what}.`, {
    provider,
    hint:
      outcome.status === null
        ? 'Start the endpoint (or `voicehooks listen`) and check the URL, then try again.'
        : "The endpoint refused the delivery: its answer is in the report's responseBody.",
  });
}

/** A webhook to shape a sample for, where none is named: the sample's webhook fields stay neutral. */
function placeholderWebhook(provider: string) {
  return {
    provider,
    id: 'send',
    url: '',
    events: [],
    enabled: true,
    status: null,
    name: null,
    agentId: null,
    createdAt: null,
    updatedAt: null,
    secrets: [],
    raw: {},
  };
}
