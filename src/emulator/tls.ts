/**
 * The certificate `voicehooks emulator --tls` serves: made once for 127.0.0.1, localhost and ::1, and kept in
 * the config directory (`emulator-tls/`), so that a client told to trust it (`NODE_EXTRA_CA_CERTS`, which
 * `emulator env --tls` prints) keeps trusting it across restarts. It is its own CA, so the one file is what
 * a client trusts. Node cannot make an X.509 certificate itself; the library that does (selfsigned) is loaded
 * only here, only under --tls.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface EmulatorCertificate {
  /** PEM. */
  cert: string;
  /** PEM; the file is mode 0600. */
  key: string;
  /** The file holding `cert`: what NODE_EXTRA_CA_CERTS names. */
  certFile: string;
}

/** A certificate is made for this long and made again when less than a day of it is left. */
const VALID_DAYS = 825;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Where the emulator's certificate lives, under the config directory `configDir`. */
export function certificatePaths(configDir: string): { dir: string; certFile: string; keyFile: string } {
  const dir = join(configDir, 'emulator-tls');
  return { dir, certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') };
}

/** The kept certificate when it is still good for loopback, else a new one, written before it is used. */
export async function emulatorCertificate(configDir: string): Promise<EmulatorCertificate> {
  const { dir, certFile, keyFile } = certificatePaths(configDir);
  const kept = readKept(certFile, keyFile);
  if (kept) return { ...kept, certFile };

  const selfsigned = await import('selfsigned');
  // selfsigned is CommonJS: bundled, its dynamic import has its exports as `default` only.
  const { generate } = (selfsigned as unknown as { default?: typeof selfsigned }).default ?? selfsigned;
  const now = new Date();
  const pems = await generate([{ name: 'commonName', value: 'voicehooks emulator (127.0.0.1)' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 60_000), // a clock a little behind still accepts it
    notAfterDate: new Date(now.getTime() + VALID_DAYS * DAY_MS),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
          { type: 2, value: 'localhost' },
        ],
      },
    ],
  });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  // The key first, and each written aside and renamed: an emulator starting at the same time reads a whole
  // pair or none (and then makes its own).
  writeAside(keyFile, pems.private);
  writeAside(certFile, pems.cert);
  return { cert: pems.cert, key: pems.private, certFile };
}

function writeAside(file: string, text: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, text, { mode: 0o600 });
  renameSync(temporary, file);
}

/** The kept pair, if both files read, the key matches, and the certificate covers loopback for a day more. */
function readKept(certFile: string, keyFile: string): { cert: string; key: string } | undefined {
  try {
    const cert = readFileSync(certFile, 'utf8');
    const key = readFileSync(keyFile, 'utf8');
    const x509 = new X509Certificate(cert);
    if (Date.parse(x509.validTo) - Date.now() < DAY_MS) return undefined;
    if (!x509.checkIP('127.0.0.1')) return undefined;
    if (!x509.checkPrivateKey(createPrivateKey(key))) return undefined;
    return { cert, key };
  } catch {
    return undefined; // none yet, unreadable or damaged: make a new one
  }
}
