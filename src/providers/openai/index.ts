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
    agentScoped: false,
    // `GET /webhook_event_types`: the types visible to the project (§2).
    liveEvents: true,
  },
  fields: ['url', 'events', 'name'],
  requiredOnCreate: ['name'],
  // `PublicCreateEndpointBody.url`: maxLength 2048, pattern ^https:// (§2.1).
  maxUrlLength: 2048,
  httpsOnly: true,
  // Documented only by example (`whe_123`): only what is certain is checked (§2.5).
  idFormat: 'a non-empty id without "/", such as whe_123',
  isValidId: (id) => /^[^/\s]+$/.test(id),
  secretNotice:
    'OpenAI shows a signing secret only when it is created or rotated (reads give signing_secret_hint); SECRET SAVED says whether voicehooks kept it.',
  secretFields: ['signing_secret'],
  accountSettings: [
    {
      name: 'organization',
      flag: 'organization',
      env: ['VOICEHOOKS_OPENAI_ORGANIZATION', 'OPENAI_ORG_ID'],
      summary: 'OpenAI organization id, sent as OpenAI-Organization',
    },
    {
      name: 'project',
      flag: 'project',
      env: ['VOICEHOOKS_OPENAI_PROJECT', 'OPENAI_PROJECT_ID'],
      summary: 'OpenAI project id, sent as OpenAI-Project',
    },
  ],
  events: () => OPENAI_EVENTS,
  signatureScheme: 'standard-webhooks',
  loadAdapter: async () => (await import('./adapter.ts')).createOpenAIAdapter,
};
