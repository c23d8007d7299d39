/**
 * Carrying out a plan: reads and writes with bounded concurrency, each provider's requests kept under its
 * documented rate limit, one failed item never stopping the others, and the exit code the highest among the
 * failures (contract §Exit codes).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiError, CliError, ExitCode, exitCodeOf, type ExitCodeName } from '../errors.ts';
import { getProvider } from '../providers/index.ts';
import type { ProviderAdapter, ProviderName, Webhook } from '../providers/types.ts';
import type { DesiredWebhook } from './file.ts';
import {
  buildPlan,
  groupOf,
  groupsOf,
  type Group,
  type InputReader,
  type PlanItem,
  type Step,
} from './plan.ts';

/** At most `limit` requests in any window of `windowMs`. */
export interface RateLimit {
  limit: number;
  windowMs: number;
}

/**
 * Requests in flight at once, across all providers: enough that a slow API (50 ms a request) is kept busy up
 * to the fastest documented limit, which the limiters still enforce. VOICEHOOKS_CONCURRENCY overrides it (1 =
 * one at a time, for a provider or proxy that cannot take more).
 */
export function concurrency(env: NodeJS.ProcessEnv = process.env): number {
  const value = Number(env.VOICEHOOKS_CONCURRENCY);
  return Number.isInteger(value) && value >= 1 ? value : DEFAULT_CONCURRENCY;
}
export const DEFAULT_CONCURRENCY = 16;

/**
 * A token bucket sized so that no window of `windowMs` can hold more than the limit: a burst of `capacity`
 * plus a refill of (limit − capacity) per window. Only 90% of the limit is used, so that the jitter between
 * when a request leaves and when it arrives cannot push a window over.
 */
export class RateLimiter {
  readonly capacity: number;
  /** Tokens per millisecond. */
  readonly refill: number;
  #tokens: number;
  #last = performance.now();
  #queue: Promise<void> = Promise.resolve();

  constructor(rate: RateLimit) {
    const budget = Math.max(1, Math.floor(rate.limit * 0.9));
    this.capacity = Math.max(1, Math.floor(budget / 5));
    this.refill = Math.max(budget - this.capacity, 1) / rate.windowMs;
    this.#tokens = this.capacity;
  }

  /** Resolves when one more request may start; callers are served in order. */
  acquire(): Promise<void> {
    const turn = this.#queue.then(async () => {
      this.#top();
      if (this.#tokens < 1) {
        await sleep(Math.ceil((1 - this.#tokens) / this.refill));
        this.#top();
      }
      this.#tokens -= 1;
    });
    this.#queue = turn;
    return turn;
  }

  #top(): void {
    const now = performance.now();
    this.#tokens = Math.min(this.capacity, this.#tokens + (now - this.#last) * this.refill);
    this.#last = now;
  }
}

/** Runs `work` on every item with at most `limit` at once; results keep the items' order. */
export async function mapLimit<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** An adapter whose every request waits for the provider's limiter (a list counts once per call). */
export function limited(adapter: ProviderAdapter, limiter: RateLimiter): ProviderAdapter {
  return {
    ...adapter,
    list: async function* (options) {
      await limiter.acquire();
      yield* adapter.list(options);
    },
    create: async (input) => (await limiter.acquire(), adapter.create(input)),
    update: async (id, input) => (await limiter.acquire(), adapter.update(id, input)),
    delete: async (id) => (await limiter.acquire(), adapter.delete(id)),
  };
}

/** What went wrong with one item (or one group's read). */
export interface ItemError {
  code: string;
  message: string;
  exitCode: number;
}

export function itemError(error: unknown): ItemError {
  if (error instanceof CliError) {
    const code = error.toJSON().error.code as string;
    // The answer to a write was lost: say that it may have landed (contract §Exit codes, 9). The next apply
    // reads live state first, so it neither repeats nor loses it.
    const landed =
      error instanceof ApiError && error.mayHaveReached ? ' The change may have reached the provider.' : '';
    return { code, message: `${error.message}${landed}`, exitCode: error.exitCode };
  }
  return { code: 'unexpected', message: (error as Error).message, exitCode: exitCodeOf(error) };
}

/** Every group's live webhooks, or the error that kept them from being read. */
export async function readLive(
  adapters: Map<string, ProviderAdapter>,
  limit = concurrency(),
): Promise<{ live: Map<string, Webhook[]>; errors: Map<string, ItemError> }> {
  const live = new Map<string, Webhook[]>();
  const errors = new Map<string, ItemError>();
  await mapLimit([...adapters], limit, async ([key, adapter]) => {
    try {
      const found: Webhook[] = [];
      for await (const w of adapter.list()) found.push(w);
      live.set(key, found);
    } catch (error) {
      errors.set(key, itemError(error));
    }
  });
  return { live, errors };
}

/** `duplicate`: a live duplicate of an entry's webhook, left in place (see the plan's `duplicate`). */
export type Outcome = 'created' | 'updated' | 'deleted' | 'unchanged' | 'planned' | 'failed' | 'duplicate';

/** One line of `apply`'s summary. */
export interface ApplyResult extends PlanItem {
  result: Outcome;
  error: ItemError | null;
}

export interface ExecuteHooks {
  /** After a create: keeps a secret the provider shows only once. */
  created?(step: Step, webhook: Webhook): Promise<void>;
  /** After a delete: forgets a kept secret. */
  deleted?(step: Step): Promise<void>;
  /** Requests at a time; default {@link concurrency} of the process's environment. */
  concurrency?: number;
}

/**
 * Executes the steps that change something. Deletes and updates go first so that an account limit (PolyAI
 * allows 10 endpoints) has room for the creates; within each phase, items run concurrently and independently.
 */
export async function execute(
  steps: Step[],
  adapters: Map<string, ProviderAdapter>,
  hooks: ExecuteHooks = {},
): Promise<ApplyResult[]> {
  const results = new Map<Step, ApplyResult>();
  const run = async (step: Step): Promise<void> => {
    const { item } = step;
    const adapter = adapters.get(step.group);
    try {
      if (!adapter) throw new CliError('unexpected', `No connection for ${step.group}.`);
      if (item.action === 'create') {
        const webhook = await adapter.create(step.input ?? {});
        results.set(step, { ...item, id: webhook.id, result: 'created', error: null });
        await hooks.created?.(step, webhook);
      } else if (item.action === 'update') {
        await adapter.update(item.id ?? '', step.input ?? {});
        results.set(step, { ...item, result: 'updated', error: null });
      } else if (item.action === 'delete') {
        await adapter.delete(item.id ?? '');
        results.set(step, { ...item, result: 'deleted', error: null });
        await hooks.deleted?.(step);
      }
    } catch (error) {
      results.set(step, { ...item, result: 'failed', error: itemError(error) });
    }
  };
  const changing = steps.filter((s) => s.item.action !== 'unchanged' && s.item.action !== 'duplicate');
  const limit = hooks.concurrency ?? concurrency();
  await mapLimit(
    changing.filter((s) => s.item.action !== 'create'),
    limit,
    run,
  );
  await mapLimit(
    changing.filter((s) => s.item.action === 'create'),
    limit,
    run,
  );
  return steps.map(
    (s) =>
      results.get(s) ?? {
        ...s.item,
        result: s.item.action === 'duplicate' ? 'duplicate' : 'unchanged',
        error: null,
      },
  );
}

/**
 * The error `apply` exits with: the highest exit code among the failed items. `diff` exits with it too when
 * live state could not be read: nothing was applied then, and it is diff that is run again.
 */
export function failureOf(
  results: { error?: ItemError | null; url: string }[],
  command: 'apply' | 'diff' = 'apply',
): CliError | undefined {
  const failed = results.filter((r) => r.error != null);
  if (failed.length === 0) return undefined;
  const worst = failed.reduce((a, b) => ((b.error?.exitCode ?? 0) > (a.error?.exitCode ?? 0) ? b : a));
  const code = worst.error?.exitCode ?? ExitCode.unexpected;
  const kind = (Object.entries(ExitCode).find(([, n]) => n === code)?.[0] ?? 'unexpected') as ExitCodeName;
  const what = failed.length === 1 ? '1 item' : `${failed.length} items`;
  const message = failed[0]?.error?.message ?? '';
  const first = `The first failure: ${failed[0]?.url}: ${/[.!?]$/.test(message) ? message : `${message}.`}`;
  if (command === 'diff') {
    return new CliError(
      kind,
      `The live webhooks of ${failed.length === 1 ? '1 entry' : `${failed.length} entries`} could not be read (marked unknown in the report on stdout).`,
      { hint: `${first} Run diff again once the provider answers.` },
    );
  }
  return new CliError(
    kind,
    `${what} of the plan failed; the others were applied (see the summary on stdout).`,
    { hint: `${first} Run apply again to retry; it sends only what is still needed.` },
  );
}

/** A plan with what is needed to carry it out. */
export interface Prepared {
  steps: Step[];
  adapters: Map<string, ProviderAdapter>;
  /** Groups whose webhooks could not be read. */
  readErrors: Map<string, ItemError>;
}

/**
 * Opens one rate-limited adapter per group the file touches (every connection problem, such as a missing key,
 * surfaces before anything is sent), reads live state and builds the plan. Entries of a group that could not
 * be read are left out of the plan and reported in `readErrors`.
 */
export async function prepare(
  desired: DesiredWebhook[],
  connect: (group: Group) => Promise<ProviderAdapter>,
  options: { prune: boolean; concurrency?: number },
): Promise<Prepared> {
  const limiters = new Map<ProviderName, RateLimiter>();
  const adapters = new Map<string, ProviderAdapter>();
  for (const group of groupsOf(desired)) {
    let limiter = limiters.get(group.provider);
    if (!limiter)
      limiters.set(group.provider, (limiter = new RateLimiter(getProvider(group.provider).rateLimit)));
    adapters.set(group.key, limited(await connect(group), limiter));
  }
  const { live, errors } = await readLive(adapters, options.concurrency);
  const readers = new Map<string, InputReader>();
  for (const adapter of adapters.values()) {
    const reader = adapter.inputOf;
    if (reader) readers.set(adapter.descriptor.name, reader);
  }
  const readable = desired.filter((d) => !errors.has(groupOf(d).key));
  return { steps: buildPlan(readable, live, readers, options), adapters, readErrors: errors };
}
