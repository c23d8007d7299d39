import { Args, Command, loadHelpClass } from '@oclif/core';

// oclif answers `--help` itself; `help TOPIC` (as in `voicehooks help environment`) needs a command, and this
// one is lighter than a plugin: it hands the words to the same help class.
export default class Help extends Command {
  static override summary = 'Show help for voicehooks, a topic or a command.';
  static override examples = [
    '<%= config.bin %> help create',
    '<%= config.bin %> help environment',
    '<%= config.bin %> help exit-codes',
  ];
  static override args = {
    command: Args.string({ description: 'Command or topic, e.g. "auth login" or "environment".' }),
  };
  static override strict = false;

  async run(): Promise<void> {
    const { argv } = await this.parse(Help);
    const id = (argv as string[]).join(':');
    if (id && !this.config.findCommand(id) && !this.config.findTopic(id)) {
      // The same answer as a mistyped command: exit 2 with a did-you-mean.
      await this.config.runHook('command_not_found', { id, argv: [] });
      return;
    }
    const HelpClass = await loadHelpClass(this.config);
    await new HelpClass(this.config).showHelp(argv as string[]);
  }
}
