/**
 * A hostile provider on loopback: it speaks the providers' wire formats well enough to be believed, and then
 * does what a broken or malicious server would. Endless cursors, repeated pages, answers that echo the API key
 * at every place a message is cut, escape sequences in every field, and a recording proxy. Each behaviour is
 * a {@link Responder}, so a test names the attack it makes. Nothing here contacts anything but 127.0.0.1.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';

/** One request as the hostile server saw it. */
export interface Hit {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** What to answer: a JSON value (sent as application/json) or text with its own content type. */
export interface Answer {
  status?: number;
  json?: unknown;
  text?: string;
  type?: string;
  headers?: Record<string, string>;
}

export type Responder = (hit: Hit, count: number) => Answer;

export interface HostileServer {
  /** `http://127.0.0.1:<port>`: a base URL for any provider. */
  url: string;
  hits: Hit[];
  close(): Promise<void>;
}

export async function startHostile(respond: Responder): Promise<HostileServer> {
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const hit: Hit = {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      hits.push(hit);
      const answer = respond(hit, hits.length);
      const body = answer.json !== undefined ? JSON.stringify(answer.json) : (answer.text ?? '');
      res.writeHead(answer.status ?? 200, {
        'content-type': answer.json !== undefined ? 'application/json' : (answer.type ?? 'text/plain'),
        ...answer.headers,
      });
      res.end(body);
    });
  });
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}`, hits, close: () => shut(server) };
}

/** Escape sequences a terminal obeys: erase the line, move up, retitle the window, 8-bit CSI, bidi override. */
export const ESCAPES = '\x1b[2K\r\x1b[1A\x1b[32mverified 200\x1b[0m\x1b]0;owned\x07\x9b31m\u202e\n\t';

/** Characters no rendered output may contain raw once an {@link ESCAPES} string went through it. */
// eslint-disable-next-line no-control-regex
export const RAW_CONTROLS = /[\x1b\x07\x9b\u202e\r]/;

/** Config files that are valid JSON but not an object. */
export const NON_OBJECT_CONFIGS = ['[]', 'null', '42', '"text"', 'true'];

/** An Ultravox webhook, every string field of which is whatever the test says. */
export function ultravoxWebhook(id: string, text = '', url = 'https://example.com/hook'): unknown {
  return {
    webhookId: id,
    agentId: null,
    created: '2024-01-01T00:00:00Z',
    url: `${url}${text ? `?x=${encodeURIComponent(text)}` : ''}`,
    secrets: [],
    events: [`call.ended${text}`],
    status: `normal${text}`,
  };
}

/** A fresh `next` cursor on every page of an Ultravox list, each page holding `rows(count)`. */
export function endlessCursors(rows: (count: number) => unknown[]): Responder {
  return (hit, count) => ({
    json: {
      results: rows(count),
      next: `${new URL(hit.url, 'http://x').origin}/api/webhooks?cursor=c${count}`,
      previous: null,
    },
  });
}

/** Ultravox pages that always name the same cursor (a server that ignores it). */
export function repeatedCursor(rows: (count: number) => unknown[]): Responder {
  return (_hit, count) => ({
    json: { results: rows(count), next: 'https://api.ultravox.ai/api/webhooks?cursor=same', previous: null },
  });
}

/** Talkover logs that follow `page` but claim 10^9 pages, with the same entry on every one. */
export function endlessTalkoverLogs(): Responder {
  return (hit) => {
    const page = Number(new URL(hit.url, 'http://x').searchParams.get('page') ?? '1');
    return {
      json: {
        success: true,
        data: [{ id: 'log-1', status: 'failed', event: 'call.ended' }],
        pagination: { current_page: page, per_page: 100, total: 1e9, last_page: 1e9 },
      },
    };
  };
}

/**
 * Text of `length` characters in which `key` begins `before` characters ahead of `cut`: a message cut at `cut`
 * before it is redacted keeps `before` characters of the key.
 */
export function straddling(key: string, cut: number, before: number): string {
  const start = cut - before;
  return `${'x'.repeat(start)}${key}${'y'.repeat(Math.max(0, cut + 100 - start - key.length))}`;
}

/** Whether `text` holds any run of `run` characters of `key` (a part of a key is a leak too). */
export function leaksKey(text: string, key: string, run = 8): boolean {
  for (let i = 0; i + run <= key.length; i++) if (text.includes(key.slice(i, i + run))) return true;
  return false;
}

/** A forward proxy that records what passes; it tunnels only to loopback and refuses anything else. */
export async function startRecordingProxy(): Promise<{
  url: string;
  seen: string[];
  close(): Promise<void>;
}> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url} ${JSON.stringify(req.headers)}`);
    const target = new URL(req.url ?? '', 'http://invalid');
    if (target.hostname !== '127.0.0.1') {
      res.writeHead(502).end();
      return;
    }
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method: req.method,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(upstream);
  });
  server.on('connect', (req, socket) => {
    seen.push(`CONNECT ${req.url}`);
    const [host, port] = (req.url ?? '').split(':');
    if (host !== '127.0.0.1') {
      socket.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
      return;
    }
    const upstream = connect(Number(port), host, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
  });
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}`, seen, close: () => shut(server) };
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}

function shut(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
