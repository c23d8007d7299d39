import { Command, Flags } from '@oclif/core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { candidates, completionScript, type CompletableCommand } from '../completion/candidates.ts';
import { processIO, type IO } from '../io.ts';
import { getProvider } from '../providers/index.ts';

/**
 * Shell completion's helper, called by the shell functions at each Tab (hidden: people never type it). The
 * autocomplete plugin completes commands and flags from a static cache; values that depend on the line (the
 * events of the provider it names) or on the config file (profile names) need a command that runs.
 */
export default class Complete extends Command {
  static override hidden = true;
  static override summary = 'Print completion candidates for a command line (used by the shell functions).';
  static override examples = [
    '<%= config.bin %> __complete --script bash',
    '<%= config.bin %> __complete -- create -p ultravox --event ""',
  ];
  static override strict = false;
  static override flags = {
    script: Flags.string({ summary: 'Print the shell functions for this shell.', options: ['bash', 'zsh'] }),
  };

  /** The streams and environment (src/io.ts): the process's, or a test's. */
  public io: IO = processIO();

  async run(): Promise<void> {
    const { io } = this;
    const dash = this.argv.indexOf('--');
    if (dash < 0) {
      const { flags } = await this.parse(Complete);
      if (flags.script) io.stdout.write(completionScript(flags.script as 'bash' | 'zsh', this.config.bin));
      return;
    }
    const words = this.argv.slice(dash + 1);
    const commands = this.config.commands.map(
      (c) => ({ id: c.id, hidden: c.hidden, flags: c.flags }) as unknown as CompletableCommand,
    );
    const file = configFile((await import('../config.ts')).configDir(io.env));
    const found = candidates(words.length ? words : [''], {
      commands,
      events: (provider) =>
        getProvider(provider)
          .events()
          .map((e) => e.name),
      profiles: () => Object.keys(file.profiles ?? {}),
      defaultProvider: () =>
        io.env.VOICEHOOKS_PROVIDER ?? file.profiles?.[io.env.VOICEHOOKS_PROFILE ?? 'default']?.provider,
    });
    io.stdout.write(found.map((c) => `${c}\n`).join(''));
  }
}

/**
 * The config file as it is, read without opening the store (which would create the directory): a Tab must
 * change nothing, and a file it cannot read offers no profiles rather than an error.
 */
function configFile(dir: string): { profiles?: Record<string, { provider?: string }> } {
  try {
    return JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as {
      profiles?: Record<string, { provider?: string }>;
    };
  } catch {
    return {};
  }
}
