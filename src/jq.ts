/**
 * `--jq EXPR`: the JSON a command prints, filtered by a jq expression, as gh does. The filter is jq itself
 * compiled to WebAssembly (the jq-wasm package: no binary to download, nothing to install beside the CLI),
 * loaded only when the flag is given, so that no other run pays for its megabyte.
 */
import { createRequire } from 'node:module';
import { UsageError } from './errors.ts';

interface JqWasm {
  raw(data: string, filter: string, flags?: string[]): Promise<string>;
}

// Loaded from node_modules at run time, not bundled: the module is large and only --jq needs it.
const requireLazily = createRequire(import.meta.url);
const jq = (): JqWasm => requireLazily('jq-wasm') as JqWasm;

/** jq's own words, without the wrapper's prefix and the trailing summary line. */
function jqMessage(error: unknown): string {
  return String((error as Error).message ?? error)
    .replace(/^Failed to execute raw query: /, '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^jq: \d+ compile errors?$/.test(l))
    .join(' ');
}

/**
 * Refuses an expression that does not compile, before the command sends anything: a create must not be made
 * only for its answer to be lost to a typo in the filter.
 */
export async function checkJq(expression: string): Promise<void> {
  try {
    await jq().raw('null', expression, ['-r']);
  } catch (error) {
    const message = jqMessage(error);
    // A compile error is the expression's fault; an error on `null` input only shows at run time.
    if (/compile error|syntax error|is not defined/.test(String((error as Error).message))) {
      throw new UsageError(`--jq: ${message}`, { hint: 'Check the expression; it is jq syntax.' });
    }
  }
}

/**
 * The result of the filter as `jq -r` prints it: strings raw, anything else as indented JSON (`compact`: one
 * line, for commands that print one JSON object per line).
 */
export async function filterJson(
  json: unknown,
  expression: string,
  options: { compact?: boolean } = {},
): Promise<string> {
  try {
    const out = await jq().raw(JSON.stringify(json), expression, options.compact ? ['-r', '-c'] : ['-r']);
    return out === '' || out.endsWith('\n') ? out : `${out}\n`;
  } catch (error) {
    throw new UsageError(`--jq: ${jqMessage(error)}`, {
      hint: 'The command itself ran; run it with --json instead of --jq to see the whole document.',
    });
  }
}
