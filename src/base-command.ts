/**
 * The base of every command: global flags, resolution of provider, profile, API key and base URL in the
 * contract's order, prompting behind the terminal guard, rendering of whatever `run()` returns, and the one
 * place where an error becomes a message and an exit code.
 */
import { Command, Flags, type Interfaces } from '@oclif/core';
import { noteCommand } from './code-cache.ts';
import { CancelledError, CliError, ConfigError, ExitCode, UsageError, formatError } from './errors.ts';
import { checkApiKey, checkFieldNames, closest, isUuid } from './input.ts';
import {
  WEBHOOK_FIELDS,
  maskWebhook,
  safeJson,
  safeLines,
  safeText,
  pickFields,
  render,
  webhookRecord,
  webhookTable,
  type View,
} from './output.ts';
import { askInput, askSelect, canPrompt, missingInput } from './prompt.ts';
import { withProgress, type Progress } from './progress.ts';
import { availableProviders, getProvider, isProviderName } from './providers/index.ts';
import {
  PROVIDER_NAMES,
  type Connection,
  type ProviderAdapter,
  type ProviderDescriptor,
  type ProviderName,
  type Scope,
  type Webhook,
} from './providers/types.ts';
import type { ConfigStore, Profile } from './config.ts';

export type InferredFlags<T extends typeof Command> = Interfaces.InferredFlags<
  (typeof BaseCommand)['baseFlags'] & T['flags']
>;
export type InferredArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>;

const GLOBAL = 'GLOBAL';

/** Flags of commands that talk to a provider's API (contract §Flags every API command has). */
export const apiFlags = {
  fields: Flags.string({
    summary: 'Comma-separated fields to show: table columns, or keys of JSON objects.',
    helpGroup: GLOBAL,
  }),
  timeout: Flags.integer({
    summary: 'Seconds to wait for each request.',
    default: 30,
    min: 1,
    // Timers hold at most 2^31-1 ms (24.8 days); a day is far beyond any request and well within.
    max: 86_400,
    helpGroup: GLOBAL,
  }),
  'max-wait': Flags.integer({
    summary: 'Longest Retry-After, in seconds, to wait for before giving up.',
    default: 60,
    min: 0,
    max: 86_400,
    helpGroup: GLOBAL,
  }),
  'show-secrets': Flags.boolean({
    summary: 'Show signing secrets whole instead of masked.',
    helpGroup: GLOBAL,
  }),
  'base-url': Flags.string({ summary: "Override the provider's API base URL.", helpGroup: GLOBAL }),
  region: Flags.string({ summary: 'PolyAI region.', options: ['us', 'uk', 'eu'], helpGroup: GLOBAL }),
};

/** `--agent` on commands that address existing webhooks: Talkover's scope, Ultravox's list filter. */
export const agentFlag = Flags.string({ summary: 'Agent UUID (Talkover scope; Ultravox list filter).' });

/** `--no-save-secret` on commands that receive a new signing secret (`create`, `rotate-secret`). */
export const saveSecretFlag = Flags.boolean({
  summary: "Keep a secret the provider shows only once (PolyAI) in the config file's secret store.",
  description: '--no-save-secret prints it and keeps it nowhere.',
  allowNo: true,
  default: true,
});

export abstract class BaseCommand<T extends typeof Command> extends Command {
  static override enableJsonFlag = true;
  static override baseFlags = {
    provider: Flags.string({
      char: 'p',
      summary: 'Provider (else VOICEHOOKS_PROVIDER, else the profile).',
      options: [...PROVIDER_NAMES],
      helpGroup: GLOBAL,
    }),
    profile: Flags.string({
      summary: 'Config profile (else VOICEHOOKS_PROFILE, else "default").',
      helpGroup: GLOBAL,
    }),
    'no-input': Flags.boolean({ summary: 'Never prompt; missing input exits 2.', helpGroup: GLOBAL }),
    'no-color': Flags.boolean({ summary: 'No colour (also NO_COLOR).', helpGroup: GLOBAL }),
    debug: Flags.boolean({ summary: 'Trace HTTP on stderr, credentials redacted.', helpGroup: GLOBAL }),
    jq: Flags.string({
      summary: 'Filter the JSON output with a jq expression (implies --json).',
      helpGroup: GLOBAL,
    }),
  };

  protected flags!: InferredFlags<T>;
  protected args!: InferredArgs<T>;
  private configStore?: ConfigStore;
  private usedNetwork = false;
  /** The JSON document waiting for `--jq` (filtering is asynchronous; oclif prints JSON synchronously). */
  private pendingJson?: { json: unknown };

  public override async init(): Promise<void> {
    // The code cache of @oclif/core and undici grows to cover each command once (src/code-cache.ts).
    noteCommand(this.id);
    await super.init();
    const ctor = this.ctor as typeof BaseCommand;
    const { args, flags } = await this.parse({
      flags: ctor.flags,
      baseFlags: (super.ctor as typeof BaseCommand).baseFlags,
      enableJsonFlag: ctor.enableJsonFlag,
      args: ctor.args,
      strict: ctor.strict,
    });
    this.flags = flags as InferredFlags<T>;
    this.args = args as InferredArgs<T>;
    // Before any request: after a write (create, rotate-secret) it would be too late to refuse the flag.
    const fields = this.fieldList();
    if (fields?.length) checkFieldNames(fields, this.fieldNames());
    const jq = this.jqExpression();
    if (jq !== undefined) await (await import('./jq.ts')).checkJq(jq);
  }

  /** Runs the command, then renders its result for people or pipes (JSON is printed by oclif). */
  public override async _run<R>(): Promise<R> {
    const result = await super._run<R>();
    const pending = this.pendingJson;
    if (pending) {
      this.pendingJson = undefined;
      try {
        process.stdout.write(
          await (await import('./jq.ts')).filterJson(pending.json, this.jqExpression() ?? '.'),
        );
      } catch (error) {
        await this.catch(error as Error);
      }
    }
    if (result !== undefined && !this.jsonEnabled()) {
      const view = this.view(result);
      if (view) {
        process.stdout.write(
          render(view, {
            tty: Boolean(process.stdout.isTTY),
            color: this.colorEnabled(),
            width: process.stdout.columns,
            fields: this.fieldList(),
          }),
        );
      }
    }
    return result;
  }

  /** How the result is shown without --json. Webhooks and lists of them have a default; others override. */
  protected view(result: unknown): View | undefined {
    if (Array.isArray(result)) return webhookTable(result as Webhook[]);
    if (result && typeof result === 'object' && 'raw' in result) return webhookRecord(result as Webhook);
    return undefined;
  }

  /**
   * The names `--fields` accepts: the keys of the objects `--json` prints, or without --json those of the rows
   * the table shows. Webhooks and lists of them have these; a command with another result says its own.
   */
  protected fieldNames(): readonly string[] {
    return WEBHOOK_FIELDS;
  }

  protected override toSuccessJson(result: unknown): unknown {
    return pickFields(result, this.fieldList());
  }

  protected override logJson(json: unknown): void {
    if (this.jqExpression() !== undefined) this.pendingJson = { json };
    else process.stdout.write(`${safeJson(JSON.stringify(json, null, 2))}\n`);
  }

  /**
   * One object of a command that prints one JSON object per line (`listen`, `emulator trigger`), through
   * `--jq` where given.
   */
  protected async jsonLine(value: unknown): Promise<string> {
    const jq = this.jqExpression();
    if (jq === undefined) return `${safeJson(JSON.stringify(value))}\n`;
    return this.jqOutput(await (await import('./jq.ts')).filterJson(value, jq, { compact: true }));
  }

  /**
   * What --jq printed: strings come out raw, as `jq -r` prints them, so on a terminal their escape sequences
   * are shown, not obeyed; piped, they stay byte for byte (as text views do).
   */
  private jqOutput(text: string): string {
    return process.stdout.isTTY ? safeLines(text) : text;
  }

  /** `--jq` implies `--json`; read from argv, since errors before parsing must know it too. */
  public override jsonEnabled(): boolean {
    return super.jsonEnabled() || this.jqExpression() !== undefined;
  }

  /** The `--jq` expression, where given (before any `--`). */
  protected jqExpression(): string | undefined {
    const parsed = (this.flags as { jq?: string } | undefined)?.jq;
    if (parsed !== undefined) return parsed;
    const argv = this.argv ?? [];
    const end = argv.includes('--') ? argv.indexOf('--') : argv.length;
    for (let i = 0; i < end; i++) {
      const arg = argv[i] ?? '';
      if (arg === '--jq') return argv[i + 1];
      if (arg.startsWith('--jq=')) return arg.slice('--jq='.length);
    }
    return undefined;
  }

  /** Every error ends here: a message on stderr (JSON with --json), and the contract's exit code. */
  public override async catch(error: Error & { oclif?: { exit?: number } }): Promise<void> {
    const ctor = this.ctor as typeof BaseCommand;
    let cli = toCliError(error, Object.keys({ ...ctor.baseFlags, ...ctor.flags, json: true }));
    if (cli.kind === 'usage' && !cli.hint) {
      // Every error says what to do next; for a usage error without a better hint, that is the command's help.
      const command = `voicehooks ${(this.id ?? '').replaceAll(':', ' ')}`.trim();
      cli = new UsageError(cli.message, { hint: `See \`${command} --help\`.`, provider: cli.provider });
    }
    process.exitCode = cli.exitCode;
    const stack = cli.kind === 'unexpected' && this.debugEnabled() ? error.stack : undefined;
    process.stderr.write(formatError(cli, { json: this.jsonEnabled(), stack }));
  }

  public override async finally(error: Error | undefined): Promise<void> {
    if (this.usedNetwork) await (await import('./http.ts')).closeConnections();
    await super.finally(error);
  }

  // ---- resolution (contract §Choosing provider, account and endpoint) ----

  protected get profileName(): string {
    return this.flags.profile ?? process.env.VOICEHOOKS_PROFILE ?? 'default';
  }

  /** The config file, opened on first use so commands that need none never load it. */
  protected async store(): Promise<ConfigStore> {
    if (!this.configStore) {
      const { ConfigStore } = await import('./config.ts');
      this.configStore = new ConfigStore();
      for (const warning of this.configStore.warnings) this.notice(warning);
    }
    return this.configStore;
  }

  protected async profile(): Promise<Profile> {
    return (await this.store()).profile(this.profileName);
  }

  /** Provider: -p, else VOICEHOOKS_PROVIDER, else the profile; asked for on a terminal. */
  protected async provider(): Promise<ProviderDescriptor> {
    const fromEnv = process.env.VOICEHOOKS_PROVIDER;
    const name = this.flags.provider ?? fromEnv ?? (await this.profile()).provider;
    if (name) {
      if (!isProviderName(name)) {
        throw new UsageError(
          `Unknown provider "${name}"${fromEnv === name ? ' in VOICEHOOKS_PROVIDER' : ''}.`,
          {
            hint: `Choose one of: ${PROVIDER_NAMES.join(', ')}.`,
          },
        );
      }
      return getProvider(name);
    }
    if (!this.canPrompt()) throw missingInput(['--provider']);
    const chosen = await askSelect(
      'Provider',
      availableProviders().map((p) => ({ value: p.name, name: p.displayName })),
    );
    return getProvider(chosen);
  }

  /** The API key: VOICEHOOKS_<P>_API_KEY, <P>_API_KEY, then the profile. */
  protected async apiKey(provider: ProviderName): Promise<{ key: string; source: string } | undefined> {
    for (const name of keyEnvNames(provider)) {
      const value = process.env[name];
      if (value) return { key: checkApiKey(value, name), source: `env ${name}` };
    }
    const stored = (await this.store()).apiKey(this.profileName, provider);
    const source = `profile "${this.profileName}"`;
    return stored ? { key: checkApiKey(stored, `the config file (${source})`), source } : undefined;
  }

  /** The scope a provider needs: Talkover's agent, PolyAI's region, Ultravox's agent filter. */
  protected async scope(descriptor: ProviderDescriptor, agentFlag?: string): Promise<Scope> {
    if ((this.flags as { region?: string }).region && descriptor.name !== 'polyai') {
      throw new UsageError(`--region is for PolyAI only; ${descriptor.displayName} has no regions.`);
    }
    return this.resolveScope(descriptor, agentFlag);
  }

  /** {@link scope} without refusing --region, for a command over several providers that checks it itself. */
  protected async resolveScope(descriptor: ProviderDescriptor, agentFlag?: string): Promise<Scope> {
    const flags = this.flags as { region?: string };
    const scope: Scope = {};
    if (agentFlag) scope.agentId = agentFlag;
    if (descriptor.name === 'polyai') {
      scope.region =
        flags.region ?? process.env.VOICEHOOKS_POLYAI_REGION ?? (await this.profile()).region ?? 'us';
    }
    if (descriptor.capabilities.agentScoped && !scope.agentId) {
      scope.agentId = process.env.VOICEHOOKS_TALKOVER_AGENT ?? (await this.profile()).agent;
    }
    return scope;
  }

  /** Base URL: --base-url, VOICEHOOKS_<P>_BASE_URL, the profile, then production. */
  protected async baseUrl(descriptor: ProviderDescriptor, scope: Scope): Promise<string> {
    const flag = (this.flags as { 'base-url'?: string })['base-url'];
    const env = process.env[`VOICEHOOKS_${descriptor.name.toUpperCase()}_BASE_URL`];
    return (
      flag ?? env ?? (await this.profile()).baseUrls?.[descriptor.name] ?? descriptor.defaultBaseUrl(scope)
    );
  }

  /** Everything needed to reach the provider, checked before any request. */
  protected async connection(
    descriptor: ProviderDescriptor,
    scope: Scope,
    key?: string,
  ): Promise<Connection> {
    const found = key ? { key: checkApiKey(key, 'the key given') } : await this.apiKey(descriptor.name);
    if (!found) {
      throw new ConfigError(`No API key for ${descriptor.displayName}.`, {
        hint: `Run \`voicehooks auth login -p ${descriptor.name}\`, or set ${keyEnvNames(descriptor.name)[0]}.`,
        provider: descriptor.name,
      });
    }
    const flags = this.flags as { timeout?: number; 'max-wait'?: number };
    return {
      baseUrl: await this.baseUrl(descriptor, scope),
      apiKey: found.key,
      timeoutMs: (flags.timeout ?? 30) * 1000,
      maxWaitMs: (flags['max-wait'] ?? 60) * 1000,
      userAgent: `voicehooks/${this.config.version}`,
      warn: (line) => this.notice(line),
      debug: this.debugEnabled() ? (line) => process.stderr.write(`[debug] ${safeText(line)}\n`) : undefined,
    };
  }

  /** The provider's adapter, ready to talk. */
  protected async adapter(
    descriptor: ProviderDescriptor,
    scope: Scope,
    key?: string,
  ): Promise<ProviderAdapter> {
    const connection = await this.connection(descriptor, scope, key);
    // Loaded together, so that their files are read at once; the check still comes before any request.
    const [{ checkBaseUrl }, factory] = await Promise.all([import('./http.ts'), descriptor.loadAdapter()]);
    checkBaseUrl(connection.baseUrl, descriptor.displayName);
    this.usedNetwork = true;
    return factory(connection, scope);
  }

  /**
   * Provider, scope and adapter in one step, for commands that act on webhooks. An agent-scoped provider's
   * missing agent is asked for on a terminal.
   */
  protected async connect(
    descriptor: ProviderDescriptor,
    agentFlag?: string,
  ): Promise<{ adapter: ProviderAdapter; scope: Scope }> {
    const scope = await this.scope(descriptor, agentFlag);
    if (descriptor.capabilities.agentScoped && !scope.agentId) {
      if (!this.canPrompt())
        throw missingInput(['--agent'], `${descriptor.displayName} webhooks belong to an agent`);
      scope.agentId = await askInput(`${descriptor.displayName} agent id`, (v) =>
        isUuid(v) ? true : 'An agent id is a UUID.',
      );
    }
    return { adapter: await this.adapter(descriptor, scope), scope };
  }

  // ---- the secret store: signing secrets a provider shows only once (PolyAI), kept in the config file ----

  /**
   * Keeps a secret the provider just issued and will not show again (unless `save` is false), and says so on
   * stderr. A store that cannot be written is a warning, not a failure: the secret is printed whole anyway.
   */
  protected async keepIssuedSecret(
    descriptor: ProviderDescriptor,
    id: string,
    secret: string,
    save: boolean,
  ): Promise<void> {
    if (descriptor.capabilities.secretsReadable) return;
    if (!save) this.notice(`Not saved (--no-save-secret): ${descriptor.displayName} will not show it again.`);
    try {
      const store = await this.store();
      if (save) {
        store.saveWebhookSecret(this.profileName, descriptor.name, id, secret);
        this.notice(`Saved it in ${store.path} (profile "${this.profileName}") for sign, verify and listen.`);
      } else if (store.forgetWebhookSecret(this.profileName, descriptor.name, id)) {
        // A secret kept from before a rotation no longer verifies anything.
        this.notice('The secret kept before was removed from the local secret store: it no longer works.');
      }
    } catch (error) {
      const why = (error as Error).message;
      this.notice(`Warning: the local secret store was not updated (${why}); keep the secret printed.`);
    }
  }

  /** Whether a secret is kept for the webhook; undefined where the provider shows secrets on every read. */
  protected async secretStoredLocally(
    descriptor: ProviderDescriptor,
    id: string,
  ): Promise<boolean | undefined> {
    if (descriptor.capabilities.secretsReadable) return undefined;
    return (await this.store()).webhookSecret(this.profileName, descriptor.name, id) !== undefined;
  }

  /** Drops the kept secret of a deleted webhook; the deletion stands even when the store cannot be written. */
  protected async forgetIssuedSecret(descriptor: ProviderDescriptor, id: string): Promise<void> {
    if (descriptor.capabilities.secretsReadable) return;
    try {
      if ((await this.store()).forgetWebhookSecret(this.profileName, descriptor.name, id)) {
        this.notice('Removed its signing secret from the local secret store.');
      }
    } catch (error) {
      this.notice(`Warning: the local secret store was not updated (${(error as Error).message}).`);
    }
  }

  // ---- presentation ----

  /** A webhook as output shows it: secrets masked unless --show-secrets, except those in `reveal`. */
  protected present(webhook: Webhook, reveal: readonly string[] = []): Webhook {
    if ((this.flags as { 'show-secrets'?: boolean })['show-secrets']) return webhook;
    return maskWebhook(webhook, getProvider(webhook.provider).secretFields, reveal);
  }

  /**
   * Network work with a spinner on stderr once it takes longer than a moment; only on a terminal, never with
   * --json or in CI, where the bytes would land in a log. `work` may report progress (a count fetched).
   */
  protected withProgress<R>(label: string, work: (progress: Progress) => Promise<R>): Promise<R> {
    const enabled = Boolean(process.stderr.isTTY) && !this.jsonEnabled() && !process.env.CI;
    return withProgress(label, work, { enabled });
  }

  /** A warning or next step on stderr: never on stdout, which carries data only. */
  protected notice(text: string): void {
    // Notices quote files and providers (warnings, names): shown safely like every other output.
    process.stderr.write(`${safeLines(text)}\n`);
  }

  protected canPrompt(): boolean {
    return canPrompt({ noInput: this.flags['no-input'], json: this.jsonEnabled() });
  }

  protected debugEnabled(): boolean {
    return Boolean(this.flags?.debug);
  }

  protected colorEnabled(): boolean {
    return Boolean(process.stdout.isTTY) && !process.env.NO_COLOR && !this.flags['no-color'];
  }

  protected fieldList(): string[] | undefined {
    const fields = (this.flags as { fields?: string } | undefined)?.fields;
    return fields
      ?.split(',')
      .map((f) => f.trim())
      .filter(Boolean);
  }
}

/** The env variables that may hold a provider's key, in the order they are read. */
export function keyEnvNames(provider: ProviderName): string[] {
  return [`VOICEHOOKS_${provider.toUpperCase()}_API_KEY`, `${provider.toUpperCase()}_API_KEY`];
}

function toCliError(error: Error & { oclif?: { exit?: number } }, flagNames: readonly string[]): CliError {
  if (error instanceof CliError) return error;
  if (error.name === 'ExitPromptError') return new CancelledError();
  const exit = error.oclif?.exit;
  if (typeof exit === 'number') {
    // oclif's own parse errors (unknown flag, missing argument, bad option) are usage errors.
    const message = error.message
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('See more help'))
      .join(' ');
    return new UsageError(message || 'Bad usage.', {
      hint: didYouMean(error, message, flagNames) ?? 'See --help for the flags this command takes.',
    });
  }
  return new CliError('unexpected', `Unexpected error: ${error.message}`, {
    hint: 'This is a bug in voicehooks. Run again with --debug for the stack trace, and report it.',
  });
}

/** For a mistyped flag, or a value outside a flag's options, the nearest one that exists. */
function didYouMean(error: Error, message: string, flagNames: readonly string[]): string | undefined {
  const unknown = (error as { flags?: unknown }).flags;
  if (Array.isArray(unknown)) {
    const guesses = unknown.flatMap((typed) => {
      const name = String(typed).replace(/^-+/, '').split('=')[0] ?? '';
      const guess = closest(name, flagNames);
      return guess ? [`--${guess}`] : [];
    });
    if (guesses.length > 0) return `Did you mean ${guesses.join(', ')}? See --help for the flags.`;
  }
  const option = /Expected --(\S+?)=(.*) to be one of: (.*)$/.exec(message);
  if (option) {
    const guess = closest(option[2] ?? '', (option[3] ?? '').split(', '));
    if (guess) return `Did you mean --${option[1]} ${guess}?`;
  }
  return undefined;
}

export { ExitCode };
