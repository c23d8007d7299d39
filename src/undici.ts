// The parts of undici that voicehooks uses, and no more, as undici's own modules. `import 'undici'` evaluates the
// whole package at start (fetch, WebSocket, EventSource, caches, mock agents, a SQLite store, and with them
// zlib, worker_threads, web streams and dns): measured over TLS (`npm run bench`, issue 18), `get` took 2.28x
// the bare node:https GET through the index and 2.06x through these three modules. undici has no exports map
// and these paths are not its documented API, so package.json pins undici exactly, and
// test/dependency-pins.test.ts fails when an upgrade moves one of them. This file is the entry of the undici
// bundle (scripts/build.ts: dist/vendor/undici.cjs, loaded with the code cache of src/code-cache.ts).
import type { Dispatcher, EnvHttpProxyAgent as EnvHttpProxyAgentClass } from 'undici';
import api from 'undici/lib/api/index.js';
import AgentImpl from 'undici/lib/dispatcher/agent.js';
import DispatcherBase from 'undici/lib/dispatcher/dispatcher.js';
import EnvHttpProxyAgentImpl from 'undici/lib/dispatcher/env-http-proxy-agent.js';
import { isLoopbackHost } from './loopback.ts';

// What undici's index does to give every dispatcher its request(), stream() … methods.
Object.assign(DispatcherBase.prototype, api);

const ProxyFromEnv = EnvHttpProxyAgentImpl as typeof EnvHttpProxyAgentClass;
const Direct = AgentImpl as typeof import('undici').Agent;

/**
 * A connection pool that honours HTTPS_PROXY, HTTP_PROXY and NO_PROXY, except for loopback targets, which are
 * always reached directly (as Go's standard library decides): a request to a local emulator, listener or
 * forward target carries a key or a delivery in clear, and a proxy has no business seeing either. Every
 * request voicehooks makes goes through one of these.
 */
class LoopbackDirectAgent extends (DispatcherBase as unknown as new () => Dispatcher) {
  readonly #direct = new Direct();
  readonly #fromEnv = new ProxyFromEnv();

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const origin = options.origin === undefined ? undefined : new URL(String(options.origin));
    const direct = origin !== undefined && isLoopbackHost(origin.hostname);
    return (direct ? this.#direct : this.#fromEnv).dispatch(options, handler);
  }

  override close(): Promise<void>;
  override close(callback: () => void): void;
  override close(callback?: () => void): Promise<void> | void {
    const done = Promise.all([this.#direct.close(), this.#fromEnv.close()]).then(() => undefined);
    if (!callback) return done;
    void done.then(callback);
  }

  override destroy(): Promise<void>;
  override destroy(error: Error | null): Promise<void>;
  override destroy(callback: () => void): void;
  override destroy(error: Error | null, callback: () => void): void;
  override destroy(first?: Error | null | (() => void), second?: () => void): Promise<void> | void {
    const error = typeof first === 'function' ? null : (first ?? null);
    const callback = typeof first === 'function' ? first : second;
    const done = Promise.all([this.#direct.destroy(error), this.#fromEnv.destroy(error)]).then(
      () => undefined,
    );
    if (!callback) return done;
    void done.then(callback);
  }
}

/** The dispatcher every request uses: proxies from the environment, never for loopback. */
export const EnvHttpProxyAgent = LoopbackDirectAgent;

export type RequestOptions = Omit<Dispatcher.RequestOptions, 'origin' | 'path'> & { dispatcher: Dispatcher };

/** undici's `request(url, options)`, with the dispatcher always given (there is no global one to fall back on). */
export function request(url: URL | string, options: RequestOptions): Promise<Dispatcher.ResponseData> {
  const { dispatcher, ...rest } = options;
  const target = new URL(url);
  return dispatcher.request({ ...rest, origin: target.origin, path: `${target.pathname}${target.search}` });
}
