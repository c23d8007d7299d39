import { Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command.ts';
import type { View } from '../../output.ts';
import { availableProviders } from '../../providers/index.ts';

/** The `export` lines that point the CLI at an emulator on this port. */
export function emulatorEnv(port: number, apiKey = 'emulator-key'): string {
  return availableProviders()
    .flatMap((p) => {
      const name = p.name.toUpperCase();
      return [
        `export VOICEHOOKS_${name}_BASE_URL=http://127.0.0.1:${port}/${p.name}`,
        `export VOICEHOOKS_${name}_API_KEY=${apiKey}`,
      ];
    })
    .join('\n');
}

export default class EmulatorEnv extends BaseCommand<typeof EmulatorEnv> {
  static override summary = 'Print the export lines that point the CLI at a running emulator.';
  static override examples = [
    'eval "$(<%= config.bin %> emulator env)"',
    '<%= config.bin %> emulator env --port 5000',
  ];
  static override flags = {
    port: Flags.integer({ summary: 'The emulator port.', default: 4747, min: 1, max: 65535 }),
    'api-key': Flags.string({ summary: 'The key the emulator was started with.' }),
  };

  async run(): Promise<Record<string, string>> {
    const lines = emulatorEnv(this.flags.port, this.flags['api-key']).split('\n');
    return Object.fromEntries(lines.map((l) => l.replace(/^export /, '').split('=') as [string, string]));
  }

  protected override view(result: Record<string, string>): View {
    return {
      kind: 'text',
      text: Object.entries(result)
        .map(([k, v]) => `export ${k}=${v}`)
        .join('\n'),
    };
  }
}
