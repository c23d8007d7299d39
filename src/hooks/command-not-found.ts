/**
 * A mistyped command gets the contract's error (exit 2, JSON on stderr with --json) and a did-you-mean,
 * instead of oclif's default message.
 */
import type { Hook } from '@oclif/core';
import { UsageError, formatError } from '../errors.ts';
import { closest } from '../input.ts';

const hook: Hook.CommandNotFound = async function (options) {
  const commands = options.config.commandIDs.map((id) => id.replaceAll(':', ' '));
  const typed = options.id.replaceAll(':', ' ');
  const guess = closest(typed, commands);
  const error = new UsageError(`"${typed}" is not a voicehooks command.`, {
    hint: guess
      ? `Did you mean \`voicehooks ${guess}\`? See \`voicehooks --help\`.`
      : 'See `voicehooks --help` for the commands.',
  });
  process.exitCode = error.exitCode;
  process.stderr.write(formatError(error, { json: (options.argv ?? []).includes('--json') }));
};

export default hook;
