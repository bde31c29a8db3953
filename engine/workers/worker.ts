/**
 * Entry point of every engine worker thread. The Host starts one per role (workers/protocol.ts);
 * the role's starter opens what it needs, and its API is served over the parent port (rpc.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { toErrorInfo } from '../errors';
import { reportThreadMemory } from '../util/threadMemory';
import type { Endpoint } from './rpc';
import { emitter, serve } from './rpc';
import type { CommonEvents, RoleStarter, WorkerEvents, WorkerInit, WorkerRole } from './protocol';
import { startEtl, startProducer, startStream } from './stageRoles';
import {
  startImporter,
  startLake,
  startQuality,
  startQuarantine,
  startSummary,
  startWarehouse,
  startWarehouseReader,
} from './serviceRoles';
import { startTopics } from '../topics/searchWorker';
import { startCompaction } from '../compaction/compactionWorker';

const STARTERS: { [R in WorkerRole]: RoleStarter<R> } = {
  producer: startProducer,
  stream: startStream,
  etl: startEtl,
  warehouse: startWarehouse,
  'warehouse-reader': startWarehouseReader,
  lake: startLake,
  quarantine: startQuarantine,
  importer: startImporter,
  summary: startSummary,
  quality: startQuality,
  topics: startTopics,
  compaction: startCompaction,
};

async function run<R extends WorkerRole>(port: Endpoint, init: WorkerInit<R>): Promise<void> {
  const emit = emitter<WorkerEvents<R>>(port);
  const starter: RoleStarter<R> = STARTERS[init.role];
  serve(port, await starter(init, emit));
  emitter<CommonEvents>(port)('ready', null);
}

const port: Endpoint | null = parentPort;
if (!port) throw new Error('engine/workers/worker.ts runs as a worker thread (WorkerHandle starts it)');
const init: WorkerInit<WorkerRole> = workerData;
reportThreadMemory(init.role);

run(port, init).catch((err: unknown) => {
  emitter<CommonEvents>(port)('fatal', toErrorInfo(err));
  // Let the message reach the Host before the thread goes.
  setTimeout(() => process.exit(1), 50);
});
