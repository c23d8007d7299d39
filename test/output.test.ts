// What people and pipes see: the bytes of piped stdout (no spinner, colour or prompt), the refusal to prompt
// without a terminal, relative dates on terminals only, and the help a person reads (examples, topics,
// completion). Drives the built CLI (`npm run build` first).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startEmulator, type RunningEmulator } from '../src/emulator/server.ts';
import { cutMiddle, relativeTime, render, webhookRecord, webhookTable } from '../src/output.ts';
import type { Webhook } from '../src/providers/types.ts';
import { ROOT, newCli, removeTempRoots, runCli, type CliOptions } from './helpers/cli.ts';

// ESC starts every colour and cursor code; a carriage return is how a spinner redraws.
const escapeOrCr = (text: string): boolean => text.includes('\u001b') || text.includes('\r');
const SPINNER = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/;
// What @inquirer/prompts draws: a `?` (asking) or `✔` (answered) before the question, `❯` at a choice.
const PROMPT_TEXT = /^\s*[?✔] |❯|Delivery URL/m;

let emulator: RunningEmulator;
let cache: string;

/** Colour allowed as far as the environment goes (NO_COLOR unset), so only the pipe check keeps it out. */
function piped(): CliOptions {
  const env: Record<string, string | undefined> = { NO_COLOR: undefined, TERM: 'xterm-256color' };
  for (const p of ['ultravox', 'talkover', 'polyai', 'daily']) {
    env[`VOICEHOOKS_${p.toUpperCase()}_BASE_URL`] = emulator.baseUrl(p);
    env[`VOICEHOOKS_${p.toUpperCase()}_API_KEY`] = 'piped-test-key';
  }
  return { env };
}

describe('piped output', () => {
  before(async () => {
    emulator = await startEmulator();
  });
  after(async () => {
    await emulator.close();
    removeTempRoots();
  });

  it('no spinner byte, colour code or prompt text reaches stdout (or a piped stderr)', async () => {
    const cli = newCli(piped());
    const made = await cli.run([
      'create',
      '-p',
      'ultravox',
      '--url',
      'https://example.com/piped',
      '--event',
      'call.ended',
    ]);
    assert.equal(made.code, 0, made.stderr);
    const id = made.stdout.split('\t')[0]!;
    assert.match(id, /^[0-9a-f-]{36}$/);
    // Slow enough that a spinner would be drawn if the terminal check were missing.
    emulator.faults.add({ kind: 'delay', provider: 'ultravox', method: 'GET', delayMs: 600, times: 2 });
    const runs = [
      made,
      await cli.run(['list', '-p', 'ultravox']),
      await cli.run(['get', id, '-p', 'ultravox']),
      await cli.run(['update', id, '-p', 'ultravox', '--add-event', 'call.billed']),
      await cli.run(['events', '-p', 'ultravox']),
      await cli.run(['providers']),
      await cli.run(['exit-codes']),
      await cli.run(['environment']),
      await cli.run(['delete', id, '-p', 'ultravox', '--yes']),
    ];
    for (const run of runs) {
      assert.equal(run.code, 0, run.stderr);
      assert.ok(!escapeOrCr(run.stdout), `escape code in stdout:\n${run.stdout}`);
      assert.doesNotMatch(run.stdout, SPINNER);
      assert.doesNotMatch(run.stdout, PROMPT_TEXT);
      assert.ok(!escapeOrCr(run.stderr), `escape code in a piped stderr:\n${run.stderr}`);
      assert.doesNotMatch(run.stderr, SPINNER);
    }
    // Piped dates stay exact ISO: scripts parse them.
    assert.match(runs[1]!.stdout, /\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
    assert.doesNotMatch(runs[1]!.stdout, /ago|just now/);
    assert.match(made.stderr, new RegExp(`Test it: voicehooks test ${id} -p ultravox`));
  });

  it('without a terminal nothing is asked: exit 2 naming every missing flag, nothing sent', async () => {
    const cli = newCli(piped());
    const start = emulator.requests.length;
    const cases: [string[], string[]][] = [
      [
        ['create', '-p', 'ultravox'],
        ['--url', '--event'],
      ],
      [
        ['create', '-p', 'polyai'],
        ['--url', '--event', '--name'],
      ],
      [['create', '-p', 'talkover', '--url', 'https://example.com/x', '--event', 'call.ended'], ['--name']],
      [['create'], ['--provider']],
      // `list` with no provider lists every provider with a key (test/conveniences.test.ts).
      [['delete', '3c90c3cc-0d44-4b50-8888-8dd25736052a', '-p', 'ultravox'], ['--yes']],
      [['auth', 'login', '-p', 'ultravox'], ['--with-token']],
    ];
    for (const [args, flags] of cases) {
      const run = await cli.run(args);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.equal(run.stdout, '');
      assert.doesNotMatch(run.stderr, PROMPT_TEXT, `${args.join(' ')} prompted:\n${run.stderr}`);
      for (const flag of flags) assert.ok(run.stderr.includes(flag), `${args.join(' ')}: ${run.stderr}`);
    }
    assert.deepEqual(
      emulator.requests.slice(start).map((r) => `${r.method} ${r.path}`),
      [],
    );
  });
});

describe('dates', () => {
  const now = Date.parse('2026-03-01T12:00:00Z');
  const webhook: Webhook = {
    provider: 'ultravox',
    id: '3c90c3cc-0d44-4b50-8888-8dd25736052a',
    url: 'https://example.com/hooks',
    events: ['call.ended'],
    enabled: null,
    status: 'normal',
    name: null,
    agentId: null,
    createdAt: '2026-03-01T11:57:00Z',
    updatedAt: '2026-02-27T12:00:00Z',
    secrets: [],
    raw: {},
  };

  it('reads as time ago', () => {
    assert.equal(relativeTime('2026-03-01T11:59:40Z', now), 'just now');
    assert.equal(relativeTime('2026-03-01T11:57:00Z', now), '3 min ago');
    assert.equal(relativeTime('2026-03-01T07:00:00Z', now), '5 h ago');
    assert.equal(relativeTime('2026-02-28T12:00:00Z', now), '1 day ago');
    assert.equal(relativeTime('2025-06-01T12:00:00Z', now), '2025-06-01');
    assert.equal(relativeTime('2026-03-01T12:10:00Z', now), 'in 10 min');
    assert.equal(relativeTime('not a date', now), undefined);
    assert.equal(relativeTime(null, now), undefined);
  });

  it('relative in terminal tables, exact and relative in a record, exact ISO in pipes', () => {
    const table = render(webhookTable([webhook]), { tty: true, color: false, width: 160, now });
    assert.match(table, /3 min ago/);
    assert.doesNotMatch(table, /2026-03-01T11:57/);
    const record = render(webhookRecord(webhook), { tty: true, color: false, now });
    assert.match(record, /CREATED\s+2026-03-01 11:57:00 UTC \(3 min ago\)/);
    assert.match(record, /UPDATED\s+2026-02-27 12:00:00 UTC \(2 days ago\)/);
    const pipe = render(webhookTable([webhook]), { tty: false, color: false, now });
    assert.ok(pipe.includes('\t2026-03-01T11:57:00Z\n'), pipe);
  });
});

describe('tables on a terminal', () => {
  const now = Date.parse('2026-03-01T12:00:00Z');
  const hook = (id: string, url: string, events: string[]): Webhook => ({
    provider: 'ultravox',
    id,
    url,
    events,
    enabled: null,
    status: 'normal',
    name: null,
    agentId: null,
    createdAt: '2026-03-01T11:57:00Z',
    updatedAt: null,
    secrets: [],
    raw: {},
  });
  const ids = ['3c90c3cc-0d44-4b50-8888-8dd25736052a', 'd800ddcd-a6b1-4691-8a40-192e86b43e76'];
  const long = 'https://hooks.example.org/a/very/long/path/to/a/receiver/that/goes/on/and/on';
  const rows = [
    hook(ids[0]!, long, ['call.started']),
    hook(ids[1]!, 'https://example.com/hooks/ultravox/calls-ended-receiver', ['call.ended', 'call.billed']),
  ];
  const lines = (text: string): string[] => text.trimEnd().split('\n');

  for (const width of [60, 80, 100, 120, 160]) {
    it(`at ${width} columns every id is whole and no line is wider than the screen`, () => {
      const table = render(webhookTable(rows), { tty: true, color: false, width, now });
      for (const id of ids) assert.ok(table.includes(id), `${id} cut at ${width}:\n${table}`);
      for (const line of lines(table))
        assert.ok(line.length <= width, `${line.length} > ${width}:\n${table}`);
    });
  }

  it('URL and events give way first, cut in the middle with …; a wide screen shows them whole', () => {
    const narrow = render(webhookTable(rows), { tty: true, color: false, width: 80, now });
    const cut = lines(narrow)[1]!.split(/\s{2,}/)[1]!;
    assert.match(cut, /^https:\/\/.+….+on$/, narrow);
    assert.match(narrow, /STATUS/, 'a short column keeps its place while URLs are cut');
    const wide = render(webhookTable(rows), { tty: true, color: false, width: 200, now });
    assert.ok(wide.includes(long), wide);
    assert.ok(wide.includes('call.ended,call.billed'), wide);
    assert.doesNotMatch(wide, /…/);
  });

  it('columns the provider never fills take no room on a terminal; pipes keep every column', () => {
    const table = render(webhookTable(rows), { tty: true, color: false, width: 200, now });
    assert.match(lines(table)[0]!, /^ID\s+URL\s+EVENTS\s+STATUS\s+CREATED$/);
    const piped = render(webhookTable(rows), { tty: false, color: false, now });
    assert.equal(lines(piped)[0]!.split('\t').length, 8);
    const named = render(webhookTable([{ ...rows[0]!, name: 'Billing', enabled: true }]), {
      tty: true,
      color: false,
      width: 200,
      now,
    });
    assert.match(lines(named)[0]!, /ENABLED\s+STATUS\s+NAME/);
  });

  it('the record view leaves out fields the provider does not have, and shows one date format', () => {
    const record = render(webhookRecord({ ...rows[0]!, createdAt: '2026-03-01T11:57:00.123+00:00' }), {
      tty: true,
      color: false,
      now,
    });
    assert.deepEqual(
      lines(record).map((l) => l.split(/\s+/)[0]),
      ['ID', 'URL', 'EVENTS', 'STATUS', 'CREATED'],
    );
    assert.match(record, /CREATED\s+2026-03-01 11:57:00 UTC \(3 min ago\)/);
  });

  it('cutMiddle keeps both ends and the width', () => {
    assert.equal(cutMiddle('abcdefghij', 5), 'ab…ij');
    assert.equal(cutMiddle('abc', 5), 'abc');
    assert.equal(cutMiddle('日本語のURL', 6), '日…URL');
  });
});

describe('help', () => {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {
    commands: Record<
      string,
      {
        examples?: unknown[];
        summary?: string;
        description?: string;
        flags?: Record<string, { summary?: string; description?: string }>;
      }
    >;
  };

  it('descriptions carry no hard line breaks inside a paragraph, so help wraps cleanly at any width', () => {
    const ragged: string[] = [];
    for (const [id, command] of Object.entries(manifest.commands)) {
      for (const [key, text] of [
        ['summary', command.summary],
        ['description', command.description],
      ] as const) {
        if (text === undefined) continue;
        for (const paragraph of text.split('\n\n')) {
          // A line break is a list's: every line after the first is an item.
          const [, ...rest] = paragraph.split('\n');
          if (rest.some((line) => !line.startsWith('- '))) ragged.push(`${id} ${key}`);
        }
      }
      for (const [name, flag] of Object.entries(command.flags ?? {})) {
        if (/\n(?!- )/.test(`${flag.summary ?? ''}${flag.description ?? ''}`)) ragged.push(`${id} --${name}`);
      }
    }
    assert.deepEqual(ragged, []);
  });

  for (const columns of [60, 80, 160]) {
    it(`help at ${columns} columns: no line wider, no paragraph broken into ragged short lines`, async () => {
      for (const command of ['listen', 'test', 'apply', 'emulator trigger']) {
        const help = await runCli([...command.split(' '), '--help'], {
          env: { OCLIF_COLUMNS: String(columns) },
        });
        assert.equal(help.code, 0, help.stderr);
        const start = help.stdout.indexOf('\nDESCRIPTION\n');
        const end = help.stdout.indexOf('\nEXAMPLES\n');
        assert.ok(start > 0 && end > start, help.stdout);
        const lines = help.stdout.slice(start + '\nDESCRIPTION\n'.length, end).split('\n');
        for (const line of lines) assert.ok(line.length <= columns, `${command}: ${line}`);
        // A hard break re-wrapped leaves a short line in mid-paragraph (followed by one that goes on).
        lines.forEach((line, i) => {
          const next = lines[i + 1] ?? '';
          if (line.trim() && next.trim() && !next.trim().startsWith('-') && !line.trim().startsWith('-'))
            assert.ok(line.length > columns - 20, `${command} at ${columns}: ragged line "${line}"`);
        });
      }
    });
  }

  it('every command has at least one example', () => {
    const ids = Object.keys(manifest.commands);
    assert.ok(ids.length > 20, `only ${ids.length} commands in the manifest`);
    const without = ids.filter((id) => !manifest.commands[id]?.examples?.length);
    assert.deepEqual(without, []);
  });

  it('help topics for environment variables and exit codes', async () => {
    const root = await runCli(['--help']);
    assert.match(root.stdout, /environment\s+Help topic: the environment variables/);
    assert.match(root.stdout, /exit-codes\s+Help topic: what each exit code means/);
    const env = await runCli(['help', 'environment']);
    assert.equal(env.code, 0, env.stderr);
    for (const name of ['VOICEHOOKS_CONFIG_DIR', 'VOICEHOOKS_<P>_API_KEY', 'NO_COLOR', 'CI'])
      assert.ok(env.stdout.includes(name), name);
    const codes = await runCli(['help', 'exit-codes']);
    assert.match(codes.stdout, /- 130: Cancelled at a prompt/);
    const json = JSON.parse((await runCli(['exit-codes', '--json'])).stdout) as { code: number }[];
    assert.deepEqual(
      json.map((c) => c.code),
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 130],
    );
    const typo = await runCli(['help', 'exit-kodes']);
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /Did you mean `voicehooks exit-codes`/);
  });

  it('shell completion: `autocomplete bash` prints the set-up instructions', async () => {
    cache = mkdtempSync(join(tmpdir(), 'voicehooks-ac-'));
    try {
      const run = await runCli(['autocomplete', 'bash'], { env: { XDG_CACHE_HOME: cache, HOME: cache } });
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /voicehooks autocomplete script bash/);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });
});
