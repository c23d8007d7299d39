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

/** `a`, `a and b`, `a, b and c`: an entry may itself hold `or` (`--agent or --campaign`). */
function listed(items: readonly string[]): string {
  return items.length < 2 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/** The error for input that is missing with no way to ask for it. */
export function missingInput(flags: string[], why = 'no terminal to ask on', more?: string): UsageError {
  return new UsageError(`Missing ${flags.join(', ')} (${why}).`, {
    hint: `Pass ${listed(flags)}, or run in a terminal to be asked.${more ? ` ${more}` : ''}`,
  });
}

/**
 * Input a command lacks beyond its own flags (a provider's scope), listed with them in one error: the flags,
 * why they are needed, and where else each can be given.
 */
export interface MissingInput {
  flags: string[];
  why: string;
  hint: string;
}

type Inquirer = typeof import('@inquirer/prompts');
/** Where a prompt reads and draws (the command's stdin and stderr), and what aborts it. */
interface Context {
  input: IO['stdin'];
  output: IO['stderr']['stream'];
  clearPromptOnDone: boolean;
  signal: AbortSignal;
}

/** Ctrl-D (EOT) as a raw-mode terminal sends it: the end of input. */
const END_OF_INPUT = 0x04;

/**
 * Runs a prompt; Ctrl-C and Ctrl-D become a CancelledError (exit 130) with nothing half-done. Ctrl-D closes
 * inquirer's line reader without settling its prompt, which would leave the command hanging on a promise that
 * never settles (Node then exits 13 with a warning); it is watched for here and aborts the prompt instead.
 */
async function ask<T>(io: IO, question: (inquirer: Inquirer, context: Context) => Promise<T>): Promise<T> {
  const inquirer = await import('@inquirer/prompts');
  const controller = new AbortController();
  const onData = (chunk: Buffer | string) => {
    if (Buffer.from(chunk).includes(END_OF_INPUT)) controller.abort();
  };
  io.stdin.on('data', onData);
  const context: Context = {
    input: io.stdin,
    output: io.stderr.stream,
    clearPromptOnDone: false,
    signal: controller.signal,
  };
  try {
    return await question(inquirer, context);
  } catch (error) {
    if (error instanceof Error && (error.name === 'ExitPromptError' || error.name === 'AbortPromptError')) {
      throw new CancelledError();
    }
    throw error;
  } finally {
    io.stdin.off('data', onData);
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
  return ask(io, (q, context) => q.select<T>({ message, choices }, context));
}

export function askCheckbox<T extends string>(
  message: string,
  choices: Choice<T>[],
  io: IO = processIO(),
): Promise<T[]> {
  return ask(io, (q, context) =>
    q.checkbox<T>(
      { message, choices, required: true, validate: (c) => (c.length > 0 ? true : 'Pick at least one.') },
      context,
    ),
  );
}

export function askInput(
  message: string,
  validate?: (value: string) => string | true,
  defaultValue?: string,
  io: IO = processIO(),
): Promise<string> {
  return ask(io, (q, context) => q.input({ message, validate, default: defaultValue }, context));
}

export function askSecret(message: string, io: IO = processIO()): Promise<string> {
  return ask(io, (q, context) =>
    q.password({ message, mask: '*', validate: (v) => (v.trim() ? true : 'It cannot be empty.') }, context),
  );
}

export function askConfirm(message: string, defaultValue = false, io: IO = processIO()): Promise<boolean> {
  return ask(io, (q, context) => q.confirm({ message, default: defaultValue }, context));
}
