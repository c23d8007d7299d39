/**
 * Questions at a terminal, with @inquirer/prompts. Every function here is behind the terminal guard: when
 * prompting is not allowed, the caller gets a UsageError naming the flags it needs instead. Prompts write to
 * stderr so that stdout carries data only.
 */
import { CancelledError, UsageError } from './errors.ts';
import { processIO, type IO } from './io.ts';

export interface PromptGuard {
  noInput?: boolean;
  json?: boolean;
}

/** Prompts only when stdin and stdout are terminals, neither --no-input nor --json is given and CI is unset. */
export function canPrompt(guard: PromptGuard, io: IO = processIO()): boolean {
  return Boolean(io.stdin.isTTY && io.stdout.isTTY && !guard.noInput && !guard.json && !io.env.CI);
}

/** The error for input that is missing with no way to ask for it. */
export function missingInput(flags: string[], why = 'no terminal to ask on'): UsageError {
  return new UsageError(`Missing ${flags.join(', ')} (${why}).`, {
    hint: `Pass ${flags.join(' and ')}, or run in a terminal to be asked.`,
  });
}

type Inquirer = typeof import('@inquirer/prompts');
/** Where a prompt reads and draws: the command's stdin and stderr. */
const contextOf = (io: IO) => ({ input: io.stdin, output: io.stderr.stream, clearPromptOnDone: false });

/** Runs a prompt; Ctrl-C becomes a CancelledError (exit 130) with nothing half-done. */
async function ask<T>(question: (inquirer: Inquirer) => Promise<T>): Promise<T> {
  const inquirer = await import('@inquirer/prompts');
  try {
    return await question(inquirer);
  } catch (error) {
    if (error instanceof Error && (error.name === 'ExitPromptError' || error.name === 'AbortPromptError')) {
      throw new CancelledError();
    }
    throw error;
  }
}

export interface Choice<T extends string> {
  value: T;
  name?: string;
  description?: string;
}

export function askSelect<T extends string>(
  message: string,
  choices: Choice<T>[],
  io: IO = processIO(),
): Promise<T> {
  return ask((q) => q.select<T>({ message, choices }, contextOf(io)));
}

export function askCheckbox<T extends string>(
  message: string,
  choices: Choice<T>[],
  io: IO = processIO(),
): Promise<T[]> {
  return ask((q) =>
    q.checkbox<T>(
      { message, choices, required: true, validate: (c) => (c.length > 0 ? true : 'Pick at least one.') },
      contextOf(io),
    ),
  );
}

export function askInput(
  message: string,
  validate?: (value: string) => string | true,
  defaultValue?: string,
  io: IO = processIO(),
): Promise<string> {
  return ask((q) => q.input({ message, validate, default: defaultValue }, contextOf(io)));
}

export function askSecret(message: string, io: IO = processIO()): Promise<string> {
  return ask((q) =>
    q.password(
      { message, mask: '*', validate: (v) => (v.trim() ? true : 'It cannot be empty.') },
      contextOf(io),
    ),
  );
}

export function askConfirm(message: string, defaultValue = false, io: IO = processIO()): Promise<boolean> {
  return ask((q) => q.confirm({ message, default: defaultValue }, contextOf(io)));
}
