// Commands run in the test's process with injected IO (src/io.ts, issue 18): the same command at a terminal
// and at a pipe, as a user would see it, without starting a process or a terminal emulator.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fakeIO } from '../src/io.ts';
import { startEmulator, type RunningEmulator } from '../src/emulator/server.ts';
import type { UltravoxEmulator } from '../src/providers/ultravox/emulator.ts';
import { newCli, removeTempRoots } from './helpers/cli.ts';

const KEY = 'io-test-key';
/** The start of an ANSI colour sequence. */
const ESC = '\u001b[';

describe('fakeIO', () => {
  it('keeps what is written, the exit code, and runs what waits for Ctrl-C', () => {
    const io = fakeIO({ env: { A: '1' }, tty: { columns: 50 } });
    io.stdout.write('out');
    io.stderr.stream.write('err');
    io.setExitCode(7);
    let stopped = 0;
    io.onInterrupt(() => stopped++);
    const off = io.onInterrupt(() => stopped++);
    off();
    io.interrupt();
    assert.deepEqual([io.out(), io.err(), io.exitCode(), stopped], ['out', 'err', 7, 1]);
    assert.deepEqual([io.stdout.isTTY, io.stdout.columns, io.stdin.isTTY, io.color], [true, 50, true, true]);
    assert.equal(io.env.A, '1');
    assert.equal(fakeIO({ env: { NO_COLOR: '1' }, tty: {} }).color, false);
    const pipe = fakeIO();
    assert.deepEqual(
      [pipe.stdout.isTTY, pipe.stdout.columns, pipe.stdin.isTTY, pipe.color],
      [false, undefined, false, false],
    );
  });
});

describe('a command at a terminal and at a pipe, in process', () => {
  let emu: RunningEmulator;
  before(async () => {
    emu = await startEmulator({ apiKey: KEY });
    (emu.providers.ultravox as UltravoxEmulator).seed(2);
  });
  after(async () => {
    await emu.close();
    removeTempRoots();
  });

  it('draws a table sized to the terminal, in colour unless NO_COLOR, and tab-separated rows to a pipe', async () => {
    const cli = newCli({ baseUrl: emu.baseUrl('ultravox'), apiKey: KEY });
    const widest = (text: string) =>
      Math.max(
        ...text
          .trimEnd()
          .split('\n')
          .map((line) => line.length),
      );
    const narrow = await cli.run(['list', '-p', 'ultravox'], { tty: { columns: 90 } });
    assert.equal(narrow.code, 0, narrow.stderr);
    assert.ok(narrow.stdout.trimEnd().split('\n').length >= 3, narrow.stdout);
    assert.ok(widest(narrow.stdout) <= 90, `wider than 90:\n${narrow.stdout}`);
    const wide = await cli.run(['list', '-p', 'ultravox'], { tty: { columns: 200 } });
    assert.ok(widest(wide.stdout) > 90, `the width was not used:\n${wide.stdout}`);

    const colour = await cli.run(['list', '-p', 'ultravox'], {
      tty: { columns: 200 },
      env: { NO_COLOR: undefined },
    });
    assert.ok(colour.stdout.includes(ESC), 'colour at a terminal without NO_COLOR');
    const plain = await cli.run(['list', '-p', 'ultravox'], { tty: { columns: 200 } });
    assert.ok(!plain.stdout.includes(ESC), 'NO_COLOR (set by the helper) turns it off');
    const flag = await cli.run(['list', '-p', 'ultravox', '--no-color'], {
      tty: { columns: 200 },
      env: { NO_COLOR: undefined },
    });
    assert.ok(!flag.stdout.includes(ESC), '--no-color turns it off');

    const piped = await cli.run(['list', '-p', 'ultravox'], { env: { NO_COLOR: undefined } });
    assert.equal(piped.code, 0);
    const rows = piped.stdout.trimEnd().split('\n');
    assert.equal(rows.length, 2, 'one row per webhook, no header, at a pipe');
    assert.ok(rows.every((row) => row.includes('\t')));
    assert.ok(!piped.stdout.includes(ESC));
  });

  it('asks nothing without a terminal, and names the missing flag instead (exit 2)', async () => {
    const cli = newCli({ baseUrl: emu.baseUrl('ultravox'), apiKey: KEY });
    const result = await cli.run(['create', '-p', 'ultravox']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /Missing --url, --event/);
  });
});
