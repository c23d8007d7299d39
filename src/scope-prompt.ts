/**
 * Asking for a provider's scope (the agent or campaign its webhooks belong to) when none is given, and offering
 * to remember what was typed. Resolution (src/resolve.ts) only says what is missing; this is the conversation
 * about it, kept out of BaseCommand so that the base stays glue between flags, resolution and output.
 */
import type { ConfigStore } from './config.ts';
import type { IO } from './io.ts';
import { aOrAn } from './input.ts';
import { askConfirm, askInput, askSelect, missingInput, type MissingInput } from './prompt.ts';
import type { ProviderDescriptor, Scope, SettingSpec } from './providers/types.ts';
import {
  envName,
  missingScopeError,
  profileKey,
  resolveSettings,
  settingProblem,
  type ResolveInput,
} from './resolve.ts';

/** What the conversation needs of the command: its streams, whether it may ask, and where to remember. */
export interface ScopeContext {
  readonly io: IO;
  readonly profileName: string;
  canPrompt(): boolean;
  /** What resolution reads for this provider (flags, env, profile). */
  resolveInput(descriptor: ProviderDescriptor): Promise<ResolveInput>;
  store(): Promise<ConfigStore>;
  notice(text: string): void;
}

/**
 * The provider's settings with its scope, before any input is checked (a catalog of events, a field, may
 * belong to one scope only): a missing scope is asked for on a terminal, else a usage error naming the flags.
 */
export async function resolvedScope(ctx: ScopeContext, descriptor: ProviderDescriptor): Promise<Scope> {
  const resolved = resolveSettings(descriptor, await ctx.resolveInput(descriptor));
  const scope: Record<string, string> = { ...resolved.values };
  const [first] = resolved.missingScope;
  if (first !== undefined) {
    const missing = await missingScope(ctx, descriptor);
    if (missing) throw missingInput(missing.flags, missing.why, missing.hint);
    // Scopes are alternatives (Talkover's agent or campaign): which one is asked first when there are several.
    let wanted = first;
    if (resolved.missingScope.length > 1) {
      const chosen = await askSelect(
        `${descriptor.displayName} webhooks of`,
        resolved.missingScope.map((s) => ({ value: s.name, name: aOrAn(s.name) })),
        ctx.io,
      );
      wanted = resolved.missingScope.find((s) => s.name === chosen) ?? first;
    }
    scope[wanted.name] = await askInput(
      `${descriptor.displayName} ${wanted.name} (${wanted.valueName})`,
      (v) => settingProblem(descriptor, wanted, v) ?? true,
      undefined,
      ctx.io,
    );
    await offerToRemember(ctx, descriptor, wanted, scope[wanted.name] ?? '');
  }
  return scope;
}

/**
 * The scope a provider's webhooks belong to, when none is given and there is no terminal to ask on: its
 * flags, why, and every other place it can be given (the provider's declared env variable and profile
 * key), so that a command can name it together with its other missing flags. Undefined when nothing is
 * missing, or when it will be asked for.
 */
export async function missingScope(
  ctx: ScopeContext,
  descriptor: ProviderDescriptor,
): Promise<MissingInput | undefined> {
  if (ctx.canPrompt()) return undefined;
  const resolved = resolveSettings(descriptor, await ctx.resolveInput(descriptor));
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
async function offerToRemember(
  ctx: ScopeContext,
  descriptor: ProviderDescriptor,
  spec: SettingSpec,
  value: string,
): Promise<void> {
  const key = profileKey(descriptor.name, spec.name);
  const remember = await askConfirm(
    `Remember this ${spec.name} for ${descriptor.displayName} in profile "${ctx.profileName}" (${key})?`,
    true,
    ctx.io,
  );
  if (!remember) return;
  try {
    const [store, { setSetting }] = await Promise.all([ctx.store(), import('./settings.ts')]);
    await store.updateProfile(ctx.profileName, (profile) => setSetting(profile, key, value));
    ctx.notice(`Set ${key} in profile "${ctx.profileName}"; \`voicehooks config unset ${key}\` forgets it.`);
  } catch (error) {
    ctx.notice(`Warning: the ${spec.name} was not remembered (${(error as Error).message}).`);
  }
}

/** Alternative scope flags in words: `--agent or --campaign`. */
function scopeFlagsText(specs: readonly { flag: string }[]): string {
  return specs.map((s) => `--${s.flag}`).join(' or ');
}
