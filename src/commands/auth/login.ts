import { Flags } from '@oclif/core';
import { BaseCommand, apiFlags, keyEnvNames, scopeFlags } from '../../base-command.ts';
import { scopeSettings } from '../../providers/index.ts';
import type { IO } from '../../io.ts';
import { UsageError } from '../../errors.ts';
import { checkApiKey, readStreamCapped } from '../../input.ts';
import { keysOf } from '../../output.ts';
import { askSecret, missingInput } from '../../prompt.ts';
import type { ProviderDescriptor } from '../../providers/types.ts';

export interface LoginResult {
  provider: string;
  profile: string;
  configFile: string;
  verified: boolean;
}

export default class Login extends BaseCommand<typeof Login> {
  static override summary = "Store a provider's API key in the config file.";
  static override description =
    'The key is read from a masked prompt, or from stdin with --with-token; it is never taken as a flag value, which would leave it in shell history. It is checked with one list request unless --no-verify. Environment variables (VOICEHOOKS_<P>_API_KEY, <P>_API_KEY) override the stored key.';
  static override examples = [
    '<%= config.bin %> auth login -p ultravox',
    'echo "$ULTRAVOX_KEY" | <%= config.bin %> auth login -p ultravox --with-token',
  ];
  static override flags = {
    ...apiFlags,
    'with-token': Flags.boolean({ summary: 'Read the key from stdin.' }),
    verify: Flags.boolean({ summary: 'Check the key with one request first.', allowNo: true, default: true }),
    ...scopeFlags,
  };

  async run(): Promise<LoginResult> {
    const descriptor = await this.provider();
    const key = await this.readKey(descriptor);
    let verified = false;
    if (this.flags.verify) verified = await this.check(descriptor, key);
    const store = await this.store();
    await store.updateProfile(this.profileName, (profile) => {
      profile.keys = { ...profile.keys, [descriptor.name]: key };
    });
    const [primary, secondary] = keyEnvNames(descriptor.name);
    this.notice(
      `${verified ? 'Checked and stored' : 'Stored'} the ${descriptor.displayName} key in ${store.path} (profile "${this.profileName}", mode 600).\n` +
        `${primary} or ${secondary}, when set, override it.`,
    );
    return { provider: descriptor.name, profile: this.profileName, configFile: store.path, verified };
  }

  protected override fieldNames(): readonly string[] {
    return keysOf<LoginResult>()(['provider', 'profile', 'configFile', 'verified']);
  }

  protected override view() {
    return undefined;
  }

  private async readKey(descriptor: ProviderDescriptor): Promise<string> {
    let key: string;
    if (this.flags['with-token']) {
      key = await readStdin(this.io.stdin);
    } else if (this.canPrompt()) {
      key = await askSecret(`${descriptor.displayName} API key`, this.io);
    } else {
      throw missingInput(['--with-token'], 'the key is read from stdin or a terminal prompt');
    }
    key = key.trim();
    if (!key) throw new UsageError('The API key is empty.');
    if (/\s/.test(key)) throw new UsageError('The API key contains white space; paste the key alone.');
    // A key that could never be sent or redacted is not stored (the same check as when a key is read).
    return checkApiKey(key, this.flags['with-token'] ? 'stdin' : 'the prompt');
  }

  /** One cheap authenticated request; a rejected key is not stored. */
  private async check(descriptor: ProviderDescriptor, key: string): Promise<boolean> {
    const scope = await this.scope(descriptor);
    const scopes = scopeSettings(descriptor);
    if (scopes.length > 0 && !scopes.some((s) => scope[s.name] !== undefined)) {
      const names = scopes.map((s) => s.name).join(' or ');
      const flags = scopes.map((s) => `--${s.flag}`).join(' or ');
      this.notice(
        `No ${names} given, so the ${descriptor.displayName} key was not checked (pass ${flags} to check it).`,
      );
      return false;
    }
    const adapter = await this.adapter(descriptor, scope, key);
    for await (const _ of adapter.list({ limit: 1 })) break;
    return true;
  }
}

async function readStdin(stdin: IO['stdin']): Promise<string> {
  if (stdin.isTTY)
    throw new UsageError('--with-token reads the key from stdin, but stdin is a terminal.', {
      hint: 'Pipe the key in: echo "$KEY" | voicehooks auth login --with-token -p …',
    });
  return (await readStreamCapped(stdin as AsyncIterable<Buffer>, 'The key on stdin')).toString('utf8');
}
