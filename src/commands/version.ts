import { BaseCommand } from '../base-command.ts';
import { keysOf, type View } from '../output.ts';

/** `version --json`: documented in docs/commands.md. */
export interface VersionInfo {
  version: string;
  platform: string;
  arch: string;
  node: string;
}

export default class Version extends BaseCommand<typeof Version> {
  static override summary = 'Show the version of voicehooks (the same as --version).';
  static override examples = ['<%= config.bin %> version', '<%= config.bin %> version --json'];

  async run(): Promise<VersionInfo> {
    return {
      version: this.config.version,
      platform: process.platform,
      arch: process.arch,
      node: process.version,
    };
  }

  protected override fieldNames(): readonly string[] {
    return keysOf<VersionInfo>()(['version', 'platform', 'arch', 'node']);
  }

  protected override view(info: VersionInfo): View {
    return {
      kind: 'text',
      text: `voicehooks/${info.version} ${info.platform}-${info.arch} node-${info.node}`,
    };
  }
}
