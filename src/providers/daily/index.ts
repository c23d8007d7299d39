import { UsageError } from '../../errors.ts';
import { isUuid } from '../../input.ts';
import type { ProviderDescriptor, WebhookInput } from '../types.ts';
import { DAILY_EVENTS } from './events.ts';

/** Daily's two delivery retry modes (providers.md §4.3). */
export const DAILY_RETRY_TYPES = ['circuit-breaker', 'exponential'] as const;

/** Standard base64 with its padding: Daily decodes `hmac` as base64 to get the signing key (providers.md §4.5). */
export function isBase64(value: string): boolean {
  return value.length > 0 && value.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(value);
}

/** Checks that only Daily has, made before any request (contract §Input checked before any request). */
function checkDailyInput(input: WebhookInput): void {
  if (input.secrets !== undefined) {
    if (input.secrets.length !== 1) {
      throw new UsageError(`--secret was given ${input.secrets.length} times; Daily takes one hmac.`);
    }
    const [secret = ''] = input.secrets;
    if (!isBase64(secret)) {
      throw new UsageError('--secret must be base64 for Daily (its hmac is a base64-encoded key).', {
        hint: 'Make one with `openssl rand -base64 32`, or leave --secret out and Daily provisions one.',
      });
    }
  }
  if (input.retryType !== undefined && !(DAILY_RETRY_TYPES as readonly string[]).includes(input.retryType)) {
    throw new UsageError(`--retry-type must be ${DAILY_RETRY_TYPES.join(' or ')}, got "${input.retryType}".`);
  }
  // Daily sends the value as an `Authorization: Basic …` header to the endpoint (providers.md §4.2).
  if (input.basicAuth !== undefined && /[\r\n\0]/.test(input.basicAuth)) {
    throw new UsageError('--basic-auth has a line break or NUL in it.');
  }
}

/**
 * Daily: domain-wide webhooks; the URL is probed on every create and update; no on/off switch, only the
 * re-activation of a webhook that circuit-broke (providers.md §4).
 */
export const daily: ProviderDescriptor = {
  name: 'daily',
  displayName: 'Daily',
  defaultBaseUrl: () => 'https://api.daily.co/v1',
  capabilities: {
    toggle: 'reactivate',
    nativeTest: false,
    rotateSecret: 'replace',
    oldSecret: 'revoked',
    secretsReadable: true,
    deliveryLogs: false,
    paginated: false,
    agentScoped: false,
  },
  fields: ['url', 'events', 'secrets', 'basicAuth', 'retryType'],
  requiredOnCreate: [],
  // Daily documents no URL limit; this bound only keeps absurd input from being sent (inferred).
  maxUrlLength: 2048,
  httpsOnly: false,
  idFormat: 'a UUID',
  isValidId: isUuid,
  secretFields: ['hmac', 'basicAuth'],
  checkInput: checkDailyInput,
  events: () => DAILY_EVENTS,
  loadAdapter: async () => (await import('./adapter.ts')).createDailyAdapter,
};
