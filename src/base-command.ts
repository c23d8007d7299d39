/**
 * The base of every command: global flags, the glue around resolution (src/resolve.ts decides provider,
 * settings, API key and base URL; this gathers its inputs and asks on a terminal for what is missing),
 * rendering of whatever `run()` returns, and the one place where an error becomes a message and an exit code.
 */
import { Command, type Interfaces } from '@oclif/core';
import { noteCommand } from './code-cache.ts';
import { ConfigError, ExitCode, FieldError, UsageError, formatError, toCliError } from './errors.ts';
import { aOrAn, checkApiKey, checkFieldNames, checkId, closest } from './input.ts';
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
import { processIO, type IO } from './io.ts';
import { askConfirm, askInput, askSelect, canPrompt, missingInput, type MissingInput } from './prompt.ts';
import { withProgress, type Progress } from './progress.ts';
import { availableProviders, getProvider } from './providers/index.ts';
import type {
  Connection,
  ProviderAdapter,
  ProviderDescriptor,
  Scope,
  SettingSpec,
  Webhook,
} from './providers/types.ts';
import {
  flagForField,
  keyEnvNames,
  envName,
  missingScopeError,
  profileKey,
  profileNeeded,
  resolveApiKey,
  resolveBaseUrl,
  resolveProviderName,
  resolveSettings,
  settingProblem,
  type ResolveInput,
  type SettingsOptions,
} from './resolve.ts';
import type { ConfigStore, Profile } from './config.ts';
import { IssuedSecrets } from './issued-secrets.ts';
import type { SignatureScheme } from './signature-types.ts';

export type InferredFlags<T extends typeof Command> = Interfaces.InferredFlags<
  (typeof BaseCommand)['baseFlags'] & T['flags']
>;
export type InferredArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>;

import { baseFlags } from './flags.ts';

export { accountFlags, apiFlags, repeatableScopeFlags, saveSecretFlag, scopeFlags } from './flags.ts';

export abstract class BaseCommand<T extends typeof Command> extends Command {
  static override enableJsonFlag = true;
  static override baseFlags = baseFlags;

  /** The streams, terminal and environment the command works with: the process's, or a test's (src/io.ts). */
  public io: IO = processIO();
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
        const { filterJson } = await import('./jq.ts');
        this.io.stdout.write(this.jqOutput(await filterJson(pending.json, this.jqExpression() ?? '.')));
      } catch (error) {
        await this.catch(error as Error);
      }
    }
    if (result !== undefined && !this.jsonEnabled()) {
      const view = this.view(result);
      if (view) {
        this.io.stdout.write(
          render(view, {
            tty: this.io.stdout.isTTY,
            color: this.colorEnabled(),
            width: this.io.stdout.columns,
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
    else this.io.stdout.write(`${safeJson(JSON.stringify(json, null, 2))}\n`);
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
    return this.io.stdout.isTTY ? safeLines(text) : text;
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
    // A provider names the field it has a problem with; the user gave a flag.
    let cli = error instanceof FieldError ? error.as(flagForField(error.field)) : toCliError(error);
    if (cli.kind === 'usage' && !(error instanceof UsageError)) {
      // oclif's own parse error: a mistyped flag or a value outside a flag's options gets the nearest.
      const ctor = this.ctor as typeof BaseCommand;
      const guess = didYouMean(
        error,
        cli.message,
        Object.keys({ ...ctor.baseFlags, ...ctor.flags, json: true }),
      );
      if (guess) cli = new UsageError(cli.message, { hint: guess });
    }
    if (cli.kind === 'usage' && !cli.hint) {
      // Every error says what to do next; for a usage error without a better hint, that is the command's help.
      const command = `voicehooks ${(this.id ?? '').replaceAll(':', ' ')}`.trim();
      cli = new UsageError(cli.message, { hint: `See \`${command} --help\`.`, provider: cli.provider });
    }
    this.io.setExitCode(cli.exitCode);
    const stack = cli.kind === 'unexpected' && this.debugEnabled() ? error.stack : undefined;
    this.io.stderr.write(formatError(cli, { json: this.jsonEnabled(), stack }));
  }

  public override async finally(error: Error | undefined): Promise<void> {
    if (this.usedNetwork) await (await import('./http.ts')).closeConnections();
    await super.finally(error);
  }

  // ---- resolution (contract §Choosing provider, account and endpoint) ----

  protected get profileName(): string {
    return this.flags.profile ?? this.io.env.VOICEHOOKS_PROFILE ?? 'default';
  }

  /** The config file, opened on first use so commands that need none never load it. */
  protected async store(): Promise<ConfigStore> {
    if (!this.configStore) {
      const { ConfigStore, configDir } = await import('./config.ts');
      this.configStore = new ConfigStore(configDir(this.io.env));
      for (const warning of this.configStore.warnings) this.notice(warning);
    }
    return this.configStore;
  }

  protected async profile(): Promise<Profile> {
    return (await this.store()).profile(this.profileName);
  }

  /** What resolution reads; the profile only when a value may come from it (opening it costs start-up time). */
  protected async resolveInput(descriptor?: ProviderDescriptor): Promise<ResolveInput> {
    const flags = this.flags as unknown as Record<string, unknown>;
    const needed = descriptor === undefined || profileNeeded(descriptor, flags, this.io.env);
    return {
      flags,
      env: this.io.env,
      profile: needed ? await this.profile() : {},
      profileName: this.profileName,
    };
  }

  /** Provider: -p, else VOICEHOOKS_PROVIDER, else the profile; asked for on a terminal. */
  protected async provider(): Promise<ProviderDescriptor> {
    const flags = this.flags as unknown as Record<string, unknown>;
    const fromFlagOrEnv = typeof flags.provider === 'string' || this.io.env.VOICEHOOKS_PROVIDER !== undefined;
    const input: ResolveInput = {
      flags,
      env: this.io.env,
      profile: fromFlagOrEnv ? {} : await this.profile(),
      profileName: this.profileName,
    };
    const name = resolveProviderName(input);
    if (name) return getProvider(name);
    if (!this.canPrompt()) throw missingInput(['--provider']);
    const chosen = await askSelect(
      'Provider',
      availableProviders().map((p) => ({ value: p.name, name: p.displayName })),
      this.io,
    );
    return getProvider(chosen);
  }

  /** The API key: VOICEHOOKS_<P>_API_KEY, <P>_API_KEY, then the profile. */
  protected async apiKey(
    descriptor: ProviderDescriptor,
  ): Promise<{ key: string; source: string } | undefined> {
    const fromEnv = resolveApiKey(descriptor, {
      env: this.io.env,
      profile: {},
      profileName: this.profileName,
    });
    if (fromEnv) return fromEnv;
    return resolveApiKey(descriptor, {
      env: {},
      profile: await this.profile(),
      profileName: this.profileName,
    });
  }

  /**
   * The provider's settings (its scope for the adapter), from flags, env and profile. A missing scope is left
   * missing here: {@link connect} asks for it, other callers decide.
   */
  protected async scope(descriptor: ProviderDescriptor, options?: SettingsOptions): Promise<Scope> {
    return resolveSettings(descriptor, await this.resolveInput(descriptor), options).values;
  }

  /** Everything needed to reach the provider, checked before any request. */
  protected async connection(
    descriptor: ProviderDescriptor,
    scope: Scope,
    key?: string,
  ): Promise<Connection> {
    const found = key ? { key: checkApiKey(key, 'the key given') } : await this.apiKey(descriptor);
    if (!found) {
      throw new ConfigError(`No API key for ${descriptor.displayName}.`, {
        hint: `Run \`voicehooks auth login -p ${descriptor.name}\`, or set ${keyEnvNames(descriptor.name)[0]}.`,
        provider: descriptor.name,
      });
    }
    const flags = this.flags as { timeout?: number; 'max-wait'?: number };
    return {
      baseUrl: resolveBaseUrl(descriptor, scope, await this.resolveInput(descriptor)),
      apiKey: found.key,
      timeoutMs: (flags.timeout ?? 30) * 1000,
      maxWaitMs: (flags['max-wait'] ?? 60) * 1000,
      userAgent: `voicehooks/${this.config.version}`,
      warn: (line) => this.notice(line),
      debug: this.debugEnabled() ? (line) => this.io.stderr.write(`[debug] ${safeText(line)}\n`) : undefined,
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
   * Settings and adapter in one step, for commands that act on webhooks. A provider whose webhooks belong to a
   * scope gets it asked for on a terminal when none is given. A command that checks input against the scope
   * (events of its catalog) resolves it first with {@link resolvedScope} and passes it in.
   */
  protected async connect(
    descriptor: ProviderDescriptor,
    resolved?: Scope,
  ): Promise<{ adapter: ProviderAdapter; scope: Scope }> {
    const scope = resolved ?? (await this.resolvedScope(descriptor));
    return { adapter: await this.adapter(descriptor, scope), scope };
  }

  /**
   * The provider's settings with its scope, before any input is checked (a catalog of events, a field, may
   * belong to one scope only): a missing scope is asked for on a terminal, else a usage error naming the flags.
   */
  protected async resolvedScope(descriptor: ProviderDescriptor): Promise<Scope> {
    const resolved = resolveSettings(descriptor, await this.resolveInput(descriptor));
    const scope: Record<string, string> = { ...resolved.values };
    const [first] = resolved.missingScope;
    if (first !== undefined) {
      const missing = await this.missingScope(descriptor);
      if (missing) throw missingInput(missing.flags, missing.why, missing.hint);
      // Scopes are alternatives (Talkover's agent or campaign): which one is asked first when there are several.
      let wanted = first;
      if (resolved.missingScope.length > 1) {
        const chosen = await askSelect(
          `${descriptor.displayName} webhooks of`,
          resolved.missingScope.map((s) => ({ value: s.name, name: aOrAn(s.name) })),
          this.io,
        );
        wanted = resolved.missingScope.find((s) => s.name === chosen) ?? first;
      }
      scope[wanted.name] = await askInput(
        `${descriptor.displayName} ${wanted.name} (${wanted.valueName})`,
        (v) => settingProblem(descriptor, wanted, v) ?? true,
        undefined,
        this.io,
      );
      await this.offerToRemember(descriptor, wanted, scope[wanted.name] ?? '');
    }
    return scope;
  }

  /**
   * The scope a provider's webhooks belong to, when none is given and there is no terminal to ask on: its
   * flags, why, and every other place it can be given (the provider's declared env variable and profile
   * key), so that a command can name it together with its other missing flags. Undefined when nothing is
   * missing, or when it will be asked for.
   */
  protected async missingScope(descriptor: ProviderDescriptor): Promise<MissingInput | undefined> {
    if (this.canPrompt()) return undefined;
    const resolved = resolveSettings(descriptor, await this.resolveInput(descriptor));
    if (resolved.missingScope.length === 0) return undefined;
    const error = missingScopeError(descriptor, resolved.missingScope);
    return {
      // Alternative scopes (Talkover's agent or campaign) are one entry: `--agent or --campaign`.
      flags: [scopeFlagsText(resolved.missingScope)],
      why: error.message.replace(/^Missing [^:]+: /, '').replace(/\.$/, ''),
      hint: `To keep one, ${resolved.missingScope
        .map((s) => {
          const value = s.valueName.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
          return `set ${envName(descriptor.name, s.name)} or run \`voicehooks config set ${profileKey(descriptor.name, s.name)} ${value}\``;
        })
        .join('; or ')}.`,
    };
  }

  /**
   * After a scope was typed at a prompt: offers to keep it in the profile, so that the next command need not
   * ask. Declining, or a config file that cannot be written, changes nothing else.
   */
  private async offerToRemember(
    descriptor: ProviderDescriptor,
    spec: SettingSpec,
    value: string,
  ): Promise<void> {
    const key = profileKey(descriptor.name, spec.name);
    const remember = await askConfirm(
      `Remember this ${spec.name} for ${descriptor.displayName} in profile "${this.profileName}" (${key})?`,
      true,
      this.io,
    );
    if (!remember) return;
    try {
      const [store, { setSetting }] = await Promise.all([this.store(), import('./settings.ts')]);
      store.updateProfile(this.profileName, (profile) => setSetting(profile, key, value));
      this.notice(
        `Set ${key} in profile "${this.profileName}"; \`voicehooks config unset ${key}\` forgets it.`,
      );
    } catch (error) {
      this.notice(`Warning: the ${spec.name} was not remembered (${(error as Error).message}).`);
    }
  }

  /** Signing secrets a provider shows only once (PolyAI), kept in the config file (src/issued-secrets.ts). */
  protected get issuedSecrets(): IssuedSecrets {
    return new IssuedSecrets(
      () => this.store(),
      this.profileName,
      (text) => this.notice(text),
    );
  }

  /**
   * The secrets to sign or check with: `--secret` (each checked against the scheme's form), else those of
   * `--webhook ID`: read from the provider where it shows them, else the one kept in the local secret store.
   * None when neither is given. Without a provider (`--scheme`), only `--secret` can give them.
   */
  protected async secretsFor(
    descriptor: ProviderDescriptor | undefined,
    scheme: SignatureScheme,
    given: readonly string[] | undefined,
    webhook: string | undefined,
  ): Promise<string[]> {
    if (given) {
      for (const secret of given) {
        const problem = scheme.secretProblem(secret);
        if (problem) throw new UsageError(`--secret ${problem}`);
      }
      return [...given];
    }
    if (webhook === undefined) return [];
    if (descriptor === undefined) {
      throw new UsageError('--webhook needs a provider (-p): with --scheme, pass the secret with --secret.');
    }
    const id = checkId(webhook, descriptor);
    if (!descriptor.capabilities.secretsReadable) {
      const kept = (await this.store()).webhookSecret(this.profileName, descriptor.name, id);
      if (kept === undefined) {
        throw new UsageError(
          `No signing secret is kept for ${descriptor.displayName} webhook ${id}, and ${descriptor.displayName} shows it only once.`,
          {
            hint: `Pass it with --secret, or get a new one with \`voicehooks rotate-secret ${id} -p ${descriptor.name}\`.`,
          },
        );
      }
      return [kept];
    }
    const { adapter } = await this.connect(descriptor);
    const found = (await adapter.get(id)).secrets;
    if (found.length === 0)
      throw new UsageError(`${descriptor.displayName} webhook ${id} has no signing secret; pass --secret.`);
    return found;
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
    const enabled = this.io.stderr.isTTY && !this.jsonEnabled() && !this.io.env.CI;
    return withProgress(label, work, { enabled, stream: this.io.stderr.stream });
  }

  /** A warning or next step on stderr: never on stdout, which carries data only. */
  protected notice(text: string): void {
    // Notices quote files and providers (warnings, names): shown safely like every other output.
    this.io.stderr.write(`${safeLines(text)}\n`);
  }

  protected canPrompt(): boolean {
    return canPrompt({ noInput: this.flags['no-input'], json: this.jsonEnabled() }, this.io);
  }

  protected debugEnabled(): boolean {
    return Boolean(this.flags?.debug);
  }

  protected colorEnabled(): boolean {
    return this.io.color && !this.flags['no-color'];
  }

  protected fieldList(): string[] | undefined {
    const fields = (this.flags as { fields?: string } | undefined)?.fields;
    return fields
      ?.split(',')
      .map((f) => f.trim())
      .filter(Boolean);
  }
}

export { keyEnvNames };

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

/** Alternative scope flags in words: `--agent or --campaign`. */
function scopeFlagsText(specs: readonly { flag: string }[]): string {
  return specs.map((s) => `--${s.flag}`).join(' or ');
}

export { ExitCode };
