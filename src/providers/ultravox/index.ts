import { isUuid } from '../../input.ts';
import type { ProviderDescriptor } from '../types.ts';
import { ULTRAVOX_EVENTS } from './events.ts';

/** Ultravox: account-wide webhooks, several secrets at once, no on/off switch (providers.md §1). */
export const ultravox: ProviderDescriptor = {
  name: 'ultravox',
  displayName: 'Ultravox',
  defaultBaseUrl: () => 'https://api.ultravox.ai',
  capabilities: {
    toggle: 'none',
    nativeTest: false,
    rotateSecret: 'add',
    oldSecret: 'kept',
    secretsReadable: true,
    deliveryLogs: false,
    paginated: true,
    agentScoped: false,
  },
  fields: ['url', 'events', 'secrets', 'agentId'],
  requiredOnCreate: [],
  maxUrlLength: 200,
  httpsOnly: false,
  idFormat: 'a UUID',
  isValidId: isUuid,
  secretFields: ['secrets'],
  events: () => ULTRAVOX_EVENTS,
  loadAdapter: async () => (await import('./adapter.ts')).createUltravoxAdapter,
};
