// Config safety (issue 11), through the BUILT command line (`npm run build` first): processes saving at once
// keep every change (or fail clearly, never corrupt the file); a file or directory open to others is warned
// about and tightened; a corrupt file is kept, reported with exit 3, and not overwritten by any command.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { newCli, removeTempRoots } from './helpers/cli.ts';

after(() => removeTempRoots());

const PROCESSES = 8;
const ROUNDS = 3;
const REGIONS = ['us', 'uk', 'eu'] as const;

describe('config safety', () => {
  it(`${PROCESSES} processes saving different profiles at once keep every change`, async () => {
    const cli = newCli();
    for (let round = 0; round < ROUNDS; round++) {
      const region = REGIONS[round % REGIONS.length] ?? 'us';
      const results = await Promise.all(
        Array.from({ length: PROCESSES }, (_, i) =>
          cli.run(['config', 'set', 'polyai.region', region, '--profile', `p${i}`]),
        ),
      );
      for (const r of results) {
        // A clear error is allowed by the issue; a crash or a silent loss is not.
        if (r.code !== 0) assert.match(r.stderr, /^Error: /m, r.stderr);
        assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
      }
      const file = JSON.parse(readFileSync(cli.configFile, 'utf8')) as {
        profiles: Record<string, { settings?: { polyai?: { region?: string } } }>;
      };
      for (let i = 0; i < PROCESSES; i++) {
        if (results[i]?.code !== 0) continue;
        assert.equal(
          file.profiles[`p${i}`]?.settings?.polyai?.region,
          region,
          `round ${round}: the change of p${i} was lost`,
        );
      }
      assert.equal(
        results.filter((r) => r.code === 0).length,
        PROCESSES,
        'every process saved (waiting for the lock)',
      );
    }
  });

  it('two `auth login --no-verify` for different providers at once keep both keys', async () => {
    const cli = newCli();
    for (let round = 0; round < ROUNDS; round++) {
      const [a, b] = await Promise.all([
        cli.run(['auth', 'login', '-p', 'ultravox', '--with-token', '--no-verify'], {
          stdin: `uvx-key-${round}\n`,
        }),
        cli.run(['auth', 'login', '-p', 'daily', '--with-token', '--no-verify'], {
          stdin: `daily-key-${round}\n`,
        }),
      ]);
      assert.equal(a?.code, 0, a?.stderr);
      assert.equal(b?.code, 0, b?.stderr);
      const file = JSON.parse(readFileSync(cli.configFile, 'utf8')) as {
        profiles: { default: { keys: Record<string, string> } };
      };
      assert.equal(file.profiles.default.keys.ultravox, `uvx-key-${round}`);
      assert.equal(file.profiles.default.keys.daily, `daily-key-${round}`);
    }
  });

  it('a config file and directory open to others are warned about and tightened', async () => {
    const cli = newCli();
    assert.equal((await cli.run(['config', 'set', 'region', 'eu'])).code, 0);
    chmodSync(cli.configFile, 0o644);
    chmodSync(cli.configDir, 0o755);
    const r = await cli.run(['config', 'get', 'region']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'eu');
    assert.match(r.stderr, /readable by others \(mode 644\); it is now 600/);
    assert.match(r.stderr, /open to others \(mode 755\); it is now 700/);
    assert.equal(statSync(cli.configFile).mode & 0o777, 0o600);
    assert.equal(statSync(cli.configDir).mode & 0o777, 0o700);
  });

  it('a corrupt file is reported (exit 3), kept byte for byte, and no command overwrites it', async () => {
    const cli = newCli();
    mkdirSync(cli.configDir, { recursive: true, mode: 0o700 });
    const corrupt = '{"profiles": {"default": {"region": "eu"'; // cut off mid-write by something else
    writeFileSync(cli.configFile, corrupt, { mode: 0o600 });
    for (const args of [
      ['config', 'set', 'region', 'uk'],
      ['config', 'list'],
      ['auth', 'logout', '-p', 'ultravox'],
      ['list', '-p', 'ultravox'],
    ]) {
      const r = await cli.run(args, { stdin: 'key\n' });
      assert.equal(r.code, 3, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /^Error: The config file .*config\.json cannot be read .*left as it is/m);
      assert.doesNotMatch(r.stderr, /^\s+at /m);
      assert.equal(
        readFileSync(cli.configFile, 'utf8'),
        corrupt,
        `${args.join(' ')} left the file as it was`,
      );
    }
  });
});
