import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Args, Flags } from '@oclif/core';
import { BaseCommand, accountFlags, apiFlags } from '../base-command.ts';
import { TestFailedError, UsageError } from '../errors.ts';
import { checkTarget, readFileCapped } from '../input.ts';
import { safeJson, safeText } from '../output.ts';
import { getProvider, isProviderName } from '../providers/index.ts';
import { SCHEME_NAMES, loadNamedScheme, type SchemeName } from '../schemes/index.ts';
import type { ProviderDescriptor } from '../providers/types.ts';
import type { RecordedDelivery } from '../recording.ts';
import { hasSignatureScheme, headerValue, loadSignatureScheme, type SignatureScheme } from '../signatures.ts';

/** One replayed delivery, as `replay` reports it (one JSON object per line with --json). */
export interface ReplayReport {
  /** The record's line in the file. */
  line: number;
  provider: string;
  event: string | null;
  /** The delivery's id as recorded. */
  id: string | null;
  url: string;
  method: string;
  /** `recorded`: headers and body as recorded; `resigned`: signed anew, now; `unsigned`: no known scheme. */
  signature: 'recorded' | 'resigned' | 'unsigned';
  edited: boolean;
  /** Recorded headers left out because they were masked in the file. */
  droppedHeaders: string[];
  passed: boolean;
  statusCode: number | null;
  responseTimeMs: number;
  responseBody: string | null;
  error: string | null;
}

/** Framing and hop-by-hop headers belong to the recorded connection, not to the delivery. */
const NOT_REPLAYED = new Set([
  'host',
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'content-length',
  'expect',
]);

export default class Replay extends BaseCommand<typeof Replay> {
  static override summary = 'Send deliveries recorded by `listen --record` again, as recorded or re-signed.';
  static override description = [
    'Each record of FILE (or only line --only N, or only the deliveries of --event E) is sent to --to with its',
    "method, headers and body as recorded. --resign signs the body anew with the record's provider's scheme,",
    'a timestamp of now and --secret (or the secret of --webhook ID). --edit opens each body in $VISUAL or',
    '$EDITOR first, then re-signs it. Masked credential headers are left out. Talkover deliveries are replayed',
    'unsigned. One row per delivery (--json: one JSON object per line); exits 8 when any got no 2xx answer.',
  ].join(' ');
  static override examples = [
    '<%= config.bin %> replay deliveries.jsonl --to http://127.0.0.1:3000/hooks',
    '<%= config.bin %> replay deliveries.jsonl --to http://127.0.0.1:3000/hooks --only 3 --resign --secret s3cr3t',
    'EDITOR=vim <%= config.bin %> replay deliveries.jsonl --to http://127.0.0.1:3000/hooks --event call.ended --edit --webhook 3c90c3cc-0d44-4b50-8888-8dd25736052a -p ultravox',
  ];
  static override args = {
    file: Args.string({ description: 'A record file written by `listen --record`.', required: true }),
  };
  static override flags = {
    to: Flags.string({ summary: 'Where to send the deliveries (any http(s) URL).', required: true }),
    only: Flags.integer({
      summary: 'Only the record on this line of the file.',
      min: 1,
      exclusive: ['event'],
    }),
    event: Flags.string({ summary: 'Only the deliveries of this event.' }),
    resign: Flags.boolean({ summary: 'Sign each body anew, with a timestamp of now.' }),
    edit: Flags.boolean({ summary: 'Edit each body in $VISUAL or $EDITOR first (then re-sign it).' }),
    secret: Flags.string({
      summary: 'Secret to re-sign with (Ultravox: repeatable).',
      multiple: true,
      exclusive: ['webhook'],
    }),
    webhook: Flags.string({ summary: "Re-sign with this webhook's secret." }),
    scheme: Flags.string({
      summary: "Re-sign with this standard scheme instead of the record's provider's.",
      options: [...SCHEME_NAMES],
    }),
    timeout: apiFlags.timeout,
    'base-url': apiFlags['base-url'],
    ...accountFlags,
  };

  private failure?: TestFailedError;

  async run(): Promise<void> {
    const url = checkTarget(this.flags.to, '--to');
    const resign = this.flags.resign || this.flags.edit;
    if (!resign && (this.flags.secret !== undefined || this.flags.webhook !== undefined)) {
      throw new UsageError('--secret and --webhook sign anew: add --resign (or --edit).');
    }
    const { readRecords } = await import('../recording.ts');
    const chosen: { line: number; record: RecordedDelivery }[] = [];
    for (const entry of readRecords(this.args.file)) {
      if (this.flags.only !== undefined && entry.line !== this.flags.only) continue;
      if (this.flags.event !== undefined && entry.record.event !== this.flags.event) continue;
      chosen.push(entry);
    }
    if (chosen.length === 0) {
      const which =
        this.flags.only !== undefined
          ? `on line ${this.flags.only}`
          : this.flags.event !== undefined
            ? `of ${this.flags.event}`
            : '';
      throw new UsageError(`No delivery ${which} in ${this.args.file}.`.replace('  ', ' '));
    }
    const tty = this.io.stdout.isTTY;
    let failed = 0;
    for (const { line, record } of chosen) {
      const report = await this.replay(line, record, url, resign);
      if (!report.passed) failed++;
      this.io.stdout.write(this.jsonEnabled() ? `${safeJson(JSON.stringify(report))}\n` : row(report, tty));
    }
    if (failed > 0) {
      this.failure = new TestFailedError(
        `${failed} of ${chosen.length} replayed deliver${chosen.length === 1 ? 'y' : 'ies'} got no 2xx answer from ${url}.`,
        { hint: 'The answers are in the rows above (--json: responseBody).' },
      );
    }
  }

  private async replay(
    line: number,
    record: RecordedDelivery,
    url: string,
    resign: boolean,
  ): Promise<ReplayReport> {
    const { recordBody } = await import('../recording.ts');
    const { sendDelivery, signedHeaders } = await import('../delivery.ts');
    const { scheme, descriptor } = await this.schemeOf(line, record);
    const masked = new Set(record.masked.map((n) => n.toLowerCase()));
    const headers: Record<string, string> = {};
    const dropped: string[] = [];
    for (const [name, value] of record.headers) {
      const lower = name.toLowerCase();
      if (NOT_REPLAYED.has(lower)) continue;
      if (masked.has(lower)) dropped.push(name);
      // Repeated headers are sent folded, as a receiver reads them.
      else headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    }
    let body = recordBody(record);
    if (this.flags.edit) body = editBody(body, line, this.io.env);
    let signature: ReplayReport['signature'] = 'recorded';
    let sent = headers;
    if (!scheme) signature = 'unsigned';
    else if (resign) {
      const secrets = await this.signingSecrets(descriptor, scheme);
      // The delivery keeps its own id (PolyAI's event id, Standard Webhooks' webhook-id): a replay is the
      // same delivery, sent again.
      const eventId = scheme.idHeader === undefined ? undefined : headerValue(headers, scheme.idHeader);
      const signing = scheme.multipleSignatures ? secrets : secrets.slice(0, 1);
      sent = signedHeaders(scheme, headers, body, signing, { eventId });
      signature = 'resigned';
    }
    const outcome = await this.withProgress(`Replaying line ${line} to ${url}`, () =>
      sendDelivery(
        { url, method: record.method, event: record.event ?? '', body, headers: sent, deliveryId: record.id },
        { timeoutMs: this.flags.timeout * 1000 },
      ),
    );
    return {
      line,
      provider: record.provider,
      event: record.event,
      id: record.id,
      url,
      method: record.method,
      signature,
      edited: this.flags.edit === true,
      droppedHeaders: dropped,
      passed: outcome.status !== null && outcome.status >= 200 && outcome.status < 300,
      statusCode: outcome.status,
      responseTimeMs: outcome.latencyMs,
      responseBody: outcome.responseBody,
      error: outcome.error,
    };
  }

  /**
   * The scheme a record is re-signed with: --scheme, else its provider's (none where undocumented: sent
   * unsigned), else the standard it was received with (`listen --scheme`).
   */
  private async schemeOf(
    line: number,
    record: RecordedDelivery,
  ): Promise<{ scheme?: SignatureScheme; descriptor?: ProviderDescriptor }> {
    const named = this.flags.scheme as SchemeName | undefined;
    if (named !== undefined) return { scheme: await loadNamedScheme(named) };
    if (isProviderName(record.provider)) {
      const descriptor = getProvider(record.provider);
      const scheme = hasSignatureScheme(descriptor) ? await loadSignatureScheme(descriptor) : undefined;
      return { descriptor, scheme };
    }
    if ((SCHEME_NAMES as readonly string[]).includes(record.provider)) {
      return { scheme: await loadNamedScheme(record.provider as SchemeName) };
    }
    throw new UsageError(
      `${this.args.file} line ${line} names "${record.provider}", neither a provider nor a scheme voicehooks knows.`,
    );
  }

  private readonly secretsByScheme = new Map<string, string[]>();

  /** The secrets to re-sign with, looked up once per provider or scheme. */
  private async signingSecrets(
    descriptor: ProviderDescriptor | undefined,
    scheme: SignatureScheme,
  ): Promise<string[]> {
    const key = descriptor?.name ?? scheme.name;
    const known = this.secretsByScheme.get(key);
    if (known) return known;
    const secrets = await this.secretsFor(descriptor, scheme, this.flags.secret, this.flags.webhook);
    if (secrets.length === 0) {
      throw new UsageError(
        `Re-signing ${(descriptor ?? scheme).displayName} deliveries (--resign, --edit) needs --secret or --webhook.`,
      );
    }
    this.secretsByScheme.set(key, secrets);
    return secrets;
  }

  public override async _run<R>(): Promise<R> {
    const result = await super._run<R>();
    if (this.failure) await this.catch(this.failure);
    return result;
  }
}

/**
 * The body after the user's editor: written to a private temporary file, the editor run on it (through the
 * shell, so that `EDITOR="code --wait"` works), and read back with the usual cap.
 */
function editBody(body: Buffer, line: number, env: NodeJS.ProcessEnv): Buffer {
  const editor = env.VISUAL || env.EDITOR;
  if (!editor) {
    throw new UsageError('--edit needs an editor: set VISUAL or EDITOR.', {
      hint: 'For example: EDITOR=nano voicehooks replay …',
    });
  }
  const dir = mkdtempSync(join(tmpdir(), 'voicehooks-replay-'));
  const file = join(dir, `delivery-${line}.json`);
  try {
    writeFileSync(file, body, { mode: 0o600 });
    // The file name is passed as an argument, never pasted into the command.
    const result = spawnSync('/bin/sh', ['-c', `${editor} "$1"`, 'editor', file], { stdio: 'inherit', env });
    if (result.error || result.status !== 0) {
      throw new UsageError(
        `The editor (${editor}) ${result.error ? `could not be run: ${result.error.message}` : `exited ${result.status}`}; nothing was sent.`,
      );
    }
    return readFileCapped(file, 'The edited body');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function row(report: ReplayReport, tty: boolean): string {
  const result =
    report.statusCode !== null
      ? `${report.statusCode} (${report.responseTimeMs} ms)`
      : `failed: ${report.error ?? ''}`;
  const cells = [
    String(report.line),
    report.event ?? '',
    report.signature + (report.edited ? ', edited' : ''),
    result,
    (report.responseBody ?? '').slice(0, 80),
  ].map(safeText);
  if (!tty) return `${cells.join('\t')}\n`;
  const [line, event, signature, status, answer] = cells;
  return `${(line ?? '').padStart(4)}  ${(event ?? '').padEnd(24)}  ${(signature ?? '').padEnd(16)}  ${status}  ${answer}\n`;
}
