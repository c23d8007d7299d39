// VOICEHOOKS_EMULATOR_PORT: `emulator` and `emulator env` read the same port from it when --port is not given,
// so a script (and the test that runs the documented blocks) moves both off 4747 without editing them.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { cleanEnv, newCli, removeTempRoots, ROOT } from './helpers/cli.ts';

after(() => removeTempRoots());

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('VOICEHOOKS_EMULATOR_PORT', () => {
  it('emulator env points at its port; --port wins over it; without either, 4747', async () => {
    const cli = newCli();
    const fromEnv = await cli.run(['emulator', 'env'], { env: { VOICEHOOKS_EMULATOR_PORT: '5123' } });
    assert.equal(fromEnv.code, 0, fromEnv.stderr);
    assert.match(
      fromEnv.stdout,
      /^export VOICEHOOKS_ULTRAVOX_BASE_URL=http:\/\/127\.0\.0\.1:5123\/ultravox$/m,
    );
    const flagWins = await cli.run(['emulator', 'env', '--port', '5200'], {
      env: { VOICEHOOKS_EMULATOR_PORT: '5123' },
    });
    assert.match(
      flagWins.stdout,
      /^export VOICEHOOKS_ULTRAVOX_BASE_URL=http:\/\/127\.0\.0\.1:5200\/ultravox$/m,
    );
    const neither = await cli.run(['emulator', 'env'], { env: { VOICEHOOKS_EMULATOR_PORT: undefined } });
    assert.match(
      neither.stdout,
      /^export VOICEHOOKS_ULTRAVOX_BASE_URL=http:\/\/127\.0\.0\.1:4747\/ultravox$/m,
    );
  });

  it('a value that is not a port exits 2 naming the variable, printing no export line', async () => {
    const cli = newCli();
    for (const value of ['abc', '70000', '-1', '0', '47 47']) {
      const run = await cli.run(['emulator', 'env'], { env: { VOICEHOOKS_EMULATOR_PORT: value } });
      assert.equal(run.code, 2, `${value}: ${run.stderr}`);
      assert.match(run.stderr, /VOICEHOOKS_EMULATOR_PORT must be a port number from 1 to 65535/);
      assert.equal(run.stdout, '');
    }
  });

  it('emulator listens on its port, and the export lines it prints name it', async () => {
    const port = await freePort();
    const cli = newCli();
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'run.js'), 'emulator'], {
      cwd: ROOT,
      env: {
        ...cleanEnv(),
        NO_COLOR: '1',
        VOICEHOOKS_CONFIG_DIR: cli.configDir,
        VOICEHOOKS_EMULATOR_PORT: String(port),
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    try {
      const printed = await new Promise<string>((resolve, reject) => {
        let err = '';
        child.stderr.on('data', (chunk: Buffer) => {
          err += chunk.toString();
          if (/VOICEHOOKS_\w+_API_KEY/.test(err)) resolve(err);
        });
        child.on('exit', (code) => reject(new Error(`emulator exited ${code}: ${err}`)));
      });
      assert.match(printed, new RegExp(`listening on http://127\\.0\\.0\\.1:${port}\\b`));
      assert.match(
        printed,
        new RegExp(`VOICEHOOKS_ULTRAVOX_BASE_URL=http://127\\.0\\.0\\.1:${port}/ultravox`),
      );
      const listed = await cli.run(['list', '-p', 'ultravox', '--json'], {
        baseUrl: `http://127.0.0.1:${port}/ultravox`,
        apiKey: 'any-test-key',
      });
      assert.equal(listed.code, 0, listed.stderr);
      assert.deepEqual(JSON.parse(listed.stdout), []);
    } finally {
      await new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGINT');
      });
    }
  });
});
