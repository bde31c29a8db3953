import type { CommandName, Commands } from '../contract';
import { PulseError } from '../errors';

/** How one command is answered. */
export type Handler<K extends CommandName> = (req: Commands[K]['req']) => Promise<Commands[K]['res']>;

/**
 * The answers of a group of commands. A handler group is an object with `handlers(): Handlers<…>`
 * for the commands of its area (AppCommands, HostData, SqlLab, InfraControl, …); the Host spreads
 * every group's handlers into one table, so a command the contract names and no group answers is
 * a type error, not a failure at run time.
 */
export type Handlers<C extends CommandName> = { [K in C]: Handler<K> };

/** The table of every command's handler, and the one place a call is dispatched. */
export class CommandRouter {
  constructor(private readonly table: Handlers<CommandName>) {}

  call<K extends CommandName>(name: K, req: Commands[K]['req']): Promise<Commands[K]['res']> {
    const handler: Handler<K> | undefined = this.table[name];
    if (!handler) return Promise.reject(new PulseError('config_invalid', `unknown command ${JSON.stringify(name)}`));
    // A handler that throws before its first await (a request check) still answers with a rejection.
    try {
      return handler(req);
    } catch (err) {
      return Promise.reject(err);
    }
  }
}
