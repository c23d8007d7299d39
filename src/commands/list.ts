import { once } from 'node:events';
import { Flags } from '@oclif/core';
import { BaseCommand, apiFlags, scopeFlags } from '../base-command.ts';
import { UsageError } from '../errors.ts';
import { checkEvents } from '../input.ts';
import { jsonArrayElements, jsonArrayEnd, render, webhookTable } from '../output.ts';
import type { Webhook } from '../providers/types.ts';

export default class List extends BaseCommand<typeof List> {
  static override summary = 'List webhooks, following every page.';
  static override examples = [
    '<%= config.bin %> list -p ultravox',
    '<%= config.bin %> list -p ultravox --json | jq -r ".[].url"',
    '<%= config.bin %> list -p ultravox --limit 10 --fields id,url',
  ];
  static override flags = {
    ...apiFlags,
    ...scopeFlags,
    limit: Flags.integer({ summary: 'Stop after this many webhooks.', min: 1 }),
    enabled: Flags.boolean({
      summary: 'Only enabled (--no-enabled: only disabled) webhooks.',
      allowNo: true,
    }),
    event: Flags.string({ summary: 'Only webhooks subscribed to this event.' }),
  };

  /** The webhooks, or nothing when they were already written to stdout as their pages arrived. */
  async run(): Promise<Webhook[] | undefined> {
    const descriptor = await this.provider();
    const scope = await this.resolvedScope(descriptor);
    const event = this.flags.event
      ? checkEvents([this.flags.event], descriptor, '--event', scope)[0]
      : undefined;
    if (this.flags.enabled !== undefined && descriptor.capabilities.toggle !== 'field') {
      throw new UsageError(
        `--enabled does not apply: ${descriptor.displayName} webhooks have no on/off switch.`,
      );
    }
    const { adapter } = await this.connect(descriptor, scope);
    const label = `Fetching ${descriptor.displayName} webhooks`;
    // JSON and piped rows are written as the pages arrive: output starts at once and memory stays flat for a
    // list of any length. A terminal table needs every row first to size its columns.
    const out = this.io.stdout.isTTY ? undefined : new StreamedList(this);
    const webhooks = await this.withProgress(label, async (progress) => {
      const found: Webhook[] = [];
      let fetched = 0;
      try {
        for await (const webhook of adapter.list({
          limit: this.flags.limit,
          enabled: this.flags.enabled,
          event,
        })) {
          progress.update(`${label}: ${++fetched} so far`);
          // Filters the provider cannot apply itself are applied here, so every provider honours them.
          if (this.flags.enabled !== undefined && webhook.enabled !== this.flags.enabled) continue;
          if (event && !webhook.events.includes(event)) continue;
          if (out) await out.add(this.present(webhook));
          else found.push(this.present(webhook));
        }
      } catch (error) {
        // What arrived before the failure is kept (the exit code says the document is partial).
        await out?.flush();
        throw error;
      }
      return found;
    });
    if (out) {
      await out.end();
      return undefined;
    }
    if (webhooks.length === 0 && this.io.stdout.isTTY && !this.jsonEnabled()) {
      this.notice(`No ${descriptor.displayName} webhooks.`);
    }
    return webhooks;
  }

  /** For {@link StreamedList}: the same JSON and rows the base command would print for the whole list. */
  jsonOf(webhook: Webhook): unknown {
    return this.toSuccessJson(webhook);
  }

  rowsOf(webhooks: Webhook[]): string {
    return render(webhookTable(webhooks), { tty: false, color: false, fields: this.fieldList() });
  }
}

/** Writes a list to stdout as it arrives, in batches, byte for byte what printing it whole would give. */
class StreamedList {
  readonly #command: List;
  readonly #json: boolean;
  /** What is not written yet: JSON values, or webhooks for rows. */
  #pending: unknown[] = [];
  #empty = true;

  constructor(command: List) {
    this.#command = command;
    this.#json = command.jsonEnabled();
  }

  async add(webhook: Webhook): Promise<void> {
    this.#pending.push(this.#json ? this.#command.jsonOf(webhook) : webhook);
    // About a page at a time: few writes, and the first output long before the last page.
    if (this.#pending.length >= 100) await this.flush();
  }

  async flush(last = ''): Promise<void> {
    const batch = this.#pending.splice(0);
    let text = '';
    if (batch.length > 0) {
      text = this.#json ? jsonArrayElements(batch, this.#empty) : this.#command.rowsOf(batch as Webhook[]);
      this.#empty = false;
    }
    text += last;
    if (text === '') return;
    const { stdout } = this.#command.io;
    if (!stdout.write(text)) await once(stdout.stream, 'drain');
  }

  async end(): Promise<void> {
    const pending = this.#pending.length > 0;
    await this.flush(this.#json ? jsonArrayEnd(this.#empty && !pending) : '');
  }
}
