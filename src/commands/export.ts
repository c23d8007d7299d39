import { Flags } from '@oclif/core';
import {
  BaseCommand,
  accountFlags,
  apiFlags,
  keyEnvNames,
  repeatableScopeFlags,
  scopeFlags,
} from '../base-command.ts';
import { UsageError } from '../errors.ts';
import { keysOf, type View } from '../output.ts';
import { PROVIDER_NAMES, availableProviders, getProvider } from '../providers/index.ts';
import type { ProviderDescriptor, ProviderName, Webhook } from '../providers/types.ts';
import { envName, flagOwners, missingScopeError, resolveSettings } from '../resolve.ts';
import type { ExportFile, ExportSource } from '../apply/export.ts';

export default class Export extends BaseCommand<typeof Export> {
  static override summary = 'Write the live webhooks as an apply file (YAML; --json for JSON).';
  static override description = [
    'Secrets are written as placeholders named after each webhook, such as ${ULTRAVOX_HOOKS_SECRET} (--show-secrets writes the values), so the file',
    'can be committed and `apply -f` run with the values in the environment. Without -p, every provider with an',
    'API key is exported; Talkover needs an agent or a campaign (--agent and --campaign, each repeatable and',
    'written as `agent:` or `campaign:` entries; else VOICEHOOKS_TALKOVER_AGENT or _CAMPAIGN or the profile) and',
    'is skipped without one unless named with -p. PolyAI is read in the region of --region (default us); the other',
    'providers have no regions and ignore it, but naming only them with -p and --region is a usage error.',
  ].join(' ');
  static override examples = [
    '<%= config.bin %> export > webhooks.yaml',
    '<%= config.bin %> export -p ultravox -p daily --json',
    '<%= config.bin %> export -p talkover --agent 9fbef0b7-8d4e-4a08-9207-66c22155721d --campaign 11111111-1111-4111-8111-111111111111',
  ];
  static override flags = {
    ...apiFlags,
    provider: Flags.string({
      char: 'p',
      summary: 'Provider to export; repeat for several (default: every provider with an API key).',
      options: [...PROVIDER_NAMES],
      multiple: true,
    }),
    ...scopeFlags,
    ...repeatableScopeFlags,
  };

  private yaml?: string;

  async run(): Promise<ExportFile> {
    // -p is repeatable here, unlike the single provider of the base flags it replaces.
    const flags = this.flags as unknown as Record<string, unknown> & {
      provider?: ProviderName[];
      'show-secrets'?: boolean;
    };
    const named = [...new Set(flags.provider ?? [])].map((n) => getProvider(n));
    // An account flag (--region) concerns the providers that declare it: with several providers it applies to
    // theirs, but one that no named provider has would be dropped silently, which the contract forbids.
    for (const flag of Object.keys(accountFlags)) {
      if (flags[flag] === undefined || !named.length) continue;
      if (named.some((d) => d.settings.some((s) => s.flag === flag))) continue;
      const owners = flagOwners(flag);
      const have = named.length > 1 ? 'have' : 'has';
      throw new UsageError(
        `--${flag} is for ${owners.map((o) => o.displayName).join(' and ')} only; ${named.map((d) => d.displayName).join(', ')} ${have} no ${flag}s.`,
        {
          hint: `Add ${owners.map((o) => `-p ${o.name}`).join(' or ')} to export its webhooks of that ${flag}, or leave --${flag} out.`,
        },
      );
    }
    const sources: ExportSource[] = [];
    for (const descriptor of named.length ? named : availableProviders()) {
      if (!named.length && !(await this.apiKey(descriptor))) continue;
      for (const scopeFlagValues of scopeRuns(descriptor, flags)) {
        const input = await this.resolveInput(descriptor);
        const resolved = resolveSettings(
          descriptor,
          { ...input, flags: { ...flags, ...scopeFlagValues } },
          { strict: false },
        );
        if (resolved.missingScope.length > 0) {
          const missing = missingScopeError(descriptor, resolved.missingScope);
          if (named.length) throw missing;
          const what = resolved.missingScope.map((s) => s.name).join(' or ');
          const where = resolved.missingScope
            .flatMap((s) => [`--${s.flag}`, envName(descriptor.name, s.name)])
            .join(' or ');
          this.notice(`Skipped ${descriptor.displayName}: no ${what} (${where}).`);
          continue;
        }
        // Filters (Ultravox's agent) narrow one command's list: an export reads every webhook.
        const settings = Object.fromEntries(
          Object.entries(resolved.values).filter(
            ([name]) => descriptor.settings.find((s) => s.name === name)?.role !== 'filter',
          ),
        );
        const adapter = await this.adapter(descriptor, settings);
        if (!adapter.inputOf) throw new UsageError(`${descriptor.displayName} cannot be exported yet.`);
        const webhooks: Webhook[] = [];
        for await (const webhook of adapter.list()) webhooks.push(webhook);
        sources.push({ provider: descriptor.name, settings, webhooks, inputOf: adapter.inputOf });
      }
    }
    if (sources.length === 0 && !named.length) {
      throw new UsageError('No provider to export: no API key is set.', {
        hint: `Set one (e.g. ${keyEnvNames(PROVIDER_NAMES[0] ?? '')[0]}) or name providers with -p.`,
      });
    }
    const { exportFile, toYaml } = await import('../apply/export.ts');
    const exported = exportFile(sources, Boolean(flags['show-secrets']));
    if (exported.variables.length) {
      this.notice(`Secrets are placeholders: set ${exported.variables.join(', ')} before apply or diff.`);
    }
    this.yaml = toYaml(exported);
    return exported.file;
  }

  protected override fieldNames(): readonly string[] {
    return keysOf<ExportFile>()(['webhooks']);
  }

  protected override view(): View {
    return { kind: 'text', text: this.yaml ?? '' };
  }
}

/**
 * The scope flags of each read of a provider: one per value of its repeatable scope flags (`--agent A
 * --campaign C` reads agent A, then campaign C); with none given, one read whose scope comes from env or
 * profile.
 */
function scopeRuns(
  descriptor: ProviderDescriptor,
  flags: Readonly<Record<string, unknown>>,
): Record<string, string | undefined>[] {
  const specs = descriptor.settings.filter((s) => s.role === 'scope');
  const none = Object.fromEntries(specs.map((s) => [s.flag, undefined]));
  const runs = specs.flatMap((spec) => {
    const given = flags[spec.flag];
    const values = Array.isArray(given) ? (given as string[]) : typeof given === 'string' ? [given] : [];
    return [...new Set(values)].map((value) => ({ ...none, [spec.flag]: value }));
  });
  return runs.length > 0 ? runs : [none];
}
