// What a user of the BUILT CLI sees with ElevenLabs (`npm run build` first): exit codes and messages of every
// refused operation with the requests it made (none, or reads only), --replace and --recreate, a create whose
// follow-up failed and its completion by `create --if-not-exists`, the secret store, `test` signing a delivery
// itself, admin-only usages, and the residency region.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startEmulator } from '../src/emulator/server.ts';
import type { RunningEmulator } from '../src/emulator/server.ts';
import { createElevenLabsEmulator } from '../src/providers/elevenlabs/emulator.ts';
import type { ElevenLabsEmulator } from '../src/providers/elevenlabs/emulator.ts';
import { elevenlabsSignature } from '../src/providers/elevenlabs/signature.ts';
import { newCli, removeTempRoots } from './helpers/cli.ts';
import type { Cli } from './helpers/cli.ts';

const KEY = 'vh-elevenlabs-cli-key.000000000000';
const URL_A = 'https://example.com/hooks/a';

describe('ElevenLabs from the command line', { timeout: 180_000 }, () => {
  let emulator: RunningEmulator;
  let state: ElevenLabsEmulator;
  let cli: Cli;

  before(async () => {
    state = createElevenLabsEmulator({ apiKey: KEY });
    emulator = await startEmulator({ providers: { elevenlabs: state } });
  });
  beforeEach(() => {
    cli = newCli({
      env: {
        VOICEHOOKS_ELEVENLABS_API_KEY: KEY,
        VOICEHOOKS_ELEVENLABS_BASE_URL: emulator.baseUrl('elevenlabs'),
      },
    });
    emulator.faults.clear();
  });
  after(async () => {
    await emulator.close();
    removeTempRoots();
  });

  /** `voicehooks <command> <id> -p elevenlabs <flags>`: the command's words and argument come first. */
  const run = (...args: string[]) => {
    const flagAt = args.findIndex((a) => a.startsWith('-'));
    const words = flagAt === -1 ? args : args.slice(0, flagAt);
    return cli.run([...words, '-p', 'elevenlabs', ...args.slice(words.length)]);
  };
  const writes = () =>
    emulator.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`);
  const create = async (...args: string[]) => {
    const result = await run('create', '--json', ...args);
    assert.equal(result.code, 0, result.stderr);
    return JSON.parse(result.stdout) as { id: string; secrets: string[]; events: string[] };
  };
  const fresh = () => {
    emulator.requests.length = 0;
  };

  it('taking the post-call slot exits 2 naming --replace and writes nothing; --replace takes it', async () => {
    const first = await create('--name', 'First', '--url', URL_A, '--event', 'post_call_transcription');
    fresh();
    const refused = await run(
      'create',
      '--name',
      'Second',
      '--url',
      `${URL_A}/2`,
      '--event',
      'post_call_audio',
    );
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, new RegExp(`go to webhook ${first.id} already`));
    assert.match(refused.stderr, /--replace/);
    assert.equal(refused.stdout, '');
    assert.deepEqual(writes(), []);
    const second = await create(
      '--name',
      'Second',
      '--url',
      `${URL_A}/2`,
      '--event',
      'post_call_audio',
      '--replace',
    );
    assert.equal(
      (state.settings().webhooks as { post_call_webhook_id: string }).post_call_webhook_id,
      second.id,
    );
    // --replace where no event goes to one webhook at a time is a usage error.
    const polyai = await cli.run([
      'create',
      '-p',
      'polyai',
      '--replace',
      '--name',
      'x',
      '--url',
      URL_A,
      '--event',
      'alerts.triggered',
    ]);
    assert.equal(polyai.code, 2);
    assert.match(polyai.stderr, /--replace does not apply/);
    for (const id of [first.id, second.id]) assert.equal((await run('delete', id, '--yes')).code, 0);
  });

  it('update --url and rotate-secret exit 6 with no request; --recreate makes a new webhook and keeps its secret', async () => {
    const hook = await create(
      '--name',
      'R',
      '--url',
      URL_A,
      '--event',
      'post_call_transcription',
      '--event',
      'flows',
    );
    fresh();
    const url = await run('update', hook.id, '--url', `${URL_A}/new`);
    assert.equal(url.code, 6, url.stderr);
    assert.match(url.stderr, /cannot change --url/);
    assert.match(url.stderr, /--recreate/);
    const rotate = await run('rotate-secret', hook.id);
    assert.equal(rotate.code, 6, rotate.stderr);
    assert.match(rotate.stderr, /cannot rotate/);
    // The old webhook goes with its secret: --keep-old is refused (exit 2), with or without --recreate.
    for (const extra of [[], ['--recreate']]) {
      const keep = await run('rotate-secret', hook.id, '--keep-old', ...extra);
      assert.equal(keep.code, 2, keep.stderr);
      assert.match(keep.stderr, /--keep-old does not apply: ElevenLabs .*deletes the old webhook/);
    }
    assert.deepEqual(emulator.requests, [], 'a refused operation made requests');

    const moved = await run('update', hook.id, '--url', `${URL_A}/new`, '--recreate', '--json');
    assert.equal(moved.code, 0, moved.stderr);
    const recreated = JSON.parse(moved.stdout) as {
      id: string;
      url: string;
      secrets: string[];
      events: string[];
    };
    assert.notEqual(recreated.id, hook.id);
    assert.equal(recreated.url, `${URL_A}/new`);
    assert.deepEqual(recreated.secrets, [state.signingSecret(recreated.id)]);
    assert.deepEqual(recreated.events.sort(), ['flows', 'post_call_transcription']);
    assert.equal(
      (state.settings().webhooks as { post_call_webhook_id: string }).post_call_webhook_id,
      recreated.id,
    );

    const rotated = await run('rotate-secret', recreated.id, '--recreate');
    assert.equal(rotated.code, 0, rotated.stderr);
    const newest = state.webhooks()[0]?.webhook_id ?? '';
    assert.equal(rotated.stdout, `${state.signingSecret(newest)}\n`);
    assert.match(rotated.stderr, /was replaced by/);
    // The secret store has the newest webhook's secret, and not the deleted ones'.
    const store = readFileSync(cli.configFile, 'utf8');
    assert.ok(store.includes(state.signingSecret(newest) ?? '-'));
    assert.ok(!store.includes(recreated.secrets[0] ?? '-'));
    assert.ok(!store.includes(hook.secrets[0] ?? '-'));
    assert.equal((await run('delete', newest, '--yes')).code, 0);
  });

  it('a create whose follow-up fails exits 9, keeps the secret, names the finishing update; --if-not-exists finishes it', async () => {
    emulator.faults.add({ kind: 'status', status: 500, provider: 'elevenlabs', method: 'PATCH', times: 1 });
    const args = [
      '--name',
      'Half',
      '--url',
      URL_A,
      '--event',
      'speech_to_text',
      '--event',
      'post_call_audio',
    ];
    const failed = await run('create', ...args);
    assert.equal(failed.code, 9, failed.stderr);
    const [made] = state.webhooks();
    assert.ok(made);
    assert.match(
      failed.stderr,
      new RegExp(`Created ElevenLabs webhook ${made.webhook_id}, but setting it up failed`),
    );
    assert.match(
      failed.stderr,
      new RegExp(
        `voicehooks update ${made.webhook_id} -p elevenlabs --event speech_to_text --event post_call_audio`,
      ),
    );
    assert.ok(readFileSync(cli.configFile, 'utf8').includes(state.signingSecret(made.webhook_id) ?? '-'));
    assert.ok(
      !failed.stderr.includes(state.signingSecret(made.webhook_id) ?? '-'),
      'the saved secret was printed',
    );

    const again = await run('create', ...args, '--if-not-exists', '--json');
    assert.equal(again.code, 0, again.stderr);
    assert.equal(state.webhooks().length, 1, 'a duplicate was made');
    assert.deepEqual((JSON.parse(again.stdout) as { events: string[] }).events.sort(), [
      'post_call_audio',
      'speech_to_text',
    ]);
    assert.match(again.stderr, /its setup was completed/);
    assert.equal((await run('delete', made.webhook_id, '--yes')).code, 0);
  });

  it('--remove-event detaches it from the settings, --add-event attaches it again', async () => {
    const hook = await create(
      '--name',
      'E',
      '--url',
      URL_A,
      '--event',
      'post_call_transcription',
      '--event',
      'flows',
    );
    const slot = () => state.settings().webhooks as { post_call_webhook_id: string | null; events: string[] };
    const removed = await run('update', hook.id, '--remove-event', 'post_call_transcription', '--json');
    assert.equal(removed.code, 0, removed.stderr);
    assert.deepEqual((JSON.parse(removed.stdout) as { events: string[] }).events, ['flows']);
    assert.equal(slot().post_call_webhook_id, null);
    const added = await run('update', hook.id, '--add-event', 'post_call_audio', '--json');
    assert.equal(added.code, 0, added.stderr);
    assert.deepEqual((JSON.parse(added.stdout) as { events: string[] }).events.sort(), [
      'flows',
      'post_call_audio',
    ]);
    assert.deepEqual(slot(), { ...slot(), post_call_webhook_id: hook.id, events: ['audio'] });
    assert.equal((await run('delete', hook.id, '--yes')).code, 0);
  });

  it('toggle --on of an auto-disabled webhook exits 6 with no write and says why', async () => {
    const hook = await create('--name', 'T', '--url', URL_A, '--event', 'flows');
    state.autoDisable(hook.id);
    const shown = await run('get', hook.id, '--fields', 'enabled,status');
    assert.equal(shown.stdout, 'false\tauto_disabled\n');
    fresh();
    for (const flags of [['--on'], []]) {
      const toggled = await run('toggle', hook.id, ...flags);
      assert.equal(toggled.code, 6, toggled.stderr);
      assert.match(toggled.stderr, /auto-disabled .* API cannot re-enable it/);
      assert.match(toggled.stderr, /settings page/);
    }
    assert.deepEqual(writes(), []);
    assert.equal((await run('delete', hook.id, '--yes')).code, 0);
  });

  it('test signs a sample with the kept secret and sends it itself', async () => {
    const got: { headers: IncomingHttpHeaders; body: string }[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        got.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
      const hook = await create(
        '--name',
        'Tested',
        '--url',
        url,
        '--event',
        'post_call_transcription',
        '--replace',
      );
      const tested = await run('test', hook.id, '--event', 'post_call_transcription');
      assert.equal(tested.code, 0, tested.stderr);
      const [delivery] = got;
      assert.ok(delivery);
      const check = elevenlabsSignature.verify({
        body: Buffer.from(delivery.body),
        headers: delivery.headers as Record<string, string>,
        secrets: hook.secrets,
      });
      assert.equal(check.valid, true, check.detail);
      assert.equal((JSON.parse(delivery.body) as { type: string }).type, 'post_call_transcription');
      assert.equal((await run('delete', hook.id, '--yes')).code, 0);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('a key without admin rights lists, and says what it cannot show', async () => {
    const hook = await create('--name', 'M', '--url', URL_A, '--event', 'flows');
    const member = 'vh-elevenlabs-member.0000000000';
    state.addMemberKey(member);
    const asMember = await cli.run(['list', '-p', 'elevenlabs', '--fields', 'id'], {
      env: { VOICEHOOKS_ELEVENLABS_API_KEY: member },
    });
    assert.equal(asMember.code, 0, asMember.stderr);
    assert.equal(asMember.stdout, `${hook.id}\n`);
    assert.match(asMember.stderr, /workspace events .* admins only/);
    assert.equal((await run('delete', hook.id, '--yes')).code, 0);
  });

  it('apply creates with post-call and workspace events, then finds nothing to do; export reads them back', async () => {
    const file = join(cli.configDir, '..', 'hooks.yaml');
    writeFileSync(
      file,
      `webhooks:
  - provider: elevenlabs
    name: Calls
    url: ${URL_A}
    events: [post_call_transcription, flows]
`,
    );
    const applied = await cli.run(['apply', '-f', file, '-p', 'elevenlabs', '--json']);
    assert.equal(applied.code, 0, applied.stderr);
    const [hook] = state.webhooks();
    assert.ok(hook);
    assert.deepEqual(hook.events, ['flows']);
    assert.equal(
      (state.settings().webhooks as { post_call_webhook_id: string }).post_call_webhook_id,
      hook.webhook_id,
    );
    const diff = await cli.run(['diff', '-f', file, '-p', 'elevenlabs']);
    assert.equal(diff.code, 0, diff.stdout + diff.stderr);
    const exported = await cli.run(['export', '-p', 'elevenlabs', '--json']);
    assert.equal(exported.code, 0, exported.stderr);
    assert.deepEqual(JSON.parse(exported.stdout), {
      webhooks: [
        {
          provider: 'elevenlabs',
          url: URL_A,
          events: ['post_call_transcription', 'flows'],
          name: 'Calls',
          enabled: true,
        },
      ],
    });
    assert.equal((await run('delete', hook.webhook_id, '--yes')).code, 0);
  });

  it('--region picks the residency host, from the flag, the env or the profile; a wrong one exits 2', async () => {
    const offline = { VOICEHOOKS_ELEVENLABS_BASE_URL: undefined };
    const viaFlag = await cli.run(['list', '-p', 'elevenlabs', '--region', 'eu', '--timeout', '5'], {
      env: offline,
    });
    assert.equal(viaFlag.code, 9);
    assert.match(viaFlag.stderr, /api\.eu\.residency\.elevenlabs\.io/);
    const viaEnv = await cli.run(['list', '-p', 'elevenlabs', '--timeout', '5'], {
      env: { ...offline, VOICEHOOKS_ELEVENLABS_REGION: 'sg' },
    });
    assert.match(viaEnv.stderr, /api\.sg\.residency\.elevenlabs\.io/);
    assert.equal((await cli.run(['config', 'set', 'elevenlabs.region', 'in'])).code, 0);
    const viaProfile = await cli.run(['list', '-p', 'elevenlabs', '--timeout', '5'], { env: offline });
    assert.match(viaProfile.stderr, /api\.in\.residency\.elevenlabs\.io/);
    assert.equal((await cli.run(['config', 'set', 'elevenlabs.region', 'uk'])).code, 2);
    const wrong = await cli.run(['list', '-p', 'elevenlabs', '--region', 'uk']);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /--region must be us, eu, in or sg for ElevenLabs/);
    const none = await cli.run(['list', '-p', 'daily', '--region', 'eu']);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /--region is for PolyAI and ElevenLabs only; Daily has no regions/);
  });
});
