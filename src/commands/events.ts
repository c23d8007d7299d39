import { BaseCommand } from '../base-command.ts';
import type { View } from '../output.ts';
import type { EventType } from '../providers/types.ts';

export default class Events extends BaseCommand<typeof Events> {
  static override summary = "List a provider's event types, with descriptions.";
  static override examples = [
    '<%= config.bin %> events -p ultravox',
    '<%= config.bin %> events -p ultravox --json',
  ];

  async run(): Promise<EventType[]> {
    const descriptor = await this.provider();
    return [...descriptor.events()];
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
