// The README's quickstart must work exactly as written: this runs its code block in bash, with a fresh
// config directory, against the emulator it starts itself.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const readme = readFileSync(join(root, 'README.md'), 'utf8');

function block(marker: string): string {
  const start = readme.indexOf(`<!-- ${marker} -->`);
  const end = readme.indexOf(`<!-- ${marker}stop -->`);
  assert.ok(start >= 0 && end > start, `README has no ${marker} block`);
  const code = /```bash\n([\s\S]*?)```/.exec(readme.slice(start, end));
  assert.ok(code?.[1], `the ${marker} block has no bash code`);
  return code[1];
}

describe('README', () => {
  it('starts with the two set-up commands', () => {
    const firstCode = /```bash\n([\s\S]*?)```/.exec(readme)?.[1];
    assert.equal(firstCode, 'npm ci\nnpm test\n');
  });

  it('runs the quickstart as written, every command exiting 0', () => {
    const config = mkdtempSync(join(tmpdir(), 'vh-readme-'));
    try {
      // -e stops at the first failing command and the ERR trap names it; the EXIT trap stops a background emulator
      // the script left running after a failure.
      const script = `set -e -o pipefail\ntrap 'echo "FAILED: $BASH_COMMAND (exit $?)" >&2' ERR\ntrap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n${block('quickstart')}`;
      const run = spawnSync('bash', ['-c', script], {
        cwd: root,
        encoding: 'utf8',
        timeout: 60_000,
        env: { PATH: process.env.PATH, HOME: config, VOICEHOOKS_CONFIG_DIR: config, NO_COLOR: '1' },
      });
      assert.equal(run.status, 0, `quickstart failed:\n${run.stdout}\n${run.stderr}`);
      const lines = run.stdout.trim().split('\n');
      // create prints the new webhook (TSV), list prints it again, then jq prints the quoted id.
      const id = lines[0]?.split('\t')[0] ?? '';
      assert.match(id, /^[0-9a-f-]{36}$/);
      assert.ok(lines.includes(`"${id}"`), `get --json | jq .id did not print the id:\n${run.stdout}`);
      assert.match(run.stderr, /Deleted Ultravox webhook/);
    } finally {
      rmSync(config, { recursive: true, force: true });
    }
  });
});
