/**
 * The client side of the emulator's control API (`/_emulator/…`), used by `emulator trigger` and
 * `emulator fault`. It talks to loopback only: the control API has no authentication and is no provider's.
 */
import { ApiError, UsageError } from '../errors.ts';
import { isLoopbackHost } from '../input.ts';
import type { FaultRule } from './faults.ts';
import type { TriggerDelivery, TriggerRequest } from './trigger.ts';

export const DEFAULT_EMULATOR_URL = 'http://127.0.0.1:4747';

/**
 * The emulator to talk to: `--emulator`, else the origin of `VOICEHOOKS_<P>_BASE_URL` when that points at an
 * emulator (a loopback URL ending in `/<provider>`, as `emulator env` prints it), else port 4747.
 */
export function emulatorUrl(
  flag: string | undefined,
  provider?: string,
  env: NodeJS.ProcessEnv = process.env,
): string {
  if (flag !== undefined) return checkEmulatorUrl(flag);
  if (provider !== undefined) {
    const base = env[`VOICEHOOKS_${provider.toUpperCase()}_BASE_URL`];
    const suffix = `/${provider}`;
    if (base !== undefined && base.replace(/\/+$/, '').endsWith(suffix)) {
      try {
        const url = new URL(base);
        if (isLoopbackHost(url.hostname)) return url.origin;
      } catch {
        // Not a URL: fall back to the default port.
      }
    }
  }
  return DEFAULT_EMULATOR_URL;
}

function checkEmulatorUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--emulator must be a URL such as ${DEFAULT_EMULATOR_URL}, got "${value}".`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !isLoopbackHost(url.hostname)) {
    throw new UsageError(`--emulator must be an http(s) URL on a loopback host, got "${value}".`, {
      hint: `The emulator listens on 127.0.0.1 only, e.g. ${DEFAULT_EMULATOR_URL}.`,
    });
  }
  return url.origin;
}

/** One control request; unreachable → exit 9, a refused body → exit 2, anything else unexpected → exit 9. */
async function call(base: string, method: string, path: string, body?: unknown): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(`${base}/_emulator${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    throw new ApiError('unavailable', `No emulator answers at ${base} (${cause ?? 'no connection'}).`, {
      hint: 'Start one with `voicehooks emulator` (or pass --emulator URL of the one running).',
    });
  }
  const text = await res.text();
  let data: unknown;
  try {
    data = text === '' ? undefined : (JSON.parse(text) as unknown);
  } catch {
    data = undefined;
  }
  if (res.status === 400) {
    const detail = (data as { detail?: unknown } | undefined)?.detail;
    throw new UsageError(
      typeof detail === 'string' ? detail : `The emulator refused the request (HTTP 400).`,
    );
  }
  if (!res.ok) {
    throw new ApiError(
      'unavailable',
      `The emulator at ${base} answered HTTP ${res.status} to ${method} ${path}.`,
      {
        status: res.status,
        hint: 'Is it a voicehooks emulator of this version? Restart it with `voicehooks emulator`.',
      },
    );
  }
  return data;
}

export async function triggerEvent(base: string, request: TriggerRequest): Promise<TriggerDelivery[]> {
  const data = await call(base, 'POST', '/trigger', request);
  const deliveries = (data as { deliveries?: unknown } | undefined)?.deliveries;
  if (!Array.isArray(deliveries)) {
    throw new ApiError('unavailable', `The emulator at ${base} gave no list of deliveries.`);
  }
  return deliveries as TriggerDelivery[];
}

export async function addFault(base: string, rule: FaultRule): Promise<void> {
  await call(base, 'POST', '/faults', rule);
}

export async function clearFaults(base: string): Promise<void> {
  await call(base, 'DELETE', '/faults');
}

export async function listFaults(base: string): Promise<FaultRule[]> {
  const data = await call(base, 'GET', '/faults');
  if (!Array.isArray(data))
    throw new ApiError('unavailable', `The emulator at ${base} gave no list of faults.`);
  return data as FaultRule[];
}
