/**
 * The flags of `create` and `update`, and their conversion into a checked {@link WebhookInput}. Shared by
 * both commands so that a field is named, parsed and checked the same way everywhere.
 */
import { Flags } from '@oclif/core';
import { FieldError, UsageError } from './errors.ts';
import {
  checkEvents,
  checkFieldsSupported,
  checkHeaders,
  checkUrl,
  parsePairs,
  readFileCapped,
} from './input.ts';
import type { IO } from './io.ts';
import { flagForField, settingProblem } from './resolve.ts';
import { askCheckbox, askInput, missingInput } from './prompt.ts';
import type { ProviderDescriptor, Scope, WebhookInput } from './providers/types.ts';

const FIELDS = 'WEBHOOK';

export const webhookFlags = {
  url: Flags.string({ summary: 'Delivery URL (absolute http or https).', helpGroup: FIELDS }),
  event: Flags.string({ summary: 'Event type; repeat for several.', multiple: true, helpGroup: FIELDS }),
  name: Flags.string({ summary: 'Name (required by Talkover and PolyAI).', helpGroup: FIELDS }),
  secret: Flags.string({
    summary: 'Signing secret (Ultravox: repeatable; Daily: base64 hmac).',
    multiple: true,
    helpGroup: FIELDS,
  }),
  header: Flags.string({
    summary: 'Custom header K=V sent with deliveries; repeatable.',
    multiple: true,
    helpGroup: FIELDS,
  }),
  'delivery-timeout': Flags.integer({
    summary: 'Seconds the provider waits for your endpoint.',
    helpGroup: FIELDS,
  }),
  'max-retries': Flags.integer({ summary: 'Delivery retries (Talkover).', helpGroup: FIELDS }),
  'http-method': Flags.string({ summary: 'Delivery HTTP method (Talkover).', helpGroup: FIELDS }),
  'auth-scheme': Flags.string({
    summary: 'Authorization scheme for deliveries (Talkover).',
    helpGroup: FIELDS,
  }),
  'payload-template': Flags.string({
    summary: 'EVENT=FILE payload template (Talkover); repeatable.',
    multiple: true,
    helpGroup: FIELDS,
  }),
  'retry-type': Flags.string({ summary: 'circuit-breaker or exponential (Daily).', helpGroup: FIELDS }),
  'basic-auth': Flags.string({ summary: 'Basic auth credential for deliveries (Daily).', helpGroup: FIELDS }),
  enabled: Flags.boolean({
    summary: 'Create or set it enabled (--no-enabled: disabled).',
    allowNo: true,
    helpGroup: FIELDS,
  }),
  'include-call-events': Flags.boolean({
    summary: 'Also deliver the per-call events of the campaign (Talkover campaign webhooks).',
    allowNo: true,
    helpGroup: FIELDS,
  }),
};

/** Refuses --replace and --recreate where the provider has no use for them, before any request. */
export function checkWriteFlags(
  flags: { replace?: boolean; recreate?: boolean },
  descriptor: ProviderDescriptor,
  canRecreate: boolean,
): void {
  if (flags.replace && !descriptor.capabilities.exclusiveEvents) {
    throw new UsageError(
      `--replace does not apply: no ${descriptor.displayName} event goes to one webhook at a time.`,
    );
  }
  if (flags.recreate && !canRecreate) {
    throw new UsageError(`--recreate does not apply: ${descriptor.displayName} changes this in place.`);
  }
}

export type WebhookFlagValues = {
  url?: string;
  event?: string[];
  name?: string;
  secret?: string[];
  /** Setting flags (`--agent`) given with the fields; those that are fields set them. */
  [settingFlag: string]: unknown;
  header?: string[];
  'delivery-timeout'?: number;
  'max-retries'?: number;
  'http-method'?: string;
  'auth-scheme'?: string;
  'payload-template'?: string[];
  'retry-type'?: string;
  'basic-auth'?: string;
  enabled?: boolean;
  'include-call-events'?: boolean;
};

export interface CheckedInput {
  input: WebhookInput;
  warnings: string[];
}

/**
 * Turns flag values into input for the provider, checking every rule of the contract before anything is
 * sent: the provider must have a field for each flag given, and each value must be well formed. `settings`
 * is the resolved scope: events are checked against its catalog.
 */
export function inputFromFlags(
  flags: WebhookFlagValues,
  descriptor: ProviderDescriptor,
  settings: Scope = {},
): CheckedInput {
  try {
    return checkedInput(flags, descriptor, settings);
  } catch (error) {
    // The provider names the field it has a problem with; the user gave a flag.
    throw error instanceof FieldError ? error.as(flagForField(error.field)) : error;
  }
}

function checkedInput(
  flags: WebhookFlagValues,
  descriptor: ProviderDescriptor,
  settings: Scope,
): CheckedInput {
  const warnings: string[] = [];
  const input: WebhookInput = {};
  if (flags.url !== undefined) {
    const checked = checkUrl(flags.url, descriptor);
    if (checked.warning) warnings.push(checked.warning);
    input.url = checked.url;
  }
  if (flags.event?.length) input.events = checkEvents(flags.event, descriptor, '--event', settings);
  if (flags.name !== undefined) {
    if (flags.name.trim() === '' || flags.name.length > 255) {
      throw new UsageError('--name must be 1 to 255 characters.');
    }
    input.name = flags.name;
  }
  if (flags.secret?.length) {
    if (flags.secret.some((s) => s.trim() === '')) throw new UsageError('--secret cannot be empty.');
    input.secrets = flags.secret;
  }
  // A setting that is also a field of the webhook (Ultravox's agent) sets the field too.
  for (const setting of descriptor.settings) {
    const value = (flags as Record<string, unknown>)[setting.flag];
    if (setting.field === undefined || typeof value !== 'string') continue;
    const problem = value === '' ? undefined : settingProblem(descriptor, setting, value);
    if (problem !== undefined) throw new UsageError(`--${setting.flag} ${problem}`);
    (input as Record<string, unknown>)[setting.field] = value;
  }
  if (flags.header?.length) input.headers = checkHeaders(parsePairs(flags.header, '--header'));
  if (flags['delivery-timeout'] !== undefined) input.deliveryTimeout = flags['delivery-timeout'];
  if (flags['max-retries'] !== undefined) input.maxRetries = flags['max-retries'];
  if (flags['http-method'] !== undefined) input.httpMethod = flags['http-method'];
  if (flags['auth-scheme'] !== undefined) input.authScheme = flags['auth-scheme'];
  if (flags['payload-template']?.length) {
    const files = parsePairs(flags['payload-template'], '--payload-template');
    input.payloadTemplates = Object.fromEntries(
      Object.entries(files).map(([event, file]) => [event, readTemplate(file)]),
    );
  }
  if (flags['retry-type'] !== undefined) input.retryType = flags['retry-type'];
  if (flags['basic-auth'] !== undefined) input.basicAuth = flags['basic-auth'];
  if (flags.enabled !== undefined) input.enabled = flags.enabled;
  if (flags['include-call-events'] !== undefined) input.includeCallEvents = flags['include-call-events'];

  checkFieldsSupported(input, descriptor);
  descriptor.checkInput?.(input, settings);
  return { input, warnings };
}

function readTemplate(file: string): string {
  try {
    return readFileCapped(file, `--payload-template ${file}`).toString('utf8');
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`--payload-template cannot read ${file}: ${(error as Error).message}`);
  }
}

/** The flags a create needs that were not given (`--url`, `--event`, `--name` where required). */
export function missingCreateFlags(flags: WebhookFlagValues, descriptor: ProviderDescriptor): string[] {
  const missing: string[] = [];
  if (!flags.url) missing.push('--url');
  if (!flags.event?.length) missing.push('--event');
  if (descriptor.requiredOnCreate.includes('name') && !flags.name) missing.push('--name');
  return missing;
}

/**
 * Fills in what a create needs and the flags did not give, by asking on a terminal; without one, names
 * every missing flag at once (exit 2).
 */
export async function completeCreateFlags(
  flags: WebhookFlagValues,
  descriptor: ProviderDescriptor,
  /** The streams to ask on, or undefined when asking is not allowed. */
  askOn: IO | undefined,
  settings: Scope = {},
): Promise<WebhookFlagValues> {
  const missing = missingCreateFlags(flags, descriptor);
  if (missing.length === 0) return flags;
  if (!askOn) throw missingInput(missing);
  const filled = { ...flags };
  if (!filled.url) {
    filled.url = await askInput(
      'Delivery URL',
      (value) => {
        try {
          checkUrl(value, descriptor);
          return true;
        } catch (error) {
          return (error as Error).message.replace(/^--url /, 'The URL ');
        }
      },
      undefined,
      askOn,
    );
  }
  if (!filled.event?.length) {
    filled.event = await askCheckbox(
      'Events',
      descriptor.events(settings).map((e) => ({ value: e.name, name: e.name, description: e.description })),
      askOn,
    );
  }
  if (descriptor.requiredOnCreate.includes('name') && !filled.name) {
    filled.name = await askInput(
      'Name',
      (v) => (v.trim() && v.length <= 255 ? true : '1 to 255 characters.'),
      undefined,
      askOn,
    );
  }
  return filled;
}
