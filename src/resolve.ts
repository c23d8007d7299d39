/**
 * Resolution of provider, settings, API key and base URL (contract §Choosing provider, account and endpoint),
 * as pure functions of flags, environment and profile: no I/O, no prompting, so that every rule has a test
 * (test/resolve.test.ts). `BaseCommand` gathers the inputs, calls these and asks on a terminal for what is
 * missing. Settings are resolved from the providers' declarations (`descriptor.settings`): nothing here knows
 * a provider.
 */
import { UsageError } from './errors.ts';
import { FLAG_FOR_FIELD, aOrAn, checkApiKey } from './input.ts';
import { declaredSettings, isProviderName, PROVIDER_NAMES } from './providers/index.ts';
import type { ProviderDescriptor, ProviderName, Scope, SettingSpec } from './providers/types.ts';
import type { Profile } from './config.ts';

/** What resolution reads. `flags` are the parsed flags of the command (absent ones undefined). */
export interface ResolveInput {
  flags: Readonly<Record<string, unknown>>;
  env: Readonly<Record<string, string | undefined>>;
  profile: Profile;
  profileName: string;
}

/** Where a value came from, in the words a message uses for it. */
export interface Source {
  kind: 'flag' | 'env' | 'profile' | 'default';
  /** `--region`, `VOICEHOOKS_POLYAI_REGION`, `polyai.region in profile "default"`, `the default`. */
  name: string;
}

/** The flag a field (or setting) is given with: `secrets` → `--secret`, `region` → `--region`. */
export function flagForField(field: string): string {
  if (Object.hasOwn(FLAG_FOR_FIELD, field)) return FLAG_FOR_FIELD[field as keyof typeof FLAG_FOR_FIELD];
  const setting = declaredSettings().find((d) => d.setting.name === field);
  return setting ? `--${setting.setting.flag}` : field;
}

/** `VOICEHOOKS_<PROVIDER>_<NAME>`: upper case, `-` as `_`. */
export function envName(provider: ProviderName, name: string): string {
  return `VOICEHOOKS_${provider.toUpperCase()}_${name.toUpperCase().replaceAll('-', '_')}`;
}

/** `<provider>.<name>`, the key `config get|set|unset` takes. */
export function profileKey(provider: ProviderName, name: string): string {
  return `${provider}.${name}`;
}

/** The env variables that may hold a provider's key, in the order they are read. */
export function keyEnvNames(provider: ProviderName): string[] {
  return [envName(provider, 'api-key'), `${provider.toUpperCase()}_API_KEY`];
}

/**
 * A setting's value in a profile: its per-provider key, else the global key it had before settings were per
 * provider (`region`, `agent`), which a profile keeps until its first write moves it ({@link migrateProfile}).
 */
export function profileSetting(
  profile: Profile,
  provider: ProviderName,
  spec: SettingSpec,
): string | undefined {
  const own = profile.settings?.[provider]?.[spec.name];
  if (own !== undefined) return own;
  const legacy =
    spec.legacyKey === undefined ? undefined : (profile as Record<string, unknown>)[spec.legacyKey];
  return typeof legacy === 'string' ? legacy : undefined;
}

/** The provider's name: -p, else VOICEHOOKS_PROVIDER, else the profile; undefined when none is given. */
export function resolveProviderName(input: ResolveInput): ProviderName | undefined {
  const fromFlag = input.flags.provider;
  const fromEnv = input.env.VOICEHOOKS_PROVIDER;
  const name = (typeof fromFlag === 'string' ? fromFlag : undefined) ?? fromEnv ?? input.profile.provider;
  if (name === undefined) return undefined;
  if (!isProviderName(name)) {
    throw new UsageError(`Unknown provider "${name}"${fromEnv === name ? ' in VOICEHOOKS_PROVIDER' : ''}.`, {
      hint: `Choose one of: ${PROVIDER_NAMES.join(', ')}.`,
    });
  }
  return name;
}

export interface ResolvedSettings {
  /** Setting values by setting name: the adapter's scope. */
  values: Record<string, string>;
  sources: Record<string, Source>;
  /** The provider's scope settings when none has a value (one is needed): the caller asks or fails. */
  missingScope: SettingSpec[];
}

export interface SettingsOptions {
  /**
   * Refuse a setting flag the provider does not declare (`--region` for a provider without regions). Off for
   * a command over several providers, which checks the flags against all of them itself.
   */
  strict?: boolean;
}

/**
 * The provider's settings: each from its flag, else `VOICEHOOKS_<P>_<NAME>`, else the profile, else its
 * default (a `filter` from its flag only). Scopes are alternatives: one given by flag wins over every scope
 * from env or profile; two at the same level are a usage error. Every value is checked by its declaration,
 * and a problem names where the value came from.
 */
export function resolveSettings(
  descriptor: ProviderDescriptor,
  input: ResolveInput,
  options: SettingsOptions = {},
): ResolvedSettings {
  if (options.strict !== false) refuseForeignFlags(descriptor, input);
  const found: { spec: SettingSpec; value: string; source: Source }[] = [];
  for (const spec of descriptor.settings) {
    const hit = lookup(descriptor, spec, input);
    if (hit) found.push({ spec, ...hit });
  }

  const scopes = found.filter((f) => f.spec.role === 'scope');
  const level = (source: Source) => ['flag', 'env', 'profile'].indexOf(source.kind);
  const best = Math.min(...scopes.map((s) => level(s.source)));
  const kept = scopes.filter((s) => level(s.source) === best);
  if (kept.length > 1) {
    throw new UsageError(`${kept.map((s) => s.source.name).join(' and ')} are alternatives: give one.`, {
      hint: `${descriptor.displayName} webhooks belong to ${kept.map((s) => aOrAn(s.spec.name)).join(' or ')}, not both.`,
    });
  }

  const values: Record<string, string> = {};
  const sources: Record<string, Source> = {};
  for (const { spec, value, source } of found) {
    if (spec.role === 'scope' && !kept.some((k) => k.spec === spec)) continue;
    const problem = settingProblem(descriptor, spec, value);
    if (problem !== undefined) {
      throw new UsageError(`${source.name} ${problem}`, { hint: settingHint(descriptor, spec) });
    }
    values[spec.name] = value;
    sources[spec.name] = source;
  }
  const scopeSpecs = descriptor.settings.filter((s) => s.role === 'scope');
  const missingScope = kept.length === 0 ? scopeSpecs : [];
  return { values, sources, missingScope };
}

/** What is wrong with a value of a setting, in words after its name; undefined when it is fine. */
export function settingProblem(
  descriptor: ProviderDescriptor,
  spec: SettingSpec,
  value: string,
): string | undefined {
  if (spec.options !== undefined && !spec.options.includes(value)) {
    return `must be ${spec.valueName} for ${descriptor.displayName}, got "${value}".`;
  }
  const problem = spec.check?.(value);
  return problem === undefined ? undefined : `${problem}, got "${value}".`;
}

/** Every place a setting can be given, for a hint. */
export function settingHint(descriptor: ProviderDescriptor, spec: SettingSpec): string {
  const value = spec.valueName.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
  if (spec.role === 'filter') return `Pass --${spec.flag} ${value}.`;
  return `Pass --${spec.flag} ${value}, set ${envName(descriptor.name, spec.name)}, or \`voicehooks config set ${profileKey(descriptor.name, spec.name)} ${value}\`.`;
}

/** The usage error for a provider whose webhooks belong to a scope when none was given. */
export function missingScopeError(
  descriptor: ProviderDescriptor,
  missing: readonly SettingSpec[],
): UsageError {
  const flags = missing.map((s) => `--${s.flag}`).join(' or ');
  const what = missing.map((s) => aOrAn(s.name)).join(' or ');
  return new UsageError(`Missing ${flags}: ${descriptor.displayName} webhooks belong to ${what}.`, {
    hint: missing.map((s) => settingHint(descriptor, s)).join(' '),
  });
}

/** Base URL: --base-url, VOICEHOOKS_<P>_BASE_URL, the profile, then the provider's production URL. */
export function resolveBaseUrl(descriptor: ProviderDescriptor, settings: Scope, input: ResolveInput): string {
  const flag = input.flags['base-url'];
  return (
    (typeof flag === 'string' ? flag : undefined) ??
    input.env[envName(descriptor.name, 'base-url')] ??
    input.profile.baseUrls?.[descriptor.name] ??
    descriptor.defaultBaseUrl(settings)
  );
}

/** The API key: VOICEHOOKS_<P>_API_KEY, <P>_API_KEY, then the profile; one that cannot be sent is exit 3. */
export function resolveApiKey(
  descriptor: ProviderDescriptor,
  input: Pick<ResolveInput, 'env' | 'profile' | 'profileName'>,
): { key: string; source: string } | undefined {
  for (const name of keyEnvNames(descriptor.name)) {
    const value = input.env[name];
    if (value) return { key: checkApiKey(value, name, `env ${name}`), source: `env ${name}` };
  }
  const stored = input.profile.keys?.[descriptor.name];
  const source = `profile "${input.profileName}"`;
  return stored ? { key: checkApiKey(stored, `the config file (${source})`, source), source } : undefined;
}

/** The defaults of a provider's settings (what `providers` shows the production URL for). */
export function defaultSettings(descriptor: ProviderDescriptor): Record<string, string> {
  return Object.fromEntries(
    descriptor.settings.flatMap((s) => (s.default === undefined ? [] : [[s.name, s.default]])),
  );
}

/** The providers (display names) that declare a setting flag. */
export function flagOwners(flag: string): ProviderDescriptor[] {
  return [...new Set(declaredSettings().flatMap((d) => (d.setting.flag === flag ? [d.provider] : [])))];
}

function lookup(
  descriptor: ProviderDescriptor,
  spec: SettingSpec,
  input: ResolveInput,
): { value: string; source: Source } | undefined {
  const flag = input.flags[spec.flag];
  if (typeof flag === 'string' && flag !== '')
    return { value: flag, source: { kind: 'flag', name: `--${spec.flag}` } };
  if (spec.role === 'filter') return undefined;
  // VOICEHOOKS_<P>_<NAME> first, then the provider's own variables it declares (OpenAI's OPENAI_ORG_ID).
  for (const env of [envName(descriptor.name, spec.name), ...(spec.env ?? [])]) {
    const fromEnv = input.env[env];
    if (fromEnv !== undefined && fromEnv !== '')
      return { value: fromEnv, source: { kind: 'env', name: env } };
  }
  const stored = profileSetting(input.profile, descriptor.name, spec);
  if (stored !== undefined) {
    const key = profileKey(descriptor.name, spec.name);
    return { value: stored, source: { kind: 'profile', name: `${key} in profile "${input.profileName}"` } };
  }
  if (spec.default !== undefined)
    return { value: spec.default, source: { kind: 'default', name: 'the default' } };
  return undefined;
}

/** A setting flag given for a provider that declares no such setting would be dropped silently: refused. */
function refuseForeignFlags(descriptor: ProviderDescriptor, input: ResolveInput): void {
  const flags = new Set(declaredSettings().map((d) => d.setting.flag));
  for (const flag of flags) {
    const given = input.flags[flag];
    if (given === undefined || given === '' || descriptor.settings.some((s) => s.flag === flag)) continue;
    const owners = flagOwners(flag).map((p) => p.displayName);
    throw new UsageError(
      `--${flag} is for ${owners.join(' and ')} only; ${descriptor.displayName} has no ${flag}s.`,
    );
  }
}

/**
 * Whether resolving the provider's settings and base URL may read the profile: false when flags and env give
 * every value, so that a command run with them never opens the config file (start-up time).
 */
export function profileNeeded(
  descriptor: ProviderDescriptor,
  flags: Readonly<Record<string, unknown>>,
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  const given = (flag: string, variable: string) =>
    (typeof flags[flag] === 'string' && flags[flag] !== '') || (env[variable] ?? '') !== '';
  if (!given('base-url', envName(descriptor.name, 'base-url'))) return true;
  const open = (s: SettingSpec) => !given(s.flag, envName(descriptor.name, s.name));
  // Scopes are alternatives, and one from a flag or env wins over any the profile holds.
  const scopes = descriptor.settings.filter((s) => s.role === 'scope');
  if (scopes.length > 0 && scopes.every(open)) return true;
  return descriptor.settings.some((s) => s.role === 'account' && open(s));
}
