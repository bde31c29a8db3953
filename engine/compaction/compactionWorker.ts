import type { MessagePort } from 'node:worker_threads';
import type { EngineConfig } from '../config';
import { openDuck } from '../services/lake/duck';
import { openLake } from '../services/open';
import type { Warehouse } from '../services/warehouse/port';
import { connect, type Endpoint } from '../workers/rpc';
import { compactLake, type CompactOptions } from './compactor';
import type { CompactionProgress, CompactionResult } from './compactionTypes';

export interface CompactionApi {
  run(opts: CompactOptions): CompactionResult;
}

/** DuckDB's share while it merges: files are read in order and written as they stream, never held whole. */
const MEMORY_LIMIT = '512MB';

/** The compaction worker's object (worker.ts serves it): the lake, a DuckDB of its own, the warehouse's manifest. */
export async function compactionApi(
  config: EngineConfig,
  warehousePort: MessagePort | undefined,
  progress: (p: CompactionProgress) => void,
): Promise<{ run(opts: CompactOptions): Promise<CompactionResult> }> {
  const warehouse = warehousePort ? connect<Warehouse>(warehousePort as unknown as Endpoint).api : null;
  const lake = await openLake(config);
  const duck = await openDuck({ threads: 1 });
  await duck.run(`SET memory_limit = '${MEMORY_LIMIT}'`);
  return {
    run: (opts) =>
      compactLake(
        {
          lake,
          duck,
          loadedFiles: async () => (warehouse ? warehouse.loadedFiles() : null),
          onProgress: progress,
        },
        opts,
      ),
  };
}
