// Hostile data and hostile input: the built CLI against a provider that lies (test/helpers/hostile-server.ts),
// against files and flags an attacker wrote, and the mechanisms that close each class, one describe per class.
// Run `npm run build` first.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { escapeForApply, toYaml } from '../src/apply/export.ts';
import { parseApplyFile } from '../src/apply/file.ts';
import { sendDelivery } from '../src/delivery.ts';
import { ApiError, formatError } from '../src/errors.ts';
import { FRUITLESS_PAGES, MAX_PAGES, PageWalk, redactThenClip, retryAfterMs } from '../src/http.ts';
import { checkApiKey, checkHeaders } from '../src/input.ts';
import { deliveryRow, startListener } from '../src/listener.ts';
import { render, safeJson, safeText, webhookRecord, webhookTable } from '../src/output.ts';
import { startEmulator, type RunningEmulator } from '../src/emulator/server.ts';
import { talkover } from '../src/providers/talkover/index.ts';
import type { Webhook } from '../src/providers/types.ts';
import { newCli, removeTempRoots, runCli } from './helpers/cli.ts';
import {
  ESCAPES,
  NON_OBJECT_CONFIGS,
  RAW_CONTROLS,
  endlessCursors,
  endlessTalkoverLogs,
  leaksKey,
  repeatedCursor,
  startHostile,
  startRecordingProxy,
  straddling,
  ultravoxWebhook,
} from './helpers/hostile-server.ts';

const KEY = 'hostile-test-key-0123456789abcdefghijklmnop';
const AGENT = '9fbef0b7-8d4e-4a08-9207-66c22155721d';
const ID = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

after(removeTempRoots);

describe('1. export -> apply is byte-exact and never interpolates a key', () => {
  const parseName = (yaml: string) =>
    parseApplyFile(yaml, 'f.yaml', { env: { SOME_VAR: 'filled' } }).webhooks[0]?.input.name;

  it('any string a provider returns survives escapeForApply -> YAML -> the loader byte for byte', () => {
    const pieces = fc.constantFrom('$', '{', '}', '${', '$${', '$$', '${SOME_VAR}', '}}', 'a', ' ', '\\');
    const hostile = fc
      .array(fc.oneof(pieces, fc.string({ unit: 'binary', maxLength: 6 })), { minLength: 1, maxLength: 12 })
      .map((parts) => `n${parts.join('')}`)
      // What the name field itself refuses (blank, over 255) is not the property under test.
      .filter((s) => s.trim() !== '' && s.length <= 255 && !/\p{Cs}/u.test(s));
    fc.assert(
      fc.property(hostile, (name) => {
        const yaml = toYaml({
          file: {
            webhooks: [
              {
                provider: 'polyai',
                url: 'https://example.com/h',
                events: ['alerts.triggered'],
                name: escapeForApply(name),
              },
            ],
          },
          variables: [],
        });
        assert.equal(parseName(yaml), name);
      }),
      { numRuns: 500 },
    );
  });

  it('an apply file may not fill in an *_API_KEY variable', () => {
    assert.throws(
      () =>
        parseApplyFile(
          'webhooks:\n  - provider: ultravox\n    url: "https://evil.example/${VOICEHOOKS_ULTRAVOX_API_KEY}"\n    events: [call.ended]\n',
          'f.yaml',
          { env: { VOICEHOOKS_ULTRAVOX_API_KEY: KEY } },
        ),
      /an API key variable is never filled into an apply file/,
    );
  });

  it('a live URL naming the key variable round-trips through export and apply: nothing is created', async () => {
    const emulator = await startEmulator();
    try {
      const cli = newCli({ baseUrl: emulator.baseUrl('ultravox'), apiKey: KEY });
      const url = 'https://example.com/h?k=${VOICEHOOKS_ULTRAVOX_API_KEY}';
      const made = await cli.run([
        'create',
        '-p',
        'ultravox',
        '--url',
        url,
        '--event',
        'call.ended',
        '--json',
      ]);
      assert.equal(made.code, 0, made.stderr);
      const exported = await cli.run(['export', '-p', 'ultravox', '--show-secrets']);
      assert.equal(exported.code, 0, exported.stderr);
      const file = join(cli.configDir, '..', 'exported.yaml');
      writeFileSync(file, exported.stdout);
      const start = emulator.requests.length;
      const applied = await cli.run(['apply', '-f', file, '--json']);
      assert.equal(applied.code, 0, applied.stderr);
      const writes = emulator.requests.slice(start).filter((r) => r.method !== 'GET');
      assert.deepEqual(writes, [], 'apply wrote something');
      assert.ok(!emulator.requests.some((r) => r.body.includes(KEY)), 'the key was sent in a body');
    } finally {
      await emulator.close();
    }
  });
});

describe('2. escape sequences from providers, deliveries and files are shown, never obeyed', () => {
  it('safeText shows every control character visibly', () => {
    assert.equal(safeText('a\x1b[2Kb\r\n\t\x07\x9b\u202e\x7f'), 'a\\x1b[2Kb\\r\\n\\t\\x07\\x9b\\u202e\\x7f');
    assert.equal(safeText('plain café ✓'), 'plain café ✓');
  });

  it('table cells, records, piped rows, listen rows and errors go through it', () => {
    const webhook = {
      provider: 'ultravox',
      id: `id${ESCAPES}`,
      url: `https://x${ESCAPES}`,
      events: [`e${ESCAPES}`],
      enabled: true,
      status: `normal${ESCAPES}`,
      name: ESCAPES,
      agentId: null,
      createdAt: null,
      updatedAt: null,
      secrets: [],
      raw: { any: ESCAPES },
    } as unknown as Webhook;
    for (const tty of [true, false]) {
      for (const view of [webhookTable([webhook]), webhookRecord(webhook)]) {
        const out = render(view, { tty, color: false, width: 200 });
        assert.doesNotMatch(out, RAW_CONTROLS, JSON.stringify(out));
        assert.match(out, /\\x1b\[2K/);
      }
    }
    for (const tty of [true, false]) {
      const row = deliveryRow(
        {
          time: '2024-01-01T00:00:00.000Z',
          event: ESCAPES,
          verification: 'invalid',
          id: ESCAPES,
          status: 401,
          detail: ESCAPES,
        } as Parameters<typeof deliveryRow>[0],
        tty,
      );
      assert.doesNotMatch(row, RAW_CONTROLS, JSON.stringify(row));
      assert.equal(row.split('\n').length, 2, 'one row, one line');
    }
    const json = safeJson(JSON.stringify({ s: ESCAPES }));
    assert.doesNotMatch(json, RAW_CONTROLS);
    assert.deepEqual(JSON.parse(json), { s: ESCAPES }, 'the JSON value is unchanged');
    const error = new ApiError('rejected', `Ultravox: ${ESCAPES}`, { requestId: ESCAPES, hint: ESCAPES });
    assert.doesNotMatch(formatError(error, { json: false }), RAW_CONTROLS);
  });

  it('list and get of a provider whose every field carries escape sequences print them visibly', async () => {
    const server = await startHostile((hit) =>
      hit.url.startsWith('/api/webhooks/')
        ? { json: ultravoxWebhook(ID, ESCAPES) }
        : { json: { results: [ultravoxWebhook(ID, ESCAPES)], next: null } },
    );
    try {
      const cli = newCli({ baseUrl: server.url, apiKey: KEY });
      for (const args of [['list'], ['get', ID]]) {
        const run = await cli.run([...args, '-p', 'ultravox']);
        assert.equal(run.code, 0, run.stderr);
        assert.doesNotMatch(run.stdout, RAW_CONTROLS, JSON.stringify(run.stdout));
        assert.match(run.stdout, /normal\\x1b\[2K/);
      }
      const json = await cli.run(['list', '-p', 'ultravox', '--json']);
      assert.equal(json.code, 0, json.stderr);
      assert.doesNotMatch(json.stdout, RAW_CONTROLS);
      assert.equal((JSON.parse(json.stdout) as Webhook[])[0]?.status, `normal${ESCAPES}`);
    } finally {
      await server.close();
    }
  });
});

describe('3. the key is redacted before anything is cut', () => {
  it('redactThenClip never leaves a part of a key at the cut', () => {
    for (let before = 1; before < KEY.length; before++) {
      const text = straddling(KEY, 300, before);
      assert.ok(!leaksKey(redactThenClip(text, [KEY], 300), KEY, 6), `cut with ${before} characters before`);
    }
  });

  for (const cut of [300, 2000]) {
    for (const before of [4, 20, KEY.length - 4]) {
      it(`an answer echoing the key across character ${cut} (${before} before the cut) leaks none of it`, async () => {
        const text = straddling(KEY, cut, before);
        const server = await startHostile((_hit, n) =>
          n % 3 === 0
            ? { status: 400, json: { [text]: 1, pad: [1, 2, 3] } }
            : n % 3 === 1
              ? { status: 400, text, type: 'text/plain' }
              : { status: 400, json: { detail: text } },
        );
        try {
          const cli = newCli({ baseUrl: server.url, apiKey: KEY });
          for (let i = 0; i < 3; i++) {
            const run = await cli.run(['list', '-p', 'ultravox', '--debug']);
            assert.equal(run.code, 7, run.stderr);
            assert.ok(!leaksKey(run.stderr + run.stdout, KEY), run.stderr);
          }
        } finally {
          await server.close();
        }
      });
    }
  }

  it("request ids a provider echoes (Talkover's request_id, PolyAI's error_id) are scrubbed", async () => {
    const server = await startHostile(() => ({
      status: 422,
      json: { message: 'no', request_id: `req-${KEY}`, error_id: `err-${KEY}`, error: { code: 'X' } },
    }));
    try {
      const cli = newCli({});
      for (const [provider, extra] of [
        ['talkover', ['--agent', AGENT]],
        ['polyai', []],
      ] as const) {
        const env = {
          [`VOICEHOOKS_${provider.toUpperCase()}_BASE_URL`]: server.url,
          [`VOICEHOOKS_${provider.toUpperCase()}_API_KEY`]: KEY,
        };
        for (const json of [[], ['--json']]) {
          const run = await cli.run(['list', '-p', provider, ...extra, ...json], { env });
          assert.equal(run.code, 7, run.stderr);
          assert.ok(!leaksKey(run.stderr, KEY), run.stderr);
        }
      }
    } finally {
      await server.close();
    }
  });
});

describe('4. no paginated read runs forever', () => {
  const run = async (
    respond: Parameters<typeof startHostile>[0],
    args: string[],
    env: (url: string) => Record<string, string> = () => ({}),
  ) => {
    const server = await startHostile(respond);
    try {
      const cli = newCli({ baseUrl: server.url, apiKey: KEY });
      return {
        ...(await cli.run(args, { env: env(server.url), timeoutMs: 20_000 })),
        hits: server.hits.length,
      };
    } finally {
      await server.close();
    }
  };

  it('fresh cursors on empty pages: exit 9 after 3 pages, naming the misbehaviour', async () => {
    const r = await run(
      endlessCursors(() => []),
      ['list', '-p', 'ultravox'],
    );
    assert.equal(r.code, 9, r.stderr);
    assert.match(r.stderr, /Ultravox sent 3 pages in a row with nothing new.*pagination does not end/);
    assert.equal(r.hits, FRUITLESS_PAGES);
  });

  for (const limit of [[], ['--limit', '5']]) {
    it(`fresh cursors over the same rows ${limit.join(' ')}: the rows once, then exit 9`, async () => {
      const r = await run(
        endlessCursors(() => [ultravoxWebhook(uuid(1)), ultravoxWebhook(uuid(2))]),
        ['list', '-p', 'ultravox', '--json', ...limit],
      );
      assert.equal(r.code, 9, r.stderr);
      assert.equal(r.hits, 1 + FRUITLESS_PAGES);
      assert.equal(r.stdout.split(`"id": "${uuid(1)}"`).length - 1, 1, r.stdout);
    });
  }

  it('a cursor seen before ends the list with exit 0 and a warning', async () => {
    const r = await run(
      repeatedCursor((n) => [ultravoxWebhook(uuid(n))]),
      ['list', '-p', 'ultravox', '--json'],
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as unknown[]).length, 2);
    assert.match(r.stderr, /Warning: Ultravox sent a page position it had sent before/);
  });

  it('Talkover logs with last_page 10^9 over the same entry: exit 9', async () => {
    const r = await run(
      endlessTalkoverLogs(),
      ['logs', ID, '-p', 'talkover', '--agent', AGENT],
      (url: string) => ({
        VOICEHOOKS_TALKOVER_BASE_URL: url,
        VOICEHOOKS_TALKOVER_API_KEY: KEY,
      }),
    );
    assert.equal(r.code, 9, r.stderr);
    assert.match(r.stderr, /Talkover sent 3 pages in a row/);
    assert.equal(r.hits, 1 + FRUITLESS_PAGES);
  });

  it(`more than ${MAX_PAGES} pages, each with something new, is refused`, () => {
    const walk = new PageWalk('Hostile', 'ultravox');
    let pages = 0;
    assert.throws(() => {
      for (let cursor = 0; walk.visit(cursor); cursor++) walk.page([`id${++pages}`], (id) => id);
    }, /sent more than 10000 pages/);
    assert.equal(pages, MAX_PAGES);
  });
});

describe('5. loopback targets never go through a proxy', () => {
  let proxy: Awaited<ReturnType<typeof startRecordingProxy>>;
  let target: Server;
  let received = 0;
  before(async () => {
    proxy = await startRecordingProxy();
    target = createServer((req, res) => {
      received++;
      req.resume();
      res.end('ok');
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  });
  after(async () => {
    await proxy.close();
    target.closeAllConnections();
    await new Promise<void>((resolve) => target.close(() => resolve()));
  });

  it('a delivery (test, listen --forward-to) to loopback is sent directly with HTTP_PROXY set', async () => {
    const saved = { HTTP_PROXY: process.env.HTTP_PROXY, NO_PROXY: process.env.NO_PROXY };
    process.env.HTTP_PROXY = proxy.url;
    delete process.env.NO_PROXY;
    try {
      const port = (target.address() as AddressInfo).port;
      for (const host of ['127.0.0.1', 'localhost']) {
        const outcome = await sendDelivery(
          {
            url: `http://${host}:${port}/hook`,
            method: 'POST',
            event: 'call.ended',
            body: Buffer.from('{}'),
            headers: { 'x-secret': KEY },
            deliveryId: null,
          },
          { timeoutMs: 5000 },
        );
        assert.equal(outcome.status, 200);
      }
      assert.deepEqual(proxy.seen, []);
      assert.equal(received, 2);
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it('listen --forward-to a loopback target relays directly with HTTP_PROXY set', async () => {
    const saved = { HTTP_PROXY: process.env.HTTP_PROXY, NO_PROXY: process.env.NO_PROXY };
    process.env.HTTP_PROXY = proxy.url;
    delete process.env.NO_PROXY;
    const before = received;
    const forwarded: (number | null | undefined)[] = [];
    const listener = await startListener({
      provider: talkover.name,
      receiver: talkover.receiver,
      secrets: [],
      host: '127.0.0.1',
      port: 0,
      forwardTo: `http://localhost:${(target.address() as AddressInfo).port}/hook`,
      forwardTimeoutMs: 5000,
      acceptInvalid: true,
      onDelivery: (d) => forwarded.push(d.forward?.status),
    });
    try {
      const answer = await fetch(listener.url, { method: 'POST', body: '{"event":"x"}' });
      assert.equal(answer.status, 200);
      assert.deepEqual(forwarded, [200]);
      assert.equal(received, before + 1);
      assert.deepEqual(proxy.seen, []);
    } finally {
      await listener.close();
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it('the CLI with HTTP_PROXY and no NO_PROXY talks to a loopback provider directly', async () => {
    const server = await startHostile(() => ({ json: { results: [], next: null } }));
    try {
      const cli = newCli({ baseUrl: server.url, apiKey: KEY });
      const r = await cli.run(['list', '-p', 'ultravox'], {
        env: { HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url, NO_PROXY: undefined },
      });
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(proxy.seen, []);
      assert.equal(server.hits.length, 1);
    } finally {
      await server.close();
    }
  });
});

describe('6. a config file of the wrong shape is reported and kept', () => {
  for (const text of NON_OBJECT_CONFIGS) {
    it(`${text}: config list exits 3, auth login exits 3, the file is unchanged`, async () => {
      const cli = newCli({ baseUrl: null, apiKey: null });
      mkdirSync(cli.configDir, { recursive: true });
      writeFileSync(cli.configFile, text);
      const list = await cli.run(['config', 'list']);
      assert.equal(list.code, 3, list.stderr);
      assert.match(list.stderr, /not an object.*left as it is/);
      const login = await cli.run(['auth', 'login', '-p', 'ultravox', '--with-token', '--no-verify'], {
        stdin: `${KEY}\n`,
      });
      assert.equal(login.code, 3, login.stderr);
      assert.equal(readFileSync(cli.configFile, 'utf8'), text);
    });
  }

  for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
    it(`profile "${name}" is refused cleanly (exit 2), and reading it finds nothing`, async () => {
      const cli = newCli({ baseUrl: null, apiKey: null });
      const set = await cli.run(['config', 'set', 'provider', 'ultravox', '--profile', name]);
      assert.equal(set.code, 2, set.stderr);
      assert.match(set.stderr, /cannot be a profile name/);
      const get = await cli.run(['config', 'get', 'provider', '--profile', name]);
      assert.ok(get.code === 0 || get.code === 5, get.stderr);
      assert.doesNotMatch(get.stderr, /Unexpected|bug/);
    });
  }
});

describe('6b. a full disk', () => {
  // A real ENOSPC needs a small file system: a 64 KiB tmpfs, which only a process allowed to mount can make.
  const mountPoint = mkdtempSync(join(tmpdir(), 'vh-full-'));
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mountPoint]).status === 0;
  after(() => {
    if (mounted) spawnSync('umount', [mountPoint]);
    rmSync(mountPoint, { recursive: true, force: true });
  });

  it(
    'a save on a full disk is exit 3 with a plain message, and the file is kept',
    { skip: mounted ? false : 'mounting a small tmpfs is not permitted here' },
    async () => {
      const dir = join(mountPoint, 'config');
      const env = { VOICEHOOKS_CONFIG_DIR: dir };
      const first = await runCli(['config', 'set', 'provider', 'ultravox'], { env });
      assert.equal(first.code, 0, first.stderr);
      const before = readFileSync(join(dir, 'config.json'), 'utf8');
      // Fill what is left of the file system.
      try {
        writeFileSync(join(mountPoint, 'filler'), Buffer.alloc(128 * 1024));
      } catch {
        // ENOSPC: full, as wanted
      }
      const second = await runCli(['config', 'set', 'region', 'eu'], { env });
      assert.equal(second.code, 3, second.stderr);
      assert.match(second.stderr, /the disk is full/);
      assert.doesNotMatch(second.stderr, /bug/);
      assert.equal(readFileSync(join(dir, 'config.json'), 'utf8'), before);
    },
  );
});

describe('7. what is sent is exactly what was checked', () => {
  let emulator: RunningEmulator;
  before(async () => (emulator = await startEmulator()));
  after(() => emulator.close());

  for (const url of [
    'https://example.com/a\r\nb',
    'https://example.com/a\tb',
    ' https://example.com/',
    'https://evil.example\\@example.com/',
  ]) {
    it(`--url ${JSON.stringify(url)} is refused before any request (exit 2)`, async () => {
      const cli = newCli({ baseUrl: emulator.baseUrl('ultravox'), apiKey: KEY });
      const start = emulator.requests.length;
      const r = await cli.run(['create', '-p', 'ultravox', '--url', url, '--event', 'call.ended']);
      assert.equal(r.code, 2, r.stderr);
      assert.equal(emulator.requests.length, start);
    });
  }
});

describe('7b. the same check in an apply file', () => {
  it("a NUL or line break in an apply entry's url is a problem of the file (exit 2)", () => {
    for (const url of ['https://example.com/a\\0b', 'https://example.com/a\\r\\nb']) {
      assert.throws(
        () =>
          parseApplyFile(
            `webhooks:\n  - provider: ultravox\n    url: "${url}"\n    events: [call.ended]\n`,
            'f.yaml',
          ),
        /a control character/,
        url,
      );
    }
  });
});

describe('8. malformed keys and numbers are configuration and usage errors', () => {
  for (const [what, key] of [
    ['a CR/LF', 'abcdefgh12\r\nX-Injected: 1'],
    ['a non-Latin-1 character', 'abcdefgh12€'],
    ['under 8 characters', 'short'],
  ]) {
    it(`a key with ${what} is exit 3, naming where it came from, and nothing is sent`, async () => {
      const server = await startHostile(() => ({ json: { results: [], next: null } }));
      try {
        const cli = newCli({ baseUrl: server.url, apiKey: key });
        const r = await cli.run(['list', '-p', 'ultravox']);
        assert.equal(r.code, 3, r.stderr);
        assert.match(r.stderr, /The API key from VOICEHOOKS_ULTRAVOX_API_KEY/);
        assert.equal(server.hits.length, 0);
      } finally {
        await server.close();
      }
    });
  }

  it('checkApiKey accepts a long printable key', () => {
    assert.equal(checkApiKey(KEY, 'test'), KEY);
  });

  for (const flag of [
    ['--timeout', '99999999'],
    ['--max-wait', '9999999999'],
  ]) {
    it(`${flag.join(' ')} beyond what a timer holds is exit 2`, async () => {
      const cli = newCli({ baseUrl: 'http://127.0.0.1:9', apiKey: KEY });
      const r = await cli.run(['list', '-p', 'ultravox', ...flag]);
      assert.equal(r.code, 2, r.stderr);
    });
  }

  it('Retry-After that is not delta seconds or an HTTP date is ignored (-5 is not a date in 2001)', () => {
    for (const value of ['-5', '1e999', '-1', '5 minutes', '+5']) {
      assert.equal(retryAfterMs(value, Date.parse('2026-01-01T00:00:00Z')), undefined, value);
    }
    assert.ok(retryAfterMs('99999999999999999999999')! > 60_000);
  });
});

describe('9. reads from files and stdin are capped', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'vh-hostile-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('apply -f /dev/zero is exit 2 without growing', async () => {
    const cli = newCli({ baseUrl: 'http://127.0.0.1:9', apiKey: KEY });
    const r = await cli.run(['apply', '-f', '/dev/zero']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /larger than 10 MiB/);
  });

  it('sign --body-file of 11 MiB, and the same on stdin, are exit 2', async () => {
    const big = join(dir, 'big');
    writeFileSync(big, '');
    truncateSync(big, 11 * 1024 * 1024);
    const cli = newCli({});
    const file = await cli.run([
      'sign',
      '-p',
      'ultravox',
      '--secret',
      'a-signing-secret',
      '--body-file',
      big,
    ]);
    assert.equal(file.code, 2, file.stderr);
    assert.match(file.stderr, /larger than 10 MiB/);
    const zero = await cli.run([
      'sign',
      '-p',
      'ultravox',
      '--secret',
      'a-signing-secret',
      '--body-file',
      '/dev/zero',
    ]);
    assert.equal(zero.code, 2, zero.stderr);
    const stdin = await cli.run(['sign', '-p', 'ultravox', '--secret', 'a-signing-secret'], {
      stdin: 'x'.repeat(11 * 1024 * 1024),
    });
    assert.equal(stdin.code, 2, stdin.stderr);
  });
});

describe('10. duplicates of a file entry made by concurrent runs are seen', () => {
  let emulator: RunningEmulator;
  before(async () => (emulator = await startEmulator()));
  after(() => emulator.close());

  it('diff exits 10 naming them; apply keeps the oldest and prints delete commands; --prune removes them', async () => {
    const cli = newCli({ baseUrl: emulator.baseUrl('ultravox'), apiKey: KEY });
    const url = 'https://example.com/dup';
    const file = join(cli.configDir, '..', 'dup.yaml');
    writeFileSync(file, `webhooks:\n  - provider: ultravox\n    url: ${url}\n    events: [call.ended]\n`);
    const first = await cli.run(['apply', '-f', file]);
    assert.equal(first.code, 0, first.stderr);
    // Two more made behind apply's back, as parallel runs would.
    for (let i = 0; i < 2; i++) {
      const r = await cli.run(['create', '-p', 'ultravox', '--url', url, '--event', 'call.ended']);
      assert.equal(r.code, 0, r.stderr);
    }
    const list = async () =>
      (JSON.parse((await cli.run(['list', '-p', 'ultravox', '--json'])).stdout) as Webhook[]).filter(
        (w) => w.url === url,
      );
    const all = await list();
    assert.equal(all.length, 3);
    const oldest = [...all].sort((a, b) => String(a.createdAt).localeCompare(String(b.createdAt)))[0]!;

    const diff = await cli.run(['diff', '-f', file, '--json']);
    assert.equal(diff.code, 10, diff.stderr);
    const report = JSON.parse(diff.stdout) as { counts: Record<string, number> };
    assert.equal(report.counts.duplicate, 2);

    const apply = await cli.run(['apply', '-f', file]);
    assert.equal(apply.code, 10, apply.stderr);
    for (const w of all.filter((w) => w.id !== oldest.id)) {
      assert.match(apply.stderr, new RegExp(`voicehooks delete ${w.id} -p ultravox --yes`));
    }
    assert.doesNotMatch(apply.stderr, new RegExp(`delete ${oldest.id}`));
    assert.equal((await list()).length, 3, 'apply without --prune deleted something');

    const pruned = await cli.run(['apply', '-f', file, '--prune', '--yes']);
    assert.equal(pruned.code, 0, pruned.stderr);
    assert.deepEqual(
      (await list()).map((w) => w.id),
      [oldest.id],
    );
  });
});

describe('11. smaller holes', () => {
  it('apply entries of the wrong type are reported as such, not as missing', () => {
    const problems = (entry: string) => {
      try {
        parseApplyFile(`webhooks:\n  - provider: ultravox\n    events: [call.ended]\n${entry}`, 'f.yaml');
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    };
    const url = problems('    url: [1, 2]\n');
    assert.match(url, /url must be a string, got a list/);
    assert.doesNotMatch(url, /missing/);
    const enabled = problems('    url: https://example.com/x\n    enabled: "yes"\n');
    assert.match(enabled, /enabled must be a boolean, got a string/);
  });

  it('--header refuses control characters, Host, Content-Length and oversized values', () => {
    for (const headers of [
      { 'X-A': 'a\x1b[31m' },
      { 'X-A': 'a\rb' },
      { Host: 'evil.example' },
      { 'content-length': '0' },
      { 'X-A': 'v'.repeat(5000) },
    ] as Record<string, string>[]) {
      assert.throws(() => checkHeaders(headers), /--header/, JSON.stringify(headers).slice(0, 60));
    }
    assert.deepEqual(checkHeaders({ 'X-Token': 'a b\tc' }), { 'X-Token': 'a b\tc' });
  });

  it('create --header Host=… is exit 2 and sends nothing', async () => {
    const emulator = await startEmulator();
    try {
      const cli = newCli({});
      const start = emulator.requests.length;
      const r = await cli.run(
        [
          'create',
          '-p',
          'talkover',
          '--agent',
          AGENT,
          '--url',
          'https://example.com/h',
          '--event',
          'event_phone_call_ended',
          '--name',
          'hostile',
          '--header',
          'Host=evil.example',
        ],
        {
          env: {
            VOICEHOOKS_TALKOVER_BASE_URL: emulator.baseUrl('talkover'),
            VOICEHOOKS_TALKOVER_API_KEY: KEY,
          },
        },
      );
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /--header Host is set by HTTP itself/);
      assert.equal(emulator.requests.length, start);
    } finally {
      await emulator.close();
    }
  });
});
