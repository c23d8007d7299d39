// Start-up benchmark: median wall time of voicehooks commands over N runs, as a ratio to `node -e 0` on the
// same Node. Ratios, not absolute times, so the figure means the same on a faster or slower machine.
// Run with `npm run bench` (builds first). Prints; asserts nothing.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 10);
const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NO_COLOR: '1' };

function time(args: string[]): { median: number; min: number; max: number } {
  const samples: number[] = [];
  spawnSync(process.execPath, args, { cwd: root, env }); // warm the file cache and the compile cache
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const result = spawnSync(process.execPath, args, { cwd: root, env, stdio: 'ignore' });
    samples.push(performance.now() - started);
    if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited ${result.status}`);
  }
  samples.sort((a, b) => a - b);
  const mid = Math.floor(samples.length / 2);
  const median = samples.length % 2 ? samples[mid]! : (samples[mid - 1]! + samples[mid]!) / 2;
  return { median, min: samples[0]!, max: samples[samples.length - 1]! };
}

const baseline = time(['-e', '0']);
const cases: { label: string; args: string[]; target: number }[] = [
  { label: 'voicehooks --version', args: ['bin/run.js', '--version'], target: 3.0 },
  {
    label: 'voicehooks events -p ultravox --json',
    args: ['bin/run.js', 'events', '-p', 'ultravox', '--json'],
    target: 3.0,
  },
  { label: 'voicehooks --help', args: ['bin/run.js', '--help'], target: 3.0 },
];

console.log(`node ${process.version}, ${runs} runs each; node -e 0: median ${baseline.median.toFixed(1)} ms`);
console.log('command\tmedian ms\tmin..max ms\tratio\ttarget\tmet');
let allMet = true;
for (const c of cases) {
  const t = time(c.args);
  const ratio = t.median / baseline.median;
  const met = ratio <= c.target;
  allMet &&= met;
  console.log(
    `${c.label}\t${t.median.toFixed(1)}\t${t.min.toFixed(1)}..${t.max.toFixed(1)}\t${ratio.toFixed(2)}x\t<= ${c.target}x\t${met ? 'yes' : 'NO'}`,
  );
}
console.log(allMet ? 'every target met' : 'some targets missed');
