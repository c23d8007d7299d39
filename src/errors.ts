/**
 * The error family and the exit-code table. This is the only module where exit numbers live: everything
 * else throws a {@link CliError} subclass and the base command turns it into a message and a code
 * (see docs/contract.md, §Exit codes).
 */
import { safeJson, safeLines, safeText } from './output.ts';

/** Exit codes of the command-line contract. */
export const ExitCode = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  config: 3,
  auth: 4,
  notFound: 5,
  unsupported: 6,
  rejected: 7,
  testFailed: 8,
  unavailable: 9,
  drift: 10,
  cancelled: 130,
} as const;

export type ExitCodeName = keyof typeof ExitCode;

/** What a user can be told about a failure, beyond its message. */
export interface ErrorDetails {
  /** What to do next, printed on its own line. */
  hint?: string;
  /** The HTTP status the provider answered, where there was one. */
  status?: number;
  /** The provider the failure concerns. */
  provider?: string;
  /** The provider's correlation or request id, shown so support can find the request. */
  requestId?: string;
  /**
   * A webhook this command made before it failed, with the secret the provider showed once: the command keeps
   * the secret (as after a success) so that finishing the work later does not lose it.
   */
  issued?: { id: string; secret: string };
}

/** An error a user can hit. Its `kind` picks the exit code; nothing else does. */
export class CliError extends Error {
  readonly kind: ExitCodeName;
  readonly hint?: string;
  readonly status?: number;
  readonly provider?: string;
  readonly requestId?: string;
  readonly issued?: { id: string; secret: string };

  constructor(kind: ExitCodeName, message: string, details: ErrorDetails = {}) {
    super(message);
    this.name = 'CliError';
    this.kind = kind;
    this.hint = details.hint;
    this.status = details.status;
    this.provider = details.provider;
    this.requestId = details.requestId;
    this.issued = details.issued;
  }

  get exitCode(): number {
    return ExitCode[this.kind];
  }

  /** The contract's JSON error shape: `{"error":{"code","message","status","provider","hint"}}`. */
  toJSON(): { error: Record<string, unknown> } {
    return {
      error: {
        code: snakeCase(this.kind),
        message: this.message,
        status: this.status ?? null,
        provider: this.provider ?? null,
        hint: this.hint ?? null,
        ...(this.requestId ? { requestId: this.requestId } : {}),
      },
    };
  }
}

/** A bad or missing flag or argument, input rejected before sending, or input needed with no terminal. */
export class UsageError extends CliError {
  constructor(message: string, details?: ErrorDetails) {
    super('usage', message, details);
    this.name = 'UsageError';
  }
}

/**
 * A problem with one input field or setting, said the way a provider says it: the subject (`secrets`,
 * `deliveryTimeout`, a setting's name, or a flag where a generic check was given one) and the rest of the
 * sentence. The command layer names the flag (`--secret`), `apply` the file's key (`secret`), via {@link as}.
 */
export class FieldError extends UsageError {
  readonly field: string;
  /** The words after the subject: "must be at most 255 characters for Talkover." */
  readonly problem: string;
  readonly details: ErrorDetails;

  constructor(field: string, problem: string, details: ErrorDetails = {}) {
    super(`${field} ${problem}`, details);
    this.name = 'FieldError';
    this.field = field;
    this.problem = problem;
    this.details = details;
  }

  /** The same problem, said of what the user wrote: a flag (`--secret`) or a file key. */
  as(subject: string): UsageError {
    return new UsageError(`${subject} ${this.problem}`, this.details);
  }
}

/** No API key, or an unreadable or corrupt config file. */
export class ConfigError extends CliError {
  constructor(message: string, details?: ErrorDetails) {
    super('config', message, details);
    this.name = 'ConfigError';
  }
}

/** The provider does not support the operation; nothing was written. */
export class UnsupportedError extends CliError {
  constructor(message: string, details?: ErrorDetails) {
    super('unsupported', message, details);
    this.name = 'UnsupportedError';
  }
}

/** A test delivery or a signature check failed. */
export class TestFailedError extends CliError {
  constructor(message: string, details?: ErrorDetails) {
    super('testFailed', message, details);
    this.name = 'TestFailedError';
  }
}

/** The user cancelled at a prompt (Ctrl-C). */
export class CancelledError extends CliError {
  constructor() {
    super('cancelled', 'Cancelled.');
    this.name = 'CancelledError';
  }
}

/**
 * A provider answered with an error status, or could not be reached or understood. `retryable` tells the
 * HTTP client whether the same request may be sent again.
 */
export class ApiError extends CliError {
  readonly retryable: boolean;
  /** Field-level messages the provider gave, as `field: message` lines. */
  readonly fieldErrors: string[];
  /** A write whose answer was lost (reset, timeout): it may have taken effect. */
  readonly mayHaveReached: boolean;

  constructor(
    kind: ExitCodeName,
    message: string,
    details: ErrorDetails & { retryable?: boolean; fieldErrors?: string[]; mayHaveReached?: boolean } = {},
  ) {
    super(kind, message, details);
    this.name = 'ApiError';
    this.retryable = details.retryable ?? false;
    this.fieldErrors = details.fieldErrors ?? [];
    this.mayHaveReached = details.mayHaveReached ?? false;
  }
}

/** The exit-code kind for an HTTP error status (401/403 credentials, 404, other 4xx rejected, 5xx/429 unavailable). */
export function kindForStatus(status: number): ExitCodeName {
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'notFound';
  if (status === 429 || status >= 500) return 'unavailable';
  if (status >= 400) return 'rejected';
  return 'unavailable';
}

/**
 * An error as stderr shows it: `Error: …`, field errors, the request id and what to do next; with `json`, the
 * contract's one line of JSON instead.
 */
export function formatError(error: CliError, options: { json: boolean; stack?: string }): string {
  if (options.json) return `${safeJson(JSON.stringify(error.toJSON()))}\n`;
  // Answering No is a choice, not a failure: it says so plainly.
  if (error.kind === 'cancelled') return `${error.message}\n`;
  // Messages quote what providers and files said: their escape sequences are shown, not obeyed.
  const lines = [`Error: ${safeLines(error.message)}`];
  if (error instanceof ApiError) lines.push(...error.fieldErrors.map((f) => `  ${safeText(f)}`));
  if (error.requestId) lines.push(`  request id: ${safeText(error.requestId)}`);
  if (error.hint) lines.push(safeLines(error.hint));
  if (options.stack) lines.push(options.stack);
  return `${lines.join('\n')}\n`;
}

/** The exit code an arbitrary thrown value stands for. */
export function exitCodeOf(error: unknown): number {
  return error instanceof CliError ? error.exitCode : ExitCode.unexpected;
}

function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** Any error as a CliError: oclif's parse errors are usage errors, a cancelled prompt exit 130, the rest a bug. */
export function toCliError(error: Error & { oclif?: { exit?: number } }): CliError {
  if (error instanceof CliError) return error;
  if (error.name === 'ExitPromptError') return new CancelledError();
  const exit = error.oclif?.exit;
  if (typeof exit === 'number') {
    // oclif's own parse errors (unknown flag, missing argument, bad option) are usage errors.
    const message = error.message
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('See more help'))
      .join(' ');
    return new UsageError(message || 'Bad usage.', { hint: 'See --help for the flags this command takes.' });
  }
  return new CliError('unexpected', `Unexpected error: ${error.message}`, {
    hint: 'This is a bug in voicehooks. Run again with --debug for the stack trace, and report it.',
  });
}
