/**
 * The hint a usage error ends with. Errors of our own carry theirs; oclif's parse errors (a mistyped flag, a
 * value outside a flag's options) get the nearest flag or value, and any other usage error the command's help.
 * Apart from src/errors.ts because it needs the spelling distance of src/input.ts, which imports errors.ts.
 */
import { UsageError, type CliError } from './errors.ts';
import { closest } from './input.ts';

/**
 * `cli` (converted from `error`) with the hint it should end with. `flagNames` are the command's flags,
 * `commandId` its oclif id (`auth:login`).
 */
export function withUsageHint(
  error: Error,
  cli: CliError,
  flagNames: readonly string[],
  commandId: string | undefined,
): CliError {
  let result = cli;
  if (result.kind === 'usage' && !(error instanceof UsageError)) {
    const guess = didYouMean(error, result.message, flagNames);
    if (guess) result = new UsageError(result.message, { hint: guess });
  }
  if (result.kind === 'usage' && !result.hint) {
    // Every error says what to do next; for a usage error without a better hint, that is the command's help.
    const command = `voicehooks ${(commandId ?? '').replaceAll(':', ' ')}`.trim();
    result = new UsageError(result.message, {
      hint: `See \`${command} --help\`.`,
      provider: result.provider,
    });
  }
  return result;
}

/** For a mistyped flag, or a value outside a flag's options, the nearest one that exists. */
export function didYouMean(error: Error, message: string, flagNames: readonly string[]): string | undefined {
  const unknown = (error as { flags?: unknown }).flags;
  if (Array.isArray(unknown)) {
    const guesses = unknown.flatMap((typed) => {
      const name = String(typed).replace(/^-+/, '').split('=')[0] ?? '';
      const guess = closest(name, flagNames);
      return guess ? [`--${guess}`] : [];
    });
    if (guesses.length > 0) return `Did you mean ${guesses.join(', ')}? See --help for the flags.`;
  }
  const option = /Expected --(\S+?)=(.*) to be one of: (.*)$/.exec(message);
  if (option) {
    const guess = closest(option[2] ?? '', (option[3] ?? '').split(', '));
    if (guess) return `Did you mean --${option[1]} ${guess}?`;
  }
  return undefined;
}
