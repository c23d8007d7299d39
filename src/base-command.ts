/**
 * The base of every command: global flags, the glue around resolution (src/resolve.ts decides provider,
 * settings, API key and base URL; this gathers its inputs and asks on a terminal for what is missing),
 * rendering of whatever `run()` returns, and the one place where an error becomes a message and an exit code.
 * The mechanisms live in modules of their own (JSON and --jq output in src/json-output.ts, asking for a scope in
 * src/scope-prompt.ts, provider, key and connection in src/connection.ts, usage hints in src/usage-hints.ts, kept
 * secrets in src/issued-secrets.ts); this only hands them the command's flags, streams and config.
 */
import { Command, type Interfaces } from '@oclif/core';
import { noteCommand } from './code-cache.ts';
import { ExitCode, FieldError, formatError, toCliError } from './errors.ts';
import { checkFieldNames } from './input.ts';
import { jqDocument, jqExpression, jsonDocument, jsonLine } from './json-output.ts';
import {
  WEBHOOK_FIELDS,
  fieldList,
  maskWebhook,
  safeLines,
  pickFields,
  render,
  webhookRecord,
  webhookTable,
  type View,
} from './output.ts';
import { processIO, type IO } from './io.ts';
import { canPrompt, type MissingInput } from './prompt.ts';
import { withProgress, type Progress } from './progress.ts';
import { getProvider } from './providers/index.ts';
import type { Connection, ProviderAdapter, ProviderDescriptor, Scope, Webhook } from './providers/types.ts';
import {
  flagForField,
  keyEnvNames,
  resolveSettings,
  type ResolveInput,
  type SettingsOptions,
} from './resolve.ts';
import type { ConfigStore, Profile } from './config.ts';
import { IssuedSecrets } from './issued-secrets.ts';
import { missingScope, resolvedScope, type ScopeContext } from './scope-prompt.ts';
import type { SignatureScheme } from './signature-types.ts';
import { withUsageHint } from './usage-hints.ts';
import {
  adapterFor,
  chooseProvider,
  connectionFor,
  findApiKey,
  resolveInputFor,
  type ResolutionContext,
} from './connection.ts';

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
        this.io.stdout.write(
          await jqDocument(pending.json, this.jqExpression() ?? '.', this.io.stdout.isTTY),
        );
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
    else this.io.stdout.write(jsonDocument(json));
  }

  /** One object of a command that prints one JSON object per line (`listen`, `emulator trigger`). */
  protected jsonLine(value: unknown): Promise<string> {
    return jsonLine(value, this.jqExpression(), this.io.stdout.isTTY);
  }

  /** `--jq` implies `--json`; read from argv, since errors before parsing must know it too. */
  public override jsonEnabled(): boolean {
    return super.jsonEnabled() || this.jqExpression() !== undefined;
  }

  /** The `--jq` expression, where given (before any `--`). */
  protected jqExpression(): string | undefined {
    return jqExpression(this.flags as { jq?: string } | undefined, this.argv);
  }

  /** Every error ends here: a message on stderr (JSON with --json), and the contract's exit code. */
  public override async catch(error: Error & { oclif?: { exit?: number } }): Promise<void> {
    // A provider names the field it has a problem with; the user gave a flag.
    const converted = error instanceof FieldError ? error.as(flagForField(error.field)) : toCliError(error);
    const ctor = this.ctor as typeof BaseCommand;
    const flagNames = Object.keys({ ...ctor.baseFlags, ...ctor.flags, json: true });
    const cli = withUsageHint(error, converted, flagNames, this.id);
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
  protected resolveInput(descriptor?: ProviderDescriptor): Promise<ResolveInput> {
    return resolveInputFor(this.context, descriptor);
  }

  /** Provider: -p, else VOICEHOOKS_PROVIDER, else the profile; asked for on a terminal (src/connection.ts). */
  protected provider(): Promise<ProviderDescriptor> {
    return chooseProvider(this.context);
  }

  /** The API key: VOICEHOOKS_<P>_API_KEY, <P>_API_KEY, then the profile. */
  protected apiKey(descriptor: ProviderDescriptor): Promise<{ key: string; source: string } | undefined> {
    return findApiKey(this.context, descriptor);
  }

  /**
   * The provider's settings (its scope for the adapter), from flags, env and profile. A missing scope is left
   * missing here: {@link connect} asks for it, other callers decide.
   */
  protected async scope(descriptor: ProviderDescriptor, options?: SettingsOptions): Promise<Scope> {
    return resolveSettings(descriptor, await this.resolveInput(descriptor), options).values;
  }

  /** Everything needed to reach the provider, checked before any request. */
  protected connection(descriptor: ProviderDescriptor, scope: Scope, key?: string): Promise<Connection> {
    return connectionFor(this.context, descriptor, scope, key, () => this.resolveInput(descriptor), {
      version: this.config.version,
      debug: this.debugEnabled(),
      notice: (line) => this.notice(line),
    });
  }

  /** The provider's adapter, ready to talk. */
  protected async adapter(
    descriptor: ProviderDescriptor,
    scope: Scope,
    key?: string,
  ): Promise<ProviderAdapter> {
    const connection = await this.connection(descriptor, scope, key);
    return adapterFor(descriptor, connection, scope, () => {
      this.usedNetwork = true;
    });
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

  /** A missing scope asked for on a terminal, else a usage error naming its flags (src/scope-prompt.ts). */
  protected resolvedScope(descriptor: ProviderDescriptor): Promise<Scope> {
    return resolvedScope(this.context, descriptor);
  }

  /** The missing scope's flags and why, when there is no terminal to ask on (src/scope-prompt.ts). */
  protected missingScope(descriptor: ProviderDescriptor): Promise<MissingInput | undefined> {
    return missingScope(this.context, descriptor);
  }

  /** What src/connection.ts and src/scope-prompt.ts need of the command, read when they run. */
  private get context(): ResolutionContext & ScopeContext {
    return {
      io: this.io,
      flags: this.flags as unknown as Record<string, unknown>,
      profileName: this.profileName,
      profile: () => this.profile(),
      canPrompt: () => this.canPrompt(),
      resolveInput: (descriptor) => this.resolveInput(descriptor),
      store: () => this.store(),
      notice: (text) => this.notice(text),
    };
  }

  /** Signing secrets a provider shows only once (PolyAI), kept in the config file (src/issued-secrets.ts). */
  protected get issuedSecrets(): IssuedSecrets {
    return new IssuedSecrets(
      () => this.store(),
      this.profileName,
      (text) => this.notice(text),
    );
  }

  /** The secrets to sign or check with: `--secret`, else those of `--webhook ID` (src/issued-secrets.ts). */
  protected secretsFor(
    descriptor: ProviderDescriptor | undefined,
    scheme: SignatureScheme,
    given: readonly string[] | undefined,
    webhook: string | undefined,
  ): Promise<string[]> {
    return this.issuedSecrets.secretsFor(descriptor, scheme, given, webhook, async (provider, id) => {
      const { adapter } = await this.connect(provider);
      return (await adapter.get(id)).secrets;
    });
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
    return fieldList((this.flags as { fields?: string } | undefined)?.fields);
  }
}

export { ExitCode, keyEnvNames };
