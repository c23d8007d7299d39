import { UsageError } from '../../errors.ts';
import type { ProviderDescriptor, WebhookInput } from '../types.ts';
import { ELEVENLABS_EVENTS } from './events.ts';

/**
 * The residency hosts (docs/providers/elevenlabs.md, "Hosts"). Without a region, the default host routes to
 * the closest region. Whether a webhook made on one host is seen on another is undocumented: keep one region.
 */
export const ELEVENLABS_HOSTS = {
  us: 'https://api.us.elevenlabs.io',
  eu: 'https://api.eu.residency.elevenlabs.io',
  in: 'https://api.in.residency.elevenlabs.io',
  sg: 'https://api.sg.residency.elevenlabs.io',
} as const;
const DEFAULT_HOST = 'https://api.elevenlabs.io';
const CATALOG = ELEVENLABS_EVENTS.map(({ name, description }) => ({ name, description }));

/**
 * ElevenLabs documents ids only by example (`G007vmtq9uWYl7SUW9zGS8GZZa1K`, `123`, `agent_7101k5…`): the
 * contract's rule for such providers, a non-empty token without `/`, `?`, `#` or whitespace.
 */
const TOKEN = /^[^\s/?#]+$/;

/**
 * Retries are one switch, `retry_enabled`: up to 5 attempts on a fixed schedule, for post-call
 * transcriptions only. `--max-retries` says the same as the flag of the other providers: 0 (off) or 5 (on).
 */
export const ELEVENLABS_RETRIES = 5;

function checkElevenLabsInput(input: WebhookInput): void {
  if (input.maxRetries !== undefined && input.maxRetries !== 0 && input.maxRetries !== ELEVENLABS_RETRIES) {
    throw new UsageError(
      `--max-retries must be 0 or ${ELEVENLABS_RETRIES} for ElevenLabs: its retries are on or off, on a fixed schedule.`,
      { hint: `--max-retries ${ELEVENLABS_RETRIES} turns them on, --max-retries 0 off.` },
    );
  }
}

/**
 * ElevenLabs Agents: workspace webhooks with no get-one, test or rotation endpoint, an update that cannot
 * change the URL and must carry the name and on/off state, and post-call deliveries that reach a webhook only
 * once the ConvAI settings (or an agent's override) point at it (docs/providers/elevenlabs.md).
 */
export const elevenlabs: ProviderDescriptor = {
  name: 'elevenlabs',
  displayName: 'ElevenLabs',
  defaultBaseUrl: (scope) =>
    scope.region !== undefined && Object.hasOwn(ELEVENLABS_HOSTS, scope.region)
      ? ELEVENLABS_HOSTS[scope.region as keyof typeof ELEVENLABS_HOSTS]
      : DEFAULT_HOST,
  capabilities: {
    toggle: 'field',
    nativeTest: false,
    rotateSecret: 'recreate',
    // `webhook_secret` is in the answer to a create only, never in the list.
    secretsReadable: false,
    deliveryLogs: false,
    paginated: false,
    agentScoped: false,
    exclusiveEvents: true,
  },
  fields: ['url', 'events', 'name', 'agentId', 'headers', 'maxRetries', 'enabled'],
  requiredOnCreate: ['name'],
  fixedFields: ['url'],
  // ElevenLabs documents no URL length limit; 2048 keeps a runaway value from being sent.
  maxUrlLength: 2048,
  httpsOnly: true,
  idFormat: 'a token without "/", "?", "#" or spaces',
  isValidId: (id) => TOKEN.test(id),
  agentIdFormat: 'an ElevenLabs agent id (a token without "/", "?", "#" or spaces)',
  isValidAgentId: (id) => TOKEN.test(id),
  regions: Object.keys(ELEVENLABS_HOSTS),
  secretNotice:
    'ElevenLabs shows a signing secret only when the webhook is created; SECRET SAVED says whether voicehooks kept it.',
  // Custom header values often carry the receiver's credentials: masked and redacted like secrets.
  secretFields: ['webhook_secret', 'request_headers'],
  checkInput: checkElevenLabsInput,
  // The catalog as every provider's reads: name and description (where each lives is the adapter's business).
  events: () => CATALOG,
  loadAdapter: async () => (await import('./adapter.ts')).createElevenLabsAdapter,
};
