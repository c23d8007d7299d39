// HTTPS_PROXY / HTTP_PROXY / NO_PROXY are honoured: the built CLI reaches the emulator through a recording
// proxy on loopback, and bypasses it for hosts NO_PROXY names.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startEmulator, type RunningEmulator } from '../src/emulator/server.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

/** A forward proxy that records what passes through it: absolute-form requests and CONNECT tunnels. */
function startProxy(): Promise<{ server: Server; port: number; seen: string[] }> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const target = new URL(req.url ?? '');
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method: req.method,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(upstream);
  });
  server.on('connect', (req, socket, head) => {
    seen.push(`CONNECT ${req.url}`);
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, port: (server.address() as AddressInfo).port, seen }),
    ),
  );
}

function cli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/run.js', ...args], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('proxy settings from the environment', () => {
  let emulator: RunningEmulator;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  let config: string;
  let env: Record<string, string>;

  before(async () => {
    emulator = await startEmulator();
    proxy = await startProxy();
    config = mkdtempSync(join(tmpdir(), 'vh-proxy-'));
    env = {
      VOICEHOOKS_CONFIG_DIR: config,
      VOICEHOOKS_ULTRAVOX_BASE_URL: emulator.baseUrl('ultravox'),
      VOICEHOOKS_ULTRAVOX_API_KEY: 'proxy-test-key',
    };
  });
  after(async () => {
    await emulator.close();
    proxy.server.closeAllConnections();
    proxy.server.close();
    rmSync(config, { recursive: true, force: true });
  });

  it('sends requests through HTTP_PROXY', async () => {
    proxy.seen.length = 0;
    const run = await cli(['list', '-p', 'ultravox', '--json'], {
      ...env,
      HTTP_PROXY: `http://127.0.0.1:${proxy.port}`,
    });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), []);
    assert.ok(proxy.seen.length > 0, 'the proxy saw no request');
    assert.ok(
      proxy.seen.some((s) => s.includes(`127.0.0.1:${emulator.port}`)),
      proxy.seen.join('\n'),
    );
  });

  it('bypasses the proxy for hosts in NO_PROXY', async () => {
    proxy.seen.length = 0;
    const run = await cli(['list', '-p', 'ultravox', '--json'], {
      ...env,
      HTTP_PROXY: `http://127.0.0.1:${proxy.port}`,
      NO_PROXY: '127.0.0.1',
    });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(proxy.seen, []);
    assert.ok(emulator.requests.length > 0);
  });
});
