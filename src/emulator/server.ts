/**
 * One server on 127.0.0.1 hosting the provider emulators under path prefixes (`/ultravox/...`), with
 * switchable faults and a record of every request. It backs `voicehooks emulator` and the tests. Plain, it
 * speaks HTTP/1.1 (node:http); with `tls`, HTTP/2 and HTTP/1.1, whichever the client asks for (ALPN). undici
 * offers HTTP/2 and takes it from any server that offers it too, so over TLS the command line's HTTP/2 path is
 * the one tried, and a client that offers only HTTP/1.1 (node:https) still gets HTTP/1.1.
 *
 * Control API (no auth; loopback only): `POST /_emulator/faults` (a FaultRule) → 204,
 * `GET /_emulator/faults` → the active rules, `DELETE /_emulator/faults` → 204,
 * `GET /_emulator/requests` → RecordedRequest[], `DELETE /_emulator/requests` → 204,
 * `POST /_emulator/trigger` (a TriggerRequest) → 200 `{deliveries: TriggerDelivery[]}` once every delivery
 * and its retries are done.
 *
 * With `stateFile`, the providers' data is loaded from it at start and written to it (atomically, see
 * `state.ts`) after every request that may have changed it, before the answer goes out.
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Http2ServerRequest } from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { FaultController, faultRuleProblem, toFaultRule } from './faults.ts';
import { StateFileError, loadState, saveState } from './state.ts';
import type { FaultRule } from './faults.ts';
import type { TriggerRequest } from './trigger.ts';
import type { EmulatorModule, EmulatorResponse, ProviderEmulator } from './kit.ts';
import { availableProviders } from '../providers/index.ts';

export type { EmulatorModule, EmulatorRequest, EmulatorResponse, ProviderEmulator } from './kit.ts';

export interface RecordedRequest {
  provider: string;
  method: string;
  /** Path after the provider prefix, without the query. */
  path: string;
  /** The query string without its `?` ('' when none). */
  query: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The protocol the client spoke: '1.1', or '2.0' over TLS when it offered HTTP/2. */
  httpVersion: string;
  /** performance.now() in ms when the request arrived. */
  at: number;
}

export interface EmulatorOptions {
  /** Default 0 (any free port). */
  port?: number;
  /** Absent = any non-empty key is accepted. */
  apiKey?: string;
  /** Default: every registered provider's emulator, mounted under `/<name>`. */
  providers?: Record<string, ProviderEmulator>;
  /** A provider's own emulator options, by provider name (`{ultravox: {maxPageSize: 10}}`). */
  providerOptions?: Record<string, Record<string, unknown>>;
  /** Keep the providers' data in this file across restarts (`--state`). */
  stateFile?: string;
  /** Serve HTTPS with this certificate and key (PEM) instead of plain HTTP (`--tls`). */
  tls?: { cert: string; key: string };
}

export interface RunningEmulator {
  /** "http://127.0.0.1:<port>", or https with `tls`. */
  url: string;
  port: number;
  /** url + "/" + provider */
  baseUrl(provider: string): string;
  faults: FaultController;
  /** Every provider request received, in order (faulted ones too). */
  requests: RecordedRequest[];
  providers: Record<string, ProviderEmulator>;
  /** Closes the server and all open sockets. */
  close(): Promise<void>;
}

export const MAX_BODY_BYTES = 1024 * 1024;

/** A request in either protocol (the HTTP/2 one is node:http2's compatibility API). */
type Request = IncomingMessage | Http2ServerRequest;

/** What an answer is written with: node:http's ServerResponse and node:http2's Http2ServerResponse both have it. */
interface Response {
  readonly headersSent: boolean;
  readonly writableEnded: boolean;
  /** Only node:http's has it; an HTTP/2 response that was destroyed has ended too. */
  readonly destroyed?: boolean;
  writeHead(status: number, headers: Record<string, string>): unknown;
  write(chunk: string, done: () => void): unknown;
  end(): unknown;
  end(body: Buffer): unknown;
  destroy(): unknown;
}

/** A body this far past the limit is not drained any more: the socket is dropped. */
const MAX_DRAIN_BYTES = 64 * 1024 * 1024;
const DEFAULT_HUGE_BYTES = 10 * 1024 * 1024;
const CONTROL_PREFIX = '/_emulator';

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const modules = new Map<string, EmulatorModule>(
    await Promise.all(availableProviders().map(async (p) => [p.name, await p.loadEmulator()] as const)),
  );
  const providers: Record<string, ProviderEmulator> =
    options.providers ??
    Object.fromEntries(
      [...modules].map(([name, module]) => {
        const own = options.providerOptions?.[name] ?? {};
        return [
          name,
          module.create({ ...own, apiKey: (own.apiKey as string | undefined) ?? options.apiKey }),
        ];
      }),
    );
  const faults = new FaultController();
  const requests: RecordedRequest[] = [];
  const stateFile = options.stateFile;
  if (stateFile !== undefined) restoreFrom(stateFile, providers);
  const persist = (): void => {
    if (stateFile === undefined) return;
    saveState(
      stateFile,
      Object.fromEntries(Object.entries(providers).map(([name, emulator]) => [name, emulator.snapshot()])),
    );
  };
  const closing = new AbortController();
  let port = options.port ?? 0;

  const scheme = options.tls ? 'https' : 'http';
  const listener = (req: Request, res: Response): void => {
    handleRequest(req, res).catch((error: unknown) => {
      if (closing.signal.aborted) return;
      const message = error instanceof Error ? error.message : String(error);
      if (!res.headersSent) send(res, { status: 500, body: { detail: `Emulator error: ${message}` } });
      else res.destroy();
    });
  };
  // node:http2 is loaded only when asked for: the tests and the plain emulator need none of TLS.
  const server = options.tls
    ? (await import('node:http2')).createSecureServer(
        { cert: options.tls.cert, key: options.tls.key, allowHTTP1: true },
        listener,
      )
    : createServer(listener);
  // Every connection, to close them all with the server (an HTTP/2 server has no closeAllConnections).
  const sockets = new Set<Socket>();
  server.on(options.tls ? 'secureConnection' : 'connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  async function handleRequest(req: Request, res: Response): Promise<void> {
    const at = performance.now();
    const headers = plainHeaders(req);
    const method = (req.method ?? 'GET').toUpperCase();
    const target = new URL(req.url ?? '/', 'http://127.0.0.1');

    if (target.pathname === CONTROL_PREFIX || target.pathname.startsWith(`${CONTROL_PREFIX}/`)) {
      const read = await readBody(req);
      if (read.tooLarge) return sendTooLarge(req, res, read.drained);
      send(res, await control(method, target.pathname.slice(CONTROL_PREFIX.length), read.body));
      return;
    }

    const match = /^\/([^/]+)(\/.*)?$/.exec(target.pathname);
    const provider = match?.[1] ?? '';
    const path = match?.[2] ?? '/';
    const record: RecordedRequest = {
      provider,
      method,
      path,
      query: target.search.replace(/^\?/, ''),
      headers,
      body: '',
      httpVersion: req.httpVersion,
      at,
    };
    requests.push(record);

    const emulator = Object.hasOwn(providers, provider) ? providers[provider] : undefined;
    if (emulator === undefined) {
      req.resume();
      send(res, { status: 404, body: { detail: 'Not found.' } });
      return;
    }

    const fault = faults.take(provider, method, path);
    if (fault?.kind === 'reset-before') {
      req.socket.destroy();
      return;
    }

    const read = await readBody(req);
    record.body = read.body;
    if (read.tooLarge) return sendTooLarge(req, res, read.drained);

    if (fault?.kind === 'delay') {
      await sleep(fault.delayMs ?? 0, undefined, { signal: closing.signal });
    }
    if (fault !== undefined && actOutWithoutHandling(res, fault, modules.get(provider))) return;

    const response = await emulator.handle({
      method,
      path,
      query: target.searchParams,
      headers: { ...headers },
      body: read.body,
      origin: `${scheme}://${hostOf(headers, port)}/${provider}`,
    });
    if (method !== 'GET' && method !== 'HEAD') persist();
    if (fault?.kind === 'reset-after') {
      req.socket.destroy();
      return;
    }
    send(res, response);
  }

  async function control(method: string, path: string, body: string): Promise<EmulatorResponse> {
    if (path === '/trigger') {
      if (method !== 'POST') {
        return { status: 405, headers: { allow: 'POST' }, body: { detail: 'Method not allowed.' } };
      }
      const request = toTriggerRequest(body);
      if (typeof request === 'string') return { status: 400, body: { detail: request } };
      const { trigger, TriggerError } = await import('./trigger.ts');
      try {
        const deliveries = await trigger(providers, request);
        persist();
        return { status: 200, body: { deliveries } };
      } catch (error) {
        if (error instanceof TriggerError) return { status: 400, body: { detail: error.message } };
        throw error;
      }
    }
    if (path === '/faults') {
      if (method === 'GET') return { status: 200, body: faults.list() };
      if (method === 'DELETE') {
        faults.clear();
        return { status: 204 };
      }
      if (method === 'POST') {
        let data: unknown;
        try {
          data = JSON.parse(body) as unknown;
        } catch {
          return { status: 400, body: { detail: 'The body must be a JSON fault rule.' } };
        }
        const problem = faultRuleProblem(data);
        if (problem !== undefined) return { status: 400, body: { detail: `Invalid fault rule: ${problem}` } };
        faults.add(toFaultRule(data));
        return { status: 204 };
      }
      return {
        status: 405,
        headers: { allow: 'GET, POST, DELETE' },
        body: { detail: 'Method not allowed.' },
      };
    }
    if (path === '/requests') {
      if (method === 'GET') return { status: 200, body: requests };
      if (method === 'DELETE') {
        requests.length = 0;
        return { status: 204 };
      }
      return { status: 405, headers: { allow: 'GET, DELETE' }, body: { detail: 'Method not allowed.' } };
    }
    return { status: 404, body: { detail: 'Not found.' } };
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const url = `${scheme}://127.0.0.1:${port}`;

  return {
    url,
    port,
    baseUrl: (provider: string) => `${url}/${provider}`,
    faults,
    requests,
    providers,
    close: () =>
      new Promise<void>((resolve, reject) => {
        closing.abort();
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        for (const socket of sockets) socket.destroy();
      }),
  };
}

/** Loads `--state` into the providers; a file that cannot be used stops the start (it is never overwritten). */
function restoreFrom(file: string, providers: Record<string, ProviderEmulator>): void {
  const saved = loadState(file);
  if (saved === undefined) return;
  for (const [name, emulator] of Object.entries(providers)) {
    if (!Object.hasOwn(saved.providers, name)) continue;
    try {
      emulator.restore(saved.providers[name]);
    } catch (error) {
      throw new StateFileError(
        `The state file ${file} has unusable ${name} data: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}

/** The body of `POST /_emulator/trigger`, or what is wrong with it. */
function toTriggerRequest(body: string): TriggerRequest | string {
  let data: unknown;
  try {
    data = JSON.parse(body) as unknown;
  } catch {
    return 'The body must be JSON: {"provider", "event", "scope"?, "timeScale"?, "maxAttempts"?}.';
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    return 'The body must be a JSON object.';
  const { provider, event, timeScale, maxAttempts, scope } = data as Record<string, unknown>;
  if (typeof provider !== 'string' || provider === '') return 'provider must be a non-empty string.';
  if (typeof event !== 'string' || event === '') return 'event must be a non-empty string.';
  if (timeScale !== undefined && (typeof timeScale !== 'number' || !(timeScale >= 0) || timeScale > 1)) {
    return 'timeScale must be a number from 0 to 1.';
  }
  if (
    maxAttempts !== undefined &&
    (typeof maxAttempts !== 'number' || !Number.isInteger(maxAttempts) || maxAttempts < 1)
  ) {
    return 'maxAttempts must be a positive integer.';
  }
  if (scope !== undefined) {
    const values = typeof scope === 'object' && scope !== null && !Array.isArray(scope) ? scope : undefined;
    if (values === undefined || !Object.values(values).every((v) => typeof v === 'string')) {
      return 'scope must be an object of setting names to strings, e.g. {"campaign": "…"}.';
    }
    return { provider, event, timeScale, maxAttempts, scope: values as Record<string, string> };
  }
  return { provider, event, timeScale, maxAttempts };
}

/**
 * The faults that answer in place of the provider, with error bodies in the provider's own shape; true when
 * the response has been dealt with.
 */
function actOutWithoutHandling(res: Response, fault: FaultRule, module?: EmulatorModule): boolean {
  const errorBody = (status: number, message: string) =>
    module ? module.errorBody(status, message) : { detail: message };
  switch (fault.kind) {
    case 'status': {
      const status = fault.status ?? 500;
      send(res, { status, body: errorBody(status, `Emulated fault: HTTP ${status}.`) });
      return true;
    }
    case 'rate-limit': {
      const retryAfter = fault.retryAfter ?? '1';
      send(res, {
        status: 429,
        headers: { 'retry-after': retryAfter },
        body: errorBody(429, `Request was throttled. Expected available in ${retryAfter} seconds.`),
      });
      return true;
    }
    case 'malformed':
      sendRaw(res, 200, 'application/json', '{"results": [');
      return true;
    case 'html':
      sendRaw(res, 200, 'text/html', '<html>oops</html>');
      return true;
    case 'truncated': {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"next": null, "previous": null, "results": [{"webhookId": "', () => res.destroy());
      return true;
    }
    case 'huge':
      sendRaw(res, 200, 'application/json', hugeJson(fault.sizeBytes ?? DEFAULT_HUGE_BYTES));
      return true;
    default:
      return false;
  }
}

/** A valid JSON document of exactly `size` bytes (or the smallest one possible when `size` is tiny). */
function hugeJson(size: number): Buffer {
  const head = Buffer.from('{"results":[],"padding":"');
  const tail = Buffer.from('"}');
  const padding = Math.max(0, size - head.length - tail.length);
  const body = Buffer.alloc(head.length + padding + tail.length, 'x');
  head.copy(body, 0);
  tail.copy(body, head.length + padding);
  return body;
}

function send(res: Response, response: EmulatorResponse): void {
  if (res.destroyed || res.writableEnded) return;
  const headers: Record<string, string> = { ...response.headers };
  if (response.body === undefined) {
    res.writeHead(response.status, headers);
    res.end();
    return;
  }
  const payload = Buffer.from(JSON.stringify(response.body));
  res.writeHead(response.status, {
    'content-type': 'application/json',
    'content-length': String(payload.length),
    ...headers,
  });
  res.end(payload);
}

function sendRaw(res: Response, status: number, contentType: string, body: string | Buffer): void {
  const payload = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, { 'content-type': contentType, 'content-length': String(payload.length) });
  res.end(payload);
}

function sendTooLarge(req: Request, res: Response, drained: boolean): void {
  // HTTP/2 has no Connection header (its stream ends here either way).
  const headers: Record<string, string> = drained || req.httpVersionMajor >= 2 ? {} : { connection: 'close' };
  send(res, { status: 413, headers, body: { detail: `Request body exceeds ${MAX_BODY_BYTES} bytes.` } });
}

/**
 * Reads the body up to {@link MAX_BODY_BYTES}. A larger body is drained (so the client gets to read the
 * 413 instead of a broken pipe) up to a sanity limit, past which reading stops.
 */
function readBody(req: Request): Promise<{ body: string; tooLarge: boolean; drained: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (tooLarge: boolean, drained: boolean): void => {
      if (settled) return;
      settled = true;
      resolve({ body: tooLarge ? '' : Buffer.concat(chunks).toString('utf8'), tooLarge, drained });
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
      else if (size > MAX_DRAIN_BYTES) {
        req.pause();
        finish(true, false);
      }
    });
    req.on('end', () => finish(size > MAX_BODY_BYTES, true));
    req.on('error', (error) => {
      if (!settled) {
        settled = true;
        reject(error);
      }
    });
  });
}

/**
 * A request's headers as an HTTP/1.1 request carries them: an HTTP/2 request's pseudo-headers (`:method`,
 * `:path` …) left out, and its `:authority` given as `host`. The emulators and the request record see one shape.
 */
function plainHeaders(req: Request): IncomingHttpHeaders {
  const headers: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(req.headers)) if (!name.startsWith(':')) headers[name] = value;
  const authority = req.headers[':authority'];
  if (headers.host === undefined && typeof authority === 'string') headers.host = authority;
  return headers;
}

/** The Host the client used (so `next` links match its base URL), or the listening address. */
function hostOf(headers: IncomingHttpHeaders, port: number): string {
  const host = headers.host;
  return host !== undefined && /^[A-Za-z0-9.\-:[\]]+$/.test(host) ? host : `127.0.0.1:${port}`;
}
