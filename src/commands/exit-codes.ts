import { BaseCommand } from '../base-command.ts';
import { ExitCode, type ExitCodeName } from '../errors.ts';
import type { View } from '../output.ts';

export interface ExitCodeInfo {
  code: number;
  name: ExitCodeName;
  meaning: string;
}

// The numbers come from errors.ts, the one place they live; only the words are here.
const MEANINGS: Record<ExitCodeName, string> = {
  ok: 'Success (an empty list too).',
  unexpected: 'Unexpected error: a bug; run again with --debug and report it.',
  usage: 'Bad or missing flag or argument, input rejected before sending, or input needed with no terminal.',
  config: 'Configuration: no API key, unreadable or corrupt config file.',
  auth: 'The provider rejected the credentials (401/403).',
  notFound: 'Not found (404).',
  unsupported: 'The provider does not support this operation; nothing was changed.',
  rejected: 'The provider rejected the request (400, 409, 422, other 4xx).',
  testFailed: 'A test delivery or a signature check failed.',
  unavailable: 'Provider unreachable or its answer unusable (network, timeout, 5xx, 429 after retries).',
  drift: 'diff: live state differs from the file.',
  cancelled: 'Cancelled at a prompt (Ctrl-C, or "no" to a confirmation).',
};

export const EXIT_CODES: ExitCodeInfo[] = (Object.keys(ExitCode) as ExitCodeName[]).map((name) => ({
  code: ExitCode[name],
  name,
  meaning: MEANINGS[name],
}));

export default class ExitCodes extends BaseCommand<typeof ExitCodes> {
  static override summary = 'Help topic: what each exit code means.';
  static override description = `Scripts can branch on these; they are part of the command-line contract.

${EXIT_CODES.map((c) => `- ${c.code}: ${c.meaning}`).join('\n')}

\`voicehooks exit-codes\` prints the same as a table (or JSON with --json).`;
  static override examples = [
    '<%= config.bin %> exit-codes',
    '<%= config.bin %> exit-codes --json | jq -r \'.[] | "\\(.code) \\(.name)"\'',
  ];

  async run(): Promise<ExitCodeInfo[]> {
    return EXIT_CODES;
  }

  protected override view(): View {
    return {
      kind: 'table',
      columns: [
        { key: 'code', header: 'CODE' },
        { key: 'name', header: 'NAME' },
        { key: 'meaning', header: 'MEANING' },
      ],
      rows: EXIT_CODES as unknown as Record<string, unknown>[],
    };
  }
}
