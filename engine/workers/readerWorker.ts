import type { EngineConfig } from '../config';
import type { ReaderWorker } from '../services/warehouse/pgliteQueries';
import type { QueryResult } from '../services/warehouse/port';
import { WorkerHandle } from './workerHandle';

interface ReaderApi {
  query(sql: string, params: unknown[]): Promise<QueryResult>;
}

/** Starts a 'warehouse-reader' worker (PGlite on one snapshot, as the reader role) for pgliteQueries.ts. */
export async function spawnReaderWorker(config: EngineConfig, snapshotDir: string): Promise<ReaderWorker> {
  const handle = await WorkerHandle.spawn<ReaderApi>({ role: 'warehouse-reader', config, options: { snapshotDir } });
  return {
    query: (sql, params) => handle.api.query(sql, params),
    terminate: () => handle.terminate(),
    onExit: (listener) => void handle.onExit(listener),
  };
}
