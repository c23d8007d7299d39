// A reader that leaves early (`voicehooks list | head`) is the normal end of a pipeline, not an error: the CLI
// stops quietly with exit 0, with no "unexpected error" and no warning on stderr. Drives the built CLI
// (`npm run build` first) against the emulator on 127.0.0.1.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startEmulator, type RunningEmulator } from '../src/emulator/server.ts';
import type { UltravoxEmulator } from '../src/providers/ultravox/emulator.ts';
import { ROOT } from './helpers/cli.ts';

const KEY = 'pipe-test-key';
let emulator: RunningEmulator;
let home: string;

before(async () => {
  emulator = await startEmulator({ apiKey: KEY });
  // Far more than a pipe holds (64 KiB), so the CLI is still writing when the reader goes.
  (emulator.providers.ultravox as UltravoxEmulator).seed(3000);
  home = mkdtempSync(join(tmpdir(), 'voicehooks-pipe-'));
});

after(async () => {
  await emulator.close();
  rmSync(home, { recursive: true, force: true });
});

/** Runs the CLI, reads its first chunk of stdout, then closes the pipe as `head` does. */
function readFirstChunk(args: string[]): Promise<{ code: number | null; first: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'run.js'), ...args], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: home,
        NO_COLOR: '1',
        VOICEHOOKS_CONFIG_DIR: join(home, 'config'),
        VOICEHOOKS_ULTRAVOX_BASE_URL: emulator.baseUrl('ultravox'),
        VOICEHOOKS_ULTRAVOX_API_KEY: KEY,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let first = '';
    let stderr = '';
    child.stdout.once('data', (chunk: Buffer) => {
      first = chunk.toString();
      child.stdout.destroy();
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`voicehooks ${args.join(' ')} did not end after its reader left`));
    }, 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, first, stderr });
    });
  });
}

describe('a reader that leaves early', () => {
  for (const args of [
    ['list', '-p', 'ultravox', '--json'],
    ['list', '-p', 'ultravox'],
  ]) {
    it(`voicehooks ${args.join(' ')} | head: exit 0, nothing on stderr`, async () => {
      const run = await readFirstChunk(args);
      assert.ok(run.first.length > 0, 'some output was read');
      assert.equal(run.stderr, '');
      assert.equal(run.code, 0);
    });
  }
});
