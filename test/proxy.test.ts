// HTTPS_PROXY / HTTP_PROXY / NO_PROXY are honoured for remote hosts (the built CLI asks a recording proxy on
// loopback for a tunnel), and never for loopback targets, which carry the key in clear: those are reached
// directly whatever the environment says.
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
    // Only loopback is ever contacted: a tunnel to anywhere else is refused, without even a DNS lookup.
    if (host !== '127.0.0.1') {
      socket.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
      return;
    }
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

  it('never sends a loopback request through HTTP_PROXY or HTTPS_PROXY (the key would pass in clear)', async () => {
    proxy.seen.length = 0;
    const before = emulator.requests.length;
    const run = await cli(['list', '-p', 'ultravox', '--json'], {
      ...env,
      HTTP_PROXY: `http://127.0.0.1:${proxy.port}`,
      HTTPS_PROXY: `http://127.0.0.1:${proxy.port}`,
      http_proxy: `http://127.0.0.1:${proxy.port}`,
    });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), []);
    assert.deepEqual(proxy.seen, []);
    assert.ok(emulator.requests.length > before, 'the emulator saw no request');
  });

  it('sends a request to a remote host through HTTPS_PROXY', async () => {
    proxy.seen.length = 0;
    const run = await cli(['list', '-p', 'ultravox', '--json', '--timeout', '5'], {
      ...env,
      VOICEHOOKS_ULTRAVOX_BASE_URL: 'https://api.ultravox.invalid',
      HTTPS_PROXY: `http://127.0.0.1:${proxy.port}`,
    });
    // The proxy refuses the tunnel (nothing leaves the machine); what matters is that it was asked.
    assert.equal(run.code, 9, run.stderr);
    assert.ok(
      proxy.seen.some((s) => s.startsWith('CONNECT api.ultravox.invalid:443')),
      proxy.seen.join('\n'),
    );
    assert.ok(!run.stderr.includes('proxy-test-key'));
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
