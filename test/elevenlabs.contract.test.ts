// The shared adapter contract for ElevenLabs, then every quirk of its API (docs/providers/elevenlabs.md): no
// get-one route, a create that takes no events (an update follows), an update that needs name and is_disabled
// and cannot change the URL, no rotation (recreate instead), post-call events that are a pointer in the ConvAI
// settings or an agent's override (one webhook at a time), auto-disabled webhooks, admin-only usages, and the
// two error bodies. Refused operations are checked to send no request (or no write, where a read decides).
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { startEmulator } from '../src/emulator/server.ts';
import type { RunningEmulator } from '../src/emulator/server.ts';
import { ApiError, CliError } from '../src/errors.ts';
import { closeConnections } from '../src/http.ts';
import { readElevenLabsError } from '../src/providers/elevenlabs/adapter.ts';
import { createElevenLabsEmulator } from '../src/providers/elevenlabs/emulator.ts';
import type { ElevenLabsEmulator } from '../src/providers/elevenlabs/emulator.ts';
import { elevenlabs } from '../src/providers/elevenlabs/index.ts';
import type { Connection, Scope } from '../src/providers/types.ts';
import { CONTRACT_API_KEY, adapterContract, collect, makeAdapter, rejectsWithKind } from './contract.ts';

const HOOK_URL = 'https://example.com/hooks/elevenlabs';
const AGENT = 'agent_01jzq0w9v8e7x6y5z4a3b2c1d0';

adapterContract({
  descriptor: elevenlabs,
  start: async (apiKey) => {
    const emulator = await startEmulator({ apiKey });
    return { emulator, baseUrl: emulator.baseUrl('elevenlabs') };
  },
  // Workspace events only: the contract creates many webhooks, and post-call events go to one at a time.
  createInput: () => ({ name: 'Contract hook', url: HOOK_URL, events: ['speech_to_text', 'agent_qa'] }),
  unknownId: 'G007vmtq9uWYl7SUW9zGS8GZZa1K',
  spec: 'elevenlabs.openapi.yaml',
  // "The HTTPS callback URL": a plain-http public URL is refused by the API itself.
  rejectedInput: () => ({ name: 'Plain http', url: 'http://example.com/hooks', events: ['flows'] }),
});

interface Setup {
  emulator: RunningEmulator;
  state: ElevenLabsEmulator;
  adapter(scope?: Scope, overrides?: Partial<Connection>): ReturnType<typeof makeAdapter>;
  /** The writes (anything but GET) received since the last call, as `METHOD path`. */
  writes(): string[];
}

async function setUp(): Promise<Setup> {
  const state = createElevenLabsEmulator({ apiKey: CONTRACT_API_KEY });
  const emulator = await startEmulator({ providers: { elevenlabs: state } });
  const base = emulator.baseUrl('elevenlabs');
  return {
    emulator,
    state,
    adapter: (scope = {}, overrides = {}) => makeAdapter(elevenlabs, base, scope, overrides),
    writes() {
      const seen = emulator.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`);
      emulator.requests.length = 0;
      return seen;
    },
  };
}

/** Runs `body` with a fresh emulator, closed afterwards. */
async function withEmulator(body: (setup: Setup) => Promise<void>): Promise<void> {
  const setup = await setUp();
  try {
    await body(setup);
  } finally {
    await setup.emulator.close();
  }
}

const settingsHooks = (state: ElevenLabsEmulator) => state.settings().webhooks as Record<string, unknown>;
const agentHooks = (state: ElevenLabsEmulator, id: string) =>
  (
    (state.agent(id)?.platform_settings as Record<string, unknown>).workspace_overrides as Record<
      string,
      unknown
    >
  ).webhooks as Record<string, unknown>;

async function refusal(promise: Promise<unknown>): Promise<CliError> {
  let caught: unknown;
  await assert.rejects(promise, (error: unknown) => {
    caught = error;
    return true;
  });
  assert.ok(caught instanceof CliError, String(caught));
  return caught;
}

describe('ElevenLabs: creates, and what they attach', { timeout: 20_000 }, () => {
  after(closeConnections);

  it('a create takes no events: a PATCH follows the POST with the workspace events', () =>
    withEmulator(async ({ adapter, emulator, state, writes }) => {
      const hook = await (
        await adapter()
      ).create({ name: 'W', url: HOOK_URL, events: ['flows'], maxRetries: 5 });
      assert.deepEqual(writes(), ['POST /v1/workspace/webhooks', `PATCH /v1/workspace/webhooks/${hook.id}`]);
      assert.deepEqual(hook.events, ['flows']);
      assert.equal(state.hidden(hook.id)?.retryEnabled, true);
      assert.equal(hook.secrets[0], state.signingSecret(hook.id));
      // Nothing post-call was asked: the ConvAI settings were neither read nor written.
      assert.equal(settingsHooks(state).post_call_webhook_id, null);
      void emulator;
    }));

  it('post-call events attach it in the ConvAI settings, read first, every other setting kept', () =>
    withEmulator(async ({ adapter, emulator, state, writes }) => {
      const before = state.settings();
      const hook = await (
        await adapter()
      ).create({
        name: 'Calls',
        url: HOOK_URL,
        events: ['post_call_transcription', 'post_call_audio'],
      });
      const order = emulator.requests.map((r) => `${r.method} ${r.path}`);
      assert.ok(order.indexOf('GET /v1/convai/settings') < order.indexOf('POST /v1/workspace/webhooks'));
      assert.deepEqual(writes(), ['POST /v1/workspace/webhooks', 'PATCH /v1/convai/settings']);
      const after = state.settings();
      assert.deepEqual(after.webhooks, {
        ...(before.webhooks as object),
        post_call_webhook_id: hook.id,
        events: ['transcript', 'audio'],
      });
      assert.deepEqual({ ...after, webhooks: null }, { ...before, webhooks: null });
      assert.deepEqual(hook.events, ['post_call_transcription', 'post_call_audio']);
      assert.deepEqual(hook.raw.convai_settings_webhooks, after.webhooks);
    }));

  it('taking the one post-call slot from another webhook is refused before any write, unless replace', () =>
    withEmulator(async ({ adapter, state, writes }) => {
      const a = await adapter();
      const first = await a.create({ name: 'First', url: HOOK_URL, events: ['post_call_transcription'] });
      writes();
      const error = await refusal(
        a.create({ name: 'Second', url: `${HOOK_URL}/2`, events: ['post_call_audio', 'flows'] }),
      );
      assert.equal(error.kind, 'usage');
      assert.equal(error.exitCode, 2);
      assert.match(error.message, new RegExp(`go to webhook ${first.id} already`));
      assert.match(error.hint ?? '', /--replace/);
      assert.deepEqual(writes(), [], 'the refused create wrote something');
      assert.equal(state.webhooks().length, 1);
      // With replace, the slot moves; the first webhook keeps its workspace events and loses the post-call ones.
      const second = await a.create(
        { name: 'Second', url: `${HOOK_URL}/2`, events: ['post_call_audio'] },
        { replace: true },
      );
      assert.equal(settingsHooks(state).post_call_webhook_id, second.id);
      assert.deepEqual((await a.get(first.id)).events, []);
      // The same refusal guards an update.
      writes();
      const again = await refusal(a.update(first.id, { events: ['post_call_transcription'] }));
      assert.equal(again.kind, 'usage');
      assert.deepEqual(writes(), []);
    }));

  it('with an agent, post-call events attach in its override; the workspace settings stay as they were', () =>
    withEmulator(async ({ adapter, state, writes }) => {
      const before = state.settings();
      const a = await adapter({ agent: AGENT });
      const hook = await a.create({
        name: 'Agent',
        url: HOOK_URL,
        events: ['call_initiation_failure'],
        agentId: AGENT,
      });
      assert.deepEqual(writes(), ['POST /v1/workspace/webhooks', `PATCH /v1/convai/agents/${AGENT}`]);
      assert.deepEqual(state.settings(), before);
      assert.deepEqual(agentHooks(state, AGENT), {
        post_call_webhook_id: hook.id,
        events: ['call_initiation_failure'],
      });
      assert.equal(hook.agentId, AGENT);
      assert.deepEqual(hook.events, ['call_initiation_failure']);
      // Seen without the agent, it is attached nowhere the adapter looks.
      const plain = await (await adapter()).get(hook.id);
      assert.equal(plain.agentId, null);
      assert.deepEqual(plain.events, []);
    }));

  it('a follow-up write that fails keeps the secret in the error and names the update that finishes it', () =>
    withEmulator(async ({ adapter, emulator, state }) => {
      const a = await adapter();
      emulator.faults.add({ kind: 'status', status: 500, provider: 'elevenlabs', method: 'PATCH', times: 1 });
      const input = { name: 'Half', url: HOOK_URL, events: ['speech_to_text'] };
      const error = await refusal(a.create(input));
      assert.ok(error instanceof ApiError);
      assert.equal(error.exitCode, 9);
      const [made] = state.webhooks();
      assert.ok(made);
      assert.match(error.message, new RegExp(`Created ElevenLabs webhook ${made.webhook_id}, but`));
      assert.match(
        error.hint ?? '',
        new RegExp(`voicehooks update ${made.webhook_id} -p elevenlabs --event speech_to_text`),
      );
      assert.match(error.hint ?? '', /--if-not-exists/);
      assert.deepEqual(error.issued, { id: made.webhook_id, secret: state.signingSecret(made.webhook_id) });
      assert.deepEqual(made.events, []);
      // `create --if-not-exists` finds it by URL and finishes it: no second webhook.
      const existing = (await collect(a.list())).find((w) => w.url === HOOK_URL);
      assert.ok(existing && a.resume);
      const finished = await a.resume(existing, input);
      assert.deepEqual(finished.events, ['speech_to_text']);
      assert.equal(state.webhooks().length, 1);
    }));

  it('a create whose answer was lost says that the secret is gone and how to finish', () =>
    withEmulator(async ({ adapter, emulator, state }) => {
      emulator.faults.add({ kind: 'reset-after', provider: 'elevenlabs', method: 'POST', times: 1 });
      const error = await rejectsWithKind(
        (await adapter()).create({ name: 'Lost', url: HOOK_URL, events: ['flows'] }),
        'unavailable',
      );
      assert.ok(error.mayHaveReached);
      assert.match(error.hint ?? '', /create --if-not-exists/);
      assert.match(error.hint ?? '', /shows it once/);
      assert.equal(state.webhooks().length, 1, 'the POST was not retried');
    }));
});

describe('ElevenLabs: updates, deletes, toggles, rotation', { timeout: 20_000 }, () => {
  after(closeConnections);

  it('an update sends the name and is_disabled it read, and the complete set of workspace events', () =>
    withEmulator(async ({ adapter, emulator, state }) => {
      const a = await adapter();
      const hook = await a.create({ name: 'Keep me', url: HOOK_URL, events: ['flows'], enabled: false });
      emulator.requests.length = 0;
      const updated = await a.update(hook.id, { events: ['agent_qa', 'speech_to_text'] });
      const patch = emulator.requests.find((r) => r.method === 'PATCH');
      assert.deepEqual(JSON.parse(patch?.body ?? '{}'), {
        name: 'Keep me',
        is_disabled: true,
        events: ['agent_qa', 'speech_to_text'],
      });
      assert.deepEqual(updated.events, ['agent_qa', 'speech_to_text']);
      assert.equal(updated.enabled, false);
      // A change of name alone leaves the events out ("omit to leave the current event subscriptions unchanged").
      emulator.requests.length = 0;
      await a.update(hook.id, { name: 'Renamed' });
      const rename = emulator.requests.find((r) => r.method === 'PATCH');
      assert.deepEqual(JSON.parse(rename?.body ?? '{}'), { name: 'Renamed', is_disabled: true });
      assert.deepEqual(state.webhooks()[0]?.events, ['agent_qa', 'speech_to_text']);
    }));

  it('dropping the post-call events detaches it from the settings', () =>
    withEmulator(async ({ adapter, state, writes }) => {
      const a = await adapter();
      const hook = await a.create({
        name: 'Calls',
        url: HOOK_URL,
        events: ['post_call_transcription', 'flows'],
      });
      writes();
      const updated = await a.update(hook.id, { events: ['flows'] });
      assert.deepEqual(writes(), [`PATCH /v1/workspace/webhooks/${hook.id}`, 'PATCH /v1/convai/settings']);
      assert.equal(settingsHooks(state).post_call_webhook_id, null);
      assert.deepEqual(updated.events, ['flows']);
    }));

  it('delete detaches first, then deletes; an agent attachment it cannot see is refused with no write', () =>
    withEmulator(async ({ adapter, state, writes }) => {
      const a = await adapter();
      const hook = await a.create({ name: 'Calls', url: HOOK_URL, events: ['post_call_audio'] });
      writes();
      await a.delete(hook.id);
      assert.deepEqual(writes(), ['PATCH /v1/convai/settings', `DELETE /v1/workspace/webhooks/${hook.id}`]);
      assert.equal(settingsHooks(state).post_call_webhook_id, null);
      assert.deepEqual(state.webhooks(), []);

      const scoped = await adapter({ agent: AGENT });
      const agentHook = await scoped.create({
        name: 'Agent',
        url: HOOK_URL,
        events: ['post_call_audio'],
        agentId: AGENT,
      });
      writes();
      const error = await refusal(a.delete(agentHook.id));
      assert.equal(error.kind, 'unsupported');
      assert.match(error.message, /ConvAI Agent Settings/);
      assert.match(error.message, /--agent/);
      assert.deepEqual(writes(), []);
      await scoped.delete(agentHook.id);
      assert.deepEqual(writes(), [
        `PATCH /v1/convai/agents/${AGENT}`,
        `DELETE /v1/workspace/webhooks/${agentHook.id}`,
      ]);
    }));

  it('update of the URL and rotate-secret are refused with no request; recreate moves the attachment', () =>
    withEmulator(async ({ adapter, emulator, state }) => {
      const a = await adapter();
      const hook = await a.create({
        name: 'Calls',
        url: HOOK_URL,
        events: ['post_call_transcription', 'flows'],
      });
      emulator.requests.length = 0;
      const url = await refusal(a.update(hook.id, { url: `${HOOK_URL}/new` }));
      assert.equal(url.kind, 'unsupported');
      assert.match(url.hint ?? '', /--recreate/);
      const rotate = await refusal(a.rotateSecret(hook.id, { revokeOld: false }));
      assert.equal(rotate.kind, 'unsupported');
      assert.deepEqual(emulator.requests, []);

      const result = await a.recreate?.(hook.id, { url: `${HOOK_URL}/new` });
      assert.ok(result);
      assert.equal(result.webhook.url, `${HOOK_URL}/new`);
      assert.equal(result.secret, state.signingSecret(result.webhook.id));
      assert.deepEqual(result.webhook.events.sort(), ['flows', 'post_call_transcription']);
      assert.equal(settingsHooks(state).post_call_webhook_id, result.webhook.id);
      assert.deepEqual(
        state.webhooks().map((w) => w.webhook_id),
        [result.webhook.id],
      );
      assert.match(result.notice, new RegExp(`${hook.id} was replaced by ${result.webhook.id}`));
      // With the complete set of events given and no post-call one among them, the slot is freed, not moved.
      const again = await a.recreate?.(result.webhook.id, { events: ['flows'] });
      assert.deepEqual(again?.webhook.events, ['flows']);
      assert.equal(settingsHooks(state).post_call_webhook_id, null);
    }));

  it('an auto-disabled webhook shows as such, and enabling it is refused with no write', () =>
    withEmulator(async ({ adapter, state, writes }) => {
      const a = await adapter();
      const hook = await a.create({ name: 'Failing', url: HOOK_URL, events: ['flows'] });
      state.autoDisable(hook.id);
      const got = await a.get(hook.id);
      assert.equal(got.enabled, false);
      assert.equal(got.status, 'auto_disabled');
      writes();
      const error = await refusal(a.setEnabled!(hook.id, true));
      assert.equal(error.kind, 'unsupported');
      assert.match(error.message, /auto-disabled/);
      assert.match(error.message, /API cannot re-enable it/);
      assert.deepEqual(writes(), []);
      // Disabling it is a write like any other, and setting the state it has already sends nothing.
      assert.equal((await a.setEnabled!(hook.id, false)).status, 'auto_disabled');
      assert.equal(state.webhooks()[0]?.is_disabled, true);
      writes();
      await a.setEnabled!(hook.id, false);
      assert.deepEqual(writes(), []);
    }));
});

describe('ElevenLabs: keys without admin rights, errors, hosts', { timeout: 20_000 }, () => {
  after(closeConnections);

  it('a key that may not see usages still lists, says what it cannot show, and refuses to recreate blind', () =>
    withEmulator(async ({ adapter, state, writes }) => {
      const admin = await adapter();
      const hook = await admin.create({ name: 'W', url: HOOK_URL, events: ['flows', 'post_call_audio'] });
      const member = 'vh-member-key.0000000000000000';
      state.addMemberKey(member);
      const notices: string[] = [];
      const a = await adapter({}, { apiKey: member, warn: (text) => notices.push(text) });
      const [listed] = await collect(a.list());
      // The post-call events come from the settings, which any key reads; the workspace ones are admin-only.
      assert.deepEqual(listed?.events, ['post_call_audio']);
      await a.get(hook.id);
      assert.equal(notices.length, 1, 'said once per command');
      assert.match(notices[0] ?? '', /workspace events .* admins only/);
      writes();
      const error = await refusal(a.recreate!(hook.id, {}));
      assert.equal(error.kind, 'unsupported');
      assert.deepEqual(writes(), []);
    }));

  it('reads both error bodies: validation lists and detail objects', () => {
    const validation = readElevenLabsError(422, {
      detail: [{ loc: ['body', 'settings', 'webhook_url'], msg: 'Field required', type: 'missing' }],
    });
    assert.deepEqual(validation.fieldErrors, ['settings.webhook_url: Field required']);
    const object = readElevenLabsError(400, {
      detail: { type: 'invalid_request', code: 'webhook_in_use', message: 'In use.', request_id: 'r-1' },
    });
    assert.equal(object.message, 'ElevenLabs: In use. (webhook_in_use)');
    assert.equal(object.requestId, 'r-1');
    // The legacy `status` stands in for `code`.
    const legacy = readElevenLabsError(401, {
      detail: { status: 'unauthorized', message: 'Authentication required.' },
    });
    assert.equal(legacy.message, 'ElevenLabs: Authentication required. (unauthorized)');
    assert.deepEqual(readElevenLabsError(500, '<html>'), {});
  });

  it('a refused body reaches the user as exit 7 with the field named', () =>
    withEmulator(async ({ adapter }) => {
      const error = await rejectsWithKind(
        (await adapter()).create({ name: 'Bad', url: 'ftp://example.com/x', events: ['flows'] }),
        'rejected',
      );
      assert.match(error.fieldErrors.join('\n'), /settings\.webhook_url/);
    }));

  it('each residency region has its host; no region is the default host', () => {
    assert.equal(elevenlabs.defaultBaseUrl({}), 'https://api.elevenlabs.io');
    assert.equal(elevenlabs.defaultBaseUrl({ region: 'us' }), 'https://api.us.elevenlabs.io');
    assert.equal(elevenlabs.defaultBaseUrl({ region: 'eu' }), 'https://api.eu.residency.elevenlabs.io');
    assert.equal(elevenlabs.defaultBaseUrl({ region: 'in' }), 'https://api.in.residency.elevenlabs.io');
    assert.equal(elevenlabs.defaultBaseUrl({ region: 'sg' }), 'https://api.sg.residency.elevenlabs.io');
  });

  it('--max-retries is 0 or 5 (retries are one switch)', () => {
    for (const ok of [0, 5]) elevenlabs.checkInput?.({ maxRetries: ok });
    assert.throws(() => elevenlabs.checkInput?.({ maxRetries: 3 }), /0 or 5/);
  });
});
