import { BaseCommand } from '../base-command.ts';
import { FLAG_FOR_FIELD } from '../input.ts';
import type { View } from '../output.ts';
import { availableProviders, hasScope } from '../providers/index.ts';
import { defaultSettings } from '../resolve.ts';
import type { Capabilities, ProviderName } from '../providers/types.ts';

export interface ProviderInfo extends Capabilities {
  /** Webhooks live under a scope that must be named (Talkover's agent). */
  agentScoped: boolean;
  name: ProviderName;
  displayName: string;
  defaultBaseUrl: string;
  flags: string[];
  events: number;
}

export default class Providers extends BaseCommand<typeof Providers> {
  static override summary = 'What each provider supports (capability matrix).';
  static override examples = ['<%= config.bin %> providers', '<%= config.bin %> providers --json'];

  async run(): Promise<ProviderInfo[]> {
    return availableProviders().map((p) => ({
      name: p.name,
      displayName: p.displayName,
      defaultBaseUrl: p.defaultBaseUrl(defaultSettings(p)),
      ...p.capabilities,
      agentScoped: hasScope(p),
      flags: p.fields.map((f) => FLAG_FOR_FIELD[f]),
      events: p.events().length,
    }));
  }

  protected override view(result: ProviderInfo[]): View {
    const columns = [
      'name',
      'toggle',
      'nativeTest',
      'rotateSecret',
      'secretsReadable',
      'deliveryLogs',
      'paginated',
      'agentScoped',
      'events',
      'flags',
    ];
    return {
      kind: 'table',
      columns: columns.map((key) => ({ key, header: key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase() })),
      rows: result as unknown as Record<string, unknown>[],
    };
  }
}
