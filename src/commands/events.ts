import { BaseCommand, accountFlags, apiFlags, scopeFlags } from '../base-command.ts';
import { aOrAn } from '../input.ts';
import { scopeSettings } from '../providers/index.ts';
import { UsageError } from '../errors.ts';
import { keysOf, type View } from '../output.ts';
import type { EventType } from '../providers/types.ts';

export default class Events extends BaseCommand<typeof Events> {
  static override summary = "List a provider's event types, with descriptions.";
  static override description =
    "For Talkover, an agent's or a campaign's live catalog (`available_events`) is shown when one is known (--agent or --campaign, VOICEHOOKS_TALKOVER_AGENT or _CAMPAIGN, or the profile) and a key is set (agents and campaigns have their own catalogs); for OpenAI, the project's live catalog (`/webhook_event_types`) when a key is set; otherwise the documented catalog.";
  static override examples = [
    '<%= config.bin %> events -p ultravox',
    '<%= config.bin %> events -p ultravox --json',
    '<%= config.bin %> events -p talkover --agent 9fbef0b7-8d4e-4a08-9207-66c22155721d',
    '<%= config.bin %> events -p talkover --campaign 11111111-1111-4111-8111-111111111111',
  ];
  static override flags = {
    fields: apiFlags.fields,
    timeout: apiFlags.timeout,
    'max-wait': apiFlags['max-wait'],
    'base-url': apiFlags['base-url'],
    ...accountFlags,
    ...scopeFlags,
  };

  async run(): Promise<EventType[]> {
    const descriptor = await this.provider();
    const scopes = scopeSettings(descriptor);
    if (scopes.length === 0) {
      const flags = this.flags as unknown as Record<string, unknown>;
      const given = Object.keys(scopeFlags).find((flag) => flags[flag] !== undefined);
      if (given !== undefined)
        throw new UsageError(
          `--${given} does not apply: ${descriptor.displayName}'s catalog is the same for every ${given}.`,
        );
      if (!descriptor.capabilities.liveEvents) return [...descriptor.events()];
      // A catalog the API reports for the account itself (OpenAI's project): shown when a key is set.
      if (!(await this.apiKey(descriptor))) {
        this.notice(
          `The documented ${descriptor.displayName} catalog; with a key set, the account's live one.`,
        );
        return [...descriptor.events()];
      }
      const adapter = await this.adapter(descriptor, await this.scope(descriptor));
      return adapter.liveEvents ? adapter.liveEvents() : [...descriptor.events()];
    }
    const scope = await this.scope(descriptor);
    const scoped = scopes.some((s) => scope[s.name] !== undefined);
    if (!scoped || !(await this.apiKey(descriptor))) {
      const flags = scopes.map((s) => `--${s.flag}`).join(' or ');
      const what = scopes.map((s) => `${aOrAn(s.name)}'s`).join(' or ');
      this.notice(
        `The documented ${descriptor.displayName} catalog; pass ${flags} (with a key set) for ${what} live one.`,
      );
      return [...descriptor.events(scope)];
    }
    const adapter = await this.adapter(descriptor, scope);
    return adapter.liveEvents ? adapter.liveEvents() : [...descriptor.events(scope)];
  }

  protected override fieldNames(): readonly string[] {
    return keysOf<EventType>()(['name', 'description']);
  }

  protected override view(result: EventType[]): View {
    return {
      kind: 'table',
      columns: [
        { key: 'name', header: 'EVENT' },
        { key: 'description', header: 'DESCRIPTION' },
      ],
      rows: result as unknown as Record<string, unknown>[],
    };
  }
}
