import { openDuck } from '../services/lake/duck';
import { openLake } from '../services/open';
import type { WarehouseCalls } from '../services/warehouse/port';
import type { RoleStarter } from '../workers/protocol';
import { connect } from '../workers/rpc';
import { compactLake } from './compactor';

/** DuckDB's share while it merges: files are read in order and written as they stream, never held whole. */
const MEMORY_LIMIT = '512MB';

/** The compaction worker's role (worker.ts starts it): the lake, a DuckDB of its own, the warehouse's manifest. */
export const startCompaction: RoleStarter<'compaction'> = async (init, emit) => {
  const warehouse = connect<WarehouseCalls>(init.warehousePort).api;
  const lake = await openLake(init.config);
  const duck = await openDuck({ threads: 1 });
  await duck.run(`SET memory_limit = '${MEMORY_LIMIT}'`);
  return {
    run: (opts) =>
      compactLake(
        { lake, duck, loadedFiles: () => warehouse.loadedFiles(), onProgress: (p) => emit('progress', p) },
        opts,
      ),
  };
};
