/**
 * The local receiver behind `listen`: an HTTP server that takes deliveries, checks their signatures with the
 * provider's scheme, answers as a careful endpoint would (2xx when accepted, 401 when not), optionally relays
 * each accepted delivery byte for byte to another URL, and reports every one to its caller.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EnvHttpProxyAgent, request } from './undici.ts';
import { describeFailure, preview, readStart } from './delivery.ts';
import { UsageError } from './errors.ts';
import { safeText } from './output.ts';
import type { KnownSecret, SignatureScheme, VerifyReason } from './signatures.ts';
import type { ProviderName, ReceiverKit } from './providers/types.ts';

/**
 * `verified`: the signature matched a secret. `invalid`: it did not, or was missing. `unsigned`: the delivery
 * carries no signature and none was expected (a provider without a known scheme, or a URL probe). `unchecked`: it is signed but
 * no secret was given to check it with.
 */
export type Verification = 'verified' | 'invalid' | 'unsigned' | 'unchecked';

/** One delivery as `listen` reports it (`listen --json` prints one per line). */
export interface ReceivedDelivery {
  /** When it arrived, ISO 8601. */
  time: string;
  provider: ProviderName;
  method: string;
  path: string;
  /** The event name in the body, or null when the body has none. */
  event: string | null;
  /** The delivery's id (Ultravox call id, PolyAI event id, Daily event id), or null. */
  id: string | null;
  verification: Verification;
  reason: VerifyReason | null;
  detail: string | null;
  /** 0-based index of the secret that matched. */
  matchedSecret: number | null;
  /** A provider's unsigned URL probe (Daily's `{"test":"test"}`): answered, never counted against --max-events. */
  probe: boolean;
  bytes: number;
  /** The status `listen` answered with. */
  status: number;
  /** What the --forward-to endpoint answered, when the delivery was forwarded. */
  forward: ForwardOutcome | null;
}

export interface ForwardOutcome {
  url: string;
  status: number | null;
  latencyMs: number;
  responseBody: string | null;
  error: string | null;
}

export interface ListenerOptions {
  provider: ProviderName;
  /** Where the provider's deliveries carry event and id (its descriptor's `receiver`). */
  receiver: ReceiverKit;
  /** The provider's scheme; absent where it is undocumented. */
  scheme?: SignatureScheme;
  /** Secrets to verify with; none: deliveries are shown but not checked. */
  secrets: readonly string[];
  /** Other secrets known for the provider's webhooks, tried only to say why a delivery failed. */
  otherSecrets?: readonly KnownSecret[];
  toleranceSeconds?: number | null;
  host: string;
  port: number;
  /** Only this path is a delivery path; absent: every path is. */
  path?: string;
  forwardTo?: string;
  /** Milliseconds to wait for the --forward-to endpoint. */
  forwardTimeoutMs: number;
  /** Stop after this many deliveries (URL probes are not counted). */
  maxEvents?: number;
  /** Answer 2xx (and forward) even when the signature does not verify. */
  acceptInvalid: boolean;
  onDelivery(delivery: ReceivedDelivery): void;
  /** Called with each delivery's raw headers and body (not a probe's), before it is reported (`--record`). */
  onRaw?(delivery: ReceivedDelivery, rawHeaders: readonly string[], body: Buffer): void;
}

export interface RunningListener {
  url: string;
  port: number;
  /** Settles when the listener has stopped (after --max-events, or {@link close}). */
  done: Promise<void>;
  /** Deliveries counted so far. */
  count(): number;
  close(): Promise<void>;
}

/** Deliveries larger than this are refused with 413 (no provider sends anything near it). */
export const MAX_DELIVERY_BYTES = 5 * 1024 * 1024;
const DELIVERY_METHODS = new Set(['POST', 'PUT', 'PATCH']);
/** Hop-by-hop and framing headers are the relay's own; every other header is forwarded unchanged. */
const NOT_FORWARDED = new Set([
  'host',
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'content-length',
  'expect',
]);

export async function startListener(options: ListenerOptions): Promise<RunningListener> {
  let counted = 0;
  let stopping = false;
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  // Only a forwarding listener sends requests; it is created with the first one.
  let dispatcher: InstanceType<typeof EnvHttpProxyAgent> | undefined;

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) answer(res, 500, { received: false, error: (error as Error).message });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const path = new URL(req.url ?? '/', 'http://listener').pathname;
    if (options.path !== undefined && path !== options.path) {
      req.resume();
      return answer(res, 404, { received: false, error: `Deliveries go to ${options.path}.` });
    }
    if (!DELIVERY_METHODS.has(method)) {
      req.resume();
      res.setHeader('allow', 'POST, PUT, PATCH');
      return answer(res, 405, { received: false, error: 'Deliveries are POSTed here.' });
    }
    if (stopping) {
      req.resume();
      res.setHeader('connection', 'close');
      return answer(res, 503, { received: false, error: 'The listener is stopping.' });
    }
    const body = await readAll(req);
    if (body === undefined) {
      res.setHeader('connection', 'close');
      return answer(res, 413, {
        received: false,
        error: `Deliveries are limited to ${MAX_DELIVERY_BYTES} bytes.`,
      });
    }
    const delivery = inspect(options, req, body, method, path);
    // Recorded before it is answered, so a sender that got its answer finds the delivery on disk. A URL probe
    // is the provider checking the endpoint, not a delivery: it is not recorded.
    if (!delivery.probe) options.onRaw?.(delivery, req.rawHeaders, body);
    if (!delivery.probe) counted++;
    const last = options.maxEvents !== undefined && counted >= options.maxEvents;
    if (last) stopping = true;

    const accepted = delivery.verification !== 'invalid' || options.acceptInvalid;
    if (accepted && options.forwardTo) {
      const forwarded = await forward(options.forwardTo, method, req.rawHeaders, body);
      delivery.forward = forwarded.outcome;
      delivery.status = forwarded.outcome.status ?? 502;
      res.writeHead(delivery.status, forwarded.headers);
      res.end(forwarded.body);
    } else {
      delivery.status = accepted ? 200 : 401;
      answer(res, delivery.status, {
        received: accepted,
        verification: delivery.verification,
        ...(delivery.reason ? { reason: delivery.reason, detail: delivery.detail } : {}),
      });
    }
    options.onDelivery(delivery);
    if (last) {
      if (res.writableFinished) void stop();
      else res.once('finish', () => void stop());
    }
  }

  /** Relays the delivery unchanged; the sender gets the target's answer, or 502 when there is none. */
  async function forward(
    target: string,
    method: string,
    rawHeaders: readonly string[],
    body: Buffer,
  ): Promise<{ outcome: ForwardOutcome; headers: Record<string, string>; body: Buffer }> {
    const headers: [string, string][] = [];
    for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
      const name = rawHeaders[i] ?? '';
      if (!NOT_FORWARDED.has(name.toLowerCase())) headers.push([name, rawHeaders[i + 1] ?? '']);
    }
    const started = performance.now();
    try {
      const res = await request(target, {
        method: method as 'POST',
        headers: headers.flat(),
        body,
        dispatcher: (dispatcher ??= new EnvHttpProxyAgent()),
        headersTimeout: options.forwardTimeoutMs,
        bodyTimeout: options.forwardTimeoutMs,
        signal: AbortSignal.timeout(options.forwardTimeoutMs),
      });
      const text = await readStart(res.body);
      const type = res.headers['content-type'];
      return {
        outcome: {
          url: target,
          status: res.statusCode,
          latencyMs: Math.round(performance.now() - started),
          responseBody: preview(text),
          error: null,
        },
        headers: typeof type === 'string' ? { 'content-type': type } : {},
        body: Buffer.from(text, 'utf8'),
      };
    } catch (error) {
      const why = describeFailure(error, target, options.forwardTimeoutMs);
      return {
        outcome: {
          url: target,
          status: null,
          latencyMs: Math.round(performance.now() - started),
          responseBody: null,
          error: why,
        },
        headers: { 'content-type': 'application/json' },
        body: Buffer.from(JSON.stringify({ received: false, error: `--forward-to: ${why}` })),
      };
    }
  }

  let stopped: Promise<void> | undefined;
  function stop(): Promise<void> {
    stopped ??= new Promise<void>((resolve) => {
      stopping = true;
      // Requests in flight get a moment to finish; idle keep-alive connections are closed at once.
      const force = setTimeout(() => server.closeAllConnections(), 2000);
      server.close(() => {
        clearTimeout(force);
        resolve();
      });
      server.closeIdleConnections();
    })
      .then(() => dispatcher?.close())
      .catch(() => undefined)
      .then(resolveDone);
    return stopped;
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const taken = ['EADDRINUSE', 'EACCES', 'EADDRNOTAVAIL'].includes(error.code ?? '');
      if (!taken) return reject(error);
      reject(
        new UsageError(`Cannot listen on ${options.host}:${options.port} (${error.code}).`, {
          hint: 'Pick another --port (0 picks a free one) or --host.',
        }),
      );
    });
    server.listen(options.port, options.host, () => {
      server.removeAllListeners('error');
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}${options.path ?? '/'}`,
    port,
    done,
    count: () => counted,
    close: stop,
  };
}

/** Verification, event and id of one delivery. */
function inspect(
  options: ListenerOptions,
  req: IncomingMessage,
  body: Buffer,
  method: string,
  path: string,
): ReceivedDelivery {
  const parsed = parseJson(body);
  const { scheme } = options;
  const signed = scheme !== undefined && req.headers[scheme.signatureHeader.toLowerCase()] !== undefined;
  // A probe of the URL (Daily's, on every create and update) is unsigned and needs a 200: production
  // receivers skip verification for it.
  const probe = !signed && (options.receiver.isProbe?.(parsed) ?? false);
  const delivery: ReceivedDelivery = {
    time: new Date().toISOString(),
    provider: options.provider,
    method,
    path,
    event: probe ? 'probe' : options.receiver.eventOf(parsed),
    id: probe ? null : options.receiver.idOf(parsed, req.headers),
    verification: 'unsigned',
    reason: null,
    detail: null,
    matchedSecret: null,
    probe,
    bytes: body.length,
    status: 0,
    forward: null,
  };
  if (probe || scheme === undefined) return delivery;
  if (options.secrets.length === 0) {
    delivery.verification = signed ? 'unchecked' : 'unsigned';
    return delivery;
  }
  const result = scheme.verify({
    body,
    headers: req.headers,
    secrets: options.secrets,
    otherSecrets: options.otherSecrets,
    toleranceSeconds: options.toleranceSeconds,
  });
  delivery.verification = result.valid ? 'verified' : 'invalid';
  delivery.reason = result.reason;
  delivery.detail = result.valid ? null : result.detail;
  delivery.matchedSecret = result.matchedSecret;
  return delivery;
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** The whole body, or undefined when it exceeds {@link MAX_DELIVERY_BYTES}. */
async function readAll(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_DELIVERY_BYTES) {
      req.resume();
      return undefined;
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function answer(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  const payload = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(payload.length) });
  res.end(payload);
}

/** One line of `listen`'s output: aligned words on a terminal, tab-separated fields in a pipe. */
export function deliveryRow(delivery: ReceivedDelivery, tty: boolean): string {
  // The forwarded delivery's report, as `send` and `test` give it: status, time and the answer's start.
  const answer = delivery.forward?.responseBody ? ` ${delivery.forward.responseBody.slice(0, 60)}` : '';
  const forwarded = delivery.forward
    ? delivery.forward.status !== null
      ? `${delivery.forward.status} (${delivery.forward.latencyMs} ms)${answer}`
      : `failed: ${delivery.forward.error ?? ''}`
    : '';
  const cells = [
    tty ? delivery.time.slice(11, 19) : delivery.time,
    delivery.event ?? (tty ? '-' : ''),
    delivery.verification,
    delivery.id ?? (tty ? '-' : ''),
    String(delivery.status),
    forwarded,
    delivery.detail ?? '',
  ].map(safeText);
  if (!tty) return `${cells.join('\t')}\n`;
  const [time, event, verification, id, status, fwd, detail] = cells;
  const extra = [fwd ? `forwarded → ${fwd}` : '', detail ?? ''].filter(Boolean).join('  ');
  return `${time}  ${(event ?? '').padEnd(24)}  ${(verification ?? '').padEnd(10)}  ${(id ?? '').padEnd(36)}  ${status}${extra ? `  ${extra}` : ''}\n`;
}
