import { Flags } from '@oclif/core';
import { BaseCommand, agentFlag, apiFlags, keyEnvNames } from '../base-command.ts';
import { UsageError } from '../errors.ts';
import { keysOf, type View } from '../output.ts';
import { getProvider } from '../providers/index.ts';
import { PROVIDER_NAMES, type ProviderName, type Webhook } from '../providers/types.ts';
import type { ExportFile, ExportSource } from '../apply/export.ts';

export default class Export extends BaseCommand<typeof Export> {
  static override summary = 'Write the live webhooks as an apply file (YAML; --json for JSON).';
  static override description = [
    'Secrets are written as placeholders named after each webhook, such as ${ULTRAVOX_HOOKS_SECRET} (--show-secrets writes the values), so the file',
    'can be committed and `apply -f` run with the values in the environment. Without -p, every provider with an',
    'API key is exported; Talkover needs an agent (--agent, VOICEHOOKS_TALKOVER_AGENT or the profile) and is',
    'skipped without one unless named with -p. PolyAI is read in the region of --region (default us); the other',
    'providers have no regions and ignore it, but naming only them with -p and --region is a usage error.',
  ].join(' ');
  static override examples = [
    '<%= config.bin %> export > webhooks.yaml',
    '<%= config.bin %> export -p ultravox -p daily --json',
  ];
  static override flags = {
    ...apiFlags,
    provider: Flags.string({
      char: 'p',
      summary: 'Provider to export; repeat for several (default: every provider with an API key).',
      options: [...PROVIDER_NAMES],
      multiple: true,
    }),
    agent: agentFlag,
  };

  private yaml?: string;

  async run(): Promise<ExportFile> {
    // -p is repeatable here, unlike the single provider of the base flags it replaces.
    const flags = this.flags as unknown as {
      provider?: ProviderName[];
      agent?: string;
      region?: string;
      'show-secrets'?: boolean;
    };
    const named = flags.provider ?? [];
    // --region concerns PolyAI alone: with several providers it applies to PolyAI's webhooks, but a --region
    // that no named provider has would be dropped silently, which the contract forbids.
    if (flags.region && named.length && !named.includes('polyai')) {
      const names = [...new Set(named)].map((n) => getProvider(n).displayName);
      const have = names.length > 1 ? 'have' : 'has';
      throw new UsageError(`--region is for PolyAI only; ${names.join(', ')} ${have} no regions.`, {
        hint: 'Add -p polyai to export its webhooks of that region, or leave --region out.',
      });
    }
    const sources: ExportSource[] = [];
    for (const name of named.length ? [...new Set(named)] : PROVIDER_NAMES) {
      const descriptor = getProvider(name);
      if (!named.length && !(await this.apiKey(name))) continue;
      const scope =
        descriptor.name === 'polyai' || descriptor.capabilities.agentScoped
          ? await this.resolveScope(descriptor, flags.agent)
          : {};
      if (descriptor.capabilities.agentScoped && !scope.agentId) {
        if (named.length)
          throw new UsageError(`Missing --agent: ${descriptor.displayName} webhooks belong to an agent.`);
        this.notice(`Skipped ${descriptor.displayName}: no agent (--agent or VOICEHOOKS_TALKOVER_AGENT).`);
        continue;
      }
      const adapter = await this.adapter(descriptor, scope);
      if (!adapter.inputOf) throw new UsageError(`${descriptor.displayName} cannot be exported yet.`);
      const webhooks: Webhook[] = [];
      for await (const webhook of adapter.list()) webhooks.push(webhook);
      sources.push({ provider: name, ...scope, webhooks, inputOf: adapter.inputOf });
    }
    if (sources.length === 0 && !named.length) {
      throw new UsageError('No provider to export: no API key is set.', {
        hint: `Set one (e.g. ${keyEnvNames('ultravox')[0]}) or name providers with -p.`,
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
