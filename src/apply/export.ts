/**
 * Live webhooks as an apply file. Secrets become `${…}` placeholders (unless they are to be shown), so the
 * file can be committed and the values supplied by the environment that runs `apply`.
 */
import { stringify } from 'yaml';
import { getProvider } from '../providers/index.ts';
import type { ProviderName, Scope, Webhook, WebhookInput } from '../providers/types.ts';

/** One exported entry, in the apply file's keys. */
export type ExportEntry = Record<string, unknown> & { provider: ProviderName; url: string; events: string[] };

export interface ExportFile {
  webhooks: ExportEntry[];
}

export interface Exported {
  file: ExportFile;
  /** The environment variables the placeholders name, in order. */
  variables: string[];
}

export interface ExportSource {
  provider: ProviderName;
  /** The settings the webhooks were read with (Talkover's agent, PolyAI's region). */
  settings: Scope;
  webhooks: Webhook[];
  inputOf: (webhook: Webhook) => WebhookInput;
}

/** The apply-file key of each input field, in the order they are written. */
const KEY_OF_FIELD: [keyof WebhookInput, string][] = [
  ['name', 'name'],
  ['secrets', 'secret'],
  ['headers', 'headers'],
  ['deliveryTimeout', 'deliveryTimeout'],
  ['maxRetries', 'maxRetries'],
  ['httpMethod', 'httpMethod'],
  ['authScheme', 'authScheme'],
  ['retryType', 'retryType'],
  ['basicAuth', 'basicAuth'],
  ['enabled', 'enabled'],
  ['includeCallEvents', 'includeCallEvents'],
];

/** Builds the file; with `showSecrets` the values are written instead of placeholders. */
export function exportFile(sources: ExportSource[], showSecrets: boolean): Exported {
  const variables: string[] = [];
  const webhooks: ExportEntry[] = [];
  const taken = new Set<string>();
  for (const source of sources) {
    const descriptor = getProvider(source.provider);
    for (const webhook of source.webhooks) {
      const prefix = placeholderPrefix(source.provider, webhook, taken);
      const secret = (value: string, suffix: string): string => {
        if (showSecrets) return escapeForApply(value);
        const name = `${prefix}_${suffix}`;
        variables.push(name);
        return `\${${name}}`;
      };
      const input = source.inputOf(webhook);
      const entry: ExportEntry = {
        provider: source.provider,
        url: escapeForApply(webhook.url),
        events: webhook.events.map(escapeForApply),
      };
      // A setting is written under its name: from the webhook where it is one of its fields (Ultravox's
      // agent), else the value the webhooks were read with (a scope, an account's region).
      for (const setting of descriptor.settings) {
        const value = setting.field !== undefined ? input[setting.field] : source.settings[setting.name];
        if (
          typeof value === 'string' &&
          value !== '' &&
          (setting.field !== undefined || setting.role !== 'filter')
        ) {
          entry[setting.name] = value;
        }
      }
      for (const [field, key] of KEY_OF_FIELD) {
        const value = input[field];
        if (value === undefined) continue;
        if (field === 'secrets' && Array.isArray(value)) {
          if (value.length === 0) continue;
          const list = value.map((v, i) => secret(v, value.length === 1 ? 'SECRET' : `SECRET_${i + 1}`));
          entry[key] = list.length === 1 ? list[0] : list;
        } else if (field === 'basicAuth' && typeof value === 'string') {
          entry[key] = secret(value, 'BASIC_AUTH');
        } else if (
          field === 'headers' &&
          descriptor.secretInputFields?.includes('headers') &&
          value &&
          typeof value === 'object'
        ) {
          // Header values the provider treats as delivery credentials (Talkover's): placeholders too.
          entry[key] = Object.fromEntries(
            Object.entries(value).map(([k, v]) => [
              k,
              secret(String(v), `HEADER_${k.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`),
            ]),
          );
        } else {
          entry[key] = escapeDeep(value);
        }
      }
      webhooks.push(entry);
    }
  }
  return { file: { webhooks }, variables };
}

/**
 * The start of a webhook's placeholder names: the provider, then the webhook's name, else its URL's path, else
 * its host (`ULTRAVOX_HOOKS_CALLS`), so that a name says which webhook it is for and stays the same when the
 * list comes back in another order. Two alike get the start of their ids.
 */
function placeholderPrefix(provider: ProviderName, webhook: Webhook, taken: Set<string>): string {
  const word = (text: string): string =>
    text
      .toUpperCase()
      .replace(/[^A-Z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, 40)
      .replace(/_+$/, '');
  let url: URL | undefined;
  try {
    url = new URL(webhook.url);
  } catch {
    url = undefined;
  }
  const label =
    word(webhook.name ?? '') || word(url?.pathname ?? '') || word(url?.hostname ?? '') || 'WEBHOOK';
  let prefix = `${provider.toUpperCase()}_${label}`;
  if (taken.has(prefix)) prefix = `${prefix}_${word(webhook.id).slice(0, 8)}`;
  for (let n = 2; taken.has(prefix); n++) prefix = `${prefix}_${n}`;
  taken.add(prefix);
  return prefix;
}

/**
 * A literal `${` in a live value is written as `$${`, which the loader reads back as `${`, so that whatever a
 * provider returns survives export then apply byte for byte and is never read as a variable. (A replacement
 * string would not do: in one, `$$` stands for a single `$`.)
 */
export function escapeForApply(value: string): string {
  return value.replaceAll('${', () => '$${');
}

/** Every string in a value (a record of templates or headers, a list) escaped by {@link escapeForApply}. */
function escapeDeep(value: unknown): unknown {
  if (typeof value === 'string') return escapeForApply(value);
  if (Array.isArray(value)) return value.map(escapeDeep);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, escapeDeep(v)]));
  return value;
}

/** The file as YAML, headed by the variables it needs. */
export function toYaml(exported: Exported): string {
  const head = exported.variables.length
    ? `# Set these before apply or diff: ${exported.variables.join(' ')}\n`
    : '';
  return head + stringify(exported.file, { lineWidth: 0 });
}
