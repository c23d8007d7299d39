import { once } from 'node:events';
import { Flags } from '@oclif/core';
import { BaseCommand, apiFlags, scopeFlags } from '../base-command.ts';
import { UsageError } from '../errors.ts';
import { checkEvents } from '../input.ts';
import { jsonArrayElements, jsonArrayEnd, render, webhookTable, type View } from '../output.ts';
import { availableProviders } from '../providers/index.ts';
import { missingScopeError, resolveProviderName, resolveSettings } from '../resolve.ts';
import type { ProviderDescriptor, Scope, Webhook } from '../providers/types.ts';

export default class List extends BaseCommand<typeof List> {
  static override summary = 'List webhooks, following every page.';
  static override description =
    'With no provider named (-p, VOICEHOOKS_PROVIDER or the profile), every provider that has an API key is listed, in one table with a PROVIDER column (piped: the provider is the first field; --json: one array). Talkover is included when an agent or a campaign is set.';
  static override examples = [
    '<%= config.bin %> list -p ultravox',
    '<%= config.bin %> list -p ultravox --json | jq -r ".[].url"',
    '<%= config.bin %> list -p ultravox --limit 10 --fields id,url',
    '<%= config.bin %> list',
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

  /** Listing every provider with a key: rows carry a PROVIDER column. */
  private everyProvider = false;
  /** A provider that failed while the others were listed; raised after their output. */
  private failure?: Error;

  /** The webhooks, or nothing when they were already written to stdout as their pages arrive. */
  async run(): Promise<Webhook[] | undefined> {
    const descriptors = await this.providers();
    // Each provider's scope before any input is checked: the events it may have depend on it (Talkover's
    // campaigns). A provider named alone may be asked for its scope; over every provider, none is asked.
    const scopes = new Map<ProviderDescriptor, Scope>();
    for (const descriptor of descriptors) {
      const scope = this.everyProvider
        ? await this.scope(descriptor, { strict: false })
        : await this.resolvedScope(descriptor);
      scopes.set(descriptor, scope);
    }
    const first = descriptors[0];
    const event =
      this.flags.event !== undefined && first
        ? checkEvents([this.flags.event], first, '--event', scopes.get(first))[0]
        : undefined;
    for (const descriptor of descriptors) {
      if (this.flags.enabled !== undefined && descriptor.capabilities.toggle !== 'field') {
        throw new UsageError(
          `--enabled does not apply: ${descriptor.displayName} webhooks have no on/off switch.`,
        );
      }
    }
    // JSON and piped rows are written as the pages arrive: output starts at once and memory stays flat for a
    // list of any length. A terminal table needs every row first to size its columns, and --jq the whole document.
    const out = this.io.stdout.isTTY || this.flags.jq !== undefined ? undefined : new StreamedList(this);
    const found: Webhook[] = [];
    for (const descriptor of descriptors) {
      try {
        await this.listOne(descriptor, scopes.get(descriptor) ?? {}, event, (webhook) =>
          out ? out.add(webhook) : found.push(webhook),
        );
      } catch (error) {
        // What arrived before the failure is kept (the exit code says the document is partial).
        await out?.flush();
        if (!this.everyProvider) throw error;
        // One provider's failure does not hide the others' webhooks; it is reported after them.
        this.failure ??= error as Error;
        this.notice(`${descriptor.displayName}: ${(error as Error).message}`);
      }
    }
    if (out) {
      await out.end();
      return undefined;
    }
    if (found.length === 0 && this.io.stdout.isTTY && !this.jsonEnabled()) {
      const names = descriptors.map((d) => d.displayName).join(', ');
      this.notice(`No ${names} webhooks.`);
    }
    return found;
  }

  public override async _run<R>(): Promise<R> {
    const result = await super._run<R>();
    if (this.failure) await this.catch(this.failure);
    return result;
  }

  /**
   * The provider named (-p, VOICEHOOKS_PROVIDER, the profile); with none named, every provider that has a
   * key. Talkover is left out, with a notice, when neither an agent nor a campaign is set for it.
   */
  private async providers(): Promise<ProviderDescriptor[]> {
    if (resolveProviderName(await this.resolveInput())) return [await this.provider()];
    const keyed: ProviderDescriptor[] = [];
    for (const descriptor of availableProviders()) {
      if (await this.apiKey(descriptor)) keyed.push(descriptor);
    }
    if (keyed.length === 0) {
      throw new UsageError('Missing --provider: no provider is named and none has an API key.', {
        hint: 'Name one with -p, or store a key with `voicehooks auth login -p <provider>`.',
      });
    }
    if (this.flags.event !== undefined && keyed.length > 1) {
      throw new UsageError('--event needs one provider: each has its own events.', {
        hint: 'Name the provider with -p.',
      });
    }
    this.everyProvider = true;
    const ready: ProviderDescriptor[] = [];
    for (const descriptor of keyed) {
      // Over every provider: a scope flag is for the providers that declare it, not refused for the others.
      const resolved = resolveSettings(descriptor, await this.resolveInput(descriptor), { strict: false });
      if (resolved.missingScope.length > 0) {
        const error = missingScopeError(descriptor, resolved.missingScope);
        this.notice(
          `Skipped ${descriptor.displayName}: ${error.message.replace(/^Missing [^:]+: /, '')} ${error.hint ?? ''}`.trim(),
        );
        continue;
      }
      ready.push(descriptor);
    }
    return ready;
  }

  private async listOne(
    descriptor: ProviderDescriptor,
    scope: Scope,
    event: string | undefined,
    add: (webhook: Webhook) => unknown,
  ): Promise<void> {
    const adapter = await this.adapter(descriptor, scope);
    const label = `Fetching ${descriptor.displayName} webhooks`;
    await this.withProgress(label, async (progress) => {
      let fetched = 0;
      for await (const webhook of adapter.list({
        limit: this.flags.limit,
        enabled: this.flags.enabled,
        event,
      })) {
        progress.update(`${label}: ${++fetched} so far`);
        // Filters the provider cannot apply itself are applied here, so every provider honours them.
        if (this.flags.enabled !== undefined && webhook.enabled !== this.flags.enabled) continue;
        if (event && !webhook.events.includes(event)) continue;
        await add(this.present(webhook));
      }
    });
  }

  protected override view(webhooks: Webhook[]): View {
    return webhookTable(webhooks, { withProvider: this.everyProvider });
  }

  /** For {@link StreamedList}: the same JSON and rows the base command would print for the whole list. */
  jsonOf(webhook: Webhook): unknown {
    return this.toSuccessJson(webhook);
  }

  rowsOf(webhooks: Webhook[]): string {
    return render(webhookTable(webhooks, { withProvider: this.everyProvider }), {
      tty: false,
      color: false,
      fields: this.fieldList(),
    });
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
