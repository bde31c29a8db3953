import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { checkCall, EVENT_NAMES } from '../engine/commandCheck';
import type { CallReply, HostApi, WireEvent } from '../engine/contract';
import { toErrorInfo } from '../engine/errors';
import { IPC_CHANNELS } from '../engine/wireContract';

export const CALL_CHANNEL = IPC_CHANNELS.call;
export const EVENT_CHANNEL = IPC_CHANNELS.event;

/** Only our own page may call: the window's main frame, loaded from the app or the dev server. */
export function trustedSender(
  event: Pick<IpcMainInvokeEvent, 'senderFrame'>,
  devUrl = process.env.ELECTRON_RENDERER_URL,
): boolean {
  const url = event.senderFrame?.url ?? '';
  if (url.startsWith('file://')) return true;
  return devUrl !== undefined && devUrl !== '' && url.startsWith(devUrl);
}

/**
 * The only user of ipcMain (lint refuses it elsewhere): each call's sender, name and request shape
 * are checked (the same check as web mode, engine/commandCheck.ts) before the Host sees it; answers
 * with the contract's reply envelope (engine/wireContract.ts), so errors cross as data, never as
 * thrown strings. Events go out as one WireEvent, the same shape web mode sends.
 */
export function registerHostIpc(ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>, host: HostApi): () => void {
  const senders = new Set<WebContents>();
  ipcMain.handle(CALL_CHANNEL, async (event, name: unknown, req: unknown): Promise<CallReply> => {
    if (!trustedSender(event))
      return {
        ok: false,
        error: { code: 'config_invalid', message: 'calls are accepted from the app window only', retriable: false },
      };
    senders.add(event.sender);
    event.sender.once('destroyed', () => senders.delete(event.sender));
    try {
      const call = checkCall(name, req);
      return { ok: true, value: await host.call(call.name, call.req as never) };
    } catch (err) {
      return { ok: false, error: toErrorInfo(err) };
    }
  });
  const offs = EVENT_NAMES.map((e) =>
    host.on(e, (payload) => {
      const message: WireEvent = { event: e, payload };
      for (const s of senders) if (!s.isDestroyed()) s.send(EVENT_CHANNEL, message);
    }),
  );
  return () => {
    ipcMain.removeHandler(CALL_CHANNEL);
    offs.forEach((off) => off());
  };
}
