import { BaseCommand } from '../../base-command.ts';
import { maskSecret, type View } from '../../output.ts';
import { availableProviders } from '../../providers/index.ts';

export interface KeyStatus {
  provider: string;
  profile: string;
  /** Where the key comes from: `env NAME`, `profile "NAME"`, or null when there is none. */
  source: string | null;
  /** `****` and the last 4 characters. */
  key: string | null;
}

export default class Status extends BaseCommand<typeof Status> {
  static override summary = "Show where each provider's API key comes from, masked.";
  static override examples = ['<%= config.bin %> auth status', '<%= config.bin %> auth status --json'];

  async run(): Promise<KeyStatus[]> {
    const out: KeyStatus[] = [];
    for (const descriptor of availableProviders()) {
      const found = await this.apiKey(descriptor);
      out.push({
        provider: descriptor.name,
        profile: this.profileName,
        source: found?.source ?? null,
        key: found ? maskSecret(found.key) : null,
      });
    }
    return out;
  }

  protected override view(result: KeyStatus[]): View {
    return {
      kind: 'table',
      columns: [
        { key: 'provider', header: 'PROVIDER' },
        { key: 'source', header: 'SOURCE', tone: (v) => (v ? undefined : 'muted') },
        { key: 'key', header: 'KEY' },
      ],
      rows: result as unknown as Record<string, unknown>[],
    };
  }
}
