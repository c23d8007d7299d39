import { Args, Flags } from '@oclif/core';
import { BaseCommand, apiFlags, scopeFlags } from '../base-command.ts';
import { TestFailedError, UnsupportedError, UsageError } from '../errors.ts';
import { checkEvents, checkId, checkUrl } from '../input.ts';
import { keysOf, type View } from '../output.ts';
import { askSecret, missingInput } from '../prompt.ts';
import type { ProviderDescriptor, TestResult, Webhook } from '../providers/types.ts';
import { hasSignatureScheme, loadSignatureScheme, type SignatureScheme } from '../signatures.ts';

/** The report `test` prints, on stdout whatever the outcome (contract §Output). */
export interface TestReport extends TestResult {
  provider: string;
  id: string;
  /** The provider called it a success and the endpoint answered 2xx (or its status is unknown). */
  passed: boolean;
}

/** The report of a delivery the CLI sent itself (every provider but Talkover, and Talkover with --local). */
export interface SentTestReport extends TestReport {
  /** `signed`: as the provider signs; `local-unsigned`: Talkover's sample, whose scheme is undocumented. */
  mode: 'signed' | 'local-unsigned';
  event: string;
  /** The id a receiver de-duplicates on (Ultravox call id, PolyAI event id, Daily event id), or null. */
  deliveryId: string | null;
  /** The names of the headers sent. */
  headersSent: string[];
  /** The start of the endpoint's answer (null without one). */
  responseBody: string | null;
}

export default class Test extends BaseCommand<typeof Test> {
  static override summary = "Send a test delivery to a webhook's URL and report the endpoint's answer.";
  static override description = [
    'Talkover and OpenAI send a test themselves: Talkover its `webhook.test` payload (POST …/test); OpenAI a',
    "sample of --event (default: the first the webhook subscribes to) to the endpoint's own URL, reporting the",
    'status it answered. For Ultravox, PolyAI, Daily and ElevenLabs, which have no test endpoint, and with --local,',
    "the CLI sends a sample of the event in the provider's delivery shape, signed with the webhook's secret exactly as the",
    "provider signs, with every header the provider sends (PolyAI: X-PolyAI-Event-ID and the endpoint's custom",
    "headers; Daily: Authorization: Basic when basicAuth is set; OpenAI: webhook-id). Talkover's --local sample",
    'is unsigned: its scheme is undocumented. PolyAI and OpenAI show a secret only once: the one kept by create or',
    'rotate-secret is used, else it is asked for on a terminal, else --secret is needed. The report',
    '(status code, response time, the start of the answer) is printed on stdout whether the test passed or not; a',
    'failed test exits 8.',
  ].join(' ');
  static override examples = [
    '<%= config.bin %> test 9fcafbf2-7593-44d6-8cd7-1b221beba62a -p talkover --agent 9fbef0b7-8d4e-4a08-9207-66c22155721d',
    '<%= config.bin %> test 9fcafbf2-7593-44d6-8cd7-1b221beba62a -p talkover --json',
    '<%= config.bin %> test 3c90c3cc-0d44-4b50-8888-8dd25736052a -p ultravox --event call.billed',
    '<%= config.bin %> test whe_9ZtRcXw3nByK5pVqMaEfJs -p polyai --url http://127.0.0.1:4748/hooks --secret "$SECRET"',
    '<%= config.bin %> test 9fcafbf2-7593-44d6-8cd7-1b221beba62a -p talkover --local --url http://127.0.0.1:4748/',
    '<%= config.bin %> test whe_123 -p openai --event realtime.call.incoming',
  ];
  static override args = { id: Args.string({ description: 'Webhook id.', required: true }) };
  static override flags = {
    ...apiFlags,
    ...scopeFlags,
    event: Flags.string({
      summary: 'Event to send a sample of (default: the first the webhook subscribes to).',
    }),
    url: Flags.string({ summary: "Send to this URL instead of the webhook's." }),
    secret: Flags.string({
      summary: "Sign with this secret instead of the webhook's (Ultravox: repeatable, one signature each).",
      multiple: true,
    }),
    local: Flags.boolean({
      summary:
        'Talkover, OpenAI: send a sample from here instead of asking the provider (Talkover: unsigned).',
    }),
  };

  /** Set when the report says the test failed; reported after the report itself has been printed. */
  private failure?: TestFailedError;

  async run(): Promise<TestReport> {
    const descriptor = await this.provider();
    const id = checkId(this.args.id, descriptor);
    if (this.flags.local && !descriptor.capabilities.nativeTest) {
      throw new UsageError(
        `--local is for providers that test natively: ${descriptor.displayName} test deliveries are always sent from here.`,
      );
    }
    if (descriptor.capabilities.nativeTest && !this.flags.local) return this.nativeTest(descriptor, id);
    return this.sendSample(descriptor, id);
  }

  // ---- native: the provider delivers its own test payload (Talkover) ----

  private async nativeTest(descriptor: ProviderDescriptor, id: string): Promise<TestReport> {
    // OpenAI's test sends a sample of a chosen event; Talkover's its own payload.
    const takesEvent = descriptor.capabilities.nativeTestEvents === true;
    for (const flag of takesEvent ? (['secret'] as const) : (['event', 'secret'] as const)) {
      if (this.flags[flag] !== undefined) {
        throw new UsageError(
          `--${flag} is for deliveries sent from here: ${descriptor.displayName} sends its own test payload.`,
          {
            hint: `Add --local to send a sample from here instead (unsigned: ${descriptor.displayName}'s signature scheme is undocumented).`,
          },
        );
      }
    }
    const { adapter } = await this.connect(descriptor);
    if (!adapter.test) throw notYet(descriptor);
    const test = adapter.test.bind(adapter);
    const options = this.flags.url === undefined ? {} : { url: checkUrl(this.flags.url, descriptor).url };
    const event =
      this.flags.event === undefined ? {} : { event: checkEvents([this.flags.event], descriptor)[0] };
    const result = await this.withProgress(`Asking ${descriptor.displayName} to send a test delivery`, () =>
      test(id, { ...options, ...event }),
    );
    const report = { provider: descriptor.name, id, ...result, passed: passed(result) };
    if (!report.passed) {
      const status = result.statusCode === null ? 'no answer' : `HTTP ${result.statusCode}`;
      this.failure = new TestFailedError(`The test delivery to ${result.url} failed (${status}).`, {
        provider: descriptor.name,
        hint: descriptor.capabilities.deliveryLogs
          ? `${result.message ?? ''} See the attempts with \`voicehooks logs ${id} -p ${descriptor.name}\`.`.trim()
          : (result.message ?? undefined),
      });
    }
    return report;
  }

  // ---- sent from here: signed as the provider signs (Ultravox, PolyAI, Daily), or Talkover's unsigned sample ----

  private async sendSample(descriptor: ProviderDescriptor, id: string): Promise<SentTestReport> {
    const local = !hasSignatureScheme(descriptor);
    if (local && this.flags.secret !== undefined) {
      throw new UsageError(
        `--secret cannot be used with ${descriptor.displayName}: its signature scheme is undocumented.`,
      );
    }
    const scheme = local ? undefined : await loadSignatureScheme(descriptor);
    this.checkSecretFlags(scheme);
    const scope = await this.resolvedScope(descriptor);
    if (this.flags.event !== undefined) checkEvents([this.flags.event], descriptor, '--event', scope);
    const url = this.flags.url === undefined ? undefined : checkUrl(this.flags.url, descriptor);
    if (url?.warning) this.notice(`Warning: ${url.warning}`);

    const { adapter } = await this.connect(descriptor, scope);
    const webhook = await this.withProgress(`Fetching ${id}`, () => adapter.get(id));
    const event =
      this.flags.event ?? (local ? undefined : (webhook.events[0] ?? descriptor.events(scope)[0]?.name));
    if (event !== undefined && webhook.events.length > 0 && !webhook.events.includes(event)) {
      this.notice(
        `Warning: webhook ${id} does not subscribe to ${event}, so ${descriptor.displayName} would not send it. Sending the sample anyway.`,
      );
    }
    const target = url?.url ?? webhook.url;
    const { sendDelivery, sampleDelivery } = await import('../delivery.ts');
    const userAgent = `voicehooks/${this.config.version} (test delivery)`;
    if (scheme === undefined) {
      this.notice(
        `${descriptor.displayName} does not document how it signs deliveries: this sample is sent unsigned, from here, not by ${descriptor.displayName}.`,
      );
    }
    const secrets = scheme === undefined ? [] : await this.signingSecrets(descriptor, webhook, scheme);
    const delivery = await sampleDelivery({ descriptor, webhook, url: target, event, secrets, userAgent });
    const outcome = await this.withProgress(`Sending a test delivery to ${target}`, () =>
      sendDelivery(delivery, { timeoutMs: this.flags.timeout * 1000 }),
    );
    const ok = outcome.status !== null && outcome.status >= 200 && outcome.status < 300;
    const report: SentTestReport = {
      provider: descriptor.name,
      id,
      url: target,
      success: ok,
      statusCode: outcome.status,
      responseTimeMs: outcome.latencyMs,
      message: outcome.error ?? `HTTP ${outcome.status}`,
      passed: ok,
      mode: scheme ? 'signed' : 'local-unsigned',
      event: delivery.event,
      deliveryId: delivery.deliveryId,
      headersSent: Object.keys(delivery.headers),
      responseBody: outcome.responseBody,
    };
    if (!ok) {
      const what =
        outcome.status === null ? (outcome.error ?? 'no answer') : `it answered HTTP ${outcome.status}`;
      this.failure = new TestFailedError(
        `The test delivery of ${delivery.event} to ${target} failed: ${what}.`,
        {
          provider: descriptor.name,
          hint:
            outcome.status === null
              ? 'Start the endpoint (or `voicehooks listen`) and check the URL, then try again.'
              : 'The endpoint refused the delivery: check its signature verification and logs (`voicehooks verify` checks a captured one).',
        },
      );
    }
    return report;
  }

  private checkSecretFlags(scheme: SignatureScheme | undefined): void {
    const given = this.flags.secret;
    if (!scheme || given === undefined) return;
    if (given.length > 1 && !scheme.multipleSignatures) {
      throw new UsageError(
        `--secret was given ${given.length} times; ${scheme.displayName} signs each delivery with one secret.`,
      );
    }
    for (const secret of given) {
      const problem = scheme.secretProblem(secret);
      if (problem) throw new UsageError(`--secret ${problem}`);
    }
  }

  /** --secret; else the webhook's own (Ultravox: all of them); else PolyAI's kept secret, or a prompt. */
  private async signingSecrets(
    descriptor: ProviderDescriptor,
    webhook: Webhook,
    scheme: SignatureScheme,
  ): Promise<string[]> {
    if (this.flags.secret !== undefined) return this.flags.secret;
    if (descriptor.capabilities.secretsReadable) {
      if (webhook.secrets.length === 0) {
        throw new UsageError(
          `${descriptor.displayName} webhook ${webhook.id} has no signing secret to sign with.`,
          {
            hint: 'Pass one with --secret.',
          },
        );
      }
      return scheme.multipleSignatures ? webhook.secrets : webhook.secrets.slice(0, 1);
    }
    const kept = (await this.store()).webhookSecret(this.profileName, descriptor.name, webhook.id);
    if (kept !== undefined) return [kept];
    const why = `${descriptor.displayName} shows a signing secret only when it is created or rotated, and none is kept for ${webhook.id}`;
    if (!this.canPrompt()) throw missingInput(['--secret'], why);
    this.notice(`${why}.`);
    return [await askSecret(`Signing secret of ${descriptor.displayName} webhook ${webhook.id}`, this.io)];
  }

  /**
   * The report is rendered by the normal path (table, TSV or --json on stdout); only then is a failed test
   * turned into its error (stderr) and exit code 8.
   */
  public override async _run<R>(): Promise<R> {
    const result = await super._run<R>();
    if (this.failure) await this.catch(this.failure);
    return result;
  }

  /** A native test's report has a subset of these (the rest print as null); the table adds its verdict. */
  protected override fieldNames(): readonly string[] {
    const report = keysOf<SentTestReport>()([
      'provider',
      'id',
      'url',
      'success',
      'statusCode',
      'responseTimeMs',
      'message',
      'passed',
      'mode',
      'event',
      'deliveryId',
      'headersSent',
      'responseBody',
    ]);
    return this.jsonEnabled() ? report : [...report, 'result'];
  }

  /**
   * The same fields for every provider, in the same order, blank where a value does not exist (Talkover's own
   * test names no event), so that piped rows line up whichever provider sent the test.
   */
  protected override view(report: TestReport): View {
    return {
      kind: 'record',
      fields: [
        { key: 'id', header: 'WEBHOOK' },
        { key: 'url', header: 'URL' },
        { key: 'event', header: 'EVENT' },
        { key: 'result', header: 'RESULT', tone: (v) => (v === 'passed' ? 'good' : 'bad') },
        { key: 'statusCode', header: 'STATUS CODE' },
        { key: 'responseTimeMs', header: 'RESPONSE TIME (MS)' },
        { key: 'message', header: 'MESSAGE' },
        { key: 'responseBody', header: 'RESPONSE' },
      ],
      record: { ...report, result: report.passed ? 'passed' : 'failed' },
    };
  }
}

function passed(result: TestResult): boolean {
  const code = result.statusCode;
  return result.success && (code === null || (code >= 200 && code < 300));
}

function notYet(descriptor: ProviderDescriptor): UnsupportedError {
  return new UnsupportedError(
    `${descriptor.displayName} did not provide a test endpoint; nothing was sent.`,
    {
      provider: descriptor.name,
      hint: `Send a sample from here with \`voicehooks test ID -p ${descriptor.name} --local\`.`,
    },
  );
}
