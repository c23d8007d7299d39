import { Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command.ts';
import { UsageError } from '../../errors.ts';
import type { View } from '../../output.ts';
import { availableProviders } from '../../providers/index.ts';
import { envName } from '../../resolve.ts';

/** The variable that moves the emulator off its default port, for `emulator` and `emulator env` alike. */
export const EMULATOR_PORT_ENV = 'VOICEHOOKS_EMULATOR_PORT';
const DEFAULT_EMULATOR_PORT = 4747;

/**
 * The emulator's port: --port, else VOICEHOOKS_EMULATOR_PORT, else 4747. One variable read by both commands lets
 * a script (or a test running the documented blocks) move them to a free port together without editing them.
 */
export function emulatorPort(flag: number | undefined, env: NodeJS.ProcessEnv, min: 0 | 1): number {
  if (flag !== undefined) return flag;
  const value = env[EMULATOR_PORT_ENV];
  if (value === undefined || value === '') return DEFAULT_EMULATOR_PORT;
  const port = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
  if (!(port >= min && port <= 65535)) {
    throw new UsageError(`${EMULATOR_PORT_ENV} must be a port number from ${min} to 65535.`, {
      hint: `Set it to a port such as 4747, or unset it to use 4747.`,
    });
  }
  return port;
}

/**
 * The `export` lines that point the CLI at an emulator on this port. With `certFile` (an emulator started with
 * --tls), the base URLs are https and NODE_EXTRA_CA_CERTS names the certificate, which Node then trusts in every
 * process started from that shell.
 */
export function emulatorEnv(port: number, apiKey = 'emulator-key', certFile?: string): string {
  const scheme = certFile === undefined ? 'http' : 'https';
  // The names are the ones resolution reads (src/resolve.ts), so the two cannot drift apart.
  const lines = availableProviders().flatMap((p) => [
    `export ${envName(p.name, 'base-url')}=${scheme}://127.0.0.1:${port}/${p.name}`,
    `export ${envName(p.name, 'api-key')}=${apiKey}`,
  ]);
  if (certFile !== undefined) lines.push(`export NODE_EXTRA_CA_CERTS=${shellQuote(certFile)}`);
  return lines.join('\n');
}

/** A path as one shell word: as it is when it is plain, else in single quotes. */
function shellQuote(path: string): string {
  return /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replaceAll("'", "'\\''")}'`;
}

/** The file of the certificate `emulator --tls` serves (made at its first start). */
export async function emulatorCertFile(env: NodeJS.ProcessEnv): Promise<string> {
  const [{ configDir }, { certificatePaths }] = await Promise.all([
    import('../../config.ts'),
    import('../../emulator/tls.ts'),
  ]);
  return certificatePaths(configDir(env)).certFile;
}

export default class EmulatorEnv extends BaseCommand<typeof EmulatorEnv> {
  static override summary = 'Print the export lines that point the CLI at a running emulator.';
  static override examples = [
    'eval "$(<%= config.bin %> emulator env)"',
    '<%= config.bin %> emulator env --port 5000',
    'eval "$(<%= config.bin %> emulator env --tls)"',
  ];
  static override flags = {
    port: Flags.integer({
      summary: `The emulator port (default: ${EMULATOR_PORT_ENV}, else 4747).`,
      min: 1,
      max: 65535,
    }),
    'api-key': Flags.string({ summary: 'The key the emulator was started with.' }),
    tls: Flags.boolean({
      summary: 'The emulator was started with --tls: https URLs, and NODE_EXTRA_CA_CERTS to trust it.',
    }),
  };

  async run(): Promise<Record<string, string>> {
    const certFile = this.flags.tls ? await emulatorCertFile(this.io.env) : undefined;
    const lines = emulatorEnv(
      emulatorPort(this.flags.port, this.io.env, 1),
      this.flags['api-key'],
      certFile,
    ).split('\n');
    return Object.fromEntries(
      lines.map((l) => {
        const [name, ...value] = l.replace(/^export /, '').split('=');
        return [name!, value.join('=')];
      }),
    );
  }

  protected override view(result: Record<string, string>): View {
    return {
      kind: 'text',
      text: Object.entries(result)
        .map(([k, v]) => `export ${k}=${v}`)
        .join('\n'),
    };
  }
}
