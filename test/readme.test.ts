// The README and the provider guides (docs/providers/*.md) must work exactly as written: each runnable block
// runs in bash with a fresh config directory, against the emulator it starts itself, and the command reference
// must be what `oclif readme` generates.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const guides = readdirSync(join(root, 'docs', 'providers'))
  .filter((name) => name.endsWith('.md'))
  .map((name) => readFileSync(join(root, 'docs', 'providers', name), 'utf8'));

function block(marker: string): string {
  const doc = [readme, ...guides].find((text) => text.includes(`<!-- ${marker} -->`)) ?? '';
  const start = doc.indexOf(`<!-- ${marker} -->`);
  const end = doc.indexOf(`<!-- ${marker}stop -->`);
  assert.ok(start >= 0 && end > start, `neither the README nor a provider guide has a ${marker} block`);
  const code = /```bash\n([\s\S]*?)```/.exec(doc.slice(start, end));
  assert.ok(code?.[1], `the ${marker} block has no bash code`);
  return code[1];
}

function runBlock(marker: string): { stdout: string; stderr: string } {
  const config = mkdtempSync(join(tmpdir(), 'vh-readme-'));
  try {
    // -e stops at the first failing command and the ERR trap names it; the EXIT trap stops background
    // processes the script left running after a failure.
    const script = `set -e -o pipefail\ntrap 'echo "FAILED: $BASH_COMMAND (exit $?)" >&2' ERR\ntrap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n${block(marker)}`;
    const run = spawnSync('bash', ['-c', script], {
      cwd: root,
      encoding: 'utf8',
      timeout: 90_000,
      env: { PATH: process.env.PATH, HOME: config, VOICEHOOKS_CONFIG_DIR: config, NO_COLOR: '1' },
    });
    assert.equal(run.status, 0, `the ${marker} block failed:\n${run.stdout}\n${run.stderr}`);
    return run;
  } finally {
    rmSync(config, { recursive: true, force: true });
  }
}

describe('README', () => {
  it('starts with the two set-up commands', () => {
    const firstCode = /```bash\n([\s\S]*?)```/.exec(readme)?.[1];
    assert.equal(firstCode, 'npm ci\nnpm test\n');
  });

  // Every runnable block of the README, in the order a reader meets them. Each starts its own emulator on
  // 4747 and stops it, so they run one after the other.
  const blocks = [
    'quickstart',
    'demo',
    'help-topics',
    'apply',
    'talkover-quickstart',
    'talkover-campaign-quickstart',
    'polyai-quickstart',
    'daily-quickstart',
    'signatures',
  ];
  for (const marker of blocks) {
    it(`runs the ${marker} block as written, every command exiting 0`, () => {
      const run = runBlock(marker);
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
        // create prints the new webhook (TSV), list prints it again, then jq prints the quoted id.
        const id = lines[0]?.split('\t')[0] ?? '';
        assert.match(id, /^[0-9a-f-]{36}$/);
        assert.ok(lines.includes(`"${id}"`), `get --json | jq .id did not print the id:\n${run.stdout}`);
        assert.match(run.stderr, /Deleted Ultravox webhook/);
      }
    });
  }

  it('has the command reference `oclif readme` generates from the commands', () => {
    const generated = spawnSync(
      process.execPath,
      ['node_modules/oclif/bin/run.js', 'readme', '--no-aliases', '--no-source-links', '--dry-run'],
      { cwd: root, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME } },
    );
    assert.equal(generated.status, 0, generated.stderr);
    const expected = generated.stdout.replace(/^replacing .*\n/, '').trim();
    assert.ok(expected.includes('## `voicehooks create`'));
    assert.equal(readme.trim(), expected, 'README.md is out of date: run `npm run readme`');
  });
});
