// Shell completion of flag values: the candidates themselves (pure), the hidden `__complete` command of the
// built CLI, and the bash and zsh functions it prints, run in real shells. Needs `npm run build` first.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { candidates, type CompletableCommand } from '../src/completion/candidates.ts';
import { PROVIDER_NAMES } from '../src/providers/index.ts';
import { ROOT, newCli, removeTempRoots } from './helpers/cli.ts';

after(removeTempRoots);

const COMMANDS: CompletableCommand[] = [
  {
    id: 'create',
    flags: {
      provider: { type: 'option', char: 'p' },
      event: { type: 'option' },
      profile: { type: 'option' },
      region: { type: 'option', options: ['us', 'uk', 'eu'] },
      enabled: { type: 'boolean', allowNo: true },
    },
  },
  { id: 'auth:login', flags: {} },
  { id: 'auth:status', flags: {} },
  { id: '__complete', hidden: true, flags: {} },
];
const context = {
  commands: COMMANDS,
  events: (p: string) => (p === 'ultravox' ? ['call.ended', 'call.started'] : [`${p}.event`]),
  profiles: () => ['default', 'work'],
  defaultProvider: () => undefined,
};

describe('completion candidates', () => {
  it('commands and topics, hidden ones left out', () => {
    assert.deepEqual(candidates([''], context), ['auth', 'create']);
    assert.deepEqual(candidates(['auth', 's'], context), ['status']);
    assert.deepEqual(candidates(['__c'], context), []);
  });

  it('flag names, with --no- for negatable flags', () => {
    assert.deepEqual(candidates(['create', '--e'], context), ['--enabled', '--event']);
    assert.deepEqual(candidates(['create', '--no'], context), ['--no-enabled']);
  });

  it('--event from the catalog of the provider the line names, in every spelling of the flag', () => {
    assert.deepEqual(candidates(['create', '-p', 'ultravox', '--event', 'call.e'], context), ['call.ended']);
    assert.deepEqual(candidates(['create', '--provider=daily', '--event', ''], context), ['daily.event']);
    assert.deepEqual(candidates(['create', '-p', 'ultravox', '--event=call.s'], context), [
      '--event=call.started',
    ]);
    assert.deepEqual(candidates(['create', '-p', 'ultravox', '--event', '=', 'call.s'], context), [
      'call.started',
    ]);
    // No provider on the line: the default one, else every catalog.
    assert.deepEqual(candidates(['create', '--event', 'polyai'], context), ['polyai.event']);
    const withDefault = { ...context, defaultProvider: () => 'daily' };
    assert.deepEqual(candidates(['create', '--event', ''], withDefault), ['daily.event']);
  });

  it('--provider, --profile and fixed options', () => {
    assert.deepEqual(candidates(['create', '-p', 'p'], context), ['polyai']);
    assert.deepEqual(candidates(['create', '--profile', ''], context), ['default', 'work']);
    assert.deepEqual(candidates(['create', '--region', 'u'], context), ['uk', 'us']);
  });
});

/** The built CLI as `voicehooks` in a shell, with its own config directory holding two profiles. */
async function shellSetup(): Promise<{ env: Record<string, string>; prelude: string }> {
  const cli = newCli();
  for (const profile of ['default', 'work']) {
    const set = await cli.run(['config', 'set', 'provider', 'daily', '--profile', profile]);
    assert.equal(set.code, 0, set.stderr);
  }
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: mkdtempSync(join(tmpdir(), 'vh-home-')),
    VOICEHOOKS_CONFIG_DIR: cli.configDir,
  };
  const prelude = `voicehooks() { ${JSON.stringify(process.execPath)} ${JSON.stringify(join(ROOT, 'bin', 'run.js'))} "$@"; }`;
  return { env, prelude };
}

describe('the hidden __complete command and the shell functions', () => {
  it('__complete answers from the real catalogs and config file', async () => {
    const cli = newCli();
    assert.equal((await cli.run(['config', 'set', 'provider', 'daily', '--profile', 'work'])).code, 0);
    const events = await cli.run(['__complete', '--', 'create', '-p', 'ultravox', '--event', '']);
    assert.equal(events.code, 0, events.stderr);
    assert.ok(events.stdout.split('\n').includes('call.ended'), events.stdout);
    assert.ok(!events.stdout.includes('meeting.ended'), 'another provider’s events offered');
    const profiles = await cli.run(['__complete', '--', 'list', '--profile', '']);
    assert.equal(profiles.stdout, 'work\n');
    const providers = await cli.run(['__complete', '--', 'list', '-p', '']);
    assert.equal(
      providers.stdout,
      [...PROVIDER_NAMES]
        .sort()
        .map((p) => `${p}\n`)
        .join(''),
    );
  });

  it('bash: Tab after --event offers the chosen provider’s events', async () => {
    const { env, prelude } = await shellSetup();
    const script = `${prelude}
eval "$(voicehooks __complete --script bash)"
COMP_WORDS=(voicehooks create -p ultravox --event call.e); COMP_CWORD=5
_voicehooks_complete; printf '%s\\n' "\${COMPREPLY[@]}"
COMP_WORDS=(voicehooks list --profile ''); COMP_CWORD=3
_voicehooks_complete; printf '%s\\n' "\${COMPREPLY[@]}"
complete -p voicehooks`;
    const run = spawnSync('bash', ['--norc', '--noprofile', '-c', script], { encoding: 'utf8', env });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(
      run.stdout,
      'call.ended\ndefault\nwork\ncomplete -o default -F _voicehooks_complete voicehooks\n',
    );
  });

  it('zsh: the function hands the candidates to compadd, and falls back to files without any', async (t) => {
    if (spawnSync('zsh', ['--version']).error) {
      t.skip('zsh is not installed (.ci/run installs it)');
      return;
    }
    const { env, prelude } = await shellSetup();
    const script = `${prelude}
compdef() { print "compdef $*"; }
compadd() { print -l -- "$@"; }
_files() { print FILES; }
eval "$(voicehooks __complete --script zsh)"
words=(voicehooks create -p ultravox --event call.s); CURRENT=6
_voicehooks_complete
words=(voicehooks create --url ''); CURRENT=4
_voicehooks_complete`;
    const run = spawnSync('zsh', ['-f', '-c', script], { encoding: 'utf8', env });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, 'compdef _voicehooks_complete voicehooks\n--\ncall.started\nFILES\n');
  });
});
