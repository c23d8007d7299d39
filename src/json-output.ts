/**
 * The JSON side of output: the document `--json` prints, the objects of commands that print one per line, and
 * `--jq` filtering of both. BaseCommand only says which flags and streams apply; jq itself (src/jq.ts) is loaded
 * only when `--jq` is given, since most commands never need it.
 */
import { safeJson, safeLines } from './output.ts';

/**
 * The `--jq` expression, where given (before any `--`): from the parsed flags, else from argv, since errors
 * raised before parsing must know whether to print JSON too.
 */
export function jqExpression(
  flags: { jq?: string } | undefined,
  argv: readonly string[] | undefined,
): string | undefined {
  if (flags?.jq !== undefined) return flags.jq;
  const args = argv ?? [];
  const end = args.includes('--') ? args.indexOf('--') : args.length;
  for (let i = 0; i < end; i++) {
    const arg = args[i] ?? '';
    if (arg === '--jq') return args[i + 1];
    if (arg.startsWith('--jq=')) return arg.slice('--jq='.length);
  }
  return undefined;
}

/** The document `--json` prints, indented. */
export function jsonDocument(json: unknown): string {
  return `${safeJson(JSON.stringify(json, null, 2))}\n`;
}

/** The document `--json` would print, filtered by `--jq`. */
export async function jqDocument(json: unknown, jq: string, tty: boolean): Promise<string> {
  const { filterJson } = await import('./jq.ts');
  return jqOutput(await filterJson(json, jq), tty);
}

/**
 * One object of a command that prints one JSON object per line (`listen`, `emulator trigger`), through
 * `--jq` where given.
 */
export async function jsonLine(value: unknown, jq: string | undefined, tty: boolean): Promise<string> {
  if (jq === undefined) return `${safeJson(JSON.stringify(value))}\n`;
  return jqOutput(await (await import('./jq.ts')).filterJson(value, jq, { compact: true }), tty);
}

/**
 * What --jq printed: strings come out raw, as `jq -r` prints them, so on a terminal their escape sequences
 * are shown, not obeyed; piped, they stay byte for byte (as text views do).
 */
function jqOutput(text: string, tty: boolean): string {
  return tty ? safeLines(text) : text;
}
