import { Flags } from '@oclif/core';
import { BaseCommand, scopeFlags } from '../../base-command.ts';
import { CliError } from '../../errors.ts';
import { ApiKeyError } from '../../input.ts';
import { maskSecret, type View } from '../../output.ts';
import { availableProviders, scopeSettings } from '../../providers/index.ts';
import type { ProviderDescriptor } from '../../providers/types.ts';

export interface KeyStatus {
  provider: string;
  profile: string;
  /** Where the key comes from: `env NAME`, `profile "NAME"`, or null when there is none. */
  source: string | null;
  /** `****` and the last 4 characters. */
  key: string | null;
  /**
   * With --check: `ok` (the provider accepted the key), `rejected` (401/403), `failed` (another failure, in
   * `detail`) or `unchecked` (a provider whose webhooks belong to a scope, such as an agent, none given);
   * null without --check or without a key. `failed` with or without --check for a key that cannot be sent
   * (a line break, too short), whose problem is in `detail`.
   */
  check: 'ok' | 'rejected' | 'failed' | 'unchecked' | null;
  /** Why a check did not pass. */
  detail: string | null;
}

export default class Status extends BaseCommand<typeof Status> {
  static override summary = "Show where each provider's API key comes from, masked.";
  static override description =
    "With --check, each key is proven with one cheap request (a list of at most one webhook); the report is printed either way, and a key that fails exits with that failure's code (4 for a rejected key). A key that cannot be sent at all (a line break, too short) is reported in its row, and exits 3 after the report.";
  static override examples = [
    '<%= config.bin %> auth status',
    '<%= config.bin %> auth status --check',
    '<%= config.bin %> auth status --json',
  ];
  static override flags = {
    check: Flags.boolean({ summary: 'Make one cheap request per provider to prove each key works.' }),
    ...scopeFlags,
    timeout: Flags.integer({ summary: 'Seconds to wait for each request.', default: 30, min: 1 }),
  };

  /** The worst failure of a check, raised after the report is printed. */
  private failure?: CliError;

  async run(): Promise<KeyStatus[]> {
    const out: KeyStatus[] = [];
    for (const descriptor of availableProviders()) {
      const status: KeyStatus = {
        provider: descriptor.name,
        profile: this.profileName,
        source: null,
        key: null,
        check: null,
        detail: null,
      };
      out.push(status);
      let found: { key: string; source: string } | undefined;
      try {
        found = await this.apiKey(descriptor);
      } catch (error) {
        if (!(error instanceof ApiKeyError)) throw error;
        // One unusable key is that provider's row, not the end of the report.
        this.fail(error);
        Object.assign(status, { source: error.source ?? null, check: 'failed', detail: error.message });
        continue;
      }
      if (!found) continue;
      Object.assign(status, { source: found.source, key: maskSecret(found.key) });
      if (this.flags.check) Object.assign(status, await this.check(descriptor));
    }
    return out;
  }

  public override async _run<R>(): Promise<R> {
    const result = await super._run<R>();
    if (this.failure) await this.catch(this.failure);
    return result;
  }

  /** Keeps the worst failure, raised once the report is printed. */
  private fail(error: CliError): void {
    if (!this.failure || error.exitCode > this.failure.exitCode) this.failure = error;
  }

  private async check(descriptor: ProviderDescriptor): Promise<Pick<KeyStatus, 'check' | 'detail'>> {
    // Over every provider: a scope flag is for the providers that declare it, not refused for the others.
    const scope = await this.scope(descriptor, { strict: false });
    const scopes = scopeSettings(descriptor);
    if (scopes.length > 0 && !scopes.some((s) => scope[s.name] !== undefined)) {
      const needed = scopes.map((s) => `--${s.flag}`).join(' or ');
      return { check: 'unchecked', detail: `no ${scopes.map((s) => s.name).join(' or ')}: pass ${needed}` };
    }
    try {
      await this.withProgress(`Checking the ${descriptor.displayName} key`, async () => {
        const adapter = await this.adapter(descriptor, scope);
        for await (const _ of adapter.list({ limit: 1 })) break;
      });
      return { check: 'ok', detail: null };
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      this.fail(error);
      return { check: error.kind === 'auth' ? 'rejected' : 'failed', detail: error.message };
    }
  }

  protected override fieldNames(): readonly string[] {
    return ['provider', 'profile', 'source', 'key', 'check', 'detail'];
  }

  protected override view(result: KeyStatus[]): View {
    return {
      kind: 'table',
      columns: [
        { key: 'provider', header: 'PROVIDER' },
        // The variable to unset or the profile to edit: never cut.
        { key: 'source', header: 'SOURCE', whole: true, tone: (v) => (v ? undefined : 'muted') },
        { key: 'key', header: 'KEY' },
        ...(this.flags.check
          ? [
              {
                key: 'check',
                header: 'CHECK',
                whole: true,
                tone: (v: unknown) => (v === 'ok' ? 'good' : v === 'unchecked' ? 'muted' : 'bad'),
              } as const,
              { key: 'detail', header: 'DETAIL', yields: { min: 20 }, optional: true },
            ]
          : []),
      ],
      rows: result as unknown as Record<string, unknown>[],
    };
  }
}
