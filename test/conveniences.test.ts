// What gh and stripe users reach for, and the small frictions of a first session: --jq, `version`,
// did-you-mean, `list` over every provider with a key, `auth status --check`, and the messages around them.
// Drives the built CLI (`npm run build` first) against the in-process emulators.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startEmulator, type RunningEmulator } from '../src/emulator/server.ts';
import { readFileSync } from 'node:fs';
import { ROOT, newCli, removeTempRoots, runCli, type CliOptions } from './helpers/cli.ts';

const PROVIDERS = ['ultravox', 'talkover', 'polyai', 'daily'] as const;
const AGENT = '3f2a6c1e-8b44-4a55-9d3e-0c1b2a3d4e5f';
let emulator: RunningEmulator;

/** Base URLs of every emulator, and keys for the providers named. */
function env(keys: readonly string[] = PROVIDERS): CliOptions {
  const vars: Record<string, string | undefined> = {};
  for (const p of PROVIDERS) vars[`VOICEHOOKS_${p.toUpperCase()}_BASE_URL`] = emulator.baseUrl(p);
  for (const p of keys) vars[`VOICEHOOKS_${p.toUpperCase()}_API_KEY`] = `${p}-test-key`;
  return { env: vars };
}

before(async () => {
  emulator = await startEmulator();
});
after(async () => {
  await emulator.close();
  removeTempRoots();
});

describe('--jq', () => {
  it('filters the JSON of any --json command with jq, strings printed raw', async () => {
    const cli = newCli(env());
    const made = await cli.run([
      'create',
      '-p',
      'ultravox',
      '--url',
      'https://example.com/jq',
      '--event',
      'call.ended',
      '--jq',
      '.id',
    ]);
    assert.equal(made.code, 0, made.stderr);
    const id = made.stdout.trim();
    assert.match(id, /^[0-9a-f-]{36}$/);
    const urls = await cli.run(['list', '-p', 'ultravox', '--jq', `.[] | select(.id == "${id}") | .url`]);
    assert.equal(urls.stdout, 'https://example.com/jq\n');
    const object = await cli.run(['get', id, '-p', 'ultravox', '--jq', '{id, events}']);
    assert.deepEqual(JSON.parse(object.stdout), { id, events: ['call.ended'] });
    const codes = await cli.run(['exit-codes', '--jq', '.[] | select(.code == 10) | .name']);
    assert.equal(codes.stdout, 'drift\n');
  });

  it('an expression that does not compile exits 2 before anything is sent', async () => {
    const cli = newCli(env());
    const start = emulator.requests.length;
    const run = await cli.run([
      'create',
      '-p',
      'ultravox',
      '--url',
      'https://example.com/never',
      '--event',
      'call.ended',
      '--jq',
      '.[',
    ]);
    assert.equal(run.code, 2, run.stderr);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /--jq: .*syntax error/);
    assert.equal(emulator.requests.length, start);
  });

  it('a filter that fails on the data exits 2 and says the command ran', async () => {
    const run = await newCli(env()).run(['providers', '--jq', '.[0].name.x']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /Cannot index string/);
    assert.match(run.stderr, /The command itself ran/);
  });
});

describe('version and did-you-mean', () => {
  it('`version` prints what --version prints; --json has the parts', async () => {
    const flag = await runCli(['--version']);
    const command = await runCli(['version']);
    assert.equal(command.code, 0, command.stderr);
    assert.equal(command.stdout, flag.stdout);
    const json = JSON.parse((await runCli(['version', '--json'])).stdout) as {
      version: string;
      node: string;
    };
    assert.equal(json.node, process.version);
    assert.ok(flag.stdout.includes(`voicehooks/${json.version} `));
  });

  it('a mistyped command or a name from another tool gets the right command', async () => {
    const cases: [string[], string][] = [
      [['completion', 'bash'], 'voicehooks autocomplete bash'],
      [['rotate', 'x'], 'voicehooks rotate-secret'],
      [['lst'], 'voicehooks list'],
      [['verison'], 'voicehooks version'],
    ];
    for (const [args, guess] of cases) {
      const run = await runCli(args);
      assert.equal(run.code, 2, args.join(' '));
      assert.ok(run.stderr.includes(`Did you mean \`${guess}`), `${args.join(' ')}: ${run.stderr}`);
    }
  });

  it('a mistyped flag, or a value outside its options, gets the nearest', async () => {
    const cli = newCli(env());
    const flag = await cli.run(['create', '-p', 'ultravox', '--evnt', 'call.ended']);
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /Nonexistent flag: --evnt\nDid you mean --event\?/);
    const value = await cli.run(['list', '-p', 'ultravx']);
    assert.equal(value.code, 2);
    assert.match(value.stderr, /Did you mean --provider ultravox\?/);
  });
});

describe('list with no provider', () => {
  it('lists every provider that has a key: PROVIDER column, provider first when piped, one --json array', async () => {
    const cli = newCli(env(['ultravox', 'polyai', 'talkover']));
    const made = [
      await cli.run([
        'create',
        '-p',
        'ultravox',
        '--url',
        'https://example.com/all-u',
        '--event',
        'call.ended',
      ]),
      await cli.run([
        'create',
        '-p',
        'polyai',
        '--name',
        'All',
        '--url',
        'https://example.com/all-p',
        '--event',
        'alerts.triggered',
      ]),
    ];
    for (const run of made) assert.equal(run.code, 0, run.stderr);
    const json = await cli.run(['list', '--json']);
    assert.equal(json.code, 0, json.stderr);
    const list = JSON.parse(json.stdout) as { provider: string; url: string }[];
    const urls = new Map(list.map((w) => [w.url, w.provider]));
    assert.equal(urls.get('https://example.com/all-u'), 'ultravox');
    assert.equal(urls.get('https://example.com/all-p'), 'polyai');
    assert.ok(!list.some((w) => w.provider === 'daily'), 'Daily has no key and was listed');
    // Talkover has a key but no agent: skipped, and said so.
    assert.match(json.stderr, /Skipped Talkover: .*--agent/);
    const piped = await cli.run(['list']);
    assert.equal(piped.code, 0, piped.stderr);
    assert.match(piped.stdout, /^polyai\twhe_\S+\thttps:\/\/example\.com\/all-p\t/m);
    const withAgent = await cli.run(['list', '--json'], {
      env: { ...env(['ultravox', 'polyai', 'talkover']).env, VOICEHOOKS_TALKOVER_AGENT: AGENT },
    });
    assert.equal(withAgent.code, 0, withAgent.stderr);
    assert.doesNotMatch(withAgent.stderr, /Skipped Talkover/);
  });

  it('one provider failing does not hide the others; its error decides the exit code', async () => {
    const cli = newCli(env(['ultravox', 'daily']));
    emulator.faults.add({ kind: 'status', provider: 'daily', status: 401, times: 1 });
    try {
      const run = await cli.run(['list', '--json']);
      assert.equal(run.code, 4, run.stderr);
      assert.ok(Array.isArray(JSON.parse(run.stdout)), run.stdout);
      assert.match(run.stderr, /Daily: /);
    } finally {
      emulator.faults.clear();
    }
  });

  it('with no provider and no key it names --provider (exit 2)', async () => {
    const run = await newCli(env([])).run(['list']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--provider/);
  });
});

describe('auth status --check', () => {
  it('makes one cheap request per provider with a key and reports each; a rejected key exits 4', async () => {
    const keys = env(['ultravox', 'polyai', 'talkover']).env!;
    const cli = newCli({ env: { ...keys, VOICEHOOKS_TALKOVER_AGENT: undefined } });
    const start = emulator.requests.length;
    const ok = await cli.run(['auth', 'status', '--check', '--json']);
    assert.equal(ok.code, 0, ok.stderr);
    const checks = Object.fromEntries(
      (JSON.parse(ok.stdout) as { provider: string; check: string | null }[]).map((s) => [
        s.provider,
        s.check,
      ]),
    );
    // Providers without a key are not checked (null), whatever the registry holds beside these four.
    assert.deepEqual(
      { ultravox: checks.ultravox, talkover: checks.talkover, polyai: checks.polyai, daily: checks.daily },
      { ultravox: 'ok', talkover: 'unchecked', polyai: 'ok', daily: null },
    );
    const sent = emulator.requests.slice(start).map((r) => `${r.provider} ${r.method}`);
    assert.deepEqual(sent.sort(), ['polyai GET', 'ultravox GET']);
    // Without --check, no request at all.
    const before = emulator.requests.length;
    assert.equal((await cli.run(['auth', 'status'])).code, 0);
    assert.equal(emulator.requests.length, before);

    emulator.faults.add({ kind: 'status', provider: 'polyai', status: 401, times: 1 });
    try {
      const rejected = await cli.run(['auth', 'status', '--check']);
      assert.equal(rejected.code, 4, rejected.stderr);
      assert.match(rejected.stdout, /^polyai\tenv VOICEHOOKS_POLYAI_API_KEY\t\*\*\*\*\S+\trejected\t/m);
      assert.match(rejected.stdout, /^ultravox\t.*\tok\t$/m);
    } finally {
      emulator.faults.clear();
    }
  });
});

describe('small frictions of a first session', () => {
  it('create --if-not-exists warns when the existing webhook has other events, and points to update/apply', async () => {
    const cli = newCli(env());
    const args = ['create', '-p', 'ultravox', '--url', 'https://example.com/ine', '--if-not-exists'];
    const first = await cli.run([...args, '--event', 'call.ended']);
    assert.equal(first.code, 0, first.stderr);
    const same = await cli.run([...args, '--event', 'call.ended']);
    assert.equal(same.code, 0, same.stderr);
    assert.doesNotMatch(same.stderr, /differ/);
    const other = await cli.run([...args, '--event', 'call.ended', '--event', 'call.billed']);
    assert.equal(other.code, 0, other.stderr);
    assert.match(
      other.stderr,
      /Warning: its events differ: it has \[call\.ended\], you asked for \[call\.ended, call\.billed\]/,
    );
    assert.match(
      other.stderr,
      /voicehooks update [0-9a-f-]{36} -p ultravox --event call\.ended --event call\.billed/,
    );
    assert.match(other.stderr, /voicehooks apply/);
  });

  it('a refused connection at an emulator-shaped base URL asks whether the emulator is running', async () => {
    const { createServer } = await import('node:net');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const cli = newCli({ env: { VOICEHOOKS_ULTRAVOX_API_KEY: 'refused-test-key-0123456789' } });
    const run = await cli.run(['list', '-p', 'ultravox'], {
      env: {
        VOICEHOOKS_ULTRAVOX_API_KEY: 'refused-test-key-0123456789',
        VOICEHOOKS_ULTRAVOX_BASE_URL: `http://127.0.0.1:${port}/ultravox`,
      },
    });
    assert.equal(run.code, 9, run.stderr);
    assert.match(
      run.stderr,
      new RegExp(
        `is \`voicehooks emulator\` running\\? Start it with \`voicehooks emulator --port ${port}\``,
      ),
    );
    const other = await cli.run(['list', '-p', 'ultravox'], {
      env: {
        VOICEHOOKS_ULTRAVOX_API_KEY: 'refused-test-key-0123456789',
        VOICEHOOKS_ULTRAVOX_BASE_URL: `http://127.0.0.1:${port}/api`,
      },
    });
    assert.equal(other.code, 9);
    assert.doesNotMatch(other.stderr, /emulator/);
  });

  it('export names secret placeholders after the webhook, not its position', async () => {
    const cli = newCli(env(['ultravox']));
    for (const path of ['/hooks/billing', '/hooks/calls']) {
      const made = await cli.run([
        'create',
        '-p',
        'ultravox',
        '--url',
        `https://example.com${path}`,
        '--event',
        'call.ended',
      ]);
      assert.equal(made.code, 0, made.stderr);
    }
    const run = await cli.run(['export', '-p', 'ultravox']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stdout,
      /url: https:\/\/example\.com\/hooks\/billing\n(.*\n)*?\s+secret: \$\{ULTRAVOX_HOOKS_BILLING_SECRET\}/,
    );
    assert.match(run.stdout, /secret: \$\{ULTRAVOX_HOOKS_CALLS_SECRET\}/);
    assert.doesNotMatch(run.stdout, /ULTRAVOX_\d/);
  });

  it('apply files: a YAML error gives line and column; an unset ${VAR} says it is unset, once', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'vh-files-'));
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'webhooks:\n  - provider: ultravox\n    url: "https://example.com/x\n');
    const cli = newCli(env(['ultravox']));
    const syntax = await cli.run(['diff', '-f', broken]);
    assert.equal(syntax.code, 2);
    assert.match(syntax.stderr, /broken\.yaml:\d+:\d+: Missing closing "quote/);
    const unset = join(dir, 'unset.yaml');
    writeFileSync(
      unset,
      'webhooks:\n  - provider: ultravox\n    url: ${HOOK_URL_UNSET}\n    events: [call.ended]\n',
    );
    const variable = await cli.run(['diff', '-f', unset], { env: { HOOK_URL_UNSET: undefined } });
    assert.equal(variable.code, 2);
    assert.match(
      variable.stderr,
      /^Error: .*unset\.yaml:3:10: webhooks\[0\]\.url needs the environment variable HOOK_URL_UNSET, which is unset/m,
    );
    assert.doesNotMatch(variable.stderr, /absolute/, 'a second message about the same unset value');
    const empty = await cli.run(['diff', '-f', unset], { env: { HOOK_URL_UNSET: '' } });
    assert.match(empty.stderr, /HOOK_URL_UNSET, which is empty/);
  });

  it('rotate-secret says a running listen must be restarted to use the new secret', async () => {
    const cli = newCli(env(['ultravox']));
    const made = await cli.run([
      'create',
      '-p',
      'ultravox',
      '--url',
      'https://example.com/rot',
      '--event',
      'call.ended',
      '--jq',
      '.id',
    ]);
    const id = made.stdout.trim();
    const run = await cli.run(['rotate-secret', id, '-p', 'ultravox']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, new RegExp(`voicehooks listen --webhook ${id}\` already running .* restart it`));
  });
});

describe('the newcomer path', () => {
  it('run before building, the CLI says to build instead of printing a stack trace', async () => {
    const { copyFileSync, mkdirSync, mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { spawnSync } = await import('node:child_process');
    const checkout = mkdtempSync(join(tmpdir(), 'vh-unbuilt-'));
    mkdirSync(join(checkout, 'bin'));
    copyFileSync(join(ROOT, 'bin', 'run.js'), join(checkout, 'bin', 'run.js'));
    copyFileSync(join(ROOT, 'package.json'), join(checkout, 'package.json'));
    const run = spawnSync(process.execPath, [join(checkout, 'bin', 'run.js'), 'list'], { encoding: 'utf8' });
    assert.equal(run.status, 1);
    assert.equal(run.stdout, '');
    assert.equal(
      run.stderr,
      `Error: voicehooks is not built: run \`npm run build\` in ${checkout}/ (after \`npm ci\`).\n`,
    );
  });

  it('an older Node than the dependencies need is named, with the version needed', async () => {
    const { spawnSync } = await import('node:child_process');
    const { join } = await import('node:path');
    const run = spawnSync(
      process.execPath,
      [
        '--import',
        'data:text/javascript,Object.defineProperty(process.versions,"node",{value:"20.19.0"});Object.defineProperty(process,"version",{value:"v20.19.0"})',
        join(ROOT, 'bin', 'run.js'),
        'list',
      ],
      { encoding: 'utf8' },
    );
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stderr, /^Error: voicehooks needs Node\.js 22\.22 or newer .*this is v20\.19\.0\.\n$/);
    const { engines } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      engines: { node: string };
    };
    assert.equal(engines.node, '^22.22.2 || ^24.15.0 || >=26.0.0');
  });
});

describe('Talkover without friction', () => {
  it('a missing scope (--agent or --campaign) is named with the other missing flags, with the env variables and profile keys the provider declares', async () => {
    const cli = newCli(env(['talkover']));
    const start = emulator.requests.length;
    const create = await cli.run(['create', '-p', 'talkover']);
    assert.equal(create.code, 2);
    assert.match(create.stderr, /^Error: Missing --url, --event, --name, --agent or --campaign \(/);
    assert.match(
      create.stderr,
      /Pass --url, --event, --name and --agent or --campaign, or run in a terminal/,
    );
    for (const where of [
      /VOICEHOOKS_TALKOVER_AGENT/,
      /VOICEHOOKS_TALKOVER_CAMPAIGN/,
      /voicehooks config set talkover\.agent UUID/,
      /voicehooks config set talkover\.campaign UUID/,
    ]) {
      assert.match(create.stderr, where);
    }
    const del = await cli.run(['delete', AGENT, '-p', 'talkover']);
    assert.equal(del.code, 2);
    assert.match(del.stderr, /^Error: Missing --yes, --agent or --campaign \(/);
    assert.equal(emulator.requests.length, start, 'a request was sent');
  });
});
