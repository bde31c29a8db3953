import { CatalogCommands, type CatalogCommand, requestedCatalog } from './catalog/catalogCommands';
import type { EngineConfig } from './config';
import type { Commands, EtlResult, EventName, Events } from './contract';
import { ImportCommands, type ImportCommand } from './ingest/importCommands';
import { QuarantineCommands, type QuarantineCommand } from './quarantine/quarantineCommands';
import type { Metrics } from './services/metrics/port';
import { openLake } from './services/open';
import type { WarehouseCalls } from './services/warehouse/port';
import type { WorkerApi } from './workers/protocol';
import type { Remote } from './workers/rpc';

export { requestedCatalog };

export interface HostDataDeps {
  config: () => EngineConfig;
  requested: ReturnType<typeof requestedCatalog>;
  warehouse: () => WarehouseCalls;
  /** The running stream and producer workers (null when stopped): a new catalog goes to both. */
  stream: () => Remote<WorkerApi<'stream'>> | null;
  producer: () => Remote<WorkerApi<'producer'>> | null;
  metrics: () => Metrics;
  runEtl: () => Promise<EtlResult>;
  emit: <K extends EventName>(name: K, payload: Events[K]) => void;
}

/**
 * The Host's data commands, wired once: the catalog in force (pushed to the stream and producer
 * workers, followed by the warehouse dims), quarantine listing and replay, and sales file imports.
 */
export class HostData {
  readonly catalog: CatalogCommands;
  readonly quarantine: QuarantineCommands;
  readonly imports: ImportCommands;

  constructor(deps: HostDataDeps) {
    this.catalog = new CatalogCommands({
      dataDir: deps.config().dataDir,
      requested: deps.requested,
      lake: () => openLake(deps.config()),
      warehouse: deps.warehouse,
      push: async (c) => {
        await deps.stream()?.setCatalog(c);
        await deps.producer()?.setCatalog(c);
      },
      changed: (v) => deps.emit('catalog.changed', v),
      error: (error) => deps.emit('host.error', { source: 'catalog', error }),
    });
    void this.catalog.syncWarehouse();
    this.quarantine = new QuarantineCommands({
      config: deps.config,
      stream: deps.stream,
      catalog: () => this.catalog.current(),
      metrics: deps.metrics,
      runEtl: deps.runEtl,
      error: (error) => deps.emit('host.error', { source: 'quarantine', error }),
    });
    this.imports = new ImportCommands({
      config: deps.config,
      producerRunning: () => deps.producer() !== null,
      progress: (p) => deps.emit('import.progress', p),
    });
  }

  handlers(): {
    [C in CatalogCommand | QuarantineCommand | ImportCommand]: (req: Commands[C]['req']) => Promise<Commands[C]['res']>;
  } {
    return { ...this.catalog.handlers(), ...this.quarantine.handlers(), ...this.imports.handlers() };
  }

  /** The Host moved to other services. */
  async servicesChanged(): Promise<void> {
    await this.catalog.servicesChanged();
    await this.quarantine.close();
  }

  async close(): Promise<void> {
    await this.quarantine.close();
    await this.imports.close();
  }
}
