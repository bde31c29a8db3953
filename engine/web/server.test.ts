import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { WebSocket } from 'ws';
import type { HostApi } from '../contract';
import { tmpDirs } from '../testing/tmpDirs';

const tmpDir = tmpDirs('rp-web-');
import { startWebServer } from './server';

function fakeHost(): HostApi & { calls: string[]; emit(name: string, p: unknown): void } {
  const calls: string[] = [];
  const listeners = new Map<string, (p: unknown) => void>();
  return {
    calls,
    call: (async (name: string) => {
      calls.push(name);
      return [];
    }) as HostApi['call'],
    on: ((name: string, l: (p: unknown) => void) => {
      listeners.set(name, l);
      return () => listeners.delete(name);
    }) as HostApi['on'],
    emit: (name, p) => listeners.get(name)?.(p),
  };
}

function open(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

test('web mode: the page and the socket need the token; frames are checked before the Host sees them', async (t) => {
  const dir = tmpDir();
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>x</title>');
  const host = fakeHost();
  const server = await startWebServer({ host, rendererDir: dir });
  t.after(() => server.close());
  const base = `http://127.0.0.1:${server.port}`;

  assert.equal((await fetch(`${base}/`)).status, 401);
  assert.equal((await fetch(`${base}/?token=wrong`)).status, 401);
  const page = await fetch(server.url);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
  assert.equal((await fetch(`${base}/../../etc/passwd`)).status, 404);
  await assert.rejects(open(`ws://127.0.0.1:${server.port}/api`), /401/);
  await assert.rejects(
    open(`ws://127.0.0.1:${server.port}/api?token=${server.token}`, { Origin: 'https://evil.test' }),
    /401/,
  );

  const ws = await open(`ws://127.0.0.1:${server.port}/api?token=${server.token}`);
  const replies: Record<string, unknown>[] = [];
  ws.on('message', (d) => replies.push(JSON.parse(d.toString()) as Record<string, unknown>));
  ws.send(JSON.stringify({ id: 1, name: 'stage.list', req: {} }));
  ws.send(JSON.stringify({ id: 2, name: 'shell.exec', req: {} }));
  ws.send(JSON.stringify({ id: 3, name: 'warehouse.query', req: { sql: 42 } }));
  ws.send(JSON.stringify({ id: 4, name: 'stage.list', req: 'x' }));
  host.emit('stage.status', { stage: 'producer', state: 'running' });
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(host.calls, ['stage.list']);
  const byId = (id: number) => replies.find((r) => r.id === id) as { ok: boolean; error?: { message: string } };
  assert.equal(byId(1).ok, true);
  assert.match(byId(2).error!.message, /unknown command/);
  assert.match(byId(3).error!.message, /"sql" must be a string/);
  assert.match(byId(4).error!.message, /one request object/);
  assert.ok(replies.some((r) => r.event === 'stage.status'));

  const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
  ws.send('not json');
  assert.equal(await closed, 1003);
});
