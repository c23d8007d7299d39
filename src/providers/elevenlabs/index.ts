import { FieldError } from '../../errors.ts';
import { asRecord, firstString } from '../../records.ts';
import type { ProviderDescriptor, WebhookInput } from '../types.ts';
import { ELEVENLABS_EVENTS } from './events.ts';
import { ELEVENLABS_DEFAULT_HOST, ELEVENLABS_HOSTS, ELEVENLABS_RETRIES, isElevenLabsToken } from './rules.ts';

const CATALOG = ELEVENLABS_EVENTS.map(({ name, description }) => ({ name, description }));

function checkElevenLabsInput(input: WebhookInput): void {
  if (input.maxRetries !== undefined && input.maxRetries !== 0 && input.maxRetries !== ELEVENLABS_RETRIES) {
    throw new FieldError(
      'maxRetries',
      `must be 0 or ${ELEVENLABS_RETRIES} for ElevenLabs: its retries are on or off, on a fixed schedule.`,
      { hint: `${ELEVENLABS_RETRIES} turns them on, 0 off.` },
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
  // Whether a webhook made on one residency host is seen on another is undocumented: keep one region.
  defaultBaseUrl: (settings) =>
    settings.region !== undefined && Object.hasOwn(ELEVENLABS_HOSTS, settings.region)
      ? ELEVENLABS_HOSTS[settings.region as keyof typeof ELEVENLABS_HOSTS]
      : ELEVENLABS_DEFAULT_HOST,
  settings: [
    {
      name: 'region',
      flag: 'region',
      role: 'account',
      summary: 'ElevenLabs residency region: us, eu, in or sg (default host otherwise)',
      valueName: 'us, eu, in or sg',
      options: Object.keys(ELEVENLABS_HOSTS),
    },
    {
      // Not a scope: the agent whose override a webhook's post-call events are attached in (and read from).
      name: 'agent',
      flag: 'agent',
      role: 'filter',
      summary:
        "ElevenLabs agent id (post-call events go to that agent's override instead of the workspace's)",
      valueName: 'agent id',
      check: (value) => (isElevenLabsToken(value) ? undefined : 'is not an ElevenLabs agent id'),
      field: 'agentId',
    },
  ],
  capabilities: {
    toggle: 'field',
    nativeTest: false,
    rotateSecret: 'recreate',
    // `--recreate` deletes the old webhook, and its secret with it: nothing can keep the old one.
    oldSecret: 'revoked',
    // `webhook_secret` is in the answer to a create only, never in the list.
    secretsReadable: false,
    deliveryLogs: false,
    paginated: false,
    exclusiveEvents: true,
  },
  fields: ['url', 'events', 'name', 'agentId', 'headers', 'maxRetries', 'enabled'],
  requiredOnCreate: ['name'],
  fixedFields: ['url'],
  // ElevenLabs documents no URL length limit; 2048 keeps a runaway value from being sent.
  maxUrlLength: 2048,
  // No numeric limit is documented for the webhook routes: a conservative 10 a second.
  rateLimit: { limit: 10, windowMs: 1000 },
  httpsOnly: true,
  idFormat: 'a token without "/", "?", "#" or spaces',
  isValidId: isElevenLabsToken,
  secretNotice:
    'ElevenLabs shows a signing secret only when the webhook is created; SECRET SAVED says whether voicehooks kept it.',
  // Custom header values often carry the receiver's credentials: masked and redacted like secrets.
  secretFields: ['webhook_secret', 'request_headers'],
  secretInputFields: ['headers'],
  checkInput: checkElevenLabsInput,
  // The catalog as every provider's reads: name and description (where each lives is the adapter's business).
  events: () => CATALOG,
  // `{"type": …, "event_timestamp": …, "data": {…}}`; no event id: a post-call delivery is told apart by its
  // conversation (docs/providers/elevenlabs.md, "Facts and sources").
  receiver: {
    eventOf: (body) => firstString(asRecord(body).type),
    idOf: (body) => firstString(asRecord(asRecord(body).data).conversation_id),
  },
  signing: { load: async () => (await import('./signature.ts')).elevenlabsSignature },
  loadDeliveries: async () => (await import('./samples.ts')).elevenlabsDeliveries,
  // The adapter is given its descriptor, so that no module of the folder imports this one back.
  loadAdapter: async () => {
    const { createElevenLabsAdapter } = await import('./adapter.ts');
    return (connection, scope) => createElevenLabsAdapter(connection, scope, elevenlabs);
  },
  loadEmulator: async () => (await import('./emulator.ts')).elevenlabsEmulator,
};
