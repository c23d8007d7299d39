// The performance benchmark of issue 10: every figure as a ratio to a yardstick measured on the same machine
// in the same run (`node -e 0`, a minimal undici script, `apply` one request at a time), so that a figure
// means the same on a faster or slower machine. Run with `npm run bench` (builds first). Prints medians and
// spread (min..max) with each target and whether it is met; asserts nothing, and exits 0 either way.
// BENCH_RUNS sets the runs of the start-up figures (default 10); the long figures run fewer times.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator, type RunningEmulator } from '../src/emulator/server.ts';
import type { UltravoxEmulator } from '../src/providers/ultravox/emulator.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 10);
/** BENCH_QUICK=1: the start-up figures only (seconds, not a minute), for trying a change. */
const quick = process.env.BENCH_QUICK === '1';
const LIST_RUNS = Math.max(3, Math.ceil(runs / 2));
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

interface Run {
  ms: number;
  /** ms from spawn to the first byte on stdout. */
  firstOutputMs?: number;
  /** performance.now() of the first byte on stdout. */
  firstOutputAt?: number;
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
 * A start-up figure: each run of the command is paired with a run of `node -e 0` just before it, and the
 * figure is the median of the pairs' ratios. Paired, a drift in the machine's load (other work, thermal
 * throttling) moves both sides of a ratio alike instead of whichever block of runs it happened to hit.
 */
async function pairedRow(label: string, args: string[], env: Record<string, string>, target: number) {
  await once(['-e', '0']);
  await once(args, env); // warms the file cache and Node's compile cache
  const ratios: number[] = [];
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const base = await once(['-e', '0']);
    const run = await once(args, env);
    ratios.push(run.ms / base.ms);
    times.push(run.ms);
  }
  const r = stats(ratios);
  const spread = `${r.min.toFixed(2)}..${r.max.toFixed(2)}x (${ms(stats(times))})`;
  report(label, `${r.median.toFixed(2)}x`, spread, `<= ${target}x`, r.median <= target);
}

function ratioRow(label: string, t: Stats, base: Stats, target: number): void {
  const ratio = t.median / base.median;
  // The spread of the ratio: each extreme of the command over the median of the yardstick.
  const spread = `${(t.min / base.median).toFixed(2)}..${(t.max / base.median).toFixed(2)}x (${ms(t)})`;
  report(label, `${ratio.toFixed(2)}x`, spread, `<= ${target}x`, ratio <= target);
}

// ---- start-up ----

const baseline = stats((await timed(runs, () => once(['-e', '0']))).map((r) => r.ms));
report('node -e 0 (yardstick)', ms(baseline), range(baseline), '-', true);

const startup: { label: string; args: string[]; target: number }[] = [
  { label: 'voicehooks --version', args: ['--version'], target: 1.6 },
  { label: 'voicehooks --help', args: ['--help'], target: 1.6 },
  {
    label: 'voicehooks events -p ultravox --json',
    args: ['events', '-p', 'ultravox', '--json'],
    target: 2.3,
  },
];
for (const c of startup) await pairedRow(c.label, ['bin/run.js', ...c.args], {}, c.target);

// ---- get against the emulator ----

async function withEmulator<R>(work: (emu: RunningEmulator) => Promise<R>): Promise<R> {
  const emu = await startEmulator({ apiKey: KEY });
  try {
    return await work(emu);
  } finally {
    await emu.close();
  }
}

const ultravox = (emu: RunningEmulator): UltravoxEmulator => emu.providers.ultravox as UltravoxEmulator;
const apiEnv = (emu: RunningEmulator): Record<string, string> => ({
  VOICEHOOKS_ULTRAVOX_BASE_URL: emu.baseUrl('ultravox'),
  VOICEHOOKS_ULTRAVOX_API_KEY: KEY,
});

await withEmulator(async (emu) => {
  ultravox(emu).seed(1);
  const id = ultravox(emu).webhooks()[0]?.webhookId ?? '';
  const args = ['bin/run.js', 'get', id, '-p', 'ultravox', '--json'];
  await pairedRow('voicehooks get ID -p ultravox --json (emulator)', args, apiEnv(emu), 2.8);
});

// ---- list of 10,000 ----

async function benchList(): Promise<void> {
  await withEmulator(async (emu) => {
    ultravox(emu).seed(10_000);
    const script = stats(
      (await timed(LIST_RUNS, () => once(['bench/fetch-pages.ts', emu.baseUrl('ultravox'), KEY]))).map(
        (r) => r.ms,
      ),
    );
    report('minimal undici script, 100 pages (yardstick)', ms(script), range(script), '-', true);
    const listArgs = ['bin/run.js', 'list', '-p', 'ultravox', '--json'];
    const lists = await timed(LIST_RUNS, async () => {
      const before = emu.requests.length;
      const run = await once(listArgs, apiEnv(emu), true);
      const pages = emu.requests.slice(before);
      if (pages.length !== 100) throw new Error(`list fetched ${pages.length} pages, not 100`);
      // How long before the last page was received did the first output byte appear (positive = earlier).
      (run as Run & { lead?: number }).lead = (pages[pages.length - 1]?.at ?? 0) - (run.firstOutputAt ?? 0);
      return run;
    });
    ratioRow('voicehooks list --json, 10,000 webhooks', stats(lists.map((r) => r.ms)), script, 1.3);
    const rss = stats(lists.map((r) => r.maxRssMb ?? Infinity));
    report(
      '  peak memory (max RSS)',
      `${rss.median.toFixed(0)} MB`,
      range(rss, 'MB'),
      '<= 120 MB',
      rss.max <= 120,
    );
    const leads = stats(lists.map((r) => (r as Run & { lead?: number }).lead ?? -Infinity));
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
      const run = await once(['bin/run.js', 'apply', '-f', applyFile, '--json'], env);
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
  `node ${process.version}; start-up and get: ${runs} paired runs each` +
    (quick ? ' (BENCH_QUICK: list and apply skipped)' : `, list: ${LIST_RUNS}, apply: ${APPLY_RUNS}`),
);
for (const row of [HEADER, ...rows]) console.log(row.map((c, i) => c.padEnd(widths[i]!)).join('  '));
console.log(allMet ? 'every target met' : 'some targets missed');
