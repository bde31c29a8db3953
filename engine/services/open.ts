import { paths, type EngineConfig } from '../config';
import { LogBroker } from './broker/log/logBroker';
import type { Broker } from './broker/port';
import { FolderLake } from './lake/folderLake';
import type { Lake } from './lake/port';

/** Opens this thread's adapter for each service the config names. */
export function openBroker(config: EngineConfig): Broker {
  return new LogBroker(paths.broker(config));
}

export function openLake(config: EngineConfig): Lake {
  return new FolderLake(paths.lake(config));
}
