/**
 * The settings `config get|set|unset|list` manage, where each lives in a profile, and the check of each
 * value (so a typo is refused at `config set`, not found at the next request). Besides the default provider,
 * they come from the registry: each provider's declared settings (`polyai.region`, `talkover.agent`) and its
 * base URL (`<provider>.base-url`).
 */
import { UsageError } from './errors.ts';
import { PROVIDER_NAMES, availableProviders, declaredSettings, getProvider } from './providers/index.ts';
import type { ProviderName, SettingSpec } from './providers/types.ts';
import { profileKey, profileSetting, settingProblem } from './resolve.ts';
import type { Profile } from './config.ts';

type Entry =
  | { kind: 'provider' }
  | { kind: 'setting'; provider: ProviderName; spec: SettingSpec }
  | { kind: 'base-url'; provider: ProviderName };

const ENTRIES = new Map<string, { description: string; entry: Entry }>([
  ['provider', { description: 'default provider when -p is not given', entry: { kind: 'provider' } }],
  ...declaredSettings()
    .filter((d) => d.setting.role !== 'filter')
    .map(
      ({ provider, setting }) =>
        [
          profileKey(provider.name, setting.name),
          {
            description: setting.summary,
            entry: { kind: 'setting', provider: provider.name, spec: setting } as Entry,
          },
        ] as const,
    ),
  ...availableProviders().map(
    (p) =>
      [
        profileKey(p.name, 'base-url'),
        {
          description: `${p.displayName} API base URL`,
          entry: { kind: 'base-url', provider: p.name } as Entry,
        },
      ] as const,
  ),
]);

/** The keys of before settings were per provider (`region`, `agent`), each the setting it now is. */
const LEGACY = new Map(
  declaredSettings().flatMap(({ provider, setting }) =>
    setting.legacyKey === undefined
      ? []
      : [[setting.legacyKey, profileKey(provider.name, setting.name)] as const],
  ),
);

/** Every setting with its description, in the order `config list` shows them. */
export const SETTINGS: Readonly<Record<string, string>> = Object.fromEntries(
  [...ENTRIES].map(([key, { description }]) => [key, description]),
);
export type SettingName = string;

/** The keys `config get|set|unset` accept: the settings, and the old global keys as other names for them. */
export const SETTING_KEYS: readonly string[] = [...ENTRIES.keys(), ...LEGACY.keys()];

/** The setting a key names (an old global key names its provider's setting). */
export function canonicalKey(key: string): string {
  return LEGACY.get(key) ?? key;
}

function entryOf(key: string): Entry {
  const found = ENTRIES.get(canonicalKey(key));
  if (!found)
    throw new UsageError(`Unknown setting "${key}".`, {
      hint: `Settings: ${[...ENTRIES.keys()].join(', ')}.`,
    });
  return found.entry;
}

export function getSetting(profile: Profile, key: SettingName): string | undefined {
  const entry = entryOf(key);
  if (entry.kind === 'provider') return profile.provider;
  if (entry.kind === 'base-url') return profile.baseUrls?.[entry.provider];
  return profileSetting(profile, entry.provider, entry.spec);
}

/** Sets (or, with `undefined`, removes) a setting, checking the value first. */
export function setSetting(profile: Profile, key: SettingName, value: string | undefined): void {
  const entry = entryOf(key);
  const name = canonicalKey(key);
  if (entry.kind === 'provider') {
    if (value === undefined) {
      delete profile.provider;
      return;
    }
    if (!PROVIDER_NAMES.includes(value)) {
      throw new UsageError(`provider must be one of ${PROVIDER_NAMES.join(', ')}, got "${value}".`);
    }
    profile.provider = value;
    return;
  }
  if (entry.kind === 'base-url') {
    if (value !== undefined) checkUrlSetting(name, value);
    const baseUrls = { ...profile.baseUrls };
    if (value === undefined) delete baseUrls[entry.provider];
    else baseUrls[entry.provider] = value;
    profile.baseUrls = baseUrls;
    return;
  }
  if (value !== undefined) {
    const problem = settingProblem(getProvider(entry.provider), entry.spec, value);
    if (problem !== undefined) throw new UsageError(`${name} ${problem}`);
  }
  const settings = { ...profile.settings };
  const own = { ...settings[entry.provider] };
  if (value === undefined) delete own[entry.spec.name];
  else own[entry.spec.name] = value;
  settings[entry.provider] = own;
  profile.settings = settings;
}

function checkUrlSetting(key: string, value: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${key} must be an absolute URL, got "${value}".`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new UsageError(`${key} must be http or https.`);
}
