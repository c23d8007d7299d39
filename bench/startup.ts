// The performance benchmark (issues 10 and 18): every figure is a ratio to a yardstick measured on the same
// machine in the same run, so that a figure means the same on a faster or slower machine. Requests go over TLS
// to the emulator (`startEmulator` with its --tls certificate, trusted through NODE_EXTRA_CA_CERTS), as they do
// to every real provider: node:tls is loaded, and undici takes the HTTP/2 the TLS emulator offers, as it does
// from any provider that offers it (the node:https yardstick speaks HTTP/1.1, all it can).
//
// The four figures of issue 18, each paired run by run with its yardstick (a drift in the machine's load moves
// both sides of a pair alike), the figure being the median of the pairs' ratios:
//   --version and `events --json` against `node -e 0`;
//   `get` against a one-request node:https script (bench/https-get.mjs);
//   `list` of 10,000 webhooks against a bare undici page loop (bench/undici-pages.mjs), and its peak memory.
// Then, for reference: --help, the bare undici GET (what `get` would cost written by hand), how early `list`
// starts writing, and `apply` with concurrency (issue 10).
//
// Run with `npm run bench` (builds first). Prints medians and spread (min..max) with each target and whether
// it is met; asserts nothing, and exits 0 either way. BENCH_RUNS sets the pairs of each figure (default 15);
// BENCH_QUICK=1 skips list and apply; BENCH_CLI=/path/to/bin/run.js measures another build (the emulator and
// the yardsticks stay this checkout's), to compare before and after a change.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator, type RunningEmulator } from '../src/emulator/server.ts';
import { emulatorCertificate } from '../src/emulator/tls.ts';
import type { UltravoxEmulator } from '../src/providers/ultravox/emulator.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 15);
const cli = process.env.BENCH_CLI ?? join(root, 'bin', 'run.js');
/** BENCH_QUICK=1: the start-up figures only (seconds, not a minute), for trying a change. */
const quick = process.env.BENCH_QUICK === '1';
const LIST_RUNS = Math.max(5, Math.ceil(runs / 2));
const APPLY_RUNS = Math.max(1, Math.ceil(runs / 5));
const KEY = 'bench-key';
const scratch = mkdtempSync(join(tmpdir(), 'voicehooks-bench-'));
const baseEnv: Record<string, string> = {
  PATH: process.env.PATH ?? '',
  HOME: scratch,
  NO_COLOR: '1',
  VOICEHOOKS_CONFIG_DIR: join(scratch, 'config'),
  NO_PROXY: '127.0.0.1',
};
const certificate = await emulatorCertificate(join(scratch, 'tls'));
/** What every process that talks to the emulator gets, the yardsticks as much as the CLI. */
const tlsEnv = { NODE_EXTRA_CA_CERTS: certificate.certFile };

interface Run {
  ms: number;
  /** ms from spawn to the first byte on stdout. */
  firstOutputMs?: number;
  /** performance.now() of the first byte on stdout. */
  firstOutputAt?: number;
  /** For `list`: ms between the first output byte and the last page's arrival (positive = output first). */
  lead?: number;
  /** Peak resident memory of the child in MB (only when measured). */
  maxRssMb?: number;
  stdoutBytes: number;
}

/** Spawns `node args` (asynchronously, so an in-process emulator keeps answering) and times it. */
function once(args: string[], env: Record<string, string> = {}, measureMemory = false): Promise<Run> {
  return new Promise((resolve, reject) => {
    const command = measureMemory ? '/usr/bin/time' : process.execPath;
    const argv = measureMemory ? ['-f', 'maxrss-kb %M', process.execPath, ...args] : args;
    const started = performance.now();
    const child = spawn(command, argv, { cwd: root, env: { ...baseEnv, ...env } });
    const run: Run = { ms: 0, stdoutBytes: 0 };
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      if (run.firstOutputMs === undefined) {
        run.firstOutputMs = performance.now() - started;
        run.firstOutputAt = performance.now();
      }
      run.stdoutBytes += chunk.length;
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      run.ms = performance.now() - started;
      const rss = /maxrss-kb (\d+)/.exec(stderr);
      if (rss) run.maxRssMb = Number(rss[1]) / 1024;
      if (code !== 0) reject(new Error(`node ${args.join(' ')} exited ${code}: ${stderr}`));
      else resolve(run);
    });
  });
}

interface Stats {
  median: number;
  min: number;
  max: number;
}

function stats(values: number[]): Stats {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

/** `n` timed runs after one untimed one (which warms the file cache and Node's compile cache). */
async function timed(n: number, make: () => Promise<Run>): Promise<Run[]> {
  await make();
  const results: Run[] = [];
  for (let i = 0; i < n; i++) results.push(await make());
  return results;
}

const HEADER = ['figure', 'median', 'spread (min..max)', 'target', 'met'];
const rows: string[][] = [];
let allMet = true;
function report(label: string, value: string, spread: string, target: string, met: boolean): void {
  allMet &&= met;
  rows.push([label, value, spread, target, met ? 'yes' : 'NO']);
}
const ms = (s: Stats): string => `${s.median.toFixed(0)} ms`;
const range = (s: Stats, unit = 'ms'): string => `${s.min.toFixed(0)}..${s.max.toFixed(0)} ${unit}`;

/**
 * A figure paired with its yardstick: each run of the command follows a run of the yardstick, and the figure
 * is the median of the pairs' ratios, the spread their min..max (with the command's own median time).
 * Returns the runs, for figures that read more from them.
 */
async function pairedRow(
  label: string,
  yardstick: () => Promise<Run>,
  command: () => Promise<Run>,
  target: number | undefined,
  n = runs,
): Promise<{ runs: Run[]; yardsticks: Run[] }> {
  await yardstick();
  await command(); // warms the file cache, Node's compile cache and the code cache
  const ratios: number[] = [];
  const result = { runs: [] as Run[], yardsticks: [] as Run[] };
  for (let i = 0; i < n; i++) {
    const base = await yardstick();
    const run = await command();
    ratios.push(run.ms / base.ms);
    result.runs.push(run);
    result.yardsticks.push(base);
  }
  const r = stats(ratios);
  const spread = `${r.min.toFixed(2)}..${r.max.toFixed(2)}x (${ms(stats(result.runs.map((x) => x.ms)))})`;
  if (target === undefined) report(label, `${r.median.toFixed(2)}x`, spread, '-', true);
  else report(label, `${r.median.toFixed(2)}x`, spread, `<= ${target}x`, r.median <= target);
  return result;
}

function yardstickRow(label: string, list: Run[]): void {
  const s = stats(list.map((r) => r.ms));
  report(label, ms(s), range(s), '-', true);
}

const nodeE0 = () => once(['-e', '0']);
const voicehooks = (args: string[], env: Record<string, string> = {}, memory = false) =>
  once([cli, ...args], env, memory);

// ---- start-up ----

{
  const { yardsticks } = await pairedRow(
    'voicehooks --version',
    nodeE0,
    () => voicehooks(['--version']),
    1.2,
  );
  yardstickRow('  node -e 0 (yardstick)', yardsticks);
}
await pairedRow(
  'voicehooks events -p ultravox --json',
  nodeE0,
  () => voicehooks(['events', '-p', 'ultravox', '--json']),
  2.2,
);
await pairedRow('  for reference: voicehooks --help', nodeE0, () => voicehooks(['--help']), 1.6);

// ---- against the emulator, over TLS ----

async function withEmulator<R>(work: (emu: RunningEmulator) => Promise<R>): Promise<R> {
  const emu = await startEmulator({ apiKey: KEY, tls: certificate });
  try {
    return await work(emu);
  } finally {
    await emu.close();
  }
}

const ultravox = (emu: RunningEmulator): UltravoxEmulator => emu.providers.ultravox as UltravoxEmulator;
const apiEnv = (emu: RunningEmulator): Record<string, string> => ({
  ...tlsEnv,
  VOICEHOOKS_ULTRAVOX_BASE_URL: emu.baseUrl('ultravox'),
  VOICEHOOKS_ULTRAVOX_API_KEY: KEY,
});

await withEmulator(async (emu) => {
  ultravox(emu).seed(1);
  const id = ultravox(emu).webhooks()[0]?.webhookId ?? '';
  const url = `${emu.baseUrl('ultravox')}/api/webhooks/${id}`;
  const floor = () => once(['bench/https-get.mjs', url, KEY], tlsEnv);
  const { yardsticks } = await pairedRow(
    'voicehooks get ID -p ultravox --json (TLS)',
    floor,
    () => voicehooks(['get', id, '-p', 'ultravox', '--json'], apiEnv(emu)),
    2.0,
  );
  yardstickRow('  node:https GET, agent: false (yardstick)', yardsticks);
  await pairedRow(
    '  for reference: a bare undici GET',
    floor,
    () => once(['bench/undici-get.mjs', url, KEY], tlsEnv),
    undefined,
  );
});

// ---- list of 10,000 ----

async function benchList(): Promise<void> {
  await withEmulator(async (emu) => {
    ultravox(emu).seed(10_000);
    const pages = () => once(['bench/undici-pages.mjs', emu.baseUrl('ultravox'), KEY], tlsEnv);
    const lists = await pairedRow(
      'voicehooks list --json, 10,000 webhooks (TLS)',
      pages,
      async () => {
        const before = emu.requests.length;
        const run = await voicehooks(['list', '-p', 'ultravox', '--json'], apiEnv(emu), true);
        const got = emu.requests.slice(before);
        if (got.length !== 100) throw new Error(`list fetched ${got.length} pages, not 100`);
        // How long before the last page was received did the first output byte appear (positive = earlier).
        run.lead = (got[got.length - 1]?.at ?? 0) - (run.firstOutputAt ?? 0);
        return run;
      },
      1.1,
      LIST_RUNS,
    );
    yardstickRow('  undici page loop, 100 pages (yardstick)', lists.yardsticks);
    const rss = stats(lists.runs.map((r) => r.maxRssMb ?? Infinity));
    report(
      '  peak memory (max RSS)',
      `${rss.median.toFixed(0)} MB`,
      range(rss, 'MB'),
      '<= 100 MB',
      rss.max <= 100,
    );
    const leads = stats(lists.runs.map((r) => r.lead ?? -Infinity));
    report(
      '  first output before the last page arrives',
      `${leads.median.toFixed(0)} ms before`,
      range(leads),
      '> 0 ms before',
      leads.min > 0,
    );
  });
}

// ---- apply of 200 with 50 ms per request ----

async function benchApply(): Promise<void> {
  const entries = Array.from(
    { length: 200 },
    (_, i) => `  - provider: ultravox\n    url: https://example.com/hook-${i}\n    events: [call.ended]\n`,
  ).join('');
  const applyFile = join(scratch, 'apply.yaml');
  writeFileSync(applyFile, `webhooks:\n${entries}`);

  async function applyOnce(concurrency?: string): Promise<Run> {
    return withEmulator(async (emu) => {
      emu.faults.add({ kind: 'delay', delayMs: 50 });
      const env = { ...apiEnv(emu), ...(concurrency ? { VOICEHOOKS_CONCURRENCY: concurrency } : {}) };
      const run = await voicehooks(['apply', '-f', applyFile, '--json'], env);
      if (ultravox(emu).webhooks().length !== 200) throw new Error('apply did not create 200 webhooks');
      return run;
    });
  }
  const serial = stats((await timed(APPLY_RUNS, () => applyOnce('1'))).map((r) => r.ms));
  report('apply 200, +50 ms each, one at a time (yardstick)', ms(serial), range(serial), '-', true);
  const parallel = stats((await timed(APPLY_RUNS, () => applyOnce())).map((r) => r.ms));
  const speedup = serial.median / parallel.median;
  report(
    'apply 200, +50 ms each, default concurrency',
    `${speedup.toFixed(1)}x faster`,
    `${(serial.median / parallel.max).toFixed(1)}..${(serial.median / parallel.min).toFixed(1)}x (${ms(parallel)})`,
    '>= 4x faster',
    speedup >= 4,
  );
}

if (!quick) {
  await benchList();
  await benchApply();
}

rmSync(scratch, { recursive: true, force: true });

const widths = [0, 1, 2, 3, 4].map((i) => Math.max(...[HEADER, ...rows].map((r) => r[i]!.length)));
console.log(
  `node ${process.version}; ${cli}; start-up and get: ${runs} paired runs each` +
    (quick ? ' (BENCH_QUICK: list and apply skipped)' : `, list: ${LIST_RUNS}, apply: ${APPLY_RUNS}`),
);
for (const row of [HEADER, ...rows]) console.log(row.map((c, i) => c.padEnd(widths[i]!)).join('  '));
console.log(allMet ? 'every target met' : 'some targets missed');
