import path from 'node:path';
import { PulseError } from './errors';

/** Where each service lives. The embedded defaults need no server; other modes come with the real-services work. */
export type ServiceMode = 'embedded';

export interface EngineConfig {
  /** Root of everything the embedded services keep: broker log, lake folder, warehouse, lock. */
  dataDir: string;
  /** Partitions of `sales_transactions` when the engine creates it. */
  partitions: number;
  services: {
    broker: { mode: ServiceMode };
    lake: { mode: ServiceMode };
    warehouse: { mode: ServiceMode };
    metrics: { mode: ServiceMode };
  };
}

export const DEFAULT_PARTITIONS = 4;

export function defaultDataDir(): string {
  return process.env.RETAIL_PULSE_DATA_DIR ?? path.resolve('.data');
}

/** Builds a config from loose input (CLI, file, env), refusing any wrong setting by name. */
export function resolveConfig(input: { dataDir?: unknown; partitions?: unknown } = {}): EngineConfig {
  const dataDir = input.dataDir ?? defaultDataDir();
  if (typeof dataDir !== 'string' || dataDir.trim() === '') throw new PulseError('config_invalid', 'dataDir must be a folder path', { field: 'dataDir' });
  const partitions = input.partitions ?? DEFAULT_PARTITIONS;
  if (typeof partitions !== 'number' || !Number.isInteger(partitions) || partitions < 1 || partitions > 256) {
    throw new PulseError('config_invalid', `partitions must be an integer from 1 to 256, got ${String(partitions)}`, { field: 'partitions' });
  }
  const embedded = { mode: 'embedded' as const };
  return { dataDir: path.resolve(dataDir), partitions, services: { broker: embedded, lake: embedded, warehouse: embedded, metrics: embedded } };
}

export const paths = {
  broker: (c: EngineConfig) => path.join(c.dataDir, 'broker'),
  lake: (c: EngineConfig) => path.join(c.dataDir, 'lake'),
  warehouse: (c: EngineConfig) => path.join(c.dataDir, 'warehouse'),
  lock: (c: EngineConfig) => path.join(c.dataDir, 'retail-pulse.lock'),
};
