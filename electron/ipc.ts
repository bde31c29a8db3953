import type { IpcMain, WebContents } from 'electron';
import type { CommandName, EventName, HostApi } from '../engine/contract';
import { toErrorInfo } from '../engine/errors';

export const CALL_CHANNEL = 'host:call';
export const EVENT_CHANNEL = 'host:event';
export const COMMANDS: readonly CommandName[] = ['stage.start', 'stage.stop', 'stage.list', 'producer.configure', 'etl.run', 'etl.history', 'metrics.snapshot', 'warehouse.query', 'pipeline.summary'];
const EVENTS: readonly EventName[] = ['stage.status', 'etl.progress', 'metrics.tick', 'host.error'];

/** The only user of ipcMain: checks each call's name and shape, answers {ok, value} or {ok: false, error}. */
export function registerHostIpc(ipcMain: IpcMain, host: HostApi): void {
  const senders = new Set<WebContents>();
  ipcMain.handle(CALL_CHANNEL, async (event, name: unknown, req: unknown) => {
    senders.add(event.sender);
    if (typeof name !== 'string' || !(COMMANDS as readonly string[]).includes(name)) return { ok: false, error: { code: 'config_invalid', message: `unknown command ${String(name)}`, retriable: false } };
    if (typeof req !== 'object' || req === null || Array.isArray(req)) return { ok: false, error: { code: 'config_invalid', message: `${name} takes one request object`, retriable: false } };
    try {
      return { ok: true, value: await host.call(name as CommandName, req as never) };
    } catch (err) {
      return { ok: false, error: toErrorInfo(err) };
    }
  });
  for (const e of EVENTS) {
    host.on(e, (payload) => {
      for (const s of senders) if (!s.isDestroyed()) s.send(EVENT_CHANNEL, e, payload);
    });
  }
}
