// Property-based tests (fast-check) of every parser of user input: random and hostile input must come back
// either accepted (and then well formed) or as a UsageError (exit 2) / ConfigError (exit 3) with a clear
// message, never as any other exception. 1,000 runs per parser, in-process.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { parseApplyFile } from '../src/apply/file.ts';
import { ConfigStore } from '../src/config.ts';
import { ConfigError, UsageError, exitCodeOf } from '../src/errors.ts';
import { checkEvents, checkHeaders, checkId, checkRange, checkUrl, parsePairs } from '../src/input.ts';
import { availableProviders } from '../src/providers/index.ts';
import { inputFromFlags } from '../src/webhook-flags.ts';
import type { WebhookFlagValues } from '../src/webhook-flags.ts';

const RUNS = { numRuns: 1000 };
const providers = availableProviders();
const tmp = mkdtempSync(join(tmpdir(), 'voicehooks-props-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs `fn`; a throw must be the expected error class, with the expected exit code and a usable message. */
function acceptedOrRejected<T>(
  fn: () => T,
  kind: typeof UsageError | typeof ConfigError = UsageError,
): T | undefined {
  try {
    return fn();
  } catch (error) {
    if (!(error instanceof kind)) throw error; // fast-check shrinks and reports the input
    assert.equal(exitCodeOf(error), kind === UsageError ? 2 : 3);
    assert.ok(error.message.trim().length > 0, 'the message is not empty');
    assert.ok(!/\bat .+:\d+:\d+/.test(error.message), 'no stack trace in the message');
    return undefined;
  }
}

/** Strings a user (or an attacker) might type: random text, unicode, control characters and near-misses. */
const hostile = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc.constantFrom(
    '',
    ' ',
    '\n',
    '\0',
    'javascript:alert(1)',
    'file:///etc/passwd',
    'http://',
    'https://[::1',
    'http://127.0.0.1:99999/',
    'https://user:pass@example.com/',
    '%00',
    '../../etc/passwd',
    '${HOME}',
    'a=b\r\nX-Injected: 1',
    '__proto__',
    'constructor',
    'whe_',
    '00000000-0000-0000-0000-00000000000g',
  ),
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  fc.webUrl().map((u) => u + 'x'.repeat(400)),
  fc.uuid(),
);

const provider = fc.constantFrom(...providers);

describe('parsers of user input', () => {
  it('checkUrl: accepted URLs are absolute http(s) within the limit; the rest is exit 2', () => {
    fc.assert(
      fc.property(provider, hostile, (descriptor, value) => {
        const checked = acceptedOrRejected(() => checkUrl(value, descriptor));
        if (checked === undefined) return;
        const url = new URL(checked.url);
        assert.ok(url.protocol === 'http:' || url.protocol === 'https:');
        assert.ok(checked.url.length <= descriptor.maxUrlLength);
        if (descriptor.httpsOnly && url.protocol === 'http:') assert.ok(checked.warning);
      }),
      RUNS,
    );
  });

  it('checkEvents: only catalog events pass; the rest is exit 2', () => {
    fc.assert(
      fc.property(
        provider,
        fc.array(
          fc.oneof(hostile, fc.constantFrom('call.started', 'event_phone_call_ended', 'recording.started')),
        ),
        (descriptor, values) => {
          const events = acceptedOrRejected(() => checkEvents(values, descriptor));
          if (events === undefined) return;
          const known = new Set(descriptor.events().map((e) => e.name));
          for (const e of events) assert.ok(known.has(e));
        },
      ),
      RUNS,
    );
  });

  it('checkId: only ids of the provider format pass; the rest is exit 2', () => {
    fc.assert(
      fc.property(
        provider,
        fc.oneof(hostile, fc.stringMatching(/^whe_[A-Za-z0-9]{1,20}$/)),
        (descriptor, id) => {
          const ok = acceptedOrRejected(() => checkId(id, descriptor));
          assert.equal(ok !== undefined, descriptor.isValidId(id));
        },
      ),
      RUNS,
    );
  });

  it('--header: parsePairs + checkHeaders give token names and values without line breaks, or exit 2', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            hostile,
            fc.tuple(hostile, hostile).map(([k, v]) => `${k}=${v}`),
          ),
        ),
        (values) => {
          const headers = acceptedOrRejected(() => checkHeaders(parsePairs(values, '--header')));
          if (headers === undefined) return;
          for (const [name, value] of Object.entries(headers)) {
            assert.match(name, /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/);
            assert.doesNotMatch(value, /[\r\n\0]/);
          }
        },
      ),
      RUNS,
    );
  });

  it('checkRange: whole numbers in range pass; NaN, infinities, fractions and the rest are exit 2', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.double(), fc.integer(), fc.integer({ min: -5, max: 200 })),
        fc.integer({ min: -10, max: 10 }),
        fc.integer({ min: 0, max: 200 }),
        (value, min, span) => {
          const max = min + span;
          const ok = acceptedOrRejected(() => checkRange(value, min, max, '--delivery-timeout', ' s'));
          assert.equal(ok !== undefined, Number.isInteger(value) && value >= min && value <= max);
        },
      ),
      RUNS,
    );
  });

  it("webhook flags through each provider's checkInput (durations, retries, secrets, methods): exit 2 or accepted", () => {
    const flags: fc.Arbitrary<WebhookFlagValues> = fc.record(
      {
        url: fc.oneof(hostile, fc.constant('https://example.com/hook')),
        event: fc.array(fc.oneof(hostile, fc.constant('call.started'))),
        name: hostile,
        secret: fc.array(fc.oneof(hostile, fc.base64String())),
        agent: fc.oneof(hostile, fc.uuid()),
        header: fc.array(fc.oneof(hostile, fc.constant('X-A=b'))),
        'delivery-timeout': fc.oneof(fc.integer(), fc.integer({ min: -1, max: 150 })),
        'max-retries': fc.oneof(fc.integer(), fc.integer({ min: -1, max: 12 })),
        'http-method': fc.oneof(hostile, fc.constantFrom('POST', 'put', 'GET')),
        'auth-scheme': fc.oneof(hostile, fc.constantFrom('bearer', 'basic')),
        'retry-type': fc.oneof(hostile, fc.constantFrom('circuit-breaker', 'exponential')),
        'basic-auth': hostile,
        enabled: fc.boolean(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(provider, flags, (descriptor, values) => {
        acceptedOrRejected(() => inputFromFlags(values, descriptor));
      }),
      RUNS,
    );
  });

  it('apply files: random text, random JSON/YAML documents and mangled entries are accepted or exit 2', () => {
    const entry = fc.record(
      {
        provider: fc.oneof(fc.constantFrom('ultravox', 'talkover', 'polyai', 'daily'), hostile),
        url: fc.oneof(hostile, fc.constant('https://example.com/hook')),
        events: fc.oneof(fc.array(hostile), fc.constant(['call.started']), fc.anything()),
        agent: fc.oneof(fc.uuid(), hostile),
        region: fc.oneof(fc.constantFrom('us', 'uk', 'eu'), hostile),
        name: fc.anything(),
        secret: fc.oneof(hostile, fc.constant('${SECRET}')),
        enabled: fc.anything(),
      },
      { requiredKeys: [] },
    );
    const document = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.array(entry).map((webhooks) => JSON.stringify({ webhooks })),
      fc
        .array(fc.oneof(entry, fc.anything()))
        .map(
          (webhooks) =>
            `webhooks:\n${webhooks.map((w) => `  - ${JSON.stringify(w) ?? 'null'}`).join('\n')}\n`,
        ),
      fc.constantFrom('webhooks: !!js/function "x"', '&a [*a]', 'webhooks: *x', '{', 'webhooks:\n  - <<: *a'),
    );
    fc.assert(
      fc.property(document, (text) => {
        acceptedOrRejected(() => parseApplyFile(text, 'hooks.yaml', { env: { SECRET: 's3cr3t' } }));
      }),
      RUNS,
    );
  });

  it('the config file: random or hostile bytes are read, or exit 3 and the file is left as it was', () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v))),
      fc
        .dictionary(fc.string(), fc.anything())
        .map((profile) => Buffer.from(JSON.stringify({ profiles: { default: profile } }) ?? '')),
      fc.constantFrom(
        Buffer.from(''),
        Buffer.from('{"profiles": {"__proto__": {"provider": "x"}}}'),
        Buffer.from('{"profiles": null}'),
        Buffer.from('{"profiles": {"default": {"keys": {"ultravox": 1}}}}'),
        Buffer.from('\uFEFF{}'),
      ),
    );
    let n = 0;
    fc.assert(
      fc.property(bytes, (content) => {
        const dir = join(tmp, `c${n++}`);
        mkdirSync(dir, { mode: 0o700 });
        const file = join(dir, 'config.json');
        writeFileSync(file, content, { mode: 0o600 });
        const opened = acceptedOrRejected(() => {
          const store = new ConfigStore(dir);
          store.profile('default');
          store.profileNames();
          return store;
        }, ConfigError);
        if (opened === undefined)
          assert.deepEqual(readFileSync(file), Buffer.from(content), 'left as it was');
        rmSync(dir, { recursive: true, force: true });
      }),
      RUNS,
    );
  });
});
