import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { IpcMain } from 'electron';
import type { CallReply, HostApi, HostBridge } from '../engine/contract';
import { PulseError } from '../engine/errors';
import { HostCallError } from '../renderer/src/api/hostError';
import { bridgeApi } from '../renderer/src/api/ipcBridge';
import { CALL_CHANNEL, EVENT_CHANNEL, registerHostIpc } from './ipc';

type Handler = (event: unknown, ...args: unknown[]) => Promise<CallReply>;

function fakeIpc() {
  const handlers = new Map<string, Handler>();
  const ipcMain = {
    handle: (ch: string, h: Handler) => void handlers.set(ch, h),
    removeHandler: (ch: string) => void handlers.delete(ch),
  } as unknown as Pick<IpcMain, 'handle' | 'removeHandler'>;
  return { ipcMain, handlers };
}

function fakeHost() {
  const calls: [string, unknown][] = [];
  const listeners = new Map<string, (p: unknown) => void>();
  const host: HostApi = {
    call: (async (name: string, req: unknown) => {
      calls.push([name, req]);
      return name === 'stage.list' ? [] : { ok: 1 };
    }) as HostApi['call'],
    on: ((name: string, l: (p: unknown) => void) => {
      listeners.set(name, l);
      return () => listeners.delete(name);
    }) as HostApi['on'],
  };
  return { host, calls, listeners };
}

function sender() {
  const sent: unknown[][] = [];
  return { sent, sender: { send: (...a: unknown[]) => sent.push(a), isDestroyed: () => false, once: () => undefined } };
}

const fromApp = (s: object) => ({ senderFrame: { url: 'file:///app/out/renderer/index.html' }, sender: s });

test('IPC: known commands with a well-formed request reach the Host; events go back to the window', async () => {
  const { ipcMain, handlers } = fakeIpc();
  const { host, calls, listeners } = fakeHost();
  registerHostIpc(ipcMain, host);
  const s = sender();
  const reply = await handlers.get(CALL_CHANNEL)!(fromApp(s.sender), 'stage.list', {});
  assert.deepEqual(reply, { ok: true, value: [] });
  assert.deepEqual(calls, [['stage.list', {}]]);
  listeners.get('stage.status')!({ stage: 'producer' });
  assert.deepEqual(s.sent, [[EVENT_CHANNEL, { event: 'stage.status', payload: { stage: 'producer' } }]]);
});

test('IPC: unknown commands, non-object requests, wrong field types and unknown fields are refused before the Host', async () => {
  const { ipcMain, handlers } = fakeIpc();
  const { host, calls } = fakeHost();
  registerHostIpc(ipcMain, host);
  const call = handlers.get(CALL_CHANNEL)!;
  const e = fromApp(sender().sender);
  const bad: [unknown, unknown, RegExp][] = [
    ['fs.readFile', {}, /unknown command/],
    [42, {}, /unknown command/],
    ['stage.list', null, /one request object/],
    ['stage.list', [1], /one request object/],
    ['stage.start', { stage: 'rm -rf' }, /stage must be one of/],
    ['warehouse.query', { sql: 1 }, /"sql" must be a string/],
    ['warehouse.query', {}, /"sql" is required/],
    ['lake.preview', { key: 'a', extra: true }, /unknown field "extra"/],
    ['etl.schedule', { everyMinutes: 'soon' }, /number or null/],
  ];
  for (const [name, req, message] of bad) {
    const reply = await call(e, name, req);
    assert.equal(reply.ok, false, `${String(name)} ${JSON.stringify(req)}`);
    if (!reply.ok) {
      assert.match(reply.error.message, message);
      assert.equal(reply.error.code, 'config_invalid');
    }
  }
  assert.deepEqual(calls, []);
});

test('IPC: calls from a frame that is not the app (a navigated or embedded page) are refused', async () => {
  const { ipcMain, handlers } = fakeIpc();
  const { host, calls } = fakeHost();
  registerHostIpc(ipcMain, host);
  const reply = await handlers.get(CALL_CHANNEL)!(
    { senderFrame: { url: 'https://evil.test/' }, sender: sender().sender },
    'stage.list',
    {},
  );
  assert.equal(reply.ok, false);
  assert.deepEqual(calls, []);
});

test('IPC: a Host error crosses as { code, message }, not a thrown string', async () => {
  const { ipcMain, handlers } = fakeIpc();
  const host: HostApi = {
    call: (async () => Promise.reject(Object.assign(new Error('boom')))) as HostApi['call'],
    on: (() => () => undefined) as HostApi['on'],
  };
  registerHostIpc(ipcMain, host);
  const reply = await handlers.get(CALL_CHANNEL)!(fromApp(sender().sender), 'etl.run', {});
  assert.deepEqual(reply, { ok: false, error: { code: 'internal', message: 'boom', retriable: false } });
});

test('IPC: a HostError keeps its code and field all the way to the renderer, as in web mode', async () => {
  const { ipcMain, handlers } = fakeIpc();
  const host: HostApi = {
    call: (async () =>
      Promise.reject(
        new PulseError('config_invalid', 'partitions must be a whole number from 1 to 256, got "four"', {
          field: 'partitions',
        }),
      )) as HostApi['call'],
    on: (() => () => undefined) as HostApi['on'],
  };
  registerHostIpc(ipcMain, host);
  // The preload hands ipcRenderer.invoke's reply over the context bridge, which copies it like
  // structuredClone does: an Error thrown there would arrive as a bare Error, its code gone.
  const lost = structuredClone(new HostCallError({ code: 'config_invalid', message: 'x', retriable: false }));
  assert.equal((lost as { code?: string }).code, undefined, 'an Error crossing loses its code');
  const bridge: HostBridge = {
    call: (async (name: string, req: unknown) =>
      structuredClone(await handlers.get(CALL_CHANNEL)!(fromApp(sender().sender), name, req))) as HostBridge['call'],
    on: (() => () => undefined) as HostBridge['on'],
  };
  const api = bridgeApi(bridge);
  await assert.rejects(api.call('settings.set', { values: { partitions: 'four' } }), (err: unknown) => {
    assert.ok(err instanceof HostCallError);
    assert.equal(err.code, 'config_invalid');
    assert.equal(err.field, 'partitions');
    assert.match(err.message, /got "four"/);
    return true;
  });
});
