/**
 * What shell completion offers for a command line being typed: command names, flag names, and the values of
 * flags that have a known set: `--provider`, `--event` (from the catalog of the provider the line names),
 * `--profile` (from the config file) and any flag with fixed options. Pure: the command line, the commands'
 * flags and a way to read profiles in; candidates out.
 */
import { PROVIDER_NAMES } from '../providers/index.ts';
import type { ProviderName } from '../providers/types.ts';

/** A command as completion needs it (oclif's manifest entry has these). */
export interface CompletableCommand {
  id: string;
  hidden?: boolean;
  flags: Record<
    string,
    {
      type: 'boolean' | 'option';
      char?: string;
      options?: readonly string[];
      allowNo?: boolean;
      hidden?: boolean;
    }
  >;
}

export interface CompletionContext {
  commands: CompletableCommand[];
  /** The events of a provider's catalog. */
  events(provider: ProviderName): string[];
  /** The profiles in the config file. */
  profiles(): string[];
  /** The provider when the line names none: VOICEHOOKS_PROVIDER, then the profile's. */
  defaultProvider(): string | undefined;
}

const EVENT_FLAGS = new Set(['event', 'add-event', 'remove-event']);

/**
 * `words` are the words after `voicehooks`, the last being the one under the cursor (empty when the cursor
 * follows a space). Bash splits `--event=ca` into `--event`, `=`, `ca`; both forms are understood.
 */
export function candidates(words: string[], context: CompletionContext): string[] {
  const current = words.at(-1) ?? '';
  const before = words.slice(0, -1);
  const visible = context.commands.filter((c) => !c.hidden);
  // The command: the longest run of leading words that names one.
  const leading: string[] = [];
  for (const word of before) {
    if (word.startsWith('-')) break;
    leading.push(word);
  }
  let command: CompletableCommand | undefined;
  for (let n = leading.length; n > 0 && !command; n--) {
    command = visible.find((c) => c.id === leading.slice(0, n).join(':'));
  }
  if (!command) {
    // Still choosing the command: the next word of every command that starts with the words so far.
    const prefix = leading.join(':');
    const next = visible
      .filter((c) => prefix === '' || c.id.startsWith(`${prefix}:`))
      .map((c) => c.id.split(':')[leading.length] ?? '')
      .filter((w) => w && w.startsWith(current));
    return [...new Set(next)].sort();
  }
  const flagOf = (word: string): string | undefined => {
    if (word.startsWith('--')) return word.slice(2).split('=')[0];
    if (/^-[a-zA-Z]$/.test(word)) {
      return Object.entries(command.flags).find(([, f]) => f.char === word.slice(1))?.[0];
    }
    return undefined;
  };
  const valuesOf = (name: string): string[] | undefined => {
    const flag = command.flags[name];
    if (flag?.type !== 'option') return undefined;
    if (name === 'provider') return [...PROVIDER_NAMES];
    if (name === 'profile') return context.profiles();
    if (EVENT_FLAGS.has(name)) {
      const provider = providerOf(words, command) ?? context.defaultProvider();
      const providers = PROVIDER_NAMES.filter((p) => provider === undefined || p === provider);
      return [...new Set(providers.flatMap((p) => context.events(p)))];
    }
    return flag.options ? [...flag.options] : undefined;
  };
  // A value: after `--flag`, after `--flag =` (bash), or inside `--flag=`.
  const last = before.at(-1) ?? '';
  const valueFlag =
    last === '='
      ? flagOf(before.at(-2) ?? '')
      : !current.includes('=') && !last.includes('=')
        ? flagOf(last)
        : undefined;
  if (valueFlag && command.flags[valueFlag]?.type === 'option') {
    return (valuesOf(valueFlag) ?? []).filter((v) => v.startsWith(current)).sort();
  }
  if (current.startsWith('--') && current.includes('=')) {
    const [flag = '', typed = ''] = current.slice(2).split(/=(.*)/s);
    return (valuesOf(flag) ?? [])
      .filter((v) => v.startsWith(typed))
      .map((v) => `--${flag}=${v}`)
      .sort();
  }
  if (current.startsWith('-')) {
    const names = Object.entries(command.flags)
      .filter(([, f]) => !f.hidden)
      .flatMap(([name, f]) => [`--${name}`, ...(f.allowNo ? [`--no-${name}`] : [])]);
    return names.filter((n) => n.startsWith(current)).sort();
  }
  return [];
}

/** The provider named on the line (`-p X`, `--provider X`, `--provider=X`), if any. */
function providerOf(words: string[], command: CompletableCommand): string | undefined {
  const char = command.flags.provider?.char;
  for (let i = 0; i < words.length - 1; i++) {
    const word = words[i] ?? '';
    if (word.startsWith('--provider=')) return word.slice('--provider='.length);
    if (word === '--provider' || (char && word === `-${char}`)) {
      const next = words[i + 1] === '=' ? words[i + 2] : words[i + 1];
      if (next && (PROVIDER_NAMES as readonly string[]).includes(next)) return next;
    }
  }
  return undefined;
}

/** The shell functions that ask `voicehooks __complete` for candidates at each Tab. */
export function completionScript(shell: 'bash' | 'zsh', bin: string): string {
  if (shell === 'bash') {
    return [
      `# ${bin} completion for bash: commands, flags and flag values. Add to ~/.bashrc:`,
      `#   eval "$(${bin} __complete --script bash)"`,
      `_${bin}_complete() {`,
      `  local IFS=$'\\n'`,
      `  COMPREPLY=($(${bin} __complete -- "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null))`,
      `}`,
      `complete -o default -F _${bin}_complete ${bin}`,
      '',
    ].join('\n');
  }
  return [
    `# ${bin} completion for zsh: commands, flags and flag values. Add to ~/.zshrc (after compinit):`,
    `#   eval "$(${bin} __complete --script zsh)"`,
    `_${bin}_complete() {`,
    `  local -a found`,
    `  found=(\${(f)"$(${bin} __complete -- "\${(@)words[2,CURRENT]}" 2>/dev/null)"})`,
    `  if (( \${#found} )); then compadd -- "\${found[@]}"; else _files; fi`,
    `}`,
    `compdef _${bin}_complete ${bin}`,
    '',
  ].join('\n');
}
