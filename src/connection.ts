/**
 * From what the user gave to a provider ready to talk: which provider (asked for on a terminal), which API key,
 * and the connection an adapter is made with. src/resolve.ts decides each value from flags, env and profile;
 * this gathers them and says what is missing. Apart from BaseCommand so that the base stays glue.
 */
import { ConfigError } from './errors.ts';
import { checkApiKey } from './input.ts';
import type { IO } from './io.ts';
import { safeText } from './output.ts';
import { askSelect, missingInput } from './prompt.ts';
import { availableProviders, getProvider } from './providers/index.ts';
import type { Connection, ProviderAdapter, ProviderDescriptor, Scope } from './providers/types.ts';
import {
  keyEnvNames,
  profileNeeded,
  resolveApiKey,
  resolveBaseUrl,
  resolveProviderName,
  type ResolveInput,
} from './resolve.ts';
import type { Profile } from './config.ts';

/** What resolution needs of the command: its flags, streams, profile, and whether it may ask. */
export interface ResolutionContext {
  readonly io: IO;
  readonly flags: Record<string, unknown>;
  readonly profileName: string;
  /** The profile, opened only when a value may come from it (opening it costs start-up time). */
  profile(): Promise<Profile>;
  canPrompt(): boolean;
}

/** What resolution reads; the profile only when a value may come from it (opening it costs start-up time). */
export async function resolveInputFor(
  ctx: ResolutionContext,
  descriptor?: ProviderDescriptor,
): Promise<ResolveInput> {
  const needed = descriptor === undefined || profileNeeded(descriptor, ctx.flags, ctx.io.env);
  return {
    flags: ctx.flags,
    env: ctx.io.env,
    profile: needed ? await ctx.profile() : {},
    profileName: ctx.profileName,
  };
}

/** Provider: -p, else VOICEHOOKS_PROVIDER, else the profile; asked for on a terminal. */
export async function chooseProvider(ctx: ResolutionContext): Promise<ProviderDescriptor> {
  const fromFlagOrEnv =
    typeof ctx.flags.provider === 'string' || ctx.io.env.VOICEHOOKS_PROVIDER !== undefined;
  const input: ResolveInput = {
    flags: ctx.flags,
    env: ctx.io.env,
    profile: fromFlagOrEnv ? {} : await ctx.profile(),
    profileName: ctx.profileName,
  };
  const name = resolveProviderName(input);
  if (name) return getProvider(name);
  if (!ctx.canPrompt()) throw missingInput(['--provider']);
  const chosen = await askSelect(
    'Provider',
    availableProviders().map((p) => ({ value: p.name, name: p.displayName })),
    ctx.io,
  );
  return getProvider(chosen);
}

/** The API key: VOICEHOOKS_<P>_API_KEY, <P>_API_KEY, then the profile (opened only when env has none). */
export async function findApiKey(
  ctx: ResolutionContext,
  descriptor: ProviderDescriptor,
): Promise<{ key: string; source: string } | undefined> {
  const fromEnv = resolveApiKey(descriptor, { env: ctx.io.env, profile: {}, profileName: ctx.profileName });
  if (fromEnv) return fromEnv;
  return resolveApiKey(descriptor, { env: {}, profile: await ctx.profile(), profileName: ctx.profileName });
}

/** How the connection reports: warnings always, requests only with --debug. */
export interface ConnectionOptions {
  readonly version: string;
  readonly debug: boolean;
  notice(line: string): void;
}

/**
 * Everything needed to reach the provider, checked before any request: `key` given (a login checks it),
 * else the one found; `input` is what resolution reads for the base URL.
 */
export async function connectionFor(
  ctx: ResolutionContext,
  descriptor: ProviderDescriptor,
  scope: Scope,
  key: string | undefined,
  input: () => Promise<ResolveInput>,
  options: ConnectionOptions,
): Promise<Connection> {
  const found = key ? { key: checkApiKey(key, 'the key given') } : await findApiKey(ctx, descriptor);
  if (!found) {
    // Both names it is read from: the provider's own (`<PROVIDER>_API_KEY`) may be set already for its SDK.
    const [primary, secondary] = keyEnvNames(descriptor.name);
    throw new ConfigError(`No API key for ${descriptor.displayName}.`, {
      hint: `Run \`voicehooks auth login -p ${descriptor.name}\`, or set ${primary} (or ${secondary}).`,
      provider: descriptor.name,
    });
  }
  const flags = ctx.flags as { timeout?: number; 'max-wait'?: number };
  return {
    baseUrl: resolveBaseUrl(descriptor, scope, await input()),
    apiKey: found.key,
    timeoutMs: (flags.timeout ?? 30) * 1000,
    maxWaitMs: (flags['max-wait'] ?? 60) * 1000,
    userAgent: `voicehooks/${options.version}`,
    warn: (line) => options.notice(line),
    debug: options.debug ? (line) => ctx.io.stderr.write(`[debug] ${safeText(line)}\n`) : undefined,
  };
}

/**
 * The provider's adapter on a connection, its base URL checked before any request. `opening` is called once
 * the check passed, just before the adapter is made: from then on there may be connections to close.
 */
export async function adapterFor(
  descriptor: ProviderDescriptor,
  connection: Connection,
  scope: Scope,
  opening: () => void,
): Promise<ProviderAdapter> {
  // Loaded together, so that their files are read at once; the check still comes before any request.
  const [{ checkBaseUrl }, factory] = await Promise.all([import('./http.ts'), descriptor.loadAdapter()]);
  checkBaseUrl(connection.baseUrl, descriptor.displayName);
  opening();
  return factory(connection, scope);
}
