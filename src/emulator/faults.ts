/**
 * Switchable faults shared by every provider emulator. A test (or `voicehooks emulator fault` through the
 * control API) adds rules; the server asks {@link FaultController.take} for each provider request and acts
 * out the first rule that matches.
 */

export type FaultKind =
  | 'status' // answer `status` (default 500) with a JSON error body, without touching state
  | 'rate-limit' // answer 429 with header Retry-After: `retryAfter` (default "1"; a string so an HTTP date works too)
  | 'delay' // wait `delayMs` then handle the request normally
  | 'reset-before' // destroy the socket without reading/handling the request (no state change)
  | 'reset-after' // handle the request fully (state changes happen), then destroy the socket instead of answering
  | 'malformed' // answer 200 with content-type application/json and the body `{"results": [` (invalid JSON)
  | 'html' // answer 200 with content-type text/html and `<html>oops</html>`
  | 'truncated' // send headers with content-length 1000 and only part of a body, then end the socket
  | 'huge'; // answer 200 application/json with a valid JSON body of `sizeBytes` (default 10 MiB)

export const FAULT_KINDS: readonly FaultKind[] = [
  'status',
  'rate-limit',
  'delay',
  'reset-before',
  'reset-after',
  'malformed',
  'html',
  'truncated',
  'huge',
];

export interface FaultRule {
  kind: FaultKind;
  /** A provider's name, as in the registry (the emulator's path prefix); absent = any. */
  provider?: string;
  /** HTTP method, compared case-insensitively; absent = any. */
  method?: string;
  /** Substring of the path after the provider prefix (e.g. '/api/webhooks'); absent = any. */
  path?: string;
  /** How many matching requests the rule applies to; absent = every one. */
  times?: number;
  status?: number;
  retryAfter?: string;
  delayMs?: number;
  sizeBytes?: number;
}

export class FaultController {
  #rules: FaultRule[] = [];

  add(rule: FaultRule): void {
    const problem = faultRuleProblem(rule);
    if (problem !== undefined) throw new TypeError(`Invalid fault rule: ${problem}`);
    this.#rules.push({ ...rule });
  }

  clear(): void {
    this.#rules = [];
  }

  /** The first rule matching the request, consuming one of its `times`; an exhausted rule is dropped. */
  take(provider: string, method: string, path: string): FaultRule | undefined {
    const index = this.#rules.findIndex((rule) => matches(rule, provider, method, path));
    if (index < 0) return undefined;
    const rule = this.#rules[index];
    if (rule === undefined) return undefined;
    if (rule.times !== undefined) {
      rule.times -= 1;
      if (rule.times <= 0) this.#rules.splice(index, 1);
    }
    return { ...rule };
  }

  list(): FaultRule[] {
    return this.#rules.map((rule) => ({ ...rule }));
  }
}

function matches(rule: FaultRule, provider: string, method: string, path: string): boolean {
  if (rule.times !== undefined && rule.times <= 0) return false;
  if (rule.provider !== undefined && rule.provider !== provider) return false;
  if (rule.method !== undefined && rule.method.toUpperCase() !== method.toUpperCase()) return false;
  if (rule.path !== undefined && !path.includes(rule.path)) return false;
  return true;
}

/**
 * Why `value` is not a usable {@link FaultRule}, or undefined when it is. Used for rules arriving over the
 * control API as JSON, and as a guard in {@link FaultController.add}.
 */
export function faultRuleProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'expected a JSON object';
  const rule = value as Record<string, unknown>;
  if (typeof rule.kind !== 'string' || !(FAULT_KINDS as readonly string[]).includes(rule.kind)) {
    return `kind must be one of ${FAULT_KINDS.join(', ')}`;
  }
  for (const key of ['provider', 'method', 'path', 'retryAfter'] as const) {
    if (rule[key] !== undefined && typeof rule[key] !== 'string') return `${key} must be a string`;
  }
  for (const key of ['times', 'delayMs', 'sizeBytes'] as const) {
    const n = rule[key];
    if (n !== undefined && (typeof n !== 'number' || !Number.isInteger(n) || n < 0)) {
      return `${key} must be a non-negative integer`;
    }
  }
  const status = rule.status;
  if (
    status !== undefined &&
    (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599)
  ) {
    return 'status must be an integer from 100 to 599';
  }
  return undefined;
}

/** Narrows parsed JSON to a {@link FaultRule}, keeping only the known properties. */
export function toFaultRule(value: unknown): FaultRule {
  const problem = faultRuleProblem(value);
  if (problem !== undefined) throw new TypeError(`Invalid fault rule: ${problem}`);
  const raw = value as FaultRule;
  const rule: FaultRule = { kind: raw.kind };
  if (raw.provider !== undefined) rule.provider = raw.provider;
  if (raw.method !== undefined) rule.method = raw.method;
  if (raw.path !== undefined) rule.path = raw.path;
  if (raw.times !== undefined) rule.times = raw.times;
  if (raw.status !== undefined) rule.status = raw.status;
  if (raw.retryAfter !== undefined) rule.retryAfter = raw.retryAfter;
  if (raw.delayMs !== undefined) rule.delayMs = raw.delayMs;
  if (raw.sizeBytes !== undefined) rule.sizeBytes = raw.sizeBytes;
  return rule;
}
