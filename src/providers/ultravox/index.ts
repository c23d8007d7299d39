import { isUuid } from '../../input.ts';
import { asRecord, firstString } from '../../records.ts';
import type { ProviderDescriptor } from '../types.ts';
import { ULTRAVOX_EVENTS } from './events.ts';

/** Ultravox: account-wide webhooks, several secrets at once, no on/off switch (docs/providers/ultravox.md §1). */
export const ultravox: ProviderDescriptor = {
  name: 'ultravox',
  displayName: 'Ultravox',
  defaultBaseUrl: () => 'https://api.ultravox.ai',
  // A webhook may belong to an agent (`agentId`); `--agent` sets that field and filters `list` by it.
  settings: [
    {
      name: 'agent',
      flag: 'agent',
      role: 'filter',
      summary: "Ultravox agent UUID (the webhook's agentId; a list filter)",
      valueName: 'UUID',
      check: (value) => (isUuid(value) ? undefined : 'is not a UUID'),
      field: 'agentId',
    },
  ],
  capabilities: {
    toggle: 'none',
    nativeTest: false,
    rotateSecret: 'add',
    oldSecret: 'kept',
    secretsReadable: true,
    deliveryLogs: false,
    paginated: true,
  },
  fields: ['url', 'events', 'secrets', 'agentId'],
  requiredOnCreate: [],
  maxUrlLength: 200,
  // 200 requests a second per key (docs/providers/ultravox.md §1.4).
  rateLimit: { limit: 200, windowMs: 1000 },
  httpsOnly: false,
  idFormat: 'a UUID',
  isValidId: isUuid,
  secretFields: ['secrets'],
  events: () => ULTRAVOX_EVENTS,
  // `{"event": …, "call": {"callId": …}}` (docs/providers/ultravox.md §1.7).
  receiver: {
    eventOf: (body) => firstString(asRecord(body).event),
    idOf: (body) => firstString(asRecord(asRecord(body).call).callId),
  },
  signing: { load: async () => (await import('./signature.ts')).ultravoxSignature },
  loadDeliveries: async () => (await import('./samples.ts')).ultravoxDeliveries,
  // The adapter is given its descriptor, so that no module of the folder imports this one back.
  loadAdapter: async () => {
    const { createUltravoxAdapter } = await import('./adapter.ts');
    return (connection, scope) => createUltravoxAdapter(connection, scope, ultravox);
  },
  loadEmulator: async () => (await import('./emulator.ts')).ultravoxEmulator,
};
