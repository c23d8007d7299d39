// The parts of undici that voicehooks uses, and no more. `import 'undici'` evaluates the whole package at start
// (fetch, WebSocket, caches, mock agents, a SQLite store), which was a fifth of the start-up of `get`; these
// are undici's own modules, at the version the lockfile pins (a moved path fails the build, not a user).
import type { Dispatcher, EnvHttpProxyAgent as EnvHttpProxyAgentClass } from 'undici';
import api from 'undici/lib/api/index.js';
import DispatcherBase from 'undici/lib/dispatcher/dispatcher.js';
import EnvHttpProxyAgentImpl from 'undici/lib/dispatcher/env-http-proxy-agent.js';

// What undici's index does to give every dispatcher its request(), stream() … methods.
Object.assign(DispatcherBase.prototype, api);

/** A connection pool that honours HTTPS_PROXY, HTTP_PROXY and NO_PROXY. */
export const EnvHttpProxyAgent = EnvHttpProxyAgentImpl as typeof EnvHttpProxyAgentClass;

export type RequestOptions = Omit<Dispatcher.RequestOptions, 'origin' | 'path'> & { dispatcher: Dispatcher };

/** undici's `request(url, options)`, with the dispatcher always given (there is no global one to fall back on). */
export function request(url: URL | string, options: RequestOptions): Promise<Dispatcher.ResponseData> {
  const { dispatcher, ...rest } = options;
  const target = new URL(url);
  return dispatcher.request({ ...rest, origin: target.origin, path: `${target.pathname}${target.search}` });
}
