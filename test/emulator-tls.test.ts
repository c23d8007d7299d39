// `voicehooks emulator --tls` (issue 18): the certificate it makes and keeps, `emulator env --tls`, and the
// real client stack over TLS on loopback, trusted through NODE_EXTRA_CA_CERTS or refused with exit 9. Over TLS
// the emulator speaks HTTP/2 as well as HTTP/1.1, so the client's HTTP/2 path is tried too.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { OutgoingHttpHeaders } from 'node:http';
import { connect } from 'node:http2';
import { get as httpsGet } from 'node:https';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MAX_BODY_BYTES, startEmulator, type RunningEmulator } from '../src/emulator/server.ts';
import { certificatePaths, emulatorCertificate } from '../src/emulator/tls.ts';
import type { UltravoxEmulator } from '../src/providers/ultravox/emulator.ts';
import { cleanEnv, newCli, removeTempRoots, ROOT } from './helpers/cli.ts';

const scratch = mkdtempSync(join(tmpdir(), 'voicehooks-tls-'));
after(() => {
  rmSync(scratch, { recursive: true, force: true });
  removeTempRoots();
});

describe('the emulator certificate', () => {
  it('is made for loopback, kept with a private key only the user reads, and reused', async () => {
    const dir = join(scratch, 'kept');
    const first = await emulatorCertificate(dir);
    const { certFile, keyFile } = certificatePaths(dir);
    assert.equal(first.certFile, certFile);
    assert.equal(readFileSync(certFile, 'utf8'), first.cert);
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, 'emulator-tls')).mode & 0o777, 0o700);
    const x509 = new X509Certificate(first.cert);
    assert.ok(x509.checkIP('127.0.0.1'), 'covers 127.0.0.1');
    assert.ok(x509.checkIP('::1'), 'covers ::1');
    assert.equal(x509.checkHost('localhost'), 'localhost');
    assert.ok(x509.ca, 'is its own CA, so that the one file is what a client trusts');

    const again = await emulatorCertificate(dir);
    assert.equal(again.cert, first.cert, 'a second start reuses the kept certificate');
    assert.equal(again.key, first.key);
  });

  it('is made again when the kept one is damaged or its key does not match', async () => {
    const dir = join(scratch, 'damaged');
    const first = await emulatorCertificate(dir);
    const { certFile, keyFile } = certificatePaths(dir);
    writeFileSync(certFile, 'not a certificate');
    const remade = await emulatorCertificate(dir);
    assert.notEqual(remade.cert, first.cert);
    new X509Certificate(readFileSync(certFile)); // a whole certificate again

    const other = await emulatorCertificate(join(scratch, 'other'));
    writeFileSync(keyFile, other.key);
    const mended = await emulatorCertificate(dir);
    assert.notEqual(mended.cert, remade.cert, 'a key of another certificate is not kept');
  });
});

describe('the CLI against the emulator over TLS', () => {
  let emu: RunningEmulator;
  let certFile: string;
  const KEY = 'tls-test-key';
  before(async () => {
    const certificate = await emulatorCertificate(join(scratch, 'served'));
    certFile = certificate.certFile;
    emu = await startEmulator({ apiKey: KEY, tls: certificate });
    (emu.providers.ultravox as UltravoxEmulator).seed(3);
  });
  after(() => emu.close());

  /** One request over an HTTP/2 session of its own: the status, the body and the protocol agreed (ALPN). */
  function http2Request(
    headers: OutgoingHttpHeaders,
    body?: Buffer,
  ): Promise<{ status: number; body: string; protocol: string }> {
    const session = connect(emu.url, { ca: readFileSync(certFile) });
    return new Promise<{ status: number; body: string; protocol: string }>((resolve, reject) => {
      const stream = session.request(headers);
      let text = '';
      let status = 0;
      stream.on('response', (answer) => (status = Number(answer[':status'])));
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => (text += chunk));
      stream.on('end', () => resolve({ status, body: text, protocol: session.alpnProtocol ?? '' }));
      stream.on('error', reject);
      stream.end(body);
    }).finally(() => session.close());
  }

  it('serves https', () => {
    assert.match(emu.baseUrl('ultravox'), /^https:\/\/127\.0\.0\.1:\d+\/ultravox$/);
  });

  it('works once NODE_EXTRA_CA_CERTS names the certificate', async () => {
    const cli = newCli({ baseUrl: emu.baseUrl('ultravox'), apiKey: KEY });
    const result = await cli.run(['list', '-p', 'ultravox', '--json'], {
      env: { NODE_EXTRA_CA_CERTS: certFile },
    });
    assert.equal(result.code, 0, result.stderr);
    assert.equal((JSON.parse(result.stdout) as unknown[]).length, 3);
    assert.equal(emu.requests.at(-1)?.httpVersion, '2.0', 'undici takes the HTTP/2 it is offered');
  });

  it('speaks HTTP/2 to a client that offers it and HTTP/1.1 to one that does not, to the same effect', async () => {
    const ca = readFileSync(certFile);
    const overHttp2 = await http2Request({ ':path': '/ultravox/api/webhooks', 'x-api-key': KEY });
    const overHttp1 = await new Promise<{ status: number; body: string; version: string }>(
      (resolve, reject) => {
        const req = httpsGet(
          `${emu.baseUrl('ultravox')}/api/webhooks`,
          { ca, headers: { 'x-api-key': KEY } },
          (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (body += chunk));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body, version: res.httpVersion }));
          },
        );
        req.on('error', reject);
      },
    );
    assert.equal(overHttp2.protocol, 'h2');
    assert.equal(overHttp1.version, '1.1');
    assert.equal(overHttp2.status, 200);
    assert.equal(overHttp1.status, 200);
    assert.deepEqual(JSON.parse(overHttp2.body), JSON.parse(overHttp1.body));
    const [h2, h1] = emu.requests.slice(-2);
    assert.deepEqual([h2?.httpVersion, h1?.httpVersion], ['2.0', '1.1']);
    // Both recorded in one shape: no HTTP/2 pseudo-headers, the authority as host.
    assert.ok(!Object.keys(h2?.headers ?? {}).some((name) => name.startsWith(':')), 'no pseudo-headers');
    assert.equal(h2?.headers.host, h1?.headers.host);
  });

  it('acts out faults over HTTP/2 as over HTTP/1.1: a reset is retried, an oversized body is a 413', async () => {
    const cli = newCli({ baseUrl: emu.baseUrl('ultravox'), apiKey: KEY });
    const env = { NODE_EXTRA_CA_CERTS: certFile };
    const before = emu.requests.length;
    emu.faults.add({ kind: 'reset-before', provider: 'ultravox', method: 'GET', times: 1 });
    const listed = await cli.run(['list', '-p', 'ultravox', '--json'], { env });
    assert.equal(listed.code, 0, listed.stderr);
    assert.equal(emu.requests.length - before, 2, 'the reset request and its retry');

    const tooLarge = await http2Request(
      { ':method': 'POST', ':path': '/ultravox/api/webhooks', 'x-api-key': KEY },
      Buffer.alloc(MAX_BODY_BYTES + 1, 'x'),
    );
    assert.equal(tooLarge.status, 413);
  });

  it('refuses an untrusted certificate with exit 9, saying how to trust it, and sends nothing', async () => {
    const cli = newCli({ baseUrl: emu.baseUrl('ultravox'), apiKey: KEY });
    const before = emu.requests.length;
    for (const args of [
      ['list', '-p', 'ultravox'],
      ['create', '-p', 'ultravox', '--url', 'https://example.com/h', '--event', 'call.ended'],
    ]) {
      const result = await cli.run(args, { env: { NODE_EXTRA_CA_CERTS: undefined } });
      assert.equal(result.code, 9, result.stderr);
      assert.match(result.stderr, /TLS certificate of 127\.0\.0\.1:\d+ is not trusted/);
      assert.match(result.stderr, /emulator env --tls/);
      assert.match(result.stderr, /NODE_EXTRA_CA_CERTS/);
      assert.doesNotMatch(result.stderr, /may have reached/, 'a failed handshake sent no request');
    }
    assert.equal(emu.requests.length, before);
  });
});

describe('voicehooks emulator --tls and emulator env --tls', () => {
  it('prints https base URLs and NODE_EXTRA_CA_CERTS, and the CLI trusts what it prints', async () => {
    const cli = newCli();
    const printed = await cli.run(['emulator', 'env', '--tls', '--port', '4747']);
    assert.equal(printed.code, 0, printed.stderr);
    const certFile = join(cli.configDir, 'emulator-tls', 'cert.pem');
    assert.match(
      printed.stdout,
      /^export VOICEHOOKS_ULTRAVOX_BASE_URL=https:\/\/127\.0\.0\.1:4747\/ultravox$/m,
    );
    assert.ok(printed.stdout.includes(`\nexport NODE_EXTRA_CA_CERTS=${certFile}`), printed.stdout);
    const json = await cli.run(['emulator', 'env', '--tls', '--json']);
    assert.equal((JSON.parse(json.stdout) as Record<string, string>).NODE_EXTRA_CA_CERTS, certFile);

    // The emulator itself, started with the same config directory, makes that certificate and serves it.
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'run.js'), 'emulator', '--tls', '--port', '0'], {
      cwd: ROOT,
      env: { ...cleanEnv(), NO_COLOR: '1', VOICEHOOKS_CONFIG_DIR: cli.configDir },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let err = '';
        child.stderr.on('data', (chunk: Buffer) => {
          err += chunk.toString();
          const match = /listening on (https:\/\/127\.0\.0\.1:\d+)/.exec(err);
          if (match?.[1] && err.includes('NODE_EXTRA_CA_CERTS')) resolve(match[1]);
        });
        child.on('exit', (code) => reject(new Error(`emulator exited ${code}: ${err}`)));
      });
      const listed = await cli.run(['list', '-p', 'ultravox', '--json'], {
        baseUrl: `${url}/ultravox`,
        apiKey: 'any-test-key',
        env: { NODE_EXTRA_CA_CERTS: certFile },
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
