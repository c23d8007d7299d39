/**
 * A mistyped command gets the contract's error (exit 2, JSON on stderr with --json) and a did-you-mean,
 * instead of oclif's default message.
 */
import type { Hook } from '@oclif/core';
import { UsageError, formatError } from '../errors.ts';
import { closest } from '../input.ts';

/** Names people type for a command that has another name here (gh and stripe say `completion`). */
const SYNONYMS: Record<string, string> = {
  completion: 'autocomplete',
  completions: 'autocomplete',
  rotate: 'rotate-secret',
  ls: 'list',
  rm: 'delete',
  remove: 'delete',
  show: 'get',
  edit: 'update',
  new: 'create',
  add: 'create',
};

const hook: Hook.CommandNotFound = async function (options) {
  const commands = options.config.commandIDs
    .filter((id) => !options.config.findCommand(id)?.hidden)
    .map((id) => id.replaceAll(':', ' '));
  const typed = options.id.replaceAll(':', ' ');
  const [first = '', ...rest] = typed.split(' ');
  const synonym = SYNONYMS[first.toLowerCase()];
  const guess =
    (synonym ? [synonym, ...rest].join(' ') : undefined) ??
    // A command named by its start (`rotate` for `rotate-secret`).
    commands.find((c) => c.startsWith(`${typed}-`)) ??
    closest(typed, commands);
  const error = new UsageError(`"${typed}" is not a voicehooks command.`, {
    hint: guess
      ? `Did you mean \`voicehooks ${guess}\`? See \`voicehooks --help\`.`
      : 'See `voicehooks --help` for the commands.',
  });
  process.exitCode = error.exitCode;
  process.stderr.write(formatError(error, { json: (options.argv ?? []).includes('--json') }));
};

export default hook;
