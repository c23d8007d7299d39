/**
 * Runs the BUILT command line (`node bin/run.js …`) as a child process, the way a script would: no shell,
 * stdin a pipe (so never a terminal and never a prompt), a fresh config directory, and an environment from
 * which every inherited voicehooks setting, provider key and proxy has been removed. Every stdout and stderr
 * captured is kept in {@link captured}, and every temporary directory in {@link tempRoots}, so that a test can
 * scan all output and all written files for leaked credentials.
 *
 * Run `npm run build` first: this drives `dist/`, not the sources.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'run.js');

/**
 * A closed port on loopback. Set as the proxy for every spawn (with loopback exempted through NO_PROXY), so a
 * request that a bug sent to a non-loopback host would fail here instead of leaving the machine.
 */
const DEAD_PROXY = 'http://127.0.0.1:9';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CapturedRun {
  args: readonly string[];
  stdout: string;
  stderr: string;
}

/** Every run of the CLI in this process, in order. */
export const captured: CapturedRun[] = [];
/** Every temporary directory a {@link Cli} made (each holds its config directory). */
export const tempRoots: string[] = [];

export interface CliOptions {
  /** `VOICEHOOKS_ULTRAVOX_BASE_URL`; null leaves it unset. */
  baseUrl?: string | null;
  /** `VOICEHOOKS_ULTRAVOX_API_KEY`; null leaves it unset. */
  apiKey?: string | null;
  /** Extra variables; an undefined value removes the variable. */
  env?: Record<string, string | undefined>;
  /** Text written to the child's stdin, which is then closed (it is closed at once without this). */
  stdin?: string;
  /** Kill the child and fail after this long. Default 30 s. */
  timeoutMs?: number;
}

export interface Cli {
  /** `VOICEHOOKS_CONFIG_DIR`: not created until the CLI (or the test) creates it. */
  readonly configDir: string;
  /** `configDir/config.json`. */
  readonly configFile: string;
  /** Runs `voicehooks ...args`; `options` override the defaults this Cli was made with. */
  run(args: readonly string[], options?: CliOptions): Promise<CliResult>;
}

/** A CLI with its own fresh config directory; call once per test. */
export function newCli(defaults: CliOptions = {}): Cli {
  const root = mkdtempSync(join(tmpdir(), 'voicehooks-cli-'));
  tempRoots.push(root);
  const configDir = join(root, 'config');
  return {
    configDir,
    configFile: join(configDir, 'config.json'),
    run: (args, options = {}) =>
      runCli(args, {
        ...defaults,
        ...options,
        env: { ...defaults.env, ...options.env, VOICEHOOKS_CONFIG_DIR: configDir },
      }),
  };
}

/** The inherited environment without anything that could steer or authenticate the CLI. */
export function cleanEnv(base: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(base)) {
    if (value === undefined) continue;
    if (/^VOICEHOOKS_/i.test(name)) continue;
    if (/_API_KEY$/i.test(name)) continue;
    if (/^(HTTPS?|ALL|NO)_PROXY$/i.test(name)) continue;
    if (/^(FORCE_COLOR|NO_COLOR|NODE_TEST_CONTEXT|CI)$/.test(name)) continue;
    env[name] = value;
  }
  return env;
}

function childEnv(options: CliOptions): Record<string, string> {
  const env = cleanEnv();
  env.NO_COLOR = '1';
  env.HTTP_PROXY = DEAD_PROXY;
  env.HTTPS_PROXY = DEAD_PROXY;
  env.NO_PROXY = '127.0.0.1,localhost,::1';
  if (options.baseUrl != null) env.VOICEHOOKS_ULTRAVOX_BASE_URL = options.baseUrl;
  if (options.apiKey != null) env.VOICEHOOKS_ULTRAVOX_API_KEY = options.apiKey;
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

/** Spawns the built CLI once and collects its exit code and output. */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: childEnv(options),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    const timeoutMs = options.timeoutMs ?? 30_000;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdin.on('error', () => {}); // the CLI may exit without reading stdin
    child.stdin.end(options.stdin ?? '');
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      captured.push({ args: [...args], stdout, stderr });
      if (timedOut || code === null) {
        reject(
          new Error(
            `voicehooks ${args.join(' ')} ${timedOut ? `timed out after ${timeoutMs} ms` : `died of ${signal}`}\nstdout: ${stdout}\nstderr: ${stderr}`,
          ),
        );
        return;
      }
      resolve({ code, stdout, stderr });
    });
  });
}

/** Every regular file under `dir`, recursively (none when it does not exist). */
export function filesUnder(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true, recursive: true });
  } catch {
    return [];
  }
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

/** Removes every temporary directory made so far. */
export function removeTempRoots(): void {
  for (const root of tempRoots.splice(0)) rmSync(root, { recursive: true, force: true });
}
