import type { EngineConfig } from '../config';
import type { ReaderWorker } from '../services/warehouse/pgliteQueries';
import { WorkerHandle } from './workerHandle';

/** Starts a 'warehouse-reader' worker (PGlite on one snapshot, as the reader role) for pgliteQueries.ts. */
export async function spawnReaderWorker(config: EngineConfig, snapshotDir: string): Promise<ReaderWorker> {
  const handle = await WorkerHandle.spawn({ role: 'warehouse-reader', config, snapshotDir });
  return {
    query: (sql, params) => handle.api.query(sql, params),
    terminate: () => handle.terminate(),
    onExit: (listener) => void handle.onExit(listener),
  };
}
