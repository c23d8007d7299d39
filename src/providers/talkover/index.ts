import { FieldError } from '../../errors.ts';
import { checkEvents, checkRange, isUuid } from '../../input.ts';
import { asRecord, firstString } from '../../records.ts';
import type { ProviderDescriptor, Scope, WebhookInput } from '../types.ts';
import { TALKOVER_CAMPAIGN_EVENTS, TALKOVER_EVENTS } from './events.ts';
import { parseTemplate } from './templates.ts';

/** Delivery methods and authorization schemes of the create page (docs/providers/talkover.md §2.2; seed 001). */
export const HTTP_METHODS = ['POST', 'PUT', 'PATCH'] as const;
export const AUTH_SCHEMES = ['none', 'bearer', 'basic', 'api_key', 'custom'] as const;
/** `webhook_secret` and `name` are strings of at most 255 characters (docs/providers/talkover.md §2.2). */
const MAX_SECRET_LENGTH = 255;

/** Campaign webhooks are those of a scope with a campaign (docs/providers/talkover.md §3). */
const isCampaign = (settings: Scope = {}) => settings.campaign !== undefined && settings.campaign !== '';

/**
 * Talkover: webhooks under an agent or under a campaign (two scopes, each with its own event catalog), an
 * `enabled` field plus a native flip, a test endpoint and delivery logs; secrets are write-only
 * (docs/providers/talkover.md §2, §3).
 */
export const talkover: ProviderDescriptor = {
  name: 'talkover',
  displayName: 'Talkover',
  defaultBaseUrl: () => 'https://app.talkover.ai/api/v1',
  settings: [
    {
      name: 'agent',
      flag: 'agent',
      role: 'scope',
      summary: "Talkover agent UUID (the webhooks' scope)",
      valueName: 'UUID',
      check: (value) => (isUuid(value) ? undefined : 'is not a UUID'),
      legacyKey: 'agent',
    },
    {
      name: 'campaign',
      flag: 'campaign',
      role: 'scope',
      summary: "Talkover campaign UUID (the campaign webhooks' scope)",
      valueName: 'UUID',
      check: (value) => (isUuid(value) ? undefined : 'is not a UUID'),
    },
  ],
  capabilities: {
    toggle: 'field',
    nativeTest: true,
    rotateSecret: 'replace',
    oldSecret: 'revoked',
    secretsReadable: false,
    deliveryLogs: true,
    paginated: false,
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
    'includeCallEvents',
  ],
  requiredOnCreate: ['name'],
  maxUrlLength: 500,
  // 100 requests a minute on the Standard plan (docs/providers/talkover.md §2.4).
  rateLimit: { limit: 100, windowMs: 60_000 },
  httpsOnly: false,
  idFormat: 'a UUID',
  isValidId: isUuid,
  // Custom header values often carry the endpoint's credentials ("useful for static auth tokens",
  // docs/providers/talkover.md §2.2), so they are masked and redacted like the secret.
  secretNotice:
    'Talkover never returns a webhook secret, so SECRETS is empty even when one is set. Set a new one with `voicehooks rotate-secret`.',
  secretFields: ['webhook_secret', 'custom_headers'],
  secretInputFields: ['headers'],
  checkInput: checkTalkoverInput,
  events: (settings) => (isCampaign(settings) ? TALKOVER_CAMPAIGN_EVENTS : TALKOVER_EVENTS),
  catalogName: (settings) => (isCampaign(settings) ? 'campaign' : 'agent'),
  // Talkover documents no event payloads; its test payload has `event` and the ids at the top (§2.2).
  receiver: {
    eventOf: (body) => firstString(asRecord(body).event),
    idOf: (body) => {
      const record = asRecord(body);
      return firstString(record.id, record.call_id, record.webhook_id);
    },
  },
  // It states that it signs with HMAC-SHA256 but documents no header, signed string, encoding or timestamp
  // (docs/providers/talkover.md §2.5): anything built for it would be a guess.
  signing: {
    unknown: {
      message:
        'Talkover does not document how it signs deliveries (header, signed string, encoding, timestamp), so its signatures can be neither computed nor checked.',
      hint: 'See what Talkover really sends with `voicehooks logs ID -p talkover`, or receive unsigned deliveries with `voicehooks listen -p talkover`.',
    },
  },
  loadDeliveries: async () => (await import('./samples.ts')).talkoverDeliveries,
  // The adapter is given its descriptor, so that no module of the folder imports this one back.
  loadAdapter: async () => {
    const { createTalkoverAdapter } = await import('./adapter.ts');
    return (connection, scope) => createTalkoverAdapter(connection, scope, talkover);
  },
  loadEmulator: async () => (await import('./emulator.ts')).talkoverEmulator,
};

/**
 * The create pages' validation rules (docs/providers/talkover.md §2.2, §3.2), checked before anything is sent;
 * `settings` is the scope, whose catalog the template keys are checked against.
 */
function checkTalkoverInput(input: WebhookInput, settings: Scope = {}): void {
  if (input.includeCallEvents !== undefined && !isCampaign(settings)) {
    throw new FieldError(
      'includeCallEvents',
      'is for campaign webhooks only: an agent webhook receives the per-call events it subscribes to.',
      { hint: 'Give the campaign with --campaign UUID, or leave the flag out.' },
    );
  }
  if (input.secrets !== undefined) {
    if (input.secrets.length > 1) {
      throw new FieldError('secrets', 'is given more than once: a Talkover webhook has a single secret.');
    }
    if ((input.secrets[0] ?? '').length > MAX_SECRET_LENGTH) {
      throw new FieldError('secrets', `must be at most ${MAX_SECRET_LENGTH} characters for Talkover.`);
    }
  }
  if (input.deliveryTimeout !== undefined) checkRange(input.deliveryTimeout, 5, 120, 'deliveryTimeout', ' s');
  if (input.maxRetries !== undefined) checkRange(input.maxRetries, 0, 10, 'maxRetries');
  if (input.httpMethod !== undefined && !oneOf(HTTP_METHODS, input.httpMethod.toUpperCase())) {
    throw new FieldError(
      'httpMethod',
      `must be one of ${HTTP_METHODS.join(', ')}, got "${input.httpMethod}".`,
    );
  }
  if (input.authScheme !== undefined && !oneOf(AUTH_SCHEMES, input.authScheme.toLowerCase())) {
    throw new FieldError(
      'authScheme',
      `must be one of ${AUTH_SCHEMES.join(', ')}, got "${input.authScheme}".`,
    );
  }
  if (input.payloadTemplates !== undefined) {
    checkEvents(Object.keys(input.payloadTemplates), talkover, 'payloadTemplates', settings);
    for (const [event, text] of Object.entries(input.payloadTemplates)) parseTemplate(event, text);
  }
}

function oneOf(values: readonly string[], value: string): boolean {
  return values.includes(value);
}
