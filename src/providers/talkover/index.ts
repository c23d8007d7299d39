import { UsageError } from '../../errors.ts';
import { checkEvents, checkRange, isUuid } from '../../input.ts';
import type { ProviderDescriptor, WebhookInput } from '../types.ts';
import { TALKOVER_EVENTS } from './events.ts';

/** Delivery methods and authorization schemes of the create page (providers.md §2.2; seed 001). */
export const HTTP_METHODS = ['POST', 'PUT', 'PATCH'] as const;
export const AUTH_SCHEMES = ['none', 'bearer', 'basic', 'api_key', 'custom'] as const;
/** `webhook_secret` and `name` are strings of at most 255 characters (providers.md §2.2). */
const MAX_SECRET_LENGTH = 255;

/**
 * Talkover: webhooks under an agent, an `enabled` field plus a native flip, a test endpoint and delivery
 * logs; secrets are write-only (providers.md §2).
 */
export const talkover: ProviderDescriptor = {
  name: 'talkover',
  displayName: 'Talkover',
  defaultBaseUrl: () => 'https://app.talkover.ai/api/v1',
  capabilities: {
    toggle: 'field',
    nativeTest: true,
    rotateSecret: 'replace',
    oldSecret: 'revoked',
    secretsReadable: false,
    deliveryLogs: true,
    paginated: false,
    agentScoped: true,
  },
  fields: [
    'url',
    'events',
    'name',
    'secrets',
    'headers',
    'deliveryTimeout',
    'maxRetries',
    'httpMethod',
    'authScheme',
    'payloadTemplates',
    'enabled',
  ],
  requiredOnCreate: ['name'],
  maxUrlLength: 500,
  httpsOnly: false,
  idFormat: 'a UUID',
  isValidId: isUuid,
  // Custom header values often carry the endpoint's credentials ("useful for static auth tokens",
  // providers.md §2.2), so they are masked and redacted like the secret.
  secretNotice:
    'Talkover never returns a webhook secret, so SECRETS is empty even when one is set. Set a new one with `voicehooks rotate-secret`.',
  secretFields: ['webhook_secret', 'custom_headers'],
  checkInput: checkTalkoverInput,
  events: () => TALKOVER_EVENTS,
  loadAdapter: async () => (await import('./adapter.ts')).createTalkoverAdapter,
};

/** The create page's validation rules (providers.md §2.2), checked before anything is sent. */
function checkTalkoverInput(input: WebhookInput): void {
  if (input.secrets !== undefined) {
    if (input.secrets.length > 1) {
      throw new UsageError('--secret is given more than once: a Talkover webhook has a single secret.');
    }
    if ((input.secrets[0] ?? '').length > MAX_SECRET_LENGTH) {
      throw new UsageError(`--secret must be at most ${MAX_SECRET_LENGTH} characters for Talkover.`);
    }
  }
  if (input.deliveryTimeout !== undefined)
    checkRange(input.deliveryTimeout, 5, 120, '--delivery-timeout', ' s');
  if (input.maxRetries !== undefined) checkRange(input.maxRetries, 0, 10, '--max-retries');
  if (input.httpMethod !== undefined && !oneOf(HTTP_METHODS, input.httpMethod.toUpperCase())) {
    throw new UsageError(
      `--http-method must be one of ${HTTP_METHODS.join(', ')}, got "${input.httpMethod}".`,
    );
  }
  if (input.authScheme !== undefined && !oneOf(AUTH_SCHEMES, input.authScheme.toLowerCase())) {
    throw new UsageError(
      `--auth-scheme must be one of ${AUTH_SCHEMES.join(', ')}, got "${input.authScheme}".`,
    );
  }
  if (input.payloadTemplates !== undefined) {
    checkEvents(Object.keys(input.payloadTemplates), talkover, '--payload-template');
    for (const [event, text] of Object.entries(input.payloadTemplates)) parseTemplate(event, text);
  }
}

/**
 * A payload template file as the JSON object Talkover takes ("template objects supporting variable
 * interpolation", providers.md §2.2). Used by the check and by the adapter, so both read it the same way.
 */
export function parseTemplate(event: string, text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--payload-template ${event}: the file is not JSON (${(error as Error).message}).`, {
      hint: 'A template is a JSON object, e.g. {"call": "{{call.id}}"}.',
    });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new UsageError(`--payload-template ${event}: the file must hold a JSON object.`);
  }
  return value as Record<string, unknown>;
}

function oneOf(values: readonly string[], value: string): boolean {
  return values.includes(value);
}
