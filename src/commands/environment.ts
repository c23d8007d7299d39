import { BaseCommand } from '../base-command.ts';
import type { View } from '../output.ts';

export interface EnvironmentVariable {
  name: string;
  meaning: string;
}

/** Every variable voicehooks reads, in the order a reader needs them. `<P>` is ULTRAVOX, TALKOVER, POLYAI or DAILY. */
export const ENVIRONMENT: EnvironmentVariable[] = [
  { name: 'VOICEHOOKS_PROVIDER', meaning: 'Provider when -p is not given (before the profile setting).' },
  { name: 'VOICEHOOKS_PROFILE', meaning: 'Config profile when --profile is not given (else "default").' },
  {
    name: 'VOICEHOOKS_<P>_API_KEY',
    meaning: "A provider's API key; overrides the key stored by auth login.",
  },
  { name: '<P>_API_KEY', meaning: 'The same, e.g. ULTRAVOX_API_KEY; read after VOICEHOOKS_<P>_API_KEY.' },
  { name: 'VOICEHOOKS_<P>_BASE_URL', meaning: "A provider's API base URL when --base-url is not given." },
  { name: 'VOICEHOOKS_POLYAI_REGION', meaning: 'PolyAI region (us, uk, eu) when --region is not given.' },
  { name: 'VOICEHOOKS_TALKOVER_AGENT', meaning: 'Talkover agent UUID when --agent is not given.' },
  { name: 'VOICEHOOKS_TALKOVER_CAMPAIGN', meaning: 'Talkover campaign UUID when --campaign is not given.' },
  {
    name: 'VOICEHOOKS_EMULATOR_PORT',
    meaning: 'Port of `emulator` and `emulator env` when --port is not given (else 4747).',
  },
  {
    name: 'VOICEHOOKS_CONFIG_DIR',
    meaning: 'Config directory; else $XDG_CONFIG_HOME/voicehooks or ~/.config/voicehooks.',
  },
  { name: 'NO_COLOR', meaning: 'Any value: no colour (as --no-color).' },
  { name: 'CI', meaning: 'Any value: never prompt and never draw a spinner (as --no-input).' },
  { name: 'HTTPS_PROXY, HTTP_PROXY, NO_PROXY', meaning: 'Proxy for requests to the providers.' },
];

export default class Environment extends BaseCommand<typeof Environment> {
  static override summary = 'Help topic: the environment variables voicehooks reads.';
  static override description = `Flags win over environment variables, which win over the profile in the config file. <P> is ULTRAVOX, TALKOVER, POLYAI or DAILY.

${ENVIRONMENT.map((v) => `- ${v.name}: ${v.meaning}`).join('\n')}

\`voicehooks environment\` prints the same as a table (or JSON with --json).`;
  static override examples = ['<%= config.bin %> environment', '<%= config.bin %> help environment'];

  async run(): Promise<EnvironmentVariable[]> {
    return ENVIRONMENT;
  }

  protected override view(): View {
    return {
      kind: 'table',
      columns: [
        { key: 'name', header: 'VARIABLE' },
        { key: 'meaning', header: 'MEANING' },
      ],
      rows: ENVIRONMENT as unknown as Record<string, unknown>[],
    };
  }
}
