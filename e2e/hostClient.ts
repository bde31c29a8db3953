import { WebSocket } from 'ws';
import type { CommandName, Commands, ServerMessage, WireCall } from '../engine/contract';

/**
 * One call to the Host of a running web mode, over its socket, as a second client would: what the
 * Host holds, not what a page shows.
 */
export async function hostCall<K extends CommandName>(
  pageUrl: string,
  name: K,
  req: Commands[K]['req'],
): Promise<Commands[K]['res']> {
  const u = new URL(pageUrl);
  const ws = new WebSocket(`ws://${u.host}/api?token=${u.searchParams.get('token')}`);
  try {
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const call: WireCall = { id: 1, name, req };
    ws.send(JSON.stringify(call));
    return await new Promise((resolve, reject) => {
      ws.on('message', (data) => {
        const m = JSON.parse(String(data)) as ServerMessage;
        if ('event' in m || m.id !== 1) return;
        if (m.ok) resolve(m.value as Commands[K]['res']);
        else reject(new Error(m.error.message));
      });
    });
  } finally {
    ws.close();
  }
}
