/**
 * The settings `config get|set|unset|list` manage, where each lives in a profile, and the check of each
 * value (so a typo is refused at `config set`, not found at the next request).
 */
import { UsageError } from './errors.ts';
import { isUuid } from './input.ts';
import { getProvider } from './providers/index.ts';
import { PROVIDER_NAMES, type ProviderName } from './providers/types.ts';
import type { Profile } from './config.ts';

export const SETTINGS = {
  provider: 'default provider when -p is not given',
  region: 'PolyAI region: us, uk or eu',
  agent: 'Talkover agent UUID',
  'ultravox.base-url': 'Ultravox API base URL',
  'talkover.base-url': 'Talkover API base URL',
  'polyai.base-url': 'PolyAI API base URL',
  'daily.base-url': 'Daily API base URL',
  'elevenlabs.base-url': 'ElevenLabs API base URL',
  'elevenlabs.region': 'ElevenLabs residency region: us, eu, in or sg (default host otherwise)',
} as const;
export type SettingName = keyof typeof SETTINGS;

/** `<provider>.region`: the region of a provider other than PolyAI (whose setting is plain `region`). */
function regionProvider(key: SettingName): ProviderName | undefined {
  const match = /^(\w+)\.region$/.exec(key);
  return match ? (match[1] as ProviderName) : undefined;
}

function baseUrlProvider(key: SettingName): ProviderName | undefined {
  const match = /^(\w+)\.base-url$/.exec(key);
  return match ? (match[1] as ProviderName) : undefined;
}

export function getSetting(profile: Profile, key: SettingName): string | undefined {
  const provider = baseUrlProvider(key);
  if (provider) return profile.baseUrls?.[provider];
  const regional = regionProvider(key);
  if (regional) return profile.regions?.[regional];
  if (key === 'provider' || key === 'region' || key === 'agent') return profile[key];
  return undefined;
}

/** Sets (or, with `undefined`, removes) a setting, checking the value first. */
export function setSetting(profile: Profile, key: SettingName, value: string | undefined): void {
  const provider = baseUrlProvider(key);
  if (provider) {
    if (value !== undefined) checkUrlSetting(key, value);
    const baseUrls = { ...profile.baseUrls };
    if (value === undefined) delete baseUrls[provider];
    else baseUrls[provider] = value;
    profile.baseUrls = baseUrls;
    return;
  }
  const regional = regionProvider(key);
  if (regional) {
    const allowed = getProvider(regional).regions ?? [];
    if (value !== undefined && !allowed.includes(value)) {
      throw new UsageError(`${key} must be ${allowed.join(', ')}, got "${value}".`);
    }
    const regions = { ...profile.regions };
    if (value === undefined) delete regions[regional];
    else regions[regional] = value;
    profile.regions = regions;
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
