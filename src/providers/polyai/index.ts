import { checkRange } from '../../input.ts';
import { asRecord, firstString } from '../../records.ts';
import type { ProviderDescriptor } from '../types.ts';
import { POLYAI_EVENTS } from './events.ts';

const ID_RE = /^whe_[A-Za-z0-9]+$/;

/**
 * PolyAI: account-wide webhook endpoints in one of three regions, an `enabled` field, a signing secret shown
 * only on create and rotate, and at most 10 endpoints per account (docs/providers/polyai.md §3).
 */
export const polyai: ProviderDescriptor = {
  name: 'polyai',
  displayName: 'PolyAI',
  // There is no region-less host: `https://api.poly.ai` answers with an error (docs/providers/polyai.md §3.1).
  defaultBaseUrl: (settings) => `https://api.${settings.region ?? 'us'}.poly.ai`,
  settings: [
    {
      name: 'region',
      flag: 'region',
      role: 'account',
      summary: 'PolyAI region: us, uk or eu',
      valueName: 'us, uk or eu',
      options: ['us', 'uk', 'eu'],
      default: 'us',
      legacyKey: 'region',
    },
  ],
  capabilities: {
    toggle: 'field',
    nativeTest: false,
    rotateSecret: 'native',
    oldSecret: 'revoked',
    // `signing_secret` comes back on create and rotate only, never on a read (docs/providers/polyai.md §3.3).
    secretsReadable: false,
    deliveryLogs: false,
    paginated: false,
  },
  fields: ['url', 'events', 'name', 'headers', 'deliveryTimeout', 'enabled'],
  requiredOnCreate: ['name'],
  // PolyAI documents no URL length limit; 2048 keeps a runaway value from being sent.
  maxUrlLength: 2048,
  // PolyAI documents none (docs/providers/polyai.md §3.4): a conservative 10 a second.
  rateLimit: { limit: 10, windowMs: 1000 },
  httpsOnly: true,
  idFormat: '"whe_" followed by letters and digits',
  isValidId: (id) => ID_RE.test(id),
  secretNotice:
    'PolyAI shows a signing secret only when it is created or rotated; SECRET SAVED says whether voicehooks kept it.',
  // Custom header values often carry the receiver's credentials: masked and redacted like secrets.
  secretFields: ['signing_secret', 'headers'],
  checkInput(input) {
    // Sent as `timeout_ms`, which the API bounds to 1000–30000 (docs/providers/polyai.md §3.3).
    if (input.deliveryTimeout !== undefined) {
      checkRange(input.deliveryTimeout, 1, 30, 'deliveryTimeout', ' seconds');
    }
  },
  events: () => POLYAI_EVENTS,
  // `{"event_type": …, "alert": {"id": …}}`, and `X-PolyAI-Event-ID` for de-duplication (docs/providers/polyai.md §3.7).
  receiver: {
    eventOf: (body) => firstString(asRecord(body).event_type),
    idOf: (body, headers) => firstString(headers['x-polyai-event-id'], asRecord(asRecord(body).alert).id),
  },
  signing: { load: async () => (await import('./signature.ts')).polyaiSignature },
  loadDeliveries: async () => (await import('./samples.ts')).polyaiDeliveries,
  // The adapter is given its descriptor, so that no module of the folder imports this one back.
  loadAdapter: async () => {
    const { createPolyAIAdapter } = await import('./adapter.ts');
    return (connection, scope) => createPolyAIAdapter(connection, scope, polyai);
  },
  loadEmulator: async () => (await import('./emulator.ts')).polyaiEmulator,
};
