import { FieldError } from '../../errors.ts';
import { isUuid } from '../../input.ts';
import { asRecord, firstString } from '../../records.ts';
import type { ProviderDescriptor, WebhookInput } from '../types.ts';
import { DAILY_EVENTS } from './events.ts';
import { DAILY_RETRY_TYPES, isBase64 } from './rules.ts';

/** Checks that only Daily has, made before any request (contract §Input checked before any request). */
function checkDailyInput(input: WebhookInput): void {
  if (input.secrets !== undefined) {
    if (input.secrets.length !== 1) {
      throw new FieldError('secrets', `was given ${input.secrets.length} times; Daily takes one hmac.`);
    }
    const [secret = ''] = input.secrets;
    if (!isBase64(secret)) {
      throw new FieldError('secrets', 'must be base64 for Daily (its hmac is a base64-encoded key).', {
        hint: 'Make one with `openssl rand -base64 32`, or leave the secret out and Daily provisions one.',
      });
    }
  }
  if (input.retryType !== undefined && !(DAILY_RETRY_TYPES as readonly string[]).includes(input.retryType)) {
    throw new FieldError('retryType', `must be ${DAILY_RETRY_TYPES.join(' or ')}, got "${input.retryType}".`);
  }
  // Daily sends the value as an `Authorization: Basic …` header to the endpoint (docs/providers/daily.md §4.2).
  if (input.basicAuth !== undefined && /[\r\n\0]/.test(input.basicAuth)) {
    throw new FieldError('basicAuth', 'has a line break or NUL in it.');
  }
}

/**
 * Daily: domain-wide webhooks; the URL is probed on every create and update; no on/off switch, only the
 * re-activation of a webhook that circuit-broke (docs/providers/daily.md §4).
 */
export const daily: ProviderDescriptor = {
  name: 'daily',
  displayName: 'Daily',
  defaultBaseUrl: () => 'https://api.daily.co/v1',
  settings: [],
  capabilities: {
    toggle: 'reactivate',
    nativeTest: false,
    rotateSecret: 'replace',
    oldSecret: 'revoked',
    secretsReadable: true,
    deliveryLogs: false,
    paginated: false,
  },
  fields: ['url', 'events', 'secrets', 'basicAuth', 'retryType'],
  requiredOnCreate: [],
  // Daily documents no URL limit; this bound only keeps absurd input from being sent (inferred).
  maxUrlLength: 2048,
  // 20 requests a second (docs/providers/daily.md §4.4).
  rateLimit: { limit: 20, windowMs: 1000 },
  httpsOnly: false,
  idFormat: 'a UUID',
  isValidId: isUuid,
  secretFields: ['hmac', 'basicAuth'],
  checkInput: checkDailyInput,
  events: () => DAILY_EVENTS,
  // `{"type": …, "id": …}` (docs/providers/daily.md §4.6); the URL probe is an unsigned `{"test":"test"}` that
  // needs a 200 and that production receivers do not verify (§4.2, §4.5).
  receiver: {
    eventOf: (body) => firstString(asRecord(body).type),
    idOf: (body) => firstString(asRecord(body).id),
    isProbe: (body) => {
      const record = asRecord(body);
      return Object.keys(record).length === 1 && record.test === 'test';
    },
  },
  signing: { load: async () => (await import('./signature.ts')).dailySignature },
  loadDeliveries: async () => (await import('./samples.ts')).dailyDeliveries,
  // The adapter is given its descriptor, so that no module of the folder imports this one back.
  loadAdapter: async () => {
    const { createDailyAdapter } = await import('./adapter.ts');
    return (connection, scope) => createDailyAdapter(connection, scope, daily);
  },
  loadEmulator: async () => (await import('./emulator.ts')).dailyEmulator,
};
