import { checkRange } from '../../input.ts';
import type { ProviderDescriptor } from '../types.ts';
import { POLYAI_EVENTS } from './events.ts';

const ID_RE = /^whe_[A-Za-z0-9]+$/;

/**
 * PolyAI: account-wide webhook endpoints in one of three regions, an `enabled` field, a signing secret shown
 * only on create and rotate, and at most 10 endpoints per account (providers.md §3).
 */
export const polyai: ProviderDescriptor = {
  name: 'polyai',
  displayName: 'PolyAI',
  // There is no region-less host: `https://api.poly.ai` answers with an error (providers.md §3.1).
  defaultBaseUrl: (scope) => `https://api.${scope.region ?? 'us'}.poly.ai`,
  regions: ['us', 'uk', 'eu'],
  defaultRegion: 'us',
  capabilities: {
    toggle: 'field',
    nativeTest: false,
    rotateSecret: 'native',
    // `signing_secret` comes back on create and rotate only, never on a read (providers.md §3.3).
    secretsReadable: false,
    deliveryLogs: false,
    paginated: false,
    agentScoped: false,
  },
  fields: ['url', 'events', 'name', 'headers', 'deliveryTimeout', 'enabled'],
  requiredOnCreate: ['name'],
  // PolyAI documents no URL length limit; 2048 keeps a runaway value from being sent.
  maxUrlLength: 2048,
  httpsOnly: true,
  idFormat: '"whe_" followed by letters and digits',
  isValidId: (id) => ID_RE.test(id),
  secretNotice:
    'PolyAI shows a signing secret only when it is created or rotated; SECRET SAVED says whether voicehooks kept it.',
  // Custom header values often carry the receiver's credentials: masked and redacted like secrets.
  secretFields: ['signing_secret', 'headers'],
  checkInput(input) {
    // Sent as `timeout_ms`, which the API bounds to 1000–30000 (providers.md §3.3).
    if (input.deliveryTimeout !== undefined) {
      checkRange(input.deliveryTimeout, 1, 30, '--delivery-timeout', ' seconds');
    }
  },
  events: () => POLYAI_EVENTS,
  loadAdapter: async () => (await import('./adapter.ts')).createPolyAIAdapter,
};
