/**
 * Runs a voicehooks command the way a script would: stdin a pipe (so never a terminal and never a prompt), a
 * fresh config directory, and an environment from which every inherited voicehooks setting, provider key and
 * proxy has been removed. Every stdout and stderr captured is kept in {@link captured}, and every temporary
 * directory in {@link tempRoots}, so that a test can scan all output and all written files for leaked
 * credentials.
 *
 * A command runs in this process, from the sources, with its streams and environment injected (src/io.ts):
 * tens of milliseconds instead of a Node start-up. What only a process has runs the BUILT command line
 * (`node bin/run.js …`, so `npm run build` first) as a child, with no shell: help and version (answered by
 * bin/run.js and oclif before any command), an unknown command (a hook), a variable Node reads at start
 * (NODE_EXTRA_CA_CERTS, NODE_COMPILE_CACHE, NODE_OPTIONS), a proxy (undici reads it from the process), or
 * `spawn: true`. test/smoke.test.ts runs each command once that way.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Config } from '@oclif/core';
import { fakeIO, type FakeIOOptions } from '../../src/io.ts';
import { availableProviders } from '../../src/providers/index.ts';
import { envName } from '../../src/resolve.ts';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'run.js');

/**
 * A closed port on loopback. Set as the proxy for every spawn (with loopback exempted through NO_PROXY), so a
 * request that a bug sent to a non-loopback host would fail here instead of leaving the machine.
 */
const DEAD_PROXY = 'http://127.0.0.1:9';
// The same guard for commands run in this process: undici's proxy agent reads these from the process.
process.env.HTTP_PROXY = DEAD_PROXY;
process.env.HTTPS_PROXY = DEAD_PROXY;
process.env.NO_PROXY = '127.0.0.1,localhost,::1';
for (const name of ['http_proxy', 'https_proxy', 'no_proxy', 'all_proxy', 'ALL_PROXY'])
  delete process.env[name];

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
  /** Run the built CLI as a child process even when the command could run in this one. */
  spawn?: boolean;
  /** Run in this process with stdout (and stderr, stdin) a terminal of this shape (src/io.ts, fakeIO). */
  tty?: FakeIOOptions['tty'];
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
/**
 * The variables that point every provider of the registry at an emulator, each with `key`: what
 * `voicehooks emulator env` prints, under the names resolution reads.
 */
export function emulatorVars(
  emulator: { baseUrl(provider: string): string },
  key: string,
): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const { name } of availableProviders()) {
    vars[envName(name, 'base-url')] = emulator.baseUrl(name);
    vars[envName(name, 'api-key')] = key;
  }
  return vars;
}

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

/** Runs `voicehooks ...args`: in this process when it can, else as a child (see the top of this file). */
export async function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  const command = options.spawn ? undefined : await inProcessCommand(args, options);
  if (!command && options.tty) throw new Error(`voicehooks ${args.join(' ')} cannot run at a fake terminal`);
  return command ? runInProcess(command, args, options) : spawnCli(args, options);
}

/** Variables that act on the process itself, not through the command's environment. */
const PROCESS_VARIABLES =
  /^(NODE_EXTRA_CA_CERTS|NODE_COMPILE_CACHE|NODE_DISABLE_COMPILE_CACHE|NODE_OPTIONS|VOICEHOOKS_CODE_CACHE|(HTTPS?|ALL|NO)_PROXY)$/i;

let oclifConfig: Promise<Config> | undefined;

/** The command `args` name and the file of its source, when it can run in this process. */
async function inProcessCommand(
  args: readonly string[],
  options: CliOptions,
): Promise<{ id: string; file: string; argv: string[] } | undefined> {
  if (Object.keys(options.env ?? {}).some((name) => PROCESS_VARIABLES.test(name))) return undefined;
  if (args.some((a) => a === '--help' || a === '-h' || a === '--version')) return undefined;
  const words: string[] = [];
  for (const arg of args) {
    if (arg.startsWith('-')) break;
    words.push(arg);
  }
  const config = await (oclifConfig ??= Config.load({ root: ROOT }));
  for (let n = words.length; n > 0; n--) {
    const id = words.slice(0, n).join(':');
    if (id === 'help' || !config.commandIDs.includes(id)) continue;
    const base = join(ROOT, 'src', 'commands', ...words.slice(0, n));
    const file = [`${base}.ts`, join(base, 'index.ts')].find((f) => existsSync(f));
    if (file === undefined) return undefined; // a plugin's command
    return { id, file, argv: args.slice(n) };
  }
  return undefined;
}

interface RunnableCommand {
  io: unknown;
  _run(): Promise<unknown>;
}
type CommandClass = (new (argv: string[], config: Config) => RunnableCommand) & { id?: string };

/** Runs a command as oclif would (init, run, catch, finally), with its IO made of strings. */
async function runInProcess(
  command: { id: string; file: string; argv: string[] },
  args: readonly string[],
  options: CliOptions,
): Promise<CliResult> {
  const config = await (oclifConfig ??= Config.load({ root: ROOT }));
  const Command = ((await import(pathToFileURL(command.file).href)) as { default: CommandClass }).default;
  Command.id = command.id;
  const io = fakeIO({ env: childEnv(options), stdin: options.stdin ?? '', tty: options.tty });
  const instance = new Command(command.argv, config);
  instance.io = io;
  const timeoutMs = options.timeoutMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(
            `voicehooks ${args.join(' ')} timed out after ${timeoutMs} ms\nstdout: ${io.out()}\nstderr: ${io.err()}`,
          ),
        ),
      timeoutMs,
    );
  });
  try {
    await Promise.race([instance._run(), timeout]);
  } finally {
    clearTimeout(timer);
  }
  const result = { code: io.exitCode(), stdout: io.out(), stderr: io.err() };
  captured.push({ args: [...args], stdout: result.stdout, stderr: result.stderr });
  return result;
}

/** Spawns the built CLI once and collects its exit code and output. */
export function spawnCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
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
