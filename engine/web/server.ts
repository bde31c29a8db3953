import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { checkCall, EVENT_NAMES } from '../commandCheck';
import type { HostApi } from '../contract';
import { toErrorInfo } from '../errors';
import { MAX_FRAME_BYTES, type ServerMessage, type WireCall } from './protocol';

/** The same CSP as the Electron window, plus the socket back to this server. */
export const WEB_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

export interface WebServer {
  url: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

function sameToken(given: string | null, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

/**
 * Web mode: the built renderer and the contract over a WebSocket, on 127.0.0.1 only. The page and
 * the socket both need the random token (in the URL the server prints); static assets are the
 * public bundle. Every incoming frame is checked (size, JSON, id, known command, request shape)
 * before the Host sees it.
 */
export async function startWebServer(opts: {
  host: HostApi | Promise<HostApi>;
  rendererDir: string | null;
  port?: number;
  token?: string;
}): Promise<WebServer> {
  const token = opts.token ?? crypto.randomBytes(24).toString('base64url');
  const root = opts.rendererDir === null ? null : path.resolve(opts.rendererDir);
  // The page can paint while the Host is still opening (PGlite takes seconds on a new data dir): calls wait for it.
  const host = Promise.resolve(opts.host);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const headers = {
      'Content-Security-Policy': WEB_CSP,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, headers).end();
      return;
    }
    let rel = decodeURIComponent(url.pathname);
    if (rel === '/' || rel === '/index.html') {
      if (!sameToken(url.searchParams.get('token'), token)) {
        res
          .writeHead(401, { ...headers, 'Content-Type': 'text/plain' })
          .end('retail-pulse: open the URL with the token that `npm run serve` printed\n');
        return;
      }
      rel = '/index.html';
    }
    const file = root === null ? '' : path.join(root, rel);
    if (root === null || !file.startsWith(root + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end('not found\n');
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const origin = req.headers.origin;
    const originOk = origin === undefined || origin === `http://${req.headers.host}`;
    if (url.pathname !== '/api' || !sameToken(url.searchParams.get('token'), token) || !originOk) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws, host));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    token,
    port,
    close: async () => {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function attach(ws: WebSocket, hostReady: Promise<HostApi>): void {
  const send = (m: ServerMessage): void => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(m));
  };
  let offs: (() => void)[] = [];
  let closed = false;
  void hostReady.then(
    (host) => {
      if (!closed) offs = EVENT_NAMES.map((name) => host.on(name, (payload) => send({ event: name, payload })));
    },
    () => undefined,
  );
  ws.on('close', () => {
    closed = true;
    offs.forEach((off) => off());
  });
  ws.on('message', (data, isBinary) => {
    let msg: unknown;
    try {
      if (isBinary) throw new Error('binary frame');
      msg = JSON.parse(data.toString());
    } catch {
      ws.close(1003, 'frames must be JSON text');
      return;
    }
    const m = msg as { [K in keyof WireCall]?: unknown };
    if (typeof m !== 'object' || m === null || !Number.isSafeInteger(m.id)) {
      ws.close(1008, 'a call needs a numeric id');
      return;
    }
    const id = m.id as number;
    let call: ReturnType<typeof checkCall>;
    try {
      call = checkCall(m.name, m.req);
    } catch (err) {
      send({ id, ok: false, error: toErrorInfo(err) });
      return;
    }
    hostReady
      .then((host) => host.call(call.name, call.req as never))
      .then(
        (value) => send({ id, ok: true, value }),
        (err: unknown) => send({ id, ok: false, error: toErrorInfo(err) }),
      );
  });
}
