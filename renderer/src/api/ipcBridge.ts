import type { Commands, CommandName, HostApi, HostBridge } from '../../../engine/contract';
import { HostCallError } from './hostError';

/**
 * The HostApi over Electron's window.api: the preload answers with the reply envelope, and a failed
 * call is thrown here as a HostCallError carrying the Host's code and field, exactly as web mode does.
 */
export function bridgeApi(bridge: HostBridge): HostApi {
  return {
    async call<K extends CommandName>(name: K, req: Commands[K]['req']): Promise<Commands[K]['res']> {
      const reply = await bridge.call(name, req);
      if (!reply.ok) throw new HostCallError(reply.error);
      return reply.value;
    },
    on: (name, listener) => bridge.on(name, listener),
  };
}
