// Resolution of provider, settings, API key and base URL as pure functions (src/resolve.ts), and the move of a
// profile's old global keys into per-provider settings (src/config.ts `migrateProfile`). The descriptors are the
// real ones; a made-up one declares two alternative scopes, as Talkover does once it has campaigns.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { migrateProfile, type Profile } from '../src/config.ts';
import { UsageError } from '../src/errors.ts';
import { daily } from '../src/providers/daily/index.ts';
import { polyai } from '../src/providers/polyai/index.ts';
import { talkover } from '../src/providers/talkover/index.ts';
import { ultravox } from '../src/providers/ultravox/index.ts';
import type { ProviderDescriptor } from '../src/providers/types.ts';
import {
  envName,
  keyEnvNames,
  missingScopeError,
  profileKey,
  profileNeeded,
  resolveApiKey,
  resolveBaseUrl,
  resolveProviderName,
  resolveSettings,
  type ResolveInput,
} from '../src/resolve.ts';
import { newCli, removeTempRoots } from './helpers/cli.ts';

const AGENT = '9fbef0b7-8d4e-4a08-9207-66c22155721d';
const OTHER = '1b4e28ba-2fa1-11d2-883f-0016d3cca427';
const CAMPAIGN = '3c90c3cc-0d44-4b50-8888-8dd25736052a';

const input = (over: Partial<ResolveInput> = {}): ResolveInput => ({
  flags: {},
  env: {},
  profile: {},
  profileName: 'default',
  ...over,
});

/** Talkover's webhooks belong to an agent or to a campaign: two alternative scopes. */
const twoScopes: ProviderDescriptor = talkover;

describe('naming', () => {
  it('env variables and profile keys follow the provider and setting names', () => {
    assert.equal(envName('polyai', 'region'), 'VOICEHOOKS_POLYAI_REGION');
    assert.equal(envName('talkover', 'agent'), 'VOICEHOOKS_TALKOVER_AGENT');
    assert.equal(envName('daily', 'base-url'), 'VOICEHOOKS_DAILY_BASE_URL');
    assert.equal(profileKey('polyai', 'region'), 'polyai.region');
    assert.deepEqual(keyEnvNames('ultravox'), ['VOICEHOOKS_ULTRAVOX_API_KEY', 'ULTRAVOX_API_KEY']);
  });
});

describe('provider', () => {
  it('-p, then VOICEHOOKS_PROVIDER, then the profile; none is undefined', () => {
    const profile: Profile = { provider: 'daily' };
    assert.equal(
      resolveProviderName(
        input({ flags: { provider: 'polyai' }, env: { VOICEHOOKS_PROVIDER: 'talkover' }, profile }),
      ),
      'polyai',
    );
    assert.equal(
      resolveProviderName(input({ env: { VOICEHOOKS_PROVIDER: 'talkover' }, profile })),
      'talkover',
    );
    assert.equal(resolveProviderName(input({ profile })), 'daily');
    assert.equal(resolveProviderName(input()), undefined);
  });

  it('an unknown name is a usage error that says where it came from', () => {
    assert.throws(
      () => resolveProviderName(input({ env: { VOICEHOOKS_PROVIDER: 'nope' } })),
      (e: unknown) => {
        assert.ok(e instanceof UsageError);
        assert.equal(e.message, 'Unknown provider "nope" in VOICEHOOKS_PROVIDER.');
        return true;
      },
    );
  });
});

describe('settings', () => {
  it('an account setting: flag, then env, then profile, then its default', () => {
    const env = { VOICEHOOKS_POLYAI_REGION: 'uk' };
    const profile: Profile = { settings: { polyai: { region: 'eu' } } };
    const at = (over: Partial<ResolveInput>) => resolveSettings(polyai, input(over));
    assert.deepEqual(at({ flags: { region: 'eu' }, env, profile }).values, { region: 'eu' });
    assert.deepEqual(at({ flags: { region: 'eu' }, env, profile }).sources.region, {
      kind: 'flag',
      name: '--region',
    });
    assert.deepEqual(at({ env, profile }).values, { region: 'uk' });
    assert.equal(at({ env, profile }).sources.region?.name, 'VOICEHOOKS_POLYAI_REGION');
    assert.deepEqual(at({ profile }).values, { region: 'eu' });
    assert.equal(at({ profile }).sources.region?.name, 'polyai.region in profile "default"');
    assert.deepEqual(at({}).values, { region: 'us' });
    assert.equal(at({}).sources.region?.kind, 'default');
  });

  it("a profile's old global key is read until it is moved", () => {
    assert.deepEqual(resolveSettings(polyai, input({ profile: { region: 'uk' } })).values, { region: 'uk' });
    assert.deepEqual(resolveSettings(talkover, input({ profile: { agent: AGENT } })).values, {
      agent: AGENT,
    });
    // The per-provider key wins over the old one.
    const both: Profile = { region: 'uk', settings: { polyai: { region: 'eu' } } };
    assert.deepEqual(resolveSettings(polyai, input({ profile: both })).values, { region: 'eu' });
  });

  it("a value outside the provider's declaration names its source", () => {
    const cases: [Partial<ResolveInput>, string][] = [
      [{ flags: { region: 'sg' } }, '--region must be us, uk or eu for PolyAI, got "sg".'],
      [
        { env: { VOICEHOOKS_POLYAI_REGION: 'mars' } },
        'VOICEHOOKS_POLYAI_REGION must be us, uk or eu for PolyAI, got "mars".',
      ],
      [
        { profile: { settings: { polyai: { region: 'x' } } }, profileName: 'ci' },
        'polyai.region in profile "ci" must be us, uk or eu for PolyAI, got "x".',
      ],
    ];
    for (const [over, message] of cases) {
      assert.throws(() => resolveSettings(polyai, input(over)), { message });
    }
    assert.throws(() => resolveSettings(talkover, input({ flags: { agent: 'nope' } })), {
      message: '--agent is not a UUID, got "nope".',
    });
  });

  it('a setting flag the provider does not declare is refused, unless the caller checks it itself', () => {
    assert.throws(() => resolveSettings(ultravox, input({ flags: { region: 'eu' } })), {
      message: '--region is for PolyAI and ElevenLabs only; Ultravox has no regions.',
    });
    assert.throws(
      () => resolveSettings(daily, input({ flags: { agent: AGENT } })),
      /--agent is for .*Talkover.* only; Daily has no agents\./,
    );
    assert.deepEqual(
      resolveSettings(ultravox, input({ flags: { region: 'eu' } }), { strict: false }).values,
      {},
    );
  });

  it('a filter comes from its flag only', () => {
    const env = { VOICEHOOKS_ULTRAVOX_AGENT: AGENT };
    assert.deepEqual(resolveSettings(ultravox, input({ env })).values, {});
    assert.deepEqual(resolveSettings(ultravox, input({ flags: { agent: AGENT }, env })).values, {
      agent: AGENT,
    });
  });

  it('a missing scope is reported, not invented', () => {
    const resolved = resolveSettings(talkover, input());
    assert.deepEqual(resolved.values, {});
    assert.deepEqual(
      resolved.missingScope.map((s) => s.name),
      ['agent', 'campaign'],
    );
    const error = missingScopeError(talkover, resolved.missingScope);
    assert.equal(
      error.message,
      'Missing --agent or --campaign: Talkover webhooks belong to an agent or a campaign.',
    );
    assert.match(error.hint ?? '', /VOICEHOOKS_TALKOVER_CAMPAIGN/);
    assert.match(error.hint ?? '', /VOICEHOOKS_TALKOVER_AGENT/);
    assert.match(error.hint ?? '', /config set talkover\.agent UUID/);
    assert.deepEqual(resolveSettings(polyai, input()).missingScope, []);
  });

  it('a scope given by flag wins over every scope from env or profile; two at one level are refused', () => {
    const env = { VOICEHOOKS_TALKOVER_AGENT: AGENT };
    const profile: Profile = { settings: { talkover: { agent: OTHER } } };
    assert.deepEqual(
      resolveSettings(twoScopes, input({ flags: { campaign: CAMPAIGN }, env, profile })).values,
      {
        campaign: CAMPAIGN,
      },
    );
    assert.deepEqual(resolveSettings(twoScopes, input({ env, profile })).values, { agent: AGENT });
    assert.deepEqual(resolveSettings(twoScopes, input({ profile })).values, { agent: OTHER });
    assert.throws(() => resolveSettings(twoScopes, input({ flags: { agent: AGENT, campaign: CAMPAIGN } })), {
      message: '--agent and --campaign are alternatives: give one.',
    });
    assert.throws(
      () => resolveSettings(twoScopes, input({ env: { ...env, VOICEHOOKS_TALKOVER_CAMPAIGN: CAMPAIGN } })),
      /VOICEHOOKS_TALKOVER_AGENT and VOICEHOOKS_TALKOVER_CAMPAIGN are alternatives/,
    );
    const none = resolveSettings(twoScopes, input());
    assert.equal(
      missingScopeError(twoScopes, none.missingScope).message,
      'Missing --agent or --campaign: Talkover webhooks belong to an agent or a campaign.',
    );
  });
});

describe('base URL and API key', () => {
  it('base URL: --base-url, VOICEHOOKS_<P>_BASE_URL, the profile, then production (which may use settings)', () => {
    const env = { VOICEHOOKS_POLYAI_BASE_URL: 'http://127.0.0.1:1/env' };
    const profile: Profile = { baseUrls: { polyai: 'http://127.0.0.1:1/profile' } };
    const flags = { 'base-url': 'http://127.0.0.1:1/flag' };
    assert.equal(resolveBaseUrl(polyai, { region: 'eu' }, input({ flags, env, profile })), flags['base-url']);
    assert.equal(
      resolveBaseUrl(polyai, { region: 'eu' }, input({ env, profile })),
      env.VOICEHOOKS_POLYAI_BASE_URL,
    );
    assert.equal(resolveBaseUrl(polyai, { region: 'eu' }, input({ profile })), 'http://127.0.0.1:1/profile');
    assert.equal(resolveBaseUrl(polyai, { region: 'eu' }, input()), 'https://api.eu.poly.ai');
    assert.equal(resolveBaseUrl(daily, {}, input()), 'https://api.daily.co/v1');
  });

  it('API key: VOICEHOOKS_<P>_API_KEY, <P>_API_KEY, then the profile', () => {
    const profile: Profile = { keys: { daily: 'from-the-profile' } };
    const at = (env: Record<string, string>) => resolveApiKey(daily, { env, profile, profileName: 'ci' });
    assert.deepEqual(at({ VOICEHOOKS_DAILY_API_KEY: 'key-aaaaaaaa', DAILY_API_KEY: 'key-bbbbbbbb' }), {
      key: 'key-aaaaaaaa',
      source: 'env VOICEHOOKS_DAILY_API_KEY',
    });
    assert.deepEqual(at({ DAILY_API_KEY: 'key-bbbbbbbb' }), {
      key: 'key-bbbbbbbb',
      source: 'env DAILY_API_KEY',
    });
    assert.deepEqual(at({}), { key: 'from-the-profile', source: 'profile "ci"' });
    // A key that cannot be sent is a configuration error naming where it came from (exit 3).
    assert.throws(() => at({ DAILY_API_KEY: 'short' }), {
      kind: 'config',
      message: /from DAILY_API_KEY is 5 characters/,
    });
    assert.equal(resolveApiKey(ultravox, { env: {}, profile, profileName: 'ci' }), undefined);
  });

  it('the profile is needed only when flags and env leave a value open', () => {
    const url = { 'base-url': 'http://127.0.0.1:1' };
    assert.equal(profileNeeded(ultravox, url, {}), false);
    assert.equal(profileNeeded(ultravox, { ...url, agent: AGENT }, {}), false);
    assert.equal(profileNeeded(ultravox, {}, {}), true);
    assert.equal(profileNeeded(polyai, url, {}), true);
    assert.equal(profileNeeded(polyai, { ...url, region: 'eu' }, {}), false);
    assert.equal(profileNeeded(talkover, url, { VOICEHOOKS_TALKOVER_AGENT: AGENT }), false);
    // One scope given is enough: it wins over any scope the profile holds.
    assert.equal(profileNeeded(talkover, { ...url, campaign: AGENT }, {}), false);
    assert.equal(profileNeeded(talkover, url, {}), true);
  });
});

describe('migration of the old global keys', () => {
  it('moves region and agent to the providers that declared them, and drops them', () => {
    const profile: Profile = { provider: 'polyai', region: 'uk', agent: AGENT, keys: { polyai: 'k' } };
    migrateProfile(profile);
    assert.deepEqual(profile, {
      provider: 'polyai',
      keys: { polyai: 'k' },
      settings: { polyai: { region: 'uk' }, talkover: { agent: AGENT } },
    });
  });

  it('keeps a per-provider value that is already there, and leaves a migrated profile as it is', () => {
    const profile: Profile = { region: 'uk', settings: { polyai: { region: 'eu' } } };
    migrateProfile(profile);
    assert.deepEqual(profile, { settings: { polyai: { region: 'eu' } } });
    const again = structuredClone(profile);
    migrateProfile(again);
    assert.deepEqual(again, profile);
  });
});

describe('a config file of before per-provider settings, through the built CLI', () => {
  after(() => removeTempRoots());

  it('is read as before, and moved to per-provider keys by its first write', async () => {
    const cli = newCli({ baseUrl: null, apiKey: null });
    mkdirSync(cli.configDir, { recursive: true, mode: 0o700 });
    const old = { profiles: { default: { region: 'uk', agent: AGENT } } };
    writeFileSync(cli.configFile, JSON.stringify(old), { mode: 0o600 });

    const [region, agent, legacy] = await Promise.all([
      cli.run(['config', 'get', 'polyai.region']),
      cli.run(['config', 'get', 'talkover.agent']),
      cli.run(['config', 'get', 'region']),
    ]);
    assert.equal(region.stdout, 'uk\n', region.stderr);
    assert.equal(agent.stdout, `${AGENT}\n`, agent.stderr);
    assert.equal(legacy.stdout, 'uk\n', legacy.stderr);
    assert.deepEqual(JSON.parse(readFileSync(cli.configFile, 'utf8')), old, 'a read changed the file');

    const set = await cli.run(['config', 'set', 'provider', 'daily']);
    assert.equal(set.code, 0, set.stderr);
    assert.deepEqual(JSON.parse(readFileSync(cli.configFile, 'utf8')), {
      profiles: {
        default: { provider: 'daily', settings: { polyai: { region: 'uk' }, talkover: { agent: AGENT } } },
      },
    });
    const reread = await cli.run(['config', 'get', 'polyai.region']);
    assert.equal(reread.stdout, 'uk\n');
  });
});

describe('providers, through the built CLI', () => {
  it('says which providers need a scope (agentScoped) and their production URL with default settings', async () => {
    const cli = newCli({ baseUrl: null, apiKey: null });
    const run = await cli.run(['providers', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const rows = JSON.parse(run.stdout) as { name: string; agentScoped: boolean; defaultBaseUrl: string }[];
    assert.deepEqual(
      rows.map((r) => [r.name, r.agentScoped, r.defaultBaseUrl]),
      [
        ['ultravox', false, 'https://api.ultravox.ai'],
        ['talkover', true, 'https://app.talkover.ai/api/v1'],
        ['polyai', false, 'https://api.us.poly.ai'],
        ['daily', false, 'https://api.daily.co/v1'],
        ['elevenlabs', false, 'https://api.elevenlabs.io'],
        ['openai', false, 'https://api.openai.com/v1'],
      ],
    );
  });
});
