import { asRecord, firstString } from '../../records.ts';
import type { ProviderDescriptor } from '../types.ts';
import { OPENAI_EVENTS } from './events.ts';

/**
 * OpenAI: the webhook endpoints of a project (`/webhook_endpoints`), signed with Standard Webhooks, a
 * signing secret shown only on create and rotate, a native rotation that may keep the old secret 24 hours, a
 * native test, and no on/off switch (docs/providers/openai.md).
 */
export const openai: ProviderDescriptor = {
  name: 'openai',
  displayName: 'OpenAI',
  defaultBaseUrl: () => 'https://api.openai.com/v1',
  // Sent as `OpenAI-Organization` / `OpenAI-Project` when given (§1); a project key needs neither.
  settings: [
    {
      name: 'organization',
      flag: 'organization',
      role: 'account',
      summary: 'OpenAI organization id, sent as OpenAI-Organization',
      valueName: 'organization id',
      env: ['OPENAI_ORG_ID'],
    },
    {
      name: 'project',
      flag: 'project',
      role: 'account',
      summary: 'OpenAI project id, sent as OpenAI-Project',
      valueName: 'project id',
      env: ['OPENAI_PROJECT_ID'],
    },
  ],
  capabilities: {
    // No field and no endpoint: deliveries stop only by deleting or narrowing the events (§3).
    toggle: 'none',
    // `POST …/test {event_type}`: OpenAI sends a sample and reports the endpoint's status (§3).
    nativeTest: true,
    nativeTestEvents: true,
    rotateSecret: 'native',
    // The previous secret is invalidated at once unless `keep_old_secret_active_for_24_hours` (§3).
    oldSecret: 'optional',
    // `signing_secret` comes back on create and rotate_secret only; reads carry `signing_secret_hint` (§2.2).
    secretsReadable: false,
    deliveryLogs: false,
    paginated: true,
    // `GET /webhook_event_types`: the types visible to the project (§2).
    liveEvents: true,
  },
  fields: ['url', 'events', 'name'],
  requiredOnCreate: ['name'],
  // `PublicCreateEndpointBody.url`: maxLength 2048, pattern ^https:// (§2.1).
  maxUrlLength: 2048,
  // None documented for these endpoints (§2.4): a conservative 10 a second.
  rateLimit: { limit: 10, windowMs: 1000 },
  httpsOnly: true,
  // Documented only by example (`whe_123`): only what is certain is checked (§2.5).
  idFormat: 'a non-empty id without "/", such as whe_123',
  isValidId: (id) => /^[^/\s]+$/.test(id),
  secretNotice:
    'OpenAI shows a signing secret only when it is created or rotated (reads give signing_secret_hint); SECRET SAVED says whether voicehooks kept it.',
  secretFields: ['signing_secret'],
  events: () => OPENAI_EVENTS,
  // The envelope's `type`; `webhook-id` is the de-duplication key, the same on every retry (§6, §7).
  receiver: {
    eventOf: (body) => firstString(asRecord(body).type),
    idOf: (body, headers) => firstString(headers['webhook-id'], asRecord(body).id),
  },
  signing: { load: async () => (await import('./signature.ts')).openaiSignature },
  loadDeliveries: async () => (await import('./samples.ts')).openaiDeliveries,
  // The adapter is given its descriptor, so that no module of the folder imports this one back.
  loadAdapter: async () => {
    const { createOpenAIAdapter } = await import('./adapter.ts');
    return (connection, scope) => createOpenAIAdapter(connection, scope, openai);
  },
  loadEmulator: async () => (await import('./emulator.ts')).openaiEmulator,
};
