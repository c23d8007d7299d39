// The BUILT command line, each command once, as a child process (issue 18). Every other test runs commands in
// its own process from the sources (test/helpers/cli.ts); this one proves that what ships, bin/run.js and
// dist/ (`npm run build` first), loads every command and ends with the contract's exit codes. Pipes are
// test/pipe.test.ts, signals test/listen.test.ts and test/emulator.test.ts (both spawn), TLS
// test/emulator-tls.test.ts, terminals test/interactive.test.ts (tmux).
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startEmulator, type RunningEmulator } from '../src/emulator/server.ts';
import { newCli, removeTempRoots, tempRoots, type Cli, type CliOptions } from './helpers/cli.ts';

const KEY = 'smoke-key';
const AGENT = '6f1c2b8e-3d4a-4b5c-8d9e-0a1b2c3d4e5f';

describe('the built CLI, each command once', () => {
  let emu: RunningEmulator;
  let receiver: Server;
  let receiverUrl: string;
  let cli: Cli;
  const run = async (args: string[], code: number, options: CliOptions = {}) => {
    const result = await cli.run(args, { ...options, spawn: true });
    assert.equal(result.code, code, `voicehooks ${args.join(' ')}\n${result.stdout}\n${result.stderr}`);
    return result;
  };

  before(async () => {
    emu = await startEmulator({ apiKey: KEY });
    receiver = createServer((req, res) => req.resume().on('end', () => res.end('ok')));
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    cli = newCli({
      env: {
        VOICEHOOKS_ULTRAVOX_BASE_URL: emu.baseUrl('ultravox'),
        VOICEHOOKS_ULTRAVOX_API_KEY: KEY,
        VOICEHOOKS_TALKOVER_BASE_URL: emu.baseUrl('talkover'),
        VOICEHOOKS_TALKOVER_API_KEY: KEY,
        VOICEHOOKS_TALKOVER_AGENT: AGENT,
      },
    });
  });
  after(async () => {
    await emu.close();
    await new Promise((resolve) => receiver.close(resolve));
    removeTempRoots();
  });

  it('answers --version, --help, help topics and catalogs', async () => {
    assert.match((await run(['--version'], 0)).stdout, /^voicehooks\/\d/);
    assert.match((await run(['--help'], 0)).stdout, /COMMANDS/);
    await run(['help', 'list'], 0);
    await run(['list', '--help'], 0);
    await run(['environment'], 0);
    await run(['exit-codes'], 0);
    await run(['events', '-p', 'ultravox', '--json'], 0);
    await run(['providers', '--json'], 0);
  });

  it('manages a webhook from create to delete', async () => {
    const created = await run(
      ['create', '-p', 'ultravox', '--url', receiverUrl, '--event', 'call.ended', '--json'],
      0,
    );
    const id = (JSON.parse(created.stdout) as { id: string }).id;
    await run(['get', id, '-p', 'ultravox'], 0);
    await run(['list', '-p', 'ultravox', '--json'], 0);
    await run(['update', id, '-p', 'ultravox', '--add-event', 'call.started'], 0);
    await run(['toggle', id, '-p', 'ultravox', '--json'], 6); // Ultravox webhooks have no on/off switch
    await run(['rotate-secret', id, '-p', 'ultravox'], 0);
    await run(['test', id, '-p', 'ultravox'], 0);
    await run(['delete', id, '-p', 'ultravox', '--yes'], 0);
    await run(['get', id, '-p', 'ultravox'], 5);
  });

  it('reads delivery logs and redelivers (Talkover)', async () => {
    const created = await run(
      [
        'create',
        '-p',
        'talkover',
        '--url',
        receiverUrl,
        '--event',
        'event_action',
        '--name',
        'smoke',
        '--json',
      ],
      0,
    );
    const id = (JSON.parse(created.stdout) as { id: string }).id;
    await run(['logs', id, '-p', 'talkover', '--json'], 0);
    await run(['redeliver', id, '00000000-0000-4000-8000-000000000000', '-p', 'talkover'], 5);
  });

  it('applies, diffs and exports a file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'voicehooks-smoke-'));
    tempRoots.push(dir);
    const file = join(dir, 'webhooks.yaml');
    // Loopback only: `emulator trigger` below delivers to it.
    writeFileSync(
      file,
      `webhooks:\n  - provider: ultravox\n    url: ${receiverUrl}\n    events: [call.billed]\n`,
    );
    await run(['diff', '-f', file], 10);
    await run(['apply', '-f', file, '--json'], 0);
    await run(['diff', '-f', file], 0);
    await run(['export', '-p', 'ultravox'], 0);
  });

  it('signs and verifies', async () => {
    await run(['sign', '-p', 'ultravox', '--secret', 'smoke-secret'], 0, { stdin: '{}' });
    await run(
      [
        'verify',
        '-p',
        'ultravox',
        '--secret',
        'smoke-secret',
        '--header',
        'X-Ultravox-Webhook-Signature: 00',
      ],
      8,
      {
        stdin: '{}',
      },
    );
  });

  it('stores, shows and removes a key and settings', async () => {
    await run(['auth', 'login', '-p', 'ultravox', '--with-token'], 0, { stdin: KEY });
    await run(['auth', 'status', '--json'], 0);
    await run(['auth', 'logout', '-p', 'ultravox'], 0);
    await run(['config', 'set', 'provider', 'ultravox'], 0);
    await run(['config', 'get', 'provider'], 0);
    await run(['config', 'list', '--json'], 0);
    await run(['config', 'unset', 'provider'], 0);
  });

  it('talks to the emulator (after the file above was applied)', async () => {
    const base = emu.url;
    await run(['emulator', 'env', '--port', '4747'], 0);
    await run(['emulator', 'fault', 'list', '--emulator', base], 0);
    // Delivered to the receiver on loopback, the one webhook that subscribes to call.billed (from the file).
    await run(['emulator', 'trigger', 'call.billed', '-p', 'ultravox', '--emulator', base], 0);
  });

  it('exits with the contract codes for usage, credentials and the network', async () => {
    await run(['no-such-command'], 2);
    await run(['list', '-p', 'nope'], 2);
    await run(['list', '-p', 'ultravox'], 3, { env: { VOICEHOOKS_ULTRAVOX_API_KEY: undefined } });
    await run(['list', '-p', 'ultravox'], 4, { env: { VOICEHOOKS_ULTRAVOX_API_KEY: 'wrong-key' } });
    emu.faults.add({ kind: 'rate-limit', provider: 'ultravox', retryAfter: '5', times: 1 });
    await run(['list', '-p', 'ultravox', '--max-wait', '1'], 9);
  });
});
