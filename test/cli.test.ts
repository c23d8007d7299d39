// Smoke tests of the BUILT command line (`npm run build` first): each test spawns `node bin/run.js` the way a
// script would (stdin a pipe, so never a prompt) against an in-process Ultravox emulator on 127.0.0.1, and
// checks exit codes, stdout/stderr discipline and the security rules of docs/contract.md.
import assert from 'node:assert/strict';
import type { Webhook } from '../src/providers/types.ts';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startEmulator } from '../src/emulator/server.ts';
import type { RunningEmulator } from '../src/emulator/server.ts';
import type { UltravoxWireWebhook } from '../src/providers/ultravox/emulator.ts';
import { captured, filesUnder, newCli, removeTempRoots, tempRoots } from './helpers/cli.ts';
import type { Cli, CliOptions, CliResult } from './helpers/cli.ts';

// Distinctive keys, so that the final scan can find any of them in any output or file.
const KEY = 'uvx-test-key-7f3a9c';
const WRONG_KEY = 'uvx-wrong-key-41b8e2';
const ENV_KEY = 'uvx-env-key-9d2e55';
const SECOND_KEY = 'uvx-second-key-c3a1f0';
const ALL_KEYS = [KEY, WRONG_KEY, ENV_KEY, SECOND_KEY];

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const UNKNOWN_ID = '0f8fad5b-d9cb-469f-a165-70867728950e';
const ANSI = '\u001b';

/** Every signing secret the tests saw issued: none may appear on stderr or in a file but config.json. */
const signingSecrets = new Set<string>();

/** A webhook as the CLI prints it with --json (the contract's shape). */
type WebhookJson = Webhook;

interface ErrorJson {
  error: {
    code: string;
    message: string;
    status: number | null;
    provider: string | null;
    hint: string | null;
  };
}

interface KeyStatusJson {
  provider: string;
  profile: string;
  source: string | null;
  key: string | null;
  check: string | null;
  detail: string | null;
}

let emu: RunningEmulator;

before(async () => {
  emu = await startEmulator({ apiKey: KEY });
});

after(async () => {
  await emu.close();
  removeTempRoots();
});

beforeEach(() => {
  emu.faults.clear();
  emu.providers.ultravox?.restore({ webhooks: [] });
  emu.requests.length = 0;
});

/** A CLI with a fresh config directory, pointed at the emulator with the right key. */
function cli(options: CliOptions = {}): Cli {
  return newCli({ baseUrl: emu.baseUrl('ultravox'), apiKey: KEY, ...options });
}

/** The webhooks the emulator holds. */
function stored(): UltravoxWireWebhook[] {
  return (emu.providers.ultravox?.snapshot() as { webhooks: UltravoxWireWebhook[] }).webhooks;
}

function expectCode(result: CliResult, code: number, what = 'the command'): void {
  assert.equal(
    result.code,
    code,
    `${what} exited ${result.code}, expected ${code}\n--- stdout\n${result.stdout}--- stderr\n${result.stderr}`,
  );
}

function parse<T>(text: string, what = 'stdout'): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    assert.fail(`${what} is not JSON: ${JSON.stringify(text)}`);
  }
}

/** Asserts the contract's JSON error: one line on stderr, nothing on stdout; returns the error. */
function jsonError(result: CliResult): ErrorJson['error'] {
  assert.equal(result.stdout, '', 'stdout must stay empty on a --json error');
  const lines = result.stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `stderr must be one line of JSON, got:\n${result.stderr}`);
  const parsed = parse<ErrorJson>(lines[0] ?? '', 'stderr');
  assert.deepEqual(
    Object.keys(parsed.error)
      .filter((k) => k !== 'requestId')
      .sort(),
    ['code', 'hint', 'message', 'provider', 'status'],
  );
  assert.equal(typeof parsed.error.message, 'string');
  return parsed.error;
}

async function create(c: Cli, url: string, ...extra: string[]): Promise<WebhookJson> {
  const result = await c.run([
    'create',
    '-p',
    'ultravox',
    '--url',
    url,
    '--event',
    'call.ended',
    '--json',
    ...extra,
  ]);
  expectCode(result, 0, 'create');
  const hook = parse<WebhookJson>(result.stdout);
  hook.secrets.forEach((secret) => signingSecrets.add(secret));
  return hook;
}

/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(address && typeof address === 'object');
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return address.port;
}

describe('quickstart', { timeout: 120_000 }, () => {
  it('create, list, get, update and delete, each exit 0', async () => {
    const c = cli();
    const url = 'https://hooks.example.com/quickstart';
    const created = await c.run([
      'create',
      '-p',
      'ultravox',
      '--url',
      url,
      '--event',
      'call.ended',
      '--event',
      'call.billed',
    ]);
    expectCode(created, 0, 'create');
    const [hook] = stored();
    assert.ok(hook, 'the emulator holds no webhook');
    assert.equal(stored().length, 1);
    hook.secrets.forEach((secret) => signingSecrets.add(secret));
    // Piped: one tab-separated row, no header: id, url, events, enabled, status, name, agent, created,
    // updated, secrets.
    assert.equal(created.stdout.split('\n').length, 2, `one line expected: ${created.stdout}`);
    const cells = created.stdout.replace(/\n$/, '').split('\t');
    assert.equal(cells.length, 10, created.stdout);
    assert.match(cells[0] ?? '', UUID_RE);
    assert.equal(cells[0], hook.webhookId);
    assert.equal(cells[1], url);
    assert.equal(cells[2], 'call.ended,call.billed');
    assert.equal(cells[9], hook.secrets[0]);
    assert.match(created.stderr, /Created Ultravox webhook/);

    const listed = await c.run(['list', '-p', 'ultravox']);
    expectCode(listed, 0, 'list');
    assert.equal(
      listed.stdout,
      `${hook.webhookId}\t${url}\tcall.ended,call.billed\t\tnormal\t\t\t${hook.created}\n`,
    );

    const got = await c.run(['get', hook.webhookId, '-p', 'ultravox', '--json']);
    expectCode(got, 0, 'get');
    const gotJson = parse<WebhookJson>(got.stdout);
    assert.equal(gotJson.id, hook.webhookId);
    assert.equal(gotJson.provider, 'ultravox');
    assert.deepEqual(gotJson.events, ['call.ended', 'call.billed']);
    assert.equal(gotJson.enabled, null);

    const updated = await c.run([
      'update',
      hook.webhookId,
      '-p',
      'ultravox',
      '--url',
      'https://hooks.example.com/moved',
    ]);
    expectCode(updated, 0, 'update');
    assert.equal(stored()[0]?.url, 'https://hooks.example.com/moved');
    assert.deepEqual(stored()[0]?.events, ['call.ended', 'call.billed'], 'update kept the events');

    const deleted = await c.run(['delete', hook.webhookId, '-p', 'ultravox', '--yes']);
    expectCode(deleted, 0, 'delete');
    assert.equal(deleted.stdout, '');
    assert.match(deleted.stderr, /Deleted/);
    assert.deepEqual(stored(), []);

    const empty = await c.run(['list', '-p', 'ultravox']);
    expectCode(empty, 0, 'an empty list');
    assert.equal(empty.stdout, '');
  });

  it('--fields picks the columns of rows and the keys of JSON objects', async () => {
    const c = cli();
    const a = await create(c, 'https://hooks.example.com/a');
    const b = await create(c, 'https://hooks.example.com/b');
    const [rows, json] = await Promise.all([
      c.run(['list', '-p', 'ultravox', '--fields', 'id,url']),
      c.run(['list', '-p', 'ultravox', '--json', '--fields', 'id']),
    ]);
    expectCode(rows, 0);
    assert.equal(rows.stdout, `${a.id}\thttps://hooks.example.com/a\n${b.id}\thttps://hooks.example.com/b\n`);
    for (const line of rows.stdout.trimEnd().split('\n')) assert.equal(line.split('\t').length, 2);
    expectCode(json, 0);
    assert.deepEqual(parse<unknown>(json.stdout), [{ id: a.id }, { id: b.id }]);
  });
});

describe('exit codes', { timeout: 120_000 }, () => {
  it('2: usage errors, each named, and nothing sent', async () => {
    const c = cli();
    const p = ['-p', 'ultravox'];
    const [unknownFlag, badUrl, badEvent, badId, missing, noYes, noField] = await Promise.all([
      c.run(['list', ...p, '--bogus']),
      c.run(['create', ...p, '--url', 'not a url', '--event', 'call.ended']),
      c.run(['create', ...p, '--url', 'https://hooks.example.com/x', '--event', 'call.endd']),
      c.run(['get', 'not-a-uuid', ...p]),
      c.run(['create', ...p]),
      c.run(['delete', UNKNOWN_ID, ...p]),
      c.run(['create', ...p, '--url', 'https://hooks.example.com/x', '--event', 'call.ended', '--name', 'n']),
    ]);
    expectCode(unknownFlag, 2, 'an unknown flag');
    assert.match(unknownFlag.stderr, /--bogus/);
    expectCode(badUrl, 2, 'a bad --url');
    assert.match(badUrl.stderr, /--url/);
    expectCode(badEvent, 2, 'an unknown event');
    assert.match(badEvent.stderr, /call\.endd/);
    assert.match(badEvent.stderr, /Did you mean "call\.ended"/);
    expectCode(badId, 2, 'a malformed id');
    assert.match(badId.stderr, /"not-a-uuid" is not an Ultravox webhook id/);
    expectCode(missing, 2, 'create without --url and --event');
    assert.match(missing.stderr, /--url/);
    assert.match(missing.stderr, /--event/);
    expectCode(noYes, 2, 'delete without --yes');
    assert.match(noYes.stderr, /--yes/);
    expectCode(noField, 2, '--name on Ultravox');
    assert.match(noField.stderr, /--name/);
    for (const r of [unknownFlag, badUrl, badEvent, badId, missing, noYes, noField]) {
      assert.equal(r.stdout, '', 'a usage error prints nothing on stdout');
      assert.match(r.stderr, /^Error: /m);
    }
    assert.deepEqual(
      emu.requests.map((r) => `${r.method} ${r.path}`),
      [],
      'a usage error sends nothing',
    );
  });

  it('3: no API key, and a corrupt config file left as it is', async () => {
    const c = cli({ apiKey: null });
    const noKey = await c.run(['list', '-p', 'ultravox']);
    expectCode(noKey, 3, 'list without a key');
    assert.match(noKey.stderr, /No API key/);
    assert.match(noKey.stderr, /auth login/);
    assert.match(
      noKey.stderr,
      /VOICEHOOKS_ULTRAVOX_API_KEY \(or ULTRAVOX_API_KEY\)/,
      'both names the key is read from',
    );

    const corrupt = cli({ apiKey: null });
    mkdirSync(corrupt.configDir, { recursive: true, mode: 0o700 });
    writeFileSync(corrupt.configFile, '{not json', { mode: 0o600 });
    const [read, write] = await Promise.all([
      corrupt.run(['list', '-p', 'ultravox']),
      corrupt.run(['config', 'set', 'provider', 'ultravox']),
    ]);
    expectCode(read, 3, 'list with a corrupt config file');
    expectCode(write, 3, 'config set with a corrupt config file');
    assert.match(read.stderr, /config\.json/);
    assert.deepEqual(
      readFileSync(corrupt.configFile),
      Buffer.from('{not json'),
      'the corrupt file was changed',
    );
    assert.equal(emu.requests.length, 0);
  });

  it('4: a key the provider rejects', async () => {
    const result = await cli({ apiKey: WRONG_KEY }).run(['list', '-p', 'ultravox']);
    expectCode(result, 4);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /auth/);
  });

  it('5: get of an unknown id', async () => {
    const result = await cli().run(['get', UNKNOWN_ID, '-p', 'ultravox']);
    expectCode(result, 5);
    assert.equal(result.stdout, '');
  });

  it('6: toggle on Ultravox, with zero requests', async () => {
    const c = cli();
    const results = await Promise.all([
      c.run(['toggle', UNKNOWN_ID, '-p', 'ultravox']),
      c.run(['toggle', UNKNOWN_ID, '-p', 'ultravox', '--off']),
    ]);
    for (const result of results) {
      expectCode(result, 6, 'toggle');
      assert.match(result.stderr, /no on\/off switch/);
    }
    assert.equal(emu.requests.length, 0, 'toggle sent a request');
  });

  it('7: a body the provider rejects, with its field error on stderr', async () => {
    const result = await cli().run([
      'create',
      '-p',
      'ultravox',
      '--url',
      'https://hooks.example.com/long-secret',
      '--event',
      'call.ended',
      '--secret',
      's'.repeat(121),
    ]);
    expectCode(result, 7);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /secrets.*no more than 120 characters/);
    assert.deepEqual(stored(), []);
  });

  it('9: a closed port, and a 500 answer', async () => {
    const port = await closedPort();
    emu.faults.add({ kind: 'status', status: 500, provider: 'ultravox' });
    const [closed, failing] = await Promise.all([
      cli({ baseUrl: `http://127.0.0.1:${port}/ultravox` }).run(['list', '-p', 'ultravox']),
      cli().run(['get', UNKNOWN_ID, '-p', 'ultravox']),
    ]);
    expectCode(closed, 9, 'a closed port');
    assert.match(closed.stderr, /ECONNREFUSED|connect/i);
    expectCode(failing, 9, 'a 500');
    assert.match(failing.stderr, /500/);
  });
});

describe('output discipline', { timeout: 120_000 }, () => {
  it('--json errors are one line of JSON on stderr, with nothing on stdout', async () => {
    const c = cli();
    const [notFound, usage, parseError, config] = await Promise.all([
      c.run(['get', UNKNOWN_ID, '-p', 'ultravox', '--json']),
      c.run(['create', '-p', 'ultravox', '--url', 'nope', '--event', 'call.ended', '--json']),
      c.run(['list', '-p', 'ultravox', '--bogus', '--json']),
      c.run(['list', '-p', 'ultravox', '--json'], { apiKey: null }),
    ]);
    expectCode(notFound, 5);
    const nf = jsonError(notFound);
    assert.equal(nf.code, 'not_found');
    assert.equal(nf.status, 404);
    assert.equal(nf.provider, 'ultravox');
    assert.equal(typeof nf.hint, 'string');
    expectCode(usage, 2);
    const us = jsonError(usage);
    assert.equal(us.code, 'usage');
    assert.equal(us.status, null);
    assert.match(us.message, /--url/);
    expectCode(parseError, 2);
    assert.equal(jsonError(parseError).code, 'usage');
    expectCode(config, 3);
    const cf = jsonError(config);
    assert.equal(cf.code, 'config');
    assert.equal(cf.provider, 'ultravox');
  });

  it('plain errors say what happened and what to do next', async () => {
    const result = await cli().run(['get', UNKNOWN_ID, '-p', 'ultravox']);
    expectCode(result, 5);
    const lines = result.stderr.trimEnd().split('\n');
    assert.match(lines[0] ?? '', /^Error: /);
    assert.ok(lines.length >= 2, `no hint line: ${result.stderr}`);
    assert.match(result.stderr, /voicehooks list -p ultravox/);
  });

  it('notices and warnings go to stderr; stdout carries only data without colour', async () => {
    const c = cli();
    const created = await c.run([
      'create',
      '-p',
      'ultravox',
      '--url',
      'https://hooks.example.com/clean',
      '--event',
      'call.ended',
      '--json',
    ]);
    expectCode(created, 0);
    assert.doesNotMatch(created.stdout, /Created|Warning|signing secret/);
    assert.match(created.stderr, /Created Ultravox webhook/);
    assert.match(created.stderr, /shown whole this once/);
    parse<WebhookJson>(created.stdout);

    // A config file readable by others is fixed with a warning, on stderr.
    const set = await c.run(['config', 'set', 'provider', 'ultravox']);
    expectCode(set, 0);
    assert.equal(set.stdout, '');
    chmodSync(c.configFile, 0o644);
    const got = await c.run(['config', 'get', 'provider']);
    expectCode(got, 0);
    assert.equal(got.stdout, 'ultravox\n');
    assert.match(got.stderr, /readable by others/);
    assert.equal(statSync(c.configFile).mode & 0o777, 0o600);

    const listed = await c.run(['list', '-p', 'ultravox', '--no-color']);
    expectCode(listed, 0);
    for (const r of [created, set, got, listed]) assert.ok(!r.stdout.includes(ANSI), 'ANSI escape on stdout');
  });
});

describe('signing secrets', { timeout: 120_000 }, () => {
  it('create shows the generated secret whole once; get and list mask it unless --show-secrets', async () => {
    const c = cli();
    const hook = await create(c, 'https://hooks.example.com/secret');
    const secret = hook.secrets[0] ?? '';
    assert.equal(hook.secrets.length, 1);
    assert.ok(secret.length >= 16, `secret too short: ${secret}`);
    assert.ok(!secret.includes('****'), 'create masked the new secret');
    assert.equal(secret, stored()[0]?.secrets[0]);
    const masked = `****${secret.slice(-4)}`;

    const [got, listed, gotRows, shown] = await Promise.all([
      c.run(['get', hook.id, '-p', 'ultravox', '--json']),
      c.run(['list', '-p', 'ultravox', '--json']),
      c.run(['get', hook.id, '-p', 'ultravox']),
      c.run(['get', hook.id, '-p', 'ultravox', '--json', '--show-secrets']),
    ]);
    for (const r of [got, listed, gotRows, shown]) expectCode(r, 0);
    const gotJson = parse<WebhookJson>(got.stdout);
    assert.deepEqual(gotJson.secrets, [masked]);
    assert.deepEqual(gotJson.raw.secrets, [masked]);
    assert.deepEqual(parse<WebhookJson[]>(listed.stdout)[0]?.secrets, [masked]);
    for (const r of [got, listed, gotRows]) assert.ok(!r.stdout.includes(secret), 'secret shown whole');
    assert.ok(
      gotRows.stdout.endsWith(`\t${masked}\n`),
      `masked secret not last in the row: ${gotRows.stdout}`,
    );
    const shownJson = parse<WebhookJson>(shown.stdout);
    assert.deepEqual(shownJson.secrets, [secret]);
    assert.deepEqual(shownJson.raw.secrets, [secret]);
  });

  it('rotate-secret prints only the new secret when piped; --revoke-old leaves one', async () => {
    const c = cli();
    const hook = await create(c, 'https://hooks.example.com/rotate');
    const original = stored()[0]?.secrets[0] ?? '';
    const rotated = await c.run(['rotate-secret', hook.id, '-p', 'ultravox']);
    expectCode(rotated, 0, 'rotate-secret');
    const lines = rotated.stdout.split('\n');
    assert.equal(lines.length, 2, `only the secret expected on stdout: ${rotated.stdout}`);
    const fresh = lines[0] ?? '';
    signingSecrets.add(fresh);
    assert.match(fresh, /^[A-Za-z0-9_-]{20,}$/);
    assert.notEqual(fresh, original);
    assert.match(rotated.stderr, /old secret/i);

    const after = await c.run(['get', hook.id, '-p', 'ultravox', '--show-secrets', '--json']);
    expectCode(after, 0);
    assert.deepEqual(parse<WebhookJson>(after.stdout).secrets, [fresh, original]);

    const revoked = await c.run(['rotate-secret', hook.id, '-p', 'ultravox', '--revoke-old', '--json']);
    expectCode(revoked, 0, 'rotate-secret --revoke-old');
    const result = parse<{ secret: string; webhook: WebhookJson }>(revoked.stdout);
    signingSecrets.add(result.secret);
    assert.deepEqual(result.webhook.secrets, [result.secret]);
    const final = await c.run(['get', hook.id, '-p', 'ultravox', '--show-secrets', '--json']);
    expectCode(final, 0);
    assert.deepEqual(parse<WebhookJson>(final.stdout).secrets, [result.secret]);
    assert.deepEqual(stored()[0]?.secrets, [result.secret]);
  });
});

describe('a create whose answer is lost', { timeout: 120_000 }, () => {
  it('exits 9 saying how to check, and --if-not-exists then finds the one webhook', async () => {
    const c = cli();
    const url = 'https://hooks.example.com/lost';
    emu.faults.add({ kind: 'reset-after', provider: 'ultravox', method: 'POST' });
    const lost = await c.run(['create', '-p', 'ultravox', '--url', url, '--event', 'call.ended']);
    expectCode(lost, 9, 'the reset create');
    assert.equal(lost.stdout, '');
    assert.match(lost.stderr, /voicehooks list|--if-not-exists/);
    assert.equal(stored().length, 1, 'the create must not be retried');
    assert.equal(emu.requests.filter((r) => r.method === 'POST').length, 1);
    const id = stored()[0]?.webhookId;

    const again = await c.run([
      'create',
      '-p',
      'ultravox',
      '--url',
      url,
      '--event',
      'call.ended',
      '--if-not-exists',
      '--json',
    ]);
    expectCode(again, 0, 'create --if-not-exists');
    assert.equal(parse<WebhookJson>(again.stdout).id, id);
    assert.equal(stored().length, 1);
  });
});

describe('auth', { timeout: 120_000 }, () => {
  it('login --with-token stores the checked key (0600 in 0700), status masks it, logout removes it', async () => {
    const c = cli({ apiKey: null });
    const login = await c.run(['auth', 'login', '-p', 'ultravox', '--with-token'], { stdin: `${KEY}\n` });
    expectCode(login, 0, 'auth login');
    assert.equal(login.stdout, '');
    assert.equal(emu.requests.length, 1, 'the key was not checked with one request');
    assert.equal(emu.requests[0]?.headers['x-api-key'], KEY);
    assert.equal(statSync(c.configFile).mode & 0o777, 0o600);
    assert.equal(statSync(c.configDir).mode & 0o777, 0o700);
    assert.ok(readFileSync(c.configFile, 'utf8').includes(KEY), 'the key is not in the config file');

    const [status, listed] = await Promise.all([
      c.run(['auth', 'status', '--json']),
      c.run(['list', '-p', 'ultravox']),
    ]);
    expectCode(status, 0);
    const entry = parse<KeyStatusJson[]>(status.stdout).find((s) => s.provider === 'ultravox');
    assert.deepEqual(entry, {
      provider: 'ultravox',
      profile: 'default',
      source: 'profile "default"',
      key: `****${KEY.slice(-4)}`,
      check: null,
      detail: null,
    });
    expectCode(listed, 0, 'list with the stored key');

    const logout = await c.run(['auth', 'logout', '-p', 'ultravox']);
    expectCode(logout, 0);
    assert.ok(!readFileSync(c.configFile, 'utf8').includes(KEY), 'logout left the key in the file');
    const [statusAfter, listAfter] = await Promise.all([
      c.run(['auth', 'status', '--json']),
      c.run(['list', '-p', 'ultravox']),
    ]);
    expectCode(statusAfter, 0);
    assert.equal(
      parse<KeyStatusJson[]>(statusAfter.stdout).find((s) => s.provider === 'ultravox')?.source,
      null,
    );
    expectCode(listAfter, 3, 'list after logout');
  });

  it('a rejected key exits 4 and is not stored; --no-verify stores without a request', async () => {
    const c = cli({ apiKey: null });
    const rejected = await c.run(['auth', 'login', '-p', 'ultravox', '--with-token'], { stdin: WRONG_KEY });
    expectCode(rejected, 4, 'login with a wrong key');
    assert.ok(
      !existsSync(c.configFile) || !readFileSync(c.configFile, 'utf8').includes(WRONG_KEY),
      'a rejected key was stored',
    );

    const before = emu.requests.length;
    const unverified = await c.run(['auth', 'login', '-p', 'ultravox', '--with-token', '--no-verify'], {
      stdin: WRONG_KEY,
    });
    expectCode(unverified, 0, 'login --no-verify');
    assert.equal(emu.requests.length, before, '--no-verify sent a request');
    assert.ok(readFileSync(c.configFile, 'utf8').includes(WRONG_KEY), '--no-verify did not store the key');
    const list = await c.run(['list', '-p', 'ultravox']);
    expectCode(list, 4, 'list with the stored wrong key');
  });

  it('an existing config directory open to others is tightened to 0700', async () => {
    const c = cli({ apiKey: null });
    mkdirSync(c.configDir, { recursive: true });
    chmodSync(c.configDir, 0o755);
    const login = await c.run(['auth', 'login', '-p', 'ultravox', '--with-token', '--no-verify'], {
      stdin: KEY,
    });
    expectCode(login, 0, 'auth login --no-verify');
    assert.equal(statSync(c.configFile).mode & 0o777, 0o600);
    assert.equal(statSync(c.configDir).mode & 0o777, 0o700, 'the config directory was left open to others');
  });

  it('VOICEHOOKS_ULTRAVOX_API_KEY overrides the stored key, ULTRAVOX_API_KEY comes second', async () => {
    const c = cli({ apiKey: null });
    expectCode(
      await c.run(['auth', 'login', '-p', 'ultravox', '--with-token', '--no-verify'], { stdin: WRONG_KEY }),
      0,
    );
    const status = (env: Record<string, string>) => c.run(['auth', 'status', '--json'], { env });
    const [first, second, both, useFirst, useSecond, firstWins] = await Promise.all([
      status({ VOICEHOOKS_ULTRAVOX_API_KEY: ENV_KEY }),
      status({ ULTRAVOX_API_KEY: SECOND_KEY }),
      status({ VOICEHOOKS_ULTRAVOX_API_KEY: ENV_KEY, ULTRAVOX_API_KEY: SECOND_KEY }),
      c.run(['list', '-p', 'ultravox'], { env: { VOICEHOOKS_ULTRAVOX_API_KEY: KEY } }),
      c.run(['list', '-p', 'ultravox'], { env: { ULTRAVOX_API_KEY: KEY } }),
      c.run(['list', '-p', 'ultravox'], {
        env: { VOICEHOOKS_ULTRAVOX_API_KEY: WRONG_KEY, ULTRAVOX_API_KEY: KEY },
      }),
    ]);
    const entry = (r: CliResult) => {
      expectCode(r, 0, 'auth status');
      return parse<KeyStatusJson[]>(r.stdout).find((s) => s.provider === 'ultravox');
    };
    assert.equal(entry(first)?.source, 'env VOICEHOOKS_ULTRAVOX_API_KEY');
    assert.equal(entry(first)?.key, `****${ENV_KEY.slice(-4)}`);
    assert.equal(entry(second)?.source, 'env ULTRAVOX_API_KEY');
    assert.equal(entry(second)?.key, `****${SECOND_KEY.slice(-4)}`);
    assert.equal(entry(both)?.source, 'env VOICEHOOKS_ULTRAVOX_API_KEY');
    expectCode(useFirst, 0, 'list with VOICEHOOKS_ULTRAVOX_API_KEY over a wrong stored key');
    expectCode(useSecond, 0, 'list with ULTRAVOX_API_KEY over a wrong stored key');
    expectCode(firstWins, 4, 'list with a wrong VOICEHOOKS_ULTRAVOX_API_KEY and a right ULTRAVOX_API_KEY');
  });

  it('auth status reports a key that cannot be sent in its own row, and exits 3 after the whole report', async () => {
    const c = cli({ apiKey: null });
    const broken = `${ENV_KEY}\n`;
    const result = await c.run(['auth', 'status', '--json'], {
      env: { VOICEHOOKS_ULTRAVOX_API_KEY: broken, VOICEHOOKS_DAILY_API_KEY: SECOND_KEY },
    });
    expectCode(result, 3, 'auth status with a key holding a line break');
    const rows = parse<KeyStatusJson[]>(result.stdout);
    assert.ok(rows.length >= 6, 'every provider is reported');
    const ultravox = rows.find((s) => s.provider === 'ultravox');
    assert.equal(ultravox?.source, 'env VOICEHOOKS_ULTRAVOX_API_KEY');
    assert.equal(ultravox?.key, null);
    assert.equal(ultravox?.check, 'failed');
    assert.match(String(ultravox?.detail), /line break at position/);
    assert.equal(
      rows.find((s) => s.provider === 'daily')?.key,
      `****${SECOND_KEY.slice(-4)}`,
      'the others as ever',
    );
    assert.match(result.stderr, /VOICEHOOKS_ULTRAVOX_API_KEY has a line break/);
    assert.ok(!`${result.stdout}${result.stderr}`.includes(ENV_KEY), 'the key is not printed');
  });
});

describe('config', { timeout: 120_000 }, () => {
  it('set, get, unset and list round trip; a bad value exits 2', async () => {
    const c = cli();
    expectCode(await c.run(['config', 'set', 'provider', 'ultravox']), 0, 'config set');
    const [got, listed, bad] = await Promise.all([
      c.run(['config', 'get', 'provider']),
      c.run(['config', 'list', '--json']),
      c.run(['config', 'set', 'provider', 'nope']),
    ]);
    expectCode(got, 0);
    assert.equal(got.stdout, 'ultravox\n');
    expectCode(listed, 0);
    const rows = parse<{ key: string; value: string | null }[]>(listed.stdout);
    assert.equal(rows.find((r) => r.key === 'provider')?.value, 'ultravox');
    assert.equal(rows.find((r) => r.key === 'polyai.region')?.value, null);
    expectCode(bad, 2, 'config set provider nope');
    assert.match(bad.stderr, /nope/);

    // The stored provider is used when -p is absent.
    const [withDefault, getJson] = await Promise.all([
      c.run(['list']),
      c.run(['config', 'get', 'provider', '--json']),
    ]);
    expectCode(withDefault, 0, 'list with the provider from the profile');
    expectCode(getJson, 0);
    assert.deepEqual(parse<unknown>(getJson.stdout), {
      profile: 'default',
      key: 'provider',
      value: 'ultravox',
    });

    expectCode(await c.run(['config', 'unset', 'provider']), 0, 'config unset');
    const [gone, noProvider] = await Promise.all([c.run(['config', 'get', 'provider']), c.run(['list'])]);
    expectCode(gone, 0);
    assert.equal(gone.stdout, '');
    // No provider named anywhere: every provider with a key is listed (here Ultravox, from the environment).
    expectCode(noProvider, 0, 'list with no provider named');
    assert.doesNotMatch(noProvider.stderr, /Error/);
  });

  it('a stored base URL is used with only the key in the environment', async () => {
    const c = cli({ baseUrl: null });
    const set = await c.run(['config', 'set', 'ultravox.base-url', emu.baseUrl('ultravox')]);
    expectCode(set, 0);
    const [got, listed] = await Promise.all([
      c.run(['config', 'get', 'ultravox.base-url']),
      c.run(['list', '-p', 'ultravox', '--json']),
    ]);
    assert.equal(got.stdout, `${emu.baseUrl('ultravox')}\n`);
    expectCode(listed, 0, 'list through the stored base URL');
    assert.deepEqual(parse<unknown>(listed.stdout), []);
    assert.equal(emu.requests.length, 1, 'the stored base URL was not used');
  });

  it('--profile and VOICEHOOKS_PROFILE keep settings apart', async () => {
    const c = cli();
    expectCode(await c.run(['config', 'set', 'region', 'uk', '--profile', 'other']), 0);
    expectCode(await c.run(['config', 'set', 'region', 'eu']), 0);
    const [plain, flag, env, flagOverEnv] = await Promise.all([
      c.run(['config', 'get', 'region']),
      c.run(['config', 'get', 'region', '--profile', 'other']),
      c.run(['config', 'get', 'region'], { env: { VOICEHOOKS_PROFILE: 'other' } }),
      c.run(['config', 'get', 'region', '--profile', 'default'], { env: { VOICEHOOKS_PROFILE: 'other' } }),
    ]);
    for (const r of [plain, flag, env, flagOverEnv]) expectCode(r, 0);
    assert.equal(plain.stdout, 'eu\n');
    assert.equal(flag.stdout, 'uk\n');
    assert.equal(env.stdout, 'uk\n');
    assert.equal(flagOverEnv.stdout, 'eu\n');
  });
});

describe('catalogs', { timeout: 120_000 }, () => {
  it('events and providers as JSON', async () => {
    const c = cli({ apiKey: null, baseUrl: null });
    const [events, providers] = await Promise.all([
      c.run(['events', '-p', 'ultravox', '--json']),
      c.run(['providers', '--json']),
    ]);
    expectCode(events, 0);
    const list = parse<{ name: string; description: string }[]>(events.stdout);
    assert.deepEqual(
      list.map((e) => e.name),
      ['call.started', 'call.joined', 'call.ended', 'call.billed'],
    );
    assert.ok(list.every((e) => e.description.length > 0));
    expectCode(providers, 0);
    const ultravox = parse<{ name: string; toggle: string }[]>(providers.stdout).find(
      (p) => p.name === 'ultravox',
    );
    assert.equal(ultravox?.toggle, 'none');
    assert.equal(emu.requests.length, 0);
  });
});

describe('--debug', { timeout: 120_000 }, () => {
  it('traces HTTP on stderr with the key and signing secrets redacted', async () => {
    const c = cli();
    const secret = 'whsec-debug-secret-5e1d77';
    signingSecrets.add(secret);
    const hook = await create(c, 'https://hooks.example.com/debug-rotate');
    const [listed, created, rotated] = await Promise.all([
      c.run(['list', '-p', 'ultravox', '--debug']),
      c.run([
        'create',
        '-p',
        'ultravox',
        '--url',
        'https://hooks.example.com/debug',
        '--event',
        'call.ended',
        '--secret',
        secret,
        '--debug',
      ]),
      c.run(['rotate-secret', hook.id, '-p', 'ultravox', '--debug']),
    ]);
    expectCode(listed, 0);
    assert.match(listed.stderr, /> GET http:\/\/127\.0\.0\.1:\d+\/ultravox\/api\/webhooks/);
    assert.match(listed.stderr, /x-api-key: \[redacted\]/i);
    assert.ok(!listed.stdout.includes('> GET'), 'the trace is on stdout');
    expectCode(created, 0);
    assert.match(created.stderr, /> POST /);
    assert.ok(!created.stderr.includes(secret), 'a signing secret given with --secret is in the trace');
    expectCode(rotated, 0);
    const fresh = rotated.stdout.trim();
    signingSecrets.add(fresh);
    assert.match(rotated.stderr, /> PATCH /);
    assert.ok(!rotated.stderr.includes(fresh), 'the rotated secret is in the trace');
    for (const r of [listed, created, rotated]) assert.ok(!r.stderr.includes(KEY), 'the key is in the trace');
  });
});

describe('errors outside a command', { timeout: 120_000 }, () => {
  it('an unknown command is a usage error in the contract form, JSON with --json', async () => {
    const c = cli();
    const [plain, json] = await Promise.all([c.run(['lst']), c.run(['lst', '--json'])]);
    expectCode(plain, 2, 'an unknown command');
    assert.match(plain.stderr, /^Error: .*lst/m);
    assert.ok(plain.stderr.trimEnd().split('\n').length >= 2, `no line on what to do next: ${plain.stderr}`);
    expectCode(json, 2, 'an unknown command with --json');
    assert.equal(jsonError(json).code, 'usage');
  });
});

// Must stay the last test: it reads what every test above captured.
describe('no credential leaks', () => {
  it('no API key in any output or file but config.json; no signing secret on stderr or in other files', () => {
    assert.ok(captured.length > 0, 'nothing captured: run the whole file, not this test alone');
    assert.ok(signingSecrets.size > 0, 'no signing secret was recorded');
    for (const run of captured) {
      const command = run.args.join(' ');
      for (const key of ALL_KEYS) {
        assert.ok(!run.stdout.includes(key), `stdout of "${command}" holds the API key ${key}`);
        assert.ok(!run.stderr.includes(key), `stderr of "${command}" holds the API key ${key}`);
      }
      for (const secret of signingSecrets) {
        assert.ok(!run.stderr.includes(secret), `stderr of "${command}" holds the signing secret ${secret}`);
      }
      assert.ok(!run.stdout.includes(ANSI), `ANSI escape on stdout of "${command}"`);
    }
    const files = tempRoots.flatMap(filesUnder);
    assert.ok(
      files.some((f) => f.endsWith('/config.json')),
      'no config file was written',
    );
    for (const file of files) {
      if (file.endsWith('/config.json')) continue;
      const text = readFileSync(file, 'utf8');
      for (const value of [...ALL_KEYS, ...signingSecrets]) {
        assert.ok(!text.includes(value), `${file} holds ${value}`);
      }
    }
  });
});
