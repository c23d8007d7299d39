// Compares builds of the command line on one figure, run by run: `node bench/compare.ts list|get|events
// BUILD...`, each BUILD a path to a bin/run.js (a copy of another commit's bin/, dist/, package.json and
// oclif.manifest.json next to a node_modules). Each run of each build follows a run of the figure's yardstick
// (as in bench/startup.ts), the builds in alternating order; printed per build: the median ratio to the
// yardstick with its spread, and the medians of wall time, CPU time (user + system, which a loaded machine
// disturbs less than wall time) and peak memory. BENCH_RUNS sets the rounds (default 10). Over TLS, against
// the emulator with its own certificate.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '../src/emulator/server.ts';
import { emulatorCertificate } from '../src/emulator/tls.ts';
import type { UltravoxEmulator } from '../src/providers/ultravox/emulator.ts';

const [figure, ...builds] = process.argv.slice(2);
if (!['list', 'get', 'events'].includes(figure ?? '') || builds.length === 0) {
  console.error('usage: node bench/compare.ts list|get|events BUILD/bin/run.js...');
  process.exit(2);
}
const runs = Number(process.env.BENCH_RUNS ?? 10);
const KEY = 'bench-key';
const scratch = mkdtempSync(join(tmpdir(), 'voicehooks-compare-'));
const certificate = await emulatorCertificate(join(scratch, 'tls'));
const baseEnv = {
  PATH: process.env.PATH ?? '',
  HOME: scratch,
  NO_COLOR: '1',
  VOICEHOOKS_CONFIG_DIR: join(scratch, 'config'),
  NO_PROXY: '127.0.0.1',
  NODE_EXTRA_CA_CERTS: certificate.certFile,
};

interface Run {
  ms: number;
  cpuMs: number;
  rssMb: number;
}

function once(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('/usr/bin/time', ['-f', 'vh %M %U %S', process.execPath, ...args], {
      env: { ...baseEnv, ...env },
    });
    let stderr = '';
    child.stdout.resume();
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - started;
      const m = /vh (\d+) ([\d.]+) ([\d.]+)/.exec(stderr);
      if (code !== 0 || !m) reject(new Error(`node ${args.join(' ')} exited ${code}: ${stderr}`));
      else resolve({ ms, rssMb: Number(m[1]) / 1024, cpuMs: (Number(m[2]) + Number(m[3])) * 1000 });
    });
  });
}

const emu = await startEmulator({ apiKey: KEY, tls: certificate });
const ultravox = emu.providers.ultravox as UltravoxEmulator;
const api = { VOICEHOOKS_ULTRAVOX_BASE_URL: emu.baseUrl('ultravox'), VOICEHOOKS_ULTRAVOX_API_KEY: KEY };
let yardstick: () => Promise<Run>;
let command: (cli: string) => Promise<Run>;
if (figure === 'list') {
  ultravox.seed(10_000);
  yardstick = () => once(['bench/undici-pages.mjs', emu.baseUrl('ultravox'), KEY]);
  command = (cli) => once([cli, 'list', '-p', 'ultravox', '--json'], api);
} else if (figure === 'get') {
  ultravox.seed(1);
  const id = ultravox.webhooks()[0]?.webhookId ?? '';
  yardstick = () => once(['bench/https-get.mjs', `${emu.baseUrl('ultravox')}/api/webhooks/${id}`, KEY]);
  command = (cli) => once([cli, 'get', id, '-p', 'ultravox', '--json'], api);
} else {
  yardstick = () => once(['-e', '0']);
  command = (cli) => once([cli, 'events', '-p', 'ultravox', '--json']);
}

const median = (values: number[]): number => {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

try {
  await yardstick(); // warms the file cache, the compile caches and the code cache
  for (const build of builds) await command(build);
  const results = builds.map(() => ({ ratios: [] as number[], runs: [] as Run[] }));
  const yardsticks: Run[] = [];
  for (let i = 0; i < runs; i++) {
    const order = i % 2 ? [...builds.keys()].reverse() : [...builds.keys()];
    for (const k of order) {
      const base = await yardstick();
      const run = await command(builds[k]!);
      results[k]!.ratios.push(run.ms / base.ms);
      results[k]!.runs.push(run);
      yardsticks.push(base);
    }
  }
  const describe = (label: string, list: Run[], ratios?: number[]) =>
    console.log(
      `${label}: ` +
        (ratios
          ? `${median(ratios).toFixed(2)}x (${Math.min(...ratios).toFixed(2)}..${Math.max(...ratios).toFixed(2)}), `
          : '') +
        `wall ${median(list.map((r) => r.ms)).toFixed(0)} ms, cpu ${median(list.map((r) => r.cpuMs)).toFixed(0)} ms, ` +
        `max RSS ${median(list.map((r) => r.rssMb)).toFixed(0)} MB ` +
        `(${Math.min(...list.map((r) => r.rssMb)).toFixed(0)}..${Math.max(...list.map((r) => r.rssMb)).toFixed(0)})`,
    );
  console.log(`${figure}, ${runs} rounds`);
  builds.forEach((build, k) => describe(build, results[k]!.runs, results[k]!.ratios));
  describe('yardstick', yardsticks);
} finally {
  await emu.close();
  rmSync(scratch, { recursive: true, force: true });
}
