// The README and docs/ must work exactly as written: each runnable block runs in bash with a fresh config
// directory, against the emulator it starts itself, wherever it lives; every runnable block is in the list
// below; the README stays short; and the command reference is what `oclif readme` generates.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { globSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const read = (file: string): string => readFileSync(join(root, file), 'utf8');
const readme = read('README.md');

/** The bash code between `<!-- marker -->` and `<!-- markerstop -->` of a file. */
function block(file: string, marker: string): string {
  const text = read(file);
  const start = text.indexOf(`<!-- ${marker} -->`);
  const end = text.indexOf(`<!-- ${marker}stop -->`);
  assert.ok(start >= 0 && end > start, `${file} has no ${marker} block`);
  const code = /```bash\n([\s\S]*?)```/.exec(text.slice(start, end));
  assert.ok(code?.[1], `the ${marker} block of ${file} has no bash code`);
  return code[1];
}

/** A port nobody listens on now: the blocks' emulator is moved there (VOICEHOOKS_EMULATOR_PORT), off 4747. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function runBlock(file: string, marker: string, port: number): { stdout: string; stderr: string } {
  const config = mkdtempSync(join(tmpdir(), 'vh-readme-'));
  try {
    // -e stops at the first failing command and the ERR trap names it; the EXIT trap stops background
    // processes the script left running after a failure.
    const script = `set -e -o pipefail\ntrap 'echo "FAILED: $BASH_COMMAND (exit $?)" >&2' ERR\ntrap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n${block(file, marker)}`;
    const run = spawnSync('bash', ['-c', script], {
      cwd: root,
      encoding: 'utf8',
      timeout: 90_000,
      env: {
        PATH: process.env.PATH,
        HOME: config,
        VOICEHOOKS_CONFIG_DIR: config,
        NO_COLOR: '1',
        VOICEHOOKS_EMULATOR_PORT: String(port),
      },
    });
    assert.equal(run.status, 0, `the ${marker} block of ${file} failed:\n${run.stdout}\n${run.stderr}`);
    return run;
  } finally {
    rmSync(config, { recursive: true, force: true });
  }
}

// Every runnable block, in the order a reader meets them, with the file it is in. Each starts its own
// emulator (on a free port, through VOICEHOOKS_EMULATOR_PORT) and stops it, so they run one after the other.
const BLOCKS: [file: string, marker: string][] = [
  ['README.md', 'quickstart'],
  ['README.md', 'apply'],
  ['docs/emulator.md', 'demo'],
  ['docs/usage.md', 'help-topics'],
  ['docs/providers/talkover.md', 'talkover-quickstart'],
  ['docs/providers/talkover.md', 'talkover-campaign-quickstart'],
  ['docs/providers/polyai.md', 'polyai-quickstart'],
  ['docs/providers/daily.md', 'daily-quickstart'],
  ['docs/deliveries.md', 'signatures'],
];

describe('README and docs', () => {
  it('start with the set-up commands: install, then build', () => {
    const firstCode = /```bash\n([\s\S]*?)```/.exec(readme)?.[1];
    assert.equal(firstCode, 'npm ci\nnpm run build\n');
  });

  it('the README is short enough for a newcomer: 400 lines or fewer', () => {
    const lines = readme.split('\n').length;
    assert.ok(lines <= 400, `README.md has ${lines} lines`);
  });

  it('every runnable block of the README and docs/ is one the tests run', () => {
    const files = ['README.md', ...globSync('docs/**/*.md', { cwd: root })];
    const found: string[] = [];
    for (const file of files) {
      for (const match of read(file).matchAll(/<!-- ([a-z0-9-]+) -->\n+```bash\n/g)) {
        found.push(`${file} ${match[1]}`);
      }
    }
    assert.deepEqual(found.sort(), BLOCKS.map(([file, marker]) => `${file} ${marker}`).sort());
  });

  for (const [file, marker] of BLOCKS) {
    it(`runs the ${marker} block of ${file} as written, every command exiting 0`, async () => {
      const run = runBlock(file, marker, await freePort());
      if (marker === 'demo') {
        // listen saw the signed test delivery and the triggered event, and verified both.
        const verified = run.stdout.split('\n').filter((l) => l === 'alerts.triggered\tverified');
        assert.equal(verified.length, 2, run.stdout);
      }
      if (marker === 'talkover-campaign-quickstart') {
        // create read the webhook back; logs lists the test, the campaign event and the per-call event.
        assert.match(run.stderr, /the webhook shown was read back with GET/);
        const logged = run.stdout.split('\n').filter((l) => /\tsuccess\t200\t/.test(l));
        assert.deepEqual(
          logged.map((l) => /\t(campaign\.\w+|event_\w+)\t/.exec(l)?.[1]),
          ['event_call_report', 'campaign.completed', 'campaign.started'],
          run.stdout,
        );
      }
      if (marker === 'quickstart') {
        const lines = run.stdout.trim().split('\n');
        // list prints the webhook create made (TSV, its id first), then `get --jq .url` its URL.
        assert.match(lines[0] ?? '', /^[0-9a-f-]{36}\thttps:\/\/example\.com\/hooks\t/);
        assert.equal(lines[1], 'https://example.com/hooks', run.stdout);
        assert.match(run.stderr, /Deleted Ultravox webhook/);
      }
    });
  }

  it('docs/commands.md is the command reference `oclif readme` generates from the commands', () => {
    const generated = spawnSync(
      process.execPath,
      [
        'node_modules/oclif/bin/run.js',
        'readme',
        '--no-aliases',
        '--no-source-links',
        '--readme-path',
        'docs/commands.md',
        '--dry-run',
      ],
      { cwd: root, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME } },
    );
    assert.equal(generated.status, 0, generated.stderr);
    const expected = generated.stdout.replace(/^replacing .*\n/, '').trim();
    assert.ok(expected.includes('## `voicehooks create`'));
    assert.equal(
      read('docs/commands.md').trim(),
      expected,
      'docs/commands.md is out of date: run `npm run readme`',
    );
  });

  it('docs/commands.md documents every command people can run', () => {
    const manifest = JSON.parse(read('oclif.manifest.json')) as {
      commands: Record<string, { hidden?: boolean }>;
    };
    const reference = read('docs/commands.md');
    const missing = Object.entries(manifest.commands)
      .filter(([, c]) => !c.hidden)
      .map(([id]) => id.replaceAll(':', ' '))
      .filter((id) => !reference.includes(`## \`voicehooks ${id}`));
    assert.deepEqual(missing, []);
  });

  it('the README links only to files that exist', () => {
    for (const [, target] of readme.matchAll(/\]\(((?:docs\/|\.\.?\/)[^)#]+)(?:#[^)]*)?\)/g)) {
      assert.doesNotThrow(() => read(target!), `README links to ${target}, which does not exist`);
    }
  });
});
