/**
 * The settings `config get|set|unset|list` manage, where each lives in a profile, and the check of each
 * value (so a typo is refused at `config set`, not found at the next request).
 */
import { UsageError } from './errors.ts';
import { isUuid } from './input.ts';
import { availableProviders } from './providers/index.ts';
import { PROVIDER_NAMES, type AccountSetting, type ProviderName } from './providers/types.ts';
import type { Profile } from './config.ts';

/** The account settings providers declare (`openai.organization`), as `<provider>.<name>` keys. */
const ACCOUNT_SETTINGS = new Map<string, { provider: ProviderName; setting: AccountSetting }>(
  availableProviders().flatMap((p) =>
    (p.accountSettings ?? []).map((s) => [`${p.name}.${s.name}`, { provider: p.name, setting: s }] as const),
  ),
);

export const SETTINGS: Readonly<Record<string, string>> = {
  provider: 'default provider when -p is not given',
  region: 'PolyAI region: us, uk or eu',
  agent: 'Talkover agent UUID',
  'ultravox.base-url': 'Ultravox API base URL',
  'talkover.base-url': 'Talkover API base URL',
  'polyai.base-url': 'PolyAI API base URL',
  'daily.base-url': 'Daily API base URL',
  'openai.base-url': 'OpenAI API base URL',
  ...Object.fromEntries([...ACCOUNT_SETTINGS].map(([key, { setting }]) => [key, setting.summary])),
};
export type SettingName = string;

function baseUrlProvider(key: SettingName): ProviderName | undefined {
  const match = /^(\w+)\.base-url$/.exec(key);
  return match ? (match[1] as ProviderName) : undefined;
}

export function getSetting(profile: Profile, key: SettingName): string | undefined {
  const declared = ACCOUNT_SETTINGS.get(key);
  if (declared) return profile.settings?.[declared.provider]?.[declared.setting.name];
  const provider = baseUrlProvider(key);
  if (provider) return profile.baseUrls?.[provider];
  if (key === 'provider' || key === 'region' || key === 'agent') return profile[key];
  return undefined;
}

/** Sets (or, with `undefined`, removes) a setting, checking the value first. */
export function setSetting(profile: Profile, key: SettingName, value: string | undefined): void {
  const declared = ACCOUNT_SETTINGS.get(key);
  if (declared) {
    if (value !== undefined && value.trim() === '') throw new UsageError(`${key} cannot be empty.`);
    const settings = { ...profile.settings };
    const own = { ...settings[declared.provider] };
    if (value === undefined) delete own[declared.setting.name];
    else own[declared.setting.name] = value;
    settings[declared.provider] = own;
    profile.settings = settings;
    return;
  }
  const provider = baseUrlProvider(key);
  if (provider) {
    if (value !== undefined) checkUrlSetting(key, value);
    const baseUrls = { ...profile.baseUrls };
    if (value === undefined) delete baseUrls[provider];
    else baseUrls[provider] = value;
    profile.baseUrls = baseUrls;
    return;
  }
  if (value === undefined) {
    delete profile[key as 'provider' | 'region' | 'agent'];
    return;
  }
  if (key === 'provider') {
    if (!(PROVIDER_NAMES as readonly string[]).includes(value)) {
      throw new UsageError(`provider must be one of ${PROVIDER_NAMES.join(', ')}, got "${value}".`);
    }
    profile.provider = value as ProviderName;
  } else if (key === 'region') {
    if (value !== 'us' && value !== 'uk' && value !== 'eu')
      throw new UsageError(`region must be us, uk or eu, got "${value}".`);
    profile.region = value;
  } else if (key === 'agent') {
    if (!isUuid(value)) throw new UsageError(`agent must be a UUID, got "${value}".`);
    profile.agent = value;
  }
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
