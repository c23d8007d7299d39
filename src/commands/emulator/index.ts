import { Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command.ts';
import { ConfigError, UsageError } from '../../errors.ts';
import { EMULATOR_PORT_ENV, emulatorCertFile, emulatorEnv, emulatorPort } from './env.ts';

export default class Emulator extends BaseCommand<typeof Emulator> {
  static override summary = "Serve local emulators of the providers' webhook APIs on 127.0.0.1.";
  static override description =
    'Each provider is served under its own path (/ultravox, …). Point the CLI at it with `eval "$(voicehooks emulator env)"`. Without --api-key any non-empty key is accepted. With --state FILE every webhook, secret and delivery log is loaded from FILE at start and written back (atomically) after every change. `emulator trigger` makes it deliver events, `emulator fault` switches faults. Stops on Ctrl-C.';
  static override examples = [
    '<%= config.bin %> emulator',
    '<%= config.bin %> emulator --port 5000 --api-key test-key',
    '<%= config.bin %> emulator --state .voicehooks-emulator.json',
    '<%= config.bin %> emulator --tls',
  ];
  static override flags = {
    port: Flags.integer({
      summary: `Port on 127.0.0.1 (0 picks a free one; default: ${EMULATOR_PORT_ENV}, else 4747).`,
      min: 0,
      max: 65535,
    }),
    'api-key': Flags.string({ summary: 'Accept only this API key.' }),
    state: Flags.string({ summary: 'Keep webhooks and secrets in this JSON file across restarts.' }),
    tls: Flags.boolean({
      summary: 'Serve HTTPS, with a certificate for 127.0.0.1 made at the first start and kept.',
      description:
        'The certificate is kept in the config directory (emulator-tls/cert.pem); `emulator env --tls` prints NODE_EXTRA_CA_CERTS naming it, so that the CLI trusts it. Over HTTPS it speaks HTTP/2 to clients that offer it (the CLI does) and HTTP/1.1 to the others, so the HTTP/2 path the CLI takes with any server that offers it is tried too.',
    }),
  };

  async run(): Promise<void> {
    const port = emulatorPort(this.flags.port, this.io.env, 0);
    const { startEmulator } = await import('../../emulator/server.ts');
    let tls: { cert: string; key: string } | undefined;
    if (this.flags.tls) {
      const [{ configDir }, { emulatorCertificate }] = await Promise.all([
        import('../../config.ts'),
        import('../../emulator/tls.ts'),
      ]);
      tls = await emulatorCertificate(configDir(this.io.env));
    }
    const emulator = await startEmulator({
      port,
      apiKey: this.flags['api-key'],
      stateFile: this.flags.state,
      tls,
    }).catch((error: unknown) => {
      if ((error as Error).name === 'StateFileError') {
        throw new ConfigError((error as Error).message, {
          hint: 'Fix or move the file away (it is never overwritten while unreadable), then start again.',
        });
      }
      if ((error as { code?: string }).code === 'EADDRINUSE') {
        throw new UsageError(`Port ${port} on 127.0.0.1 is in use.`, {
          hint: `Stop whatever uses it (an emulator already running?), or pick another with --port or ${EMULATOR_PORT_ENV}.`,
        });
      }
      throw error;
    });
    const certFile = this.flags.tls ? await emulatorCertFile(this.io.env) : undefined;
    const exports = emulatorEnv(emulator.port, this.flags['api-key'], certFile);
    const kept = this.flags.state === undefined ? '' : `\nState kept in ${this.flags.state}`;
    this.notice(
      `voicehooks emulator listening on ${emulator.url}${kept}\nPoint the CLI at it with:\n${exports}`,
    );
    await new Promise<void>((resolve) => {
      this.io.onInterrupt(() => {
        this.notice('Stopping the emulator.');
        void emulator.close().then(resolve);
      });
    });
  }
}
