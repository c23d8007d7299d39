/**
 * The emulator kit: what every provider's emulator is built from, and the interface it offers the server.
 * A provider's emulator module (`src/providers/<name>/emulator.ts`) holds its wire behaviour only: its routes,
 * its validation with its wire schemas, its error bodies and its delivery policy. Request reading, id and key
 * checks, state validation and the sending of deliveries with retries are here, shared.
 *
 * The server (`server.ts`) and `trigger.ts` find the modules through the provider registry; the kit imports
 * neither of them, so nothing here can form an import cycle with a provider's emulator.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { isLoopbackHost } from '../input.ts';

import { headerValue } from './request.ts';

export { decodeSegment, headerValue } from './request.ts';

export type {
  EmulatorModule,
  EmulatorRequest,
  EmulatorResponse,
  Outcome,
  ProviderEmulator,
  Schedule,
  TriggerAttempt,
  TriggerDelivery,
} from './types.ts';
import type { Outcome, TriggerAttempt } from './types.ts';

// ---- reading requests ----

/** A request's JSON body: `{}` when empty; the parser's words when it does not parse (each provider words its own 400). */
export function readJsonBody(body: string): { data: unknown } | { error: string } {
  if (body.trim() === '') return { data: {} };
  try {
    return { data: JSON.parse(body) as unknown };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

/** Whether a credential is accepted: present and non-empty, and the emulator's key when it was given one. */
export function keyAccepted(value: string | string[] | undefined, expected: string | undefined): boolean {
  const key = headerValue(value);
  if (key === undefined || key === '') return false;
  return expected === undefined || key === expected;
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(value: string | string[] | undefined): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(headerValue(value) ?? '')?.[1];
}

// ---- retries ----

/**
 * Attempts `send` until it succeeds, `retryable` says no, or the waits run out; `after` sees each outcome so
 * the provider's bookkeeping (failures, logs, counters) happens attempt by attempt.
 */
export async function withRetries(
  waits: readonly number[],
  send: (attempt: number) => Promise<Outcome>,
  retryable: (outcome: Outcome) => boolean,
): Promise<{ attempts: TriggerAttempt[]; delivered: boolean }> {
  const attempts: TriggerAttempt[] = [];
  for (let attempt = 1; ; attempt++) {
    const outcome = await send(attempt);
    const wait = waits[attempt - 1];
    const retry = !outcome.ok && wait !== undefined && retryable(outcome);
    attempts.push({
      attempt,
      status: outcome.status,
      error: outcome.error,
      latencyMs: outcome.latencyMs,
      retryInMs: retry ? wait : null,
    });
    if (!retry) return { attempts, delivered: outcome.ok };
    await sleep(wait);
  }
}

// ---- sending deliveries ----

/** The usual success rule of a delivery: a 2xx answer. */
export const ok2xx = (status: number): boolean => status >= 200 && status < 300;

/** One request to a loopback URL within `timeoutMs`; any other host fails without a connection attempt. */
export function sendDelivery(
  target: string,
  method: string,
  headers: Record<string, string>,
  body: Buffer,
  timeoutMs: number,
  accepted: (status: number) => boolean,
): Promise<Outcome> {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return Promise.resolve({ ok: false, status: null, error: 'not a URL', latencyMs: 0 });
  }
  if (!isLoopbackHost(url.hostname)) {
    return Promise.resolve({
      ok: false,
      status: null,
      error: `the emulator delivers only to loopback hosts (127.0.0.1, localhost, [::1]), not ${url.hostname}`,
      latencyMs: 0,
    });
  }
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: Omit<Outcome, 'latencyMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...outcome, latencyMs: elapsed() });
    };
    const req = request(url, {
      method,
      headers: { ...headers, 'content-length': String(body.length) },
      // A local https endpoint has a self-signed certificate as often as not.
      rejectUnauthorized: false,
    });
    const timer = setTimeout(() => {
      finish({ ok: false, status: null, error: `no answer within ${timeoutMs / 1000} s` });
      req.destroy();
    }, timeoutMs);
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        const good = accepted(status);
        finish({ ok: good, status, error: good ? null : `HTTP ${status}` });
      });
      res.on('error', (error) => finish({ ok: false, status: null, error: error.message }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      const what = error.code === 'ECONNREFUSED' ? 'connection refused' : (error.code ?? error.message);
      finish({ ok: false, status: null, error: what });
    });
    req.end(body);
  });
}
