/**
 * The suite every provider adapter must pass against its own emulator (house style: one shared suite, real
 * local servers). It drives the real adapter over real HTTP on 127.0.0.1 and checks what the contract
 * promises: the normal `Webhook` shape, CRUD round trips, the exit-code kind of every error class, and
 * capability flags that tell the truth. Nothing here names a provider; specifics come in through the fixture.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { RecordedRequest, RunningEmulator } from '../src/emulator/server.ts';
import { ApiError, CliError, ExitCode } from '../src/errors.ts';
import { closeConnections } from '../src/http.ts';
import { specChecker } from './helpers/spec-check.ts';
import type {
  Connection,
  ProviderAdapter,
  ProviderDescriptor,
  Scope,
  Webhook,
  WebhookInput,
} from '../src/providers/types.ts';

/** The key the fixture's emulator must accept; every other key must be refused. */
export const CONTRACT_API_KEY = 'vh-contract-key.Q7mZ2pR8sX4tW6yB';
const WRONG_API_KEY = 'vh-contract-key.wrong0000000000';
const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The keys of the contract's JSON webhook, in no particular order. */
export const WEBHOOK_KEYS = [
  'provider',
  'id',
  'url',
  'events',
  'enabled',
  'status',
  'name',
  'agentId',
  'createdAt',
  'updatedAt',
  'secrets',
  'raw',
] as const;

export interface StartedEmulator {
  emulator: RunningEmulator;
  /** The base URL the adapter is given (the emulator's URL plus the provider prefix). */
  baseUrl: string;
}

/** What the shared suite needs to know about one provider. */
export interface ContractFixture {
  descriptor: ProviderDescriptor;
  /** Which run of the suite this is, where a provider has several (its scopes: "campaign webhooks"). */
  label?: string;
  /** Starts the provider's emulator on 127.0.0.1 port 0, accepting only `apiKey`. */
  start(apiKey: string): Promise<StartedEmulator>;
  /** Scope the adapter is created with (Talkover's agent, PolyAI's region). */
  scope?: Scope;
  /** A valid create input: url on 127.0.0.1 or example.com, events from `descriptor.events()`. */
  createInput(): WebhookInput;
  /** A well-formed id (it passes `descriptor.isValidId`) that no webhook has. */
  unknownId: string;
  /**
   * An input the provider itself refuses (the CLI's checks are bypassed by calling the adapter directly).
   * Default: a valid input whose URL is one character longer than `descriptor.maxUrlLength`.
   */
  rejectedInput?(): WebhookInput;
  /**
   * The provider's API description in test/specs/ (see its README). Every request the adapter sends during the
   * suite is held against it (test/helpers/spec-check.ts).
   */
  spec: string;
  /** Registers provider-specific tests inside the suite, sharing its emulator. */
  extra?(context: ContractContext): void;
}

/** What the suite shares with a fixture's extra tests. Read the getters inside a test, not at registration. */
export interface ContractContext {
  readonly emulator: RunningEmulator;
  readonly baseUrl: string;
  /** A fresh adapter on the emulator; the connection can be overridden (a wrong key, a debug callback). */
  adapter(overrides?: Partial<Connection>): Promise<ProviderAdapter>;
}

/** An adapter over real HTTP, made the way the command layer makes one. */
export async function makeAdapter(
  descriptor: ProviderDescriptor,
  baseUrl: string,
  scope: Scope = {},
  overrides: Partial<Connection> = {},
): Promise<ProviderAdapter> {
  const factory = await descriptor.loadAdapter();
  const connection: Connection = {
    baseUrl,
    apiKey: CONTRACT_API_KEY,
    timeoutMs: 5000,
    maxWaitMs: 60_000,
    userAgent: 'voicehooks/0.0.0-test',
    ...overrides,
  };
  return factory(connection, scope);
}

/** Every webhook the adapter lists, following all pages. */
export async function collect(iterable: AsyncIterable<Webhook>): Promise<Webhook[]> {
  const all: Webhook[] = [];
  for await (const webhook of iterable) all.push(webhook);
  return all;
}

/** Asserts that `promise` rejects with an ApiError of `kind` (and so with that exit code). */
export async function rejectsWithKind(
  promise: Promise<unknown>,
  kind: 'auth' | 'notFound' | 'rejected' | 'unavailable',
): Promise<ApiError> {
  let caught: unknown;
  await assert.rejects(promise, (error: unknown) => {
    caught = error;
    return true;
  });
  assert.ok(caught instanceof ApiError, `expected an ApiError, got ${String(caught)}`);
  assert.equal(caught.kind, kind, `kind of "${caught.message}"`);
  assert.equal(caught.exitCode, ExitCode[kind]);
  return caught;
}

const sorted = (values: readonly string[]): string[] => [...values].sort();

function otherUrl(url: string | undefined): string {
  const base = url !== undefined && url.startsWith('http://127.0.0.1') ? url : 'https://example.com/hooks';
  return `${base.replace(/\/+$/, '')}/moved`;
}

/** Runs `run` with stderr captured (the command layer writes its error there), and returns both. */
async function withStderrCaptured<T>(run: () => Promise<T>): Promise<{ result: T; stderr: string }> {
  const original = process.stderr.write.bind(process.stderr);
  let captured = '';
  process.stderr.write = ((chunk: string | Uint8Array): boolean => {
    captured += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  }) as typeof process.stderr.write;
  try {
    return { result: await run(), stderr: captured };
  } finally {
    process.stderr.write = original;
  }
}

/** Registers the contract suite for one provider. */
export function adapterContract(fixture: ContractFixture): void {
  const { descriptor } = fixture;
  const capabilities = descriptor.capabilities;
  let started: StartedEmulator | undefined;

  const running = (): StartedEmulator => {
    assert.ok(started, 'the emulator was not started');
    return started;
  };
  const context: ContractContext = {
    get emulator() {
      return running().emulator;
    },
    get baseUrl() {
      return running().baseUrl;
    },
    adapter: (overrides) => makeAdapter(descriptor, running().baseUrl, fixture.scope, overrides),
  };
  const create = async (adapter: ProviderAdapter, input: WebhookInput = fixture.createInput()) =>
    adapter.create(input);
  /** The requests of the suite's tests, held against the spec by its last test. */
  const sent: RecordedRequest[] = [];

  const title = `${descriptor.displayName}${fixture.label ? ` (${fixture.label})` : ''} adapter contract`;
  describe(title, { timeout: 30_000 }, () => {
    before(async () => {
      started = await fixture.start(CONTRACT_API_KEY);
    });
    after(async () => {
      await closeConnections();
      await started?.emulator.close();
    });
    beforeEach(() => {
      const { emulator } = running();
      emulator.faults.clear();
      emulator.requests.length = 0;
    });
    afterEach((t) => {
      // A test that failed mid-way must not leave faults for the next.
      started?.emulator.faults.clear();
      // What the adapter sent, for the spec check; a test that sends what the provider refuses on purpose (a
      // wrong key, a rejected body) is left out.
      if (!OFF_SPEC.some((name) => t.name.startsWith(name))) {
        sent.push(...(started?.emulator.requests ?? []).filter((r) => r.provider === descriptor.name));
      }
    });

    it('fixture: the create input is valid for the provider', () => {
      const input = fixture.createInput();
      assert.ok(input.url !== undefined && input.url.length <= descriptor.maxUrlLength);
      assert.ok(/^(https:\/\/example\.com|http:\/\/127\.0\.0\.1)[:/]/.test(input.url));
      // The catalog of the fixture's scope (a provider may have one per scope: Talkover's campaigns).
      const catalog = new Set(descriptor.events(fixture.scope).map((e) => e.name));
      assert.ok((input.events ?? []).length > 0);
      for (const event of input.events ?? []) assert.ok(catalog.has(event), `${event} is not in the catalog`);
      assert.ok(descriptor.isValidId(fixture.unknownId), `${fixture.unknownId} is not a well-formed id`);
    });

    it('create returns a normal Webhook with the contract keys', async () => {
      const input = fixture.createInput();
      const hook = await create(await context.adapter(), input);
      assert.deepEqual(sorted(Object.keys(hook)), sorted(WEBHOOK_KEYS));
      assert.equal(hook.provider, descriptor.name);
      assert.ok(descriptor.isValidId(hook.id), `id ${hook.id} is not ${descriptor.idFormat}`);
      assert.equal(hook.url, input.url);
      assert.deepEqual(sorted(hook.events), sorted(input.events ?? []));
      // Only a true on/off field makes `enabled` a boolean; 'none' and 'reactivate' (a failed-state reset, not a
      // switch) leave it null (providers/types.ts, Webhook.enabled).
      if (capabilities.toggle === 'field') assert.equal(typeof hook.enabled, 'boolean');
      else assert.equal(hook.enabled, null);
      for (const key of ['status', 'name', 'agentId', 'createdAt', 'updatedAt'] as const) {
        const value = hook[key];
        assert.ok(value === null || typeof value === 'string', `${key} is ${typeof value}`);
      }
      if (hook.createdAt !== null) assert.ok(!Number.isNaN(Date.parse(hook.createdAt)), hook.createdAt);
      assert.ok(Array.isArray(hook.secrets) && hook.secrets.every((s) => typeof s === 'string'));
      assert.ok(hook.raw !== null && typeof hook.raw === 'object' && !Array.isArray(hook.raw));
      // The answer is data for JSON output: it must survive serialisation unchanged.
      assert.deepEqual(JSON.parse(JSON.stringify(hook)), hook);
      const posts = running().emulator.requests.filter((r) => r.method === 'POST');
      assert.equal(posts.length, 1, 'one create, one POST');
    });

    it('get returns the same id, url and events', async () => {
      const adapter = await context.adapter();
      const hook = await create(adapter);
      const got = await adapter.get(hook.id);
      assert.equal(got.id, hook.id);
      assert.equal(got.url, hook.url);
      assert.deepEqual(sorted(got.events), sorted(hook.events));
      assert.equal(got.enabled, hook.enabled);
      assert.deepEqual(sorted(Object.keys(got)), sorted(WEBHOOK_KEYS));
    });

    it('list contains a created webhook', async () => {
      const adapter = await context.adapter();
      const hook = await create(adapter);
      const listed = await collect(adapter.list());
      const found = listed.find((w) => w.id === hook.id);
      assert.ok(found, `${hook.id} is not in the list of ${listed.length}`);
      assert.equal(found.url, hook.url);
      assert.equal(found.provider, descriptor.name);
      assert.equal(new Set(listed.map((w) => w.id)).size, listed.length, 'the list repeats a webhook');
    });

    it('list with a limit stops early', async () => {
      const adapter = await context.adapter();
      for (let i = 0; i < 3; i++) await create(adapter);
      const everything = await collect(adapter.list());
      assert.ok(everything.length >= 3);
      for (const limit of [1, 2]) {
        const limited = await collect(adapter.list({ limit }));
        assert.equal(limited.length, limit, `--limit ${limit}`);
        assert.deepEqual(
          limited.map((w) => w.id),
          everything.slice(0, limit).map((w) => w.id),
        );
      }
    });

    // Where the URL cannot be changed in place (`fixedFields`), the name is the field changed instead.
    const urlFixed = descriptor.fixedFields?.includes('url') ?? false;
    it(`update changes only the field given (${urlFixed ? 'name' : 'url'})`, async () => {
      const adapter = await context.adapter();
      const hook = await create(adapter);
      const url = otherUrl(hook.url);
      const name = `${hook.name ?? 'webhook'} renamed`;
      const updated = await adapter.update(hook.id, urlFixed ? { name } : { url });
      const got = await adapter.get(hook.id);
      if (urlFixed) {
        for (const seen of [updated, got]) {
          assert.equal(seen.name, name);
          assert.deepEqual(
            { ...seen, name: hook.name, raw: {}, updatedAt: null, secrets: [] },
            { ...hook, raw: {}, updatedAt: null, secrets: [] },
            'a field other than name changed',
          );
        }
        return;
      }
      // Where reads never show secrets, only create's answer has them: they cannot be compared.
      const comparable = (w: Webhook) => ({
        ...w,
        raw: {},
        updatedAt: null,
        secrets: capabilities.secretsReadable ? w.secrets : [],
      });
      for (const seen of [updated, got]) {
        assert.equal(seen.url, url);
        assert.deepEqual(
          comparable({ ...seen, url: hook.url }),
          comparable(hook),
          'a field other than url changed',
        );
      }
    });

    it('delete, then get answers notFound (exit 5)', async () => {
      const adapter = await context.adapter();
      const hook = await create(adapter);
      await adapter.delete(hook.id);
      const error = await rejectsWithKind(adapter.get(hook.id), 'notFound');
      assert.equal(error.status, 404);
      assert.equal(error.provider, descriptor.name);
      const listed = await collect(adapter.list());
      assert.equal(
        listed.find((w) => w.id === hook.id),
        undefined,
      );
    });

    it('get of an unknown well-formed id answers notFound (exit 5)', async () => {
      const adapter = await context.adapter();
      await rejectsWithKind(adapter.get(fixture.unknownId), 'notFound');
      await rejectsWithKind(adapter.delete(fixture.unknownId), 'notFound');
    });

    it('a bad API key answers auth (exit 4) and writes nothing', async () => {
      const good = await context.adapter();
      const before = (await collect(good.list())).length;
      const bad = await context.adapter({ apiKey: WRONG_API_KEY });
      const error = await rejectsWithKind(collect(bad.list()), 'auth');
      assert.ok(error.status === 401 || error.status === 403, `status ${String(error.status)}`);
      assert.ok(error.hint?.includes('auth'), `hint: ${String(error.hint)}`);
      assert.ok(!error.message.includes(WRONG_API_KEY), 'the message shows the key');
      await rejectsWithKind(create(bad), 'auth');
      assert.equal((await collect(good.list())).length, before);
    });

    it('a body the provider refuses answers rejected (exit 7)', async () => {
      const input = fixture.rejectedInput?.() ?? {
        ...fixture.createInput(),
        url: `https://example.com/${'a'.repeat(descriptor.maxUrlLength - 'https://example.com/'.length + 1)}`,
      };
      const adapter = await context.adapter();
      const before = (await collect(adapter.list())).length;
      running().emulator.requests.length = 0;
      const error = await rejectsWithKind(create(adapter, input), 'rejected');
      assert.ok(error.status !== undefined && error.status >= 400 && error.status < 500);
      assert.equal(
        running().emulator.requests.filter((r) => r.method === 'POST').length,
        1,
        'a rejected request is not retried',
      );
      assert.equal((await collect(adapter.list())).length, before);
    });

    if (urlFixed) {
      it('update of the URL is refused (unsupported, exit 6) before any request', async () => {
        const adapter = await context.adapter();
        const hook = await create(adapter);
        running().emulator.requests.length = 0;
        let caught: unknown;
        await assert.rejects(adapter.update(hook.id, { url: otherUrl(hook.url) }), (error: unknown) => {
          caught = error;
          return true;
        });
        assert.ok(caught instanceof CliError && caught.kind === 'unsupported', String(caught));
        assert.deepEqual(running().emulator.requests, [], 'the refused update sent requests');
        assert.equal((await adapter.get(hook.id)).url, hook.url);
      });
    }

    if (capabilities.rotateSecret === 'recreate') {
      it('rotateSecret is refused before any request; recreate gives a new webhook and secret', async () => {
        const adapter = await context.adapter();
        const hook = await create(adapter);
        running().emulator.requests.length = 0;
        let caught: unknown;
        await assert.rejects(adapter.rotateSecret(hook.id, { revokeOld: false }), (error: unknown) => {
          caught = error;
          return true;
        });
        assert.ok(caught instanceof CliError && caught.kind === 'unsupported', String(caught));
        assert.match(caught.hint ?? '', /--recreate/);
        assert.deepEqual(running().emulator.requests, [], 'the refused rotation sent requests');
        const recreate = adapter.recreate?.bind(adapter);
        assert.ok(recreate, 'no rotation and no recreate');
        const result = await recreate(hook.id, {});
        assert.ok(result.secret.length >= 16, 'the new secret is too short to be one');
        assert.ok(!hook.secrets.includes(result.secret));
        assert.notEqual(result.webhook.id, hook.id);
        assert.equal(result.webhook.url, hook.url);
        assert.deepEqual(sorted(result.webhook.events), sorted(hook.events));
        assert.deepEqual(result.webhook.secrets, [result.secret]);
        await rejectsWithKind(adapter.get(hook.id), 'notFound');
        assert.equal((await adapter.get(result.webhook.id)).url, hook.url);
      });
    } else {
      it('rotateSecret returns a new secret', async () => {
        const adapter = await context.adapter();
        const hook = await create(adapter);
        const result = await adapter.rotateSecret(hook.id, { revokeOld: false });
        assert.equal(typeof result.secret, 'string');
        assert.ok(result.secret.length >= 16, 'the new secret is too short to be one');
        assert.ok(!hook.secrets.includes(result.secret), 'the "new" secret is an old one');
        assert.equal(result.webhook.id, hook.id);
        assert.equal(result.webhook.url, hook.url);
        assert.ok(result.notice.length > 0);
        if (capabilities.secretsReadable) {
          assert.ok(result.webhook.secrets.includes(result.secret));
          assert.ok((await adapter.get(hook.id)).secrets.includes(result.secret));
        }
        const again = await adapter.rotateSecret(hook.id, { revokeOld: false });
        assert.notEqual(again.secret, result.secret);
      });
    }

    it(`setEnabled exists iff toggle is not 'none' (${capabilities.toggle})`, async () => {
      const adapter = await context.adapter();
      assert.equal(typeof adapter.setEnabled === 'function', capabilities.toggle !== 'none');
      if (capabilities.toggle === 'none') assert.equal(adapter.flip, undefined, 'flip without a switch');
      assert.equal(adapter.descriptor, descriptor);
    });

    it('the other optional operations exist iff their capability says so', async () => {
      const adapter = await context.adapter();
      assert.equal(typeof adapter.test === 'function', capabilities.nativeTest, 'test vs nativeTest');
      assert.equal(typeof adapter.logs === 'function', capabilities.deliveryLogs, 'logs vs deliveryLogs');
      assert.equal(
        typeof adapter.redeliver === 'function',
        capabilities.deliveryLogs,
        'redeliver vs deliveryLogs',
      );
      assert.deepEqual(running().emulator.requests, [], 'making an adapter sent a request');
    });

    if (capabilities.toggle === 'none') {
      it('toggle is refused by the command layer with exit 6 and no request', async () => {
        const adapter = await context.adapter();
        const hook = await create(adapter);
        const { emulator, baseUrl } = running();
        emulator.requests.length = 0;
        const { default: Toggle } = await import('../src/commands/toggle.ts');
        const configDir = await mkdtemp(join(tmpdir(), 'voicehooks-contract-'));
        const keyVar = `VOICEHOOKS_${descriptor.name.toUpperCase()}_API_KEY`;
        const saved = { key: process.env[keyVar], dir: process.env.VOICEHOOKS_CONFIG_DIR };
        process.env[keyVar] = CONTRACT_API_KEY;
        process.env.VOICEHOOKS_CONFIG_DIR = configDir;
        try {
          for (const state of [['--on'], ['--off'], []]) {
            const argv = [hook.id, '-p', descriptor.name, ...state, '--base-url', baseUrl, '--no-input'];
            if (fixture.scope?.agent !== undefined) argv.push('--agent', fixture.scope.agent);
            process.exitCode = undefined;
            const { stderr } = await withStderrCaptured(() => Toggle.run(argv, ROOT));
            assert.equal(process.exitCode, ExitCode.unsupported, `toggle ${state.join(' ')}: ${stderr}`);
            assert.match(stderr, /no on\/off switch/);
          }
        } finally {
          process.exitCode = undefined;
          for (const [name, value] of [
            [keyVar, saved.key],
            ['VOICEHOOKS_CONFIG_DIR', saved.dir],
          ] as const) {
            if (value === undefined) delete process.env[name];
            else process.env[name] = value;
          }
          await rm(configDir, { recursive: true, force: true });
        }
        assert.deepEqual(
          emulator.requests.map((r) => `${r.method} ${r.path}`),
          [],
          'the refused toggle sent requests',
        );
      });
    } else {
      it('setEnabled sets the state both ways, idempotently', async () => {
        const adapter = await context.adapter();
        const setEnabled = adapter.setEnabled?.bind(adapter);
        assert.ok(setEnabled);
        const hook = await create(adapter);
        if (capabilities.toggle === 'field') {
          for (const wanted of [false, false, true, true]) {
            const result = await setEnabled(hook.id, wanted);
            assert.equal(result.enabled, wanted);
            assert.equal(result.id, hook.id);
            assert.equal((await adapter.get(hook.id)).enabled, wanted);
          }
          return;
        }
        // 'reactivate' can only turn a webhook (back) on, and doing it twice is harmless.
        for (let i = 0; i < 2; i++) {
          const result: Webhook = await setEnabled(hook.id, true);
          assert.equal(result.id, hook.id);
          assert.equal(result.url, hook.url);
          assert.equal((await adapter.get(hook.id)).enabled, result.enabled);
        }
      });

      if (capabilities.toggle === 'field') {
        it('flip, where the adapter has one, turns the state over and back', async (t) => {
          const adapter = await context.adapter();
          const flip = adapter.flip?.bind(adapter);
          if (!flip) {
            t.skip('no native flip: toggle reads the state and calls setEnabled');
            return;
          }
          const hook = await create(adapter);
          for (const wanted of [!hook.enabled, hook.enabled]) {
            const flipped = await flip(hook.id);
            assert.equal(flipped.id, hook.id);
            assert.equal(flipped.enabled, wanted);
            assert.equal((await adapter.get(hook.id)).enabled, wanted);
          }
        });
      }
    }

    // Last of the shared tests: everything they sent was an operation of the provider's own API description.
    it(`every request was an operation of ${fixture.spec}, sent as it says`, () => {
      const checker = specChecker(fixture.spec);
      assert.ok(checker.operations > 0, `${fixture.spec} has no operations`);
      assert.ok(sent.length >= 10, `only ${sent.length} requests were recorded`);
      const problems = [...new Set(sent.flatMap((r) => checker.problems(r, CONTRACT_API_KEY)))];
      assert.deepEqual(problems, []);
      // The check can fail: a request outside the file, and a body the file refuses, are both reported.
      const probe = {
        ...sent[0],
        method: 'PATCH',
        path: '/no/such/operation',
        query: '',
        body: '',
      } as RecordedRequest;
      assert.match(checker.problems(probe, CONTRACT_API_KEY).join(), /no such operation/);
    });

    fixture.extra?.(context);
  });
}

/** Tests of the suite that send, on purpose, what the provider refuses. */
const OFF_SPEC = ['a bad API key', 'a body the provider refuses'];
