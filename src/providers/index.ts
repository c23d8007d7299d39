/**
 * The registry of providers: one line per provider. Commands, `apply`, `listen`, `sign`, the emulator and help
 * read this list and never name a provider. It holds only the light descriptors; each provider's adapter,
 * signature scheme, samples and emulator are imported when first needed (see ./types.ts).
 */
import { UsageError } from '../errors.ts';
import type { ProviderDescriptor, ProviderName, SettingSpec } from './types.ts';
import { daily } from './daily/index.ts';
import { elevenlabs } from './elevenlabs/index.ts';
import { openai } from './openai/index.ts';
import { polyai } from './polyai/index.ts';
import { talkover } from './talkover/index.ts';
import { ultravox } from './ultravox/index.ts';

/** Every provider, in the order help and `providers` list them. A new provider is one more line. */
const PROVIDERS: readonly ProviderDescriptor[] = [ultravox, talkover, polyai, daily, elevenlabs, openai];

/** The providers' names, in registry order (flag options, the config file's schema). */
export const PROVIDER_NAMES: readonly ProviderName[] = PROVIDERS.map((p) => p.name);

/** Providers that are implemented, in registry order. */
export function availableProviders(): readonly ProviderDescriptor[] {
  return PROVIDERS;
}

export function isProviderName(value: string): boolean {
  return PROVIDER_NAMES.includes(value);
}

export function getProvider(name: string): ProviderDescriptor {
  const descriptor = PROVIDERS.find((p) => p.name === name);
  if (!descriptor) {
    throw new UsageError(`Unknown provider "${name}".`, {
      hint: `Choose one of: ${PROVIDER_NAMES.join(', ')}.`,
    });
  }
  return descriptor;
}

/** A setting as one provider declares it. */
export interface DeclaredSetting {
  provider: ProviderDescriptor;
  setting: SettingSpec;
}

/** Every declared setting of every provider, in registry order. */
export function declaredSettings(): DeclaredSetting[] {
  return PROVIDERS.flatMap((provider) => provider.settings.map((setting) => ({ provider, setting })));
}

/** The provider's scope settings: its webhooks belong to one of these (Talkover's agent). */
export function scopeSettings(descriptor: ProviderDescriptor): SettingSpec[] {
  return descriptor.settings.filter((s) => s.role === 'scope');
}

/** Whether the provider's webhooks belong to a scope that must be named (the `agentScoped` of `providers`). */
export function hasScope(descriptor: ProviderDescriptor): boolean {
  return scopeSettings(descriptor).length > 0;
}
