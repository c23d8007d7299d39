import { Args, Flags } from '@oclif/core';
import { BaseCommand, scopeFlags } from '../../base-command.ts';
import { TestFailedError, UsageError } from '../../errors.ts';
import { checkEvents } from '../../input.ts';
import type { View } from '../../output.ts';
import type { TriggerDelivery } from '../../emulator/trigger.ts';

export default class EmulatorTrigger extends BaseCommand<typeof EmulatorTrigger> {
  static override summary =
    'Make the running emulator deliver an event to every matching enabled webhook, as the provider would.';
  static override description = [
    "Each delivery carries the provider's payload shape, headers and signature (Talkover: none, its scheme is",
    "undocumented), with the webhook's method and timeout. A failed delivery is retried and recorded by the",
    "provider's rules (Ultravox recentFailures/unhealthy, Talkover delivery logs, PolyAI's retry schedule,",
    "Daily's circuit breaker: FAILED after 3 failures), with every wait multiplied by --time-scale.",
    'Prints one row per delivery (--json: one JSON object per line) and exits 8 when any delivery failed.',
    'The emulator is --emulator, else the one VOICEHOOKS_<P>_BASE_URL points at, else 127.0.0.1:4747.',
  ].join(' ');
  static override examples = [
    '<%= config.bin %> emulator trigger call.ended -p ultravox',
    '<%= config.bin %> emulator trigger alerts.triggered -p polyai --json',
    '<%= config.bin %> emulator trigger meeting.started -p daily --emulator http://127.0.0.1:5000 --max-attempts 1',
    '<%= config.bin %> emulator trigger campaign.completed -p talkover --campaign 11111111-1111-4111-8111-111111111111',
  ];
  static override args = {
    event: Args.string({
      description: "An event from the provider's catalog (`voicehooks events`).",
      required: true,
    }),
  };
  static override flags = {
    emulator: Flags.string({ summary: 'URL of the running emulator, e.g. http://127.0.0.1:4747.' }),
    'time-scale': Flags.string({
      summary: "Multiply the provider's retry waits by this (default 0.0001; 0 retries at once).",
    }),
    'max-attempts': Flags.integer({
      summary: 'At most this many attempts per delivery (1: no retries).',
      min: 1,
    }),
    ...scopeFlags,
  };

  private failed = 0;

  async run(): Promise<TriggerDelivery[]> {
    const descriptor = await this.provider();
    // A scope narrows the trigger to its webhooks and picks its event catalog (Talkover's campaigns); without
    // one, every matching webhook of the provider gets the event.
    const scope = Object.fromEntries(
      Object.entries(await this.scope(descriptor)).filter(
        ([name]) => descriptor.settings.find((s) => s.name === name)?.role === 'scope',
      ),
    );
    const [event = ''] = checkEvents([this.args.event], descriptor, 'EVENT', scope);
    const { emulatorUrl, triggerEvent } = await import('../../emulator/client.ts');
    const base = emulatorUrl(this.flags.emulator, descriptor.name, this.io.env);
    const deliveries = await triggerEvent(base, {
      provider: descriptor.name,
      event,
      ...(Object.keys(scope).length > 0 ? { scope } : {}),
      timeScale: this.timeScale(),
      maxAttempts: this.flags['max-attempts'],
    });
    if (deliveries.length === 0) {
      this.notice(
        `No enabled ${descriptor.displayName} webhook at ${base} subscribes to ${event}; nothing was sent.`,
      );
    }
    this.failed = deliveries.filter((d) => !d.delivered).length;
    return deliveries;
  }

  private timeScale(): number | undefined {
    const raw = this.flags['time-scale'];
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(value) || value < 0 || value > 1) {
      throw new UsageError(`--time-scale must be a number from 0 to 1, got "${raw}".`);
    }
    return value;
  }

  /** The report goes to stdout first; a failed delivery then becomes exit 8 (as `test` does). */
  public override async _run<R>(): Promise<R> {
    const result = await super._run<R>();
    try {
      for (const item of this.lines.splice(0)) this.io.stdout.write(await this.jsonLine(item));
    } catch (error) {
      await this.catch(error as Error);
    }
    if (this.failed > 0) {
      await this.catch(
        new TestFailedError(`${this.failed} of the deliveries failed.`, {
          hint: 'Check the endpoint (is `voicehooks listen` running with the right secret?) and the report above.',
        }),
      );
    }
    return result;
  }

  /** `--json`: one object per delivery and line, like `listen --json` (written by `_run`, through --jq). */
  private lines: unknown[] = [];

  protected override logJson(json: unknown): void {
    this.lines = Array.isArray(json) ? json : [json];
  }

  protected override view(deliveries: TriggerDelivery[]): View {
    return {
      kind: 'table',
      columns: [
        { key: 'webhookId', header: 'WEBHOOK' },
        { key: 'event', header: 'EVENT' },
        { key: 'method', header: 'METHOD' },
        { key: 'url', header: 'URL' },
        { key: 'result', header: 'RESULT', tone: (v) => (v === 'delivered' ? 'good' : 'bad') },
        { key: 'attempts', header: 'ATTEMPTS' },
        { key: 'status', header: 'STATUS' },
        { key: 'error', header: 'ERROR' },
        { key: 'state', header: 'WEBHOOK STATE' },
      ],
      rows: deliveries.map((d) => {
        const last = d.attempts[d.attempts.length - 1];
        return {
          webhookId: d.webhookId,
          event: d.event,
          method: d.method,
          url: d.url,
          result: d.delivered ? 'delivered' : 'failed',
          attempts: d.attempts.length,
          status: last?.status ?? null,
          error: last?.error ?? null,
          state: stateText(d.webhook),
        };
      }),
    };
  }
}

/** The provider's delivery state in a few words: `unhealthy, 3 recent failures`, `FAILED, 3 failures`, …. */
function stateText(webhook: Record<string, unknown>): string {
  if (typeof webhook.status === 'string' && Array.isArray(webhook.recentFailures)) {
    return `${webhook.status}, ${webhook.recentFailures.length} recent failures`;
  }
  if (typeof webhook.state === 'string') return `${webhook.state}, ${String(webhook.failedCount)} failures`;
  if (Array.isArray(webhook.logIds)) return `${webhook.logIds.length} log entries`;
  return webhook.enabled === true ? 'enabled' : '';
}
