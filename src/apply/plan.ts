/**
 * The plan: what it takes to make live state match the file. Pure: it compares the file's entries with the
 * webhooks already read, and sends nothing. Only the fields an entry states are compared, so provider
 * defaults and generated secrets are never drift; secrets are compared only where the provider lets them be
 * read back (`capabilities.secretsReadable`), otherwise they are set on create and left alone.
 */
import { maskSecret } from '../output.ts';
import { getProvider } from '../providers/index.ts';
import type { InputField, ProviderName, Webhook, WebhookInput } from '../providers/types.ts';
import { identityOf, scopeOf, type DesiredWebhook } from './file.ts';

/**
 * `unknown`: the entry's live state could not be read (its error is reported beside the plan). `duplicate`: a
 * live webhook with the same identity as one already matched to an entry (concurrent runs made both); the
 * oldest is kept, and the others are drift, deleted with --prune.
 */
export type Action = 'create' | 'update' | 'delete' | 'unchanged' | 'unknown' | 'duplicate';

/** One field that differs: live value → the file's value (secrets masked). */
export interface FieldChange {
  field: string;
  from: unknown;
  to: unknown;
}

/** One line of the plan (the `--json` shape of `diff`, and the base of `apply`'s results). */
export interface PlanItem {
  action: Action;
  provider: ProviderName;
  /** The settings a webhook is under (Talkover or Ultravox agent, PolyAI region); null for account-wide webhooks. */
  scope: string | null;
  url: string;
  /** The live webhook's id; null for a create. */
  id: string | null;
  changes: FieldChange[];
  /** `file:line:column` of the entry; null for a delete. */
  source: string | null;
}

/** A plan item with what executing it sends. */
export interface Step {
  item: PlanItem;
  /** The group (provider and connection scope) whose adapter carries it out. */
  group: string;
  /** The whole entry for a create; only the changed fields for an update. */
  input?: WebhookInput;
}

/**
 * Which adapter a webhook is reached through: one per provider and values of its scope and account settings
 * (Talkover per agent, PolyAI per region, the others per account).
 */
export interface Group {
  key: string;
  provider: ProviderName;
  /** The settings the adapter is made with. */
  settings: Record<string, string>;
}

export function groupOf(w: { provider: ProviderName; settings: Readonly<Record<string, string>> }): Group {
  const settings: Record<string, string> = {};
  for (const spec of getProvider(w.provider).settings) {
    const value = w.settings[spec.name];
    if (spec.role !== 'filter' && value !== undefined) settings[spec.name] = value;
  }
  // Named values: an agent and a campaign with the same id are two groups.
  const key = [w.provider, ...Object.entries(settings).map(([name, value]) => `${name}=${value}`)].join(' ');
  return { key, provider: w.provider, settings };
}

/** The groups an apply file touches, each once. */
export function groupsOf(desired: DesiredWebhook[]): Group[] {
  const groups = new Map<string, Group>();
  for (const d of desired) {
    const group = groupOf(d);
    if (!groups.has(group.key)) groups.set(group.key, group);
  }
  return [...groups.values()];
}

/** Reads a live webhook in the input vocabulary (each adapter's `inputOf`). */
export type InputReader = (webhook: Webhook) => WebhookInput;

/**
 * Compares the file with live state. `live` holds the webhooks of every group the file touches. With `prune`,
 * a live webhook in a scope the file lists but that no entry matches is deleted; scopes and providers the file
 * does not list are never touched.
 */
export function buildPlan(
  desired: DesiredWebhook[],
  live: Map<string, Webhook[]>,
  readers: Map<string, InputReader>,
  options: { prune: boolean },
): Step[] {
  const steps: Step[] = [];
  const claimed = new Set<Webhook>();
  for (const d of desired) {
    const group = groupOf(d);
    const candidates = (live.get(group.key) ?? []).filter(
      (w) => !claimed.has(w) && identityOf(liveIdentity(w, group)) === identityOf(d),
    );
    const scope = scopeOf(d);
    // The oldest is the one kept: it is the one other systems have had longest (a webhook without a creation
    // time counts as newest). The sort is stable, so the provider's order decides among equals.
    candidates.sort((a, b) => createdMs(a) - createdMs(b));
    const [match, ...duplicates] = candidates;
    if (match === undefined) {
      steps.push({
        group: group.key,
        input: d.input,
        item: {
          action: 'create',
          provider: d.provider,
          scope,
          url: d.input.url,
          id: null,
          changes: createChanges(d),
          source: d.source,
        },
      });
      continue;
    }
    claimed.add(match);
    const reader = readers.get(d.provider);
    const current = reader ? reader(match) : {};
    const changes = compare(d, current);
    const input: WebhookInput = {};
    for (const change of changes) {
      const field = change.field as InputField;
      (input as Record<string, unknown>)[field] = d.input[field];
    }
    steps.push({
      group: group.key,
      ...(changes.length > 0 ? { input } : {}),
      item: {
        action: changes.length > 0 ? 'update' : 'unchanged',
        provider: d.provider,
        scope,
        url: d.input.url,
        id: match.id,
        changes,
        source: d.source,
      },
    });
    // With --prune they stay unclaimed, and the prune below deletes them like any webhook the file lacks.
    if (!options.prune) {
      for (const w of duplicates) {
        claimed.add(w);
        steps.push({
          group: group.key,
          item: {
            action: 'duplicate',
            provider: w.provider,
            scope,
            url: w.url,
            id: w.id,
            changes: [],
            source: d.source,
          },
        });
      }
    }
  }
  if (options.prune) {
    const listedScopes = new Set(desired.map((d) => `${d.provider} ${scopeOf(d) ?? '-'}`));
    const groups = new Map(groupsOf(desired).map((g) => [g.key, g]));
    for (const [key, webhooks] of live) {
      const group = groups.get(key);
      if (group === undefined) continue;
      for (const w of webhooks) {
        if (claimed.has(w)) continue;
        const scope = scopeOf(liveIdentity(w, group));
        if (!listedScopes.has(`${w.provider} ${scope ?? '-'}`)) continue;
        steps.push({
          group: key,
          item: {
            action: 'delete',
            provider: w.provider,
            scope,
            url: w.url,
            id: w.id,
            changes: [],
            source: null,
          },
        });
      }
    }
  }
  return steps;
}

function createdMs(w: Webhook): number {
  const ms = w.createdAt ? Date.parse(w.createdAt) : NaN;
  return Number.isNaN(ms) ? Number.MAX_SAFE_INTEGER : ms;
}

/**
 * A live webhook's identity: scope and account settings come from the group it was read in, a setting that is
 * a field of the webhook (Ultravox's agent) from that field.
 */
function liveIdentity(w: Webhook, group: Group) {
  const settings = { ...group.settings };
  for (const spec of getProvider(w.provider).settings) {
    if (spec.field === undefined) continue;
    const value = (w as unknown as Record<string, unknown>)[spec.field];
    if (typeof value === 'string' && value !== '') settings[spec.name] = value;
  }
  return { provider: w.provider, settings, input: { url: w.url } };
}

/** What a create will set, for the plan's display: every stated field, secrets masked. */
function createChanges(d: DesiredWebhook): FieldChange[] {
  return (Object.keys(d.input) as InputField[])
    .filter((f) => f !== 'url')
    .map((field) => ({ field, from: null, to: shown(d.provider, field, d.input[field]) }));
}

/** The fields the entry states whose live value differs. */
function compare(d: DesiredWebhook, current: WebhookInput): FieldChange[] {
  const readable = getProvider(d.provider).capabilities.secretsReadable;
  const changes: FieldChange[] = [];
  for (const field of Object.keys(d.input) as InputField[]) {
    if (field === 'url') continue;
    // A secret that cannot be read back cannot be compared: it is set on create and then left alone.
    if (field === 'secrets' && !readable) continue;
    const want = d.input[field];
    const have = current[field];
    if (!same(field, want, have)) {
      changes.push({ field, from: shown(d.provider, field, have), to: shown(d.provider, field, want) });
    }
  }
  return changes;
}

function same(field: InputField, want: unknown, have: unknown): boolean {
  if (field === 'events' || field === 'secrets') return sameSet(want, have);
  if (field === 'httpMethod' || field === 'authScheme') {
    return typeof want === 'string' && typeof have === 'string' && want.toLowerCase() === have.toLowerCase();
  }
  if (field === 'headers') return JSON.stringify(sorted(want)) === JSON.stringify(sorted(have));
  return want === have;
}

function sameSet(a: unknown, b: unknown): boolean {
  if (!Array.isArray(a) || !Array.isArray(b)) return false;
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((v) => right.has(v));
}

function sorted(value: unknown): unknown {
  if (!value || typeof value !== 'object') return value ?? null;
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * A value as the plan shows it. Secrets, basic-auth credentials and the values of fields a provider treats as
 * credentials (`secretInputFields`: Talkover's custom headers) are masked: a plan ends up in CI logs.
 */
function shown(provider: ProviderName, field: InputField, value: unknown): unknown {
  if (value === undefined) return null;
  const mask = (v: unknown) => (typeof v === 'string' ? maskSecret(v) : v);
  if (field === 'secrets' && Array.isArray(value)) return value.map(mask);
  if (field === 'basicAuth') return mask(value);
  const secretField = getProvider(provider).secretInputFields?.includes(field) ?? false;
  if (secretField && value && typeof value === 'object' && !Array.isArray(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mask(v)]));
  }
  return value;
}
