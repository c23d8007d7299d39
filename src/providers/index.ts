/**
 * The registry of providers. It holds only the light descriptors; each adapter (and with it the HTTP client)
 * is imported when a command first needs the network.
 */
import { UsageError } from '../errors.ts';
import type { ProviderDescriptor, ProviderName } from './types.ts';
import { PROVIDER_NAMES } from './types.ts';
import { daily } from './daily/index.ts';
import { elevenlabs } from './elevenlabs/index.ts';
import { polyai } from './polyai/index.ts';
import { talkover } from './talkover/index.ts';
import { ultravox } from './ultravox/index.ts';

const REGISTRY: Partial<Record<ProviderName, ProviderDescriptor>> = {
  ultravox,
  talkover,
  polyai,
  daily,
  elevenlabs,
};

/** Providers that are implemented, in the contract's order. */
export function availableProviders(): ProviderDescriptor[] {
  return PROVIDER_NAMES.flatMap((name) => REGISTRY[name] ?? []);
}

export function isProviderName(value: string): value is ProviderName {
  return (PROVIDER_NAMES as readonly string[]).includes(value);
}

export function getProvider(name: string): ProviderDescriptor {
  const descriptor = isProviderName(name) ? REGISTRY[name] : undefined;
  if (!descriptor) {
    const known = availableProviders().map((p) => p.name);
    throw new UsageError(`Unknown provider "${name}".`, { hint: `Choose one of: ${known.join(', ')}.` });
  }
  return descriptor;
}
