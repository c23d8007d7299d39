/**
 * The flags commands share: those of every command, those of every API command, and the flags of the settings
 * providers declare (derived from the registry, so a new provider's setting gets its flag without a change here).
 */
import { Flags } from '@oclif/core';
import { PROVIDER_NAMES, declaredSettings } from './providers/index.ts';

/** The help group of the flags every command or every API command has. */
const GLOBAL = 'GLOBAL';

/**
 * The flags of the account settings providers declare (`--region`), on every API command. A flag several
 * providers declare takes each one's values; its help says what it is for each.
 */
export const accountFlags = settingFlags(['account'], GLOBAL);

/** Flags of commands that talk to a provider's API (contract §Flags every API command has). */
export const apiFlags = {
  fields: Flags.string({
    summary: 'Comma-separated fields to show: table columns, or keys of JSON objects.',
    helpGroup: GLOBAL,
  }),
  timeout: Flags.integer({
    summary: 'Seconds to wait for each request.',
    default: 30,
    min: 1,
    // Timers hold at most 2^31-1 ms (24.8 days); a day is far beyond any request and well within.
    max: 86_400,
    helpGroup: GLOBAL,
  }),
  'max-wait': Flags.integer({
    summary: 'Longest Retry-After, in seconds, to wait for before giving up.',
    default: 60,
    min: 0,
    max: 86_400,
    helpGroup: GLOBAL,
  }),
  'show-secrets': Flags.boolean({
    summary: 'Show signing secrets whole instead of masked.',
    helpGroup: GLOBAL,
  }),
  'base-url': Flags.string({ summary: "Override the provider's API base URL.", helpGroup: GLOBAL }),
  ...accountFlags,
};

/**
 * The flags of the scopes and filters providers declare (`--agent`), on commands that address webhooks. A flag
 * several providers declare takes each one's values; its help says what it is for each.
 */
export const scopeFlags = settingFlags(['scope', 'filter']);

/** The scope flags, each repeatable (`export --agent A --campaign C --campaign D`): one scope per value. */
export const repeatableScopeFlags = settingFlags(['scope'], undefined, true);

/** One string flag per declared setting flag, merged over the providers that declare it. */
function settingFlags(roles: readonly string[], helpGroup?: string, multiple = false) {
  const byFlag = new Map<string, ReturnType<typeof declaredSettings>>();
  for (const declared of declaredSettings()) {
    if (!roles.includes(declared.setting.role)) continue;
    byFlag.set(declared.setting.flag, [...(byFlag.get(declared.setting.flag) ?? []), declared]);
  }
  return Object.fromEntries(
    [...byFlag].map(([flag, owners]) => {
      const options = owners.every((o) => o.setting.options)
        ? [...new Set(owners.flatMap((o) => o.setting.options ?? []))]
        : undefined;
      const summary = `${owners.map((o) => o.setting.summary).join('; ')}${multiple ? '; repeatable' : ''}.`;
      const common = { summary, ...(options ? { options } : {}), ...(helpGroup ? { helpGroup } : {}) };
      return [flag, multiple ? Flags.string({ ...common, multiple: true }) : Flags.string(common)];
    }),
  );
}

/** `--replace`: for providers whose events go to one webhook at a time (`capabilities.exclusiveEvents`). */
export const replaceFlag = Flags.boolean({
  summary: 'Take events that only one webhook can have at a time from the webhook that has them.',
});

/** `--recreate`: for what a provider cannot change in place (`fixedFields`, a secret it cannot rotate). */
export const recreateFlag = Flags.boolean({
  summary: 'Make the webhook anew (new id and secret), move what points at it, delete the old one.',
});

/** `--no-save-secret` on commands that receive a new signing secret (`create`, `rotate-secret`). */
export const saveSecretFlag = Flags.boolean({
  summary: "Keep a secret the provider shows only once (PolyAI) in the config file's secret store.",
  description: '--no-save-secret prints it and keeps it nowhere.',
  allowNo: true,
  default: true,
});

/** The flags of every command. */
export const baseFlags = {
  provider: Flags.string({
    char: 'p',
    summary: 'Provider (else VOICEHOOKS_PROVIDER, else the profile).',
    options: [...PROVIDER_NAMES],
    helpGroup: GLOBAL,
  }),
  profile: Flags.string({
    summary: 'Config profile (else VOICEHOOKS_PROFILE, else "default").',
    helpGroup: GLOBAL,
  }),
  'no-input': Flags.boolean({ summary: 'Never prompt; missing input exits 2.', helpGroup: GLOBAL }),
  'no-color': Flags.boolean({ summary: 'No colour (also NO_COLOR).', helpGroup: GLOBAL }),
  debug: Flags.boolean({ summary: 'Trace HTTP on stderr, credentials redacted.', helpGroup: GLOBAL }),
  jq: Flags.string({
    summary: 'Filter the JSON output with a jq expression (implies --json).',
    helpGroup: GLOBAL,
  }),
};
