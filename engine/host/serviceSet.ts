import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { serviceModes, type EngineConfig } from '../config';
import type { DockerBackedService, ServiceKind, ServiceModes } from '../contract';
import { MemoryMetrics } from '../services/metrics/memoryMetrics';
import type { Metrics } from '../services/metrics/port';
import { openAppMetrics, UnavailableMetrics } from '../services/metrics/unavailableMetrics';
import { openExternalMetrics } from '../services/open';
import type { WriteState } from '../services/warehouse/pgliteQueries';
import { projectFile } from '../util/projectFile';
import type { WarehouseWorkerApi } from '../workers/protocol';
import { serve, type Remote } from '../workers/rpc';
import { WorkerHandle } from '../workers/workerHandle';

const INIT_SQL = projectFile('sql/init.sql');

export interface ServiceSetOptions {
  /** Wait for the warehouse to open before open() resolves (default: yes). */
  waitForWarehouse?: boolean;
  /** What the Host saw of a service while opening or using it (null: it answered), for the service board. */
  report: (service: ServiceKind, error: unknown) => void;
}

/**
 * The services the Host's threads hold for everyone: the config in force (which says, per service,
 * embedded, external or docker), the warehouse worker (PGlite blocks its thread: never this one)
 * and the metrics store (the embedded one lives here; the stream worker gets a port to it). Stages
 * and other workers open their own broker and lake from the config. A service that does not answer
 * is reported, and the app still starts.
 */
export class ServiceSet {
  /** The warehouse worker could not open its warehouse (recheck() tries again). */
  private warehouseDown = false;

  private constructor(
    private current: EngineConfig,
    private warehouseWorker: WorkerHandle<'warehouse'>,
    private store: Metrics,
    private readonly opts: ServiceSetOptions,
  ) {}

  static async open(config: EngineConfig, opts: ServiceSetOptions): Promise<ServiceSet> {
    // Redis, when configured, is shared by every stream worker; otherwise one store lives here.
    // One that does not answer must not keep the app from starting: it is shown as failed.
    const metrics = await openAppMetrics(config);
    const { handle, ready } = WorkerHandle.start({ role: 'warehouse', config, initSqlPath: INIT_SQL });
    if (opts.waitForWarehouse !== false) {
      try {
        await ready;
      } catch (err) {
        await handle.terminate();
        await metrics.metrics.close().catch(() => undefined);
        throw err;
      }
    }
    const set = new ServiceSet(config, handle, metrics.metrics, opts);
    opts.report('metrics', metrics.error);
    ready.then(
      () => opts.report('warehouse', null),
      (err: unknown) => {
        set.warehouseDown = true;
        opts.report('warehouse', err);
      },
    );
    return set;
  }

  get config(): EngineConfig {
    return this.current;
  }

  get warehouse(): Remote<WarehouseWorkerApi> {
    return this.warehouseWorker.api;
  }

  get metrics(): Metrics {
    return this.store;
  }

  /** Where each service lives now: embedded, external, or on the compose stack (docker). */
  modes(): ServiceModes {
    return serviceModes(this.current);
  }

  /** The warehouse worker's write state (PGlite), for the editor's snapshots; lasts until the worker is replaced. */
  onWrites(listener: (state: WriteState) => void): () => void {
    return this.warehouseWorker.on('writes', listener);
  }

  /** A port to the warehouse worker for another worker (the ETL's): one end served there, the other returned. */
  warehousePort(): MessagePort {
    const channel = new MessageChannel();
    this.warehouseWorker.postPort('attach', channel.port1);
    return channel.port2;
  }

  /**
   * The embedded metrics store served on a port for the stream worker (null with Redis: the worker
   * connects itself). dispose() stops serving it when the worker has gone.
   */
  metricsPort(): { port: MessagePort; dispose: () => void } | null {
    if (this.store.kind !== 'memory') return null;
    const channel = new MessageChannel();
    const stop = serve(channel.port1, this.store);
    channel.port1.unref();
    return {
      port: channel.port2,
      dispose: () => {
        stop();
        channel.port1.close();
      },
    };
  }

  /** The metrics store failed at start: open it again, or throw why not (also reported). */
  async reconnectMetrics(): Promise<void> {
    const { metrics, error } = await openAppMetrics(this.current);
    this.opts.report('metrics', error);
    if (error) throw error;
    this.store = metrics;
  }

  metricsDown(): boolean {
    return this.store instanceof UnavailableMetrics;
  }

  /**
   * Services that failed at start, tried again: the metrics store (unless `keepMetrics`, a stream
   * holds it) and the warehouse (unless `keepWarehouse`, an ETL run uses it). `beforeSwap` runs
   * before a reopened warehouse replaces the old worker (the ETL worker holds a port to it).
   */
  async recheck(opts: {
    keepMetrics: boolean;
    keepWarehouse: boolean;
    beforeSwap: () => Promise<void>;
  }): Promise<void> {
    if (this.metricsDown() && !opts.keepMetrics) await this.reconnectMetrics().catch(() => undefined);
    if (!this.warehouseDown || opts.keepWarehouse) return;
    const reopened = await WorkerHandle.spawn({ role: 'warehouse', config: this.current, initSqlPath: INIT_SQL }).then(
      (w) => w,
      () => null,
    );
    if (!reopened) return;
    await opts.beforeSwap();
    await this.warehouseWorker.terminate();
    this.warehouseWorker = reopened;
    this.warehouseDown = false;
  }

  /**
   * Moves `services` to `next` (the config with them replaced). The new warehouse and metrics open
   * before the old ones close, so a refused switch leaves everything as it was; `beforeSwap` runs
   * once they are open, before anything is replaced.
   */
  async switchTo(next: EngineConfig, services: DockerBackedService[], beforeSwap: () => Promise<void>): Promise<void> {
    const metrics = services.includes('metrics') ? ((await openExternalMetrics(next)) ?? new MemoryMetrics()) : null;
    let warehouse: WorkerHandle<'warehouse'> | null = null;
    try {
      if (services.includes('warehouse'))
        warehouse = await WorkerHandle.spawn({ role: 'warehouse', config: next, initSqlPath: INIT_SQL });
    } catch (err) {
      await metrics?.close().catch(() => undefined);
      throw err;
    }
    await beforeSwap();
    if (warehouse) {
      await this.closeWarehouse();
      this.warehouseWorker = warehouse;
      this.warehouseDown = false;
    }
    if (metrics) {
      await this.store.close().catch(() => undefined);
      this.store = metrics;
    }
    this.current = next;
  }

  async close(): Promise<void> {
    await this.closeWarehouse();
    await this.store.close().catch(() => undefined);
  }

  private async closeWarehouse(): Promise<void> {
    await this.warehouseWorker.api.close().catch(() => undefined);
    await this.warehouseWorker.terminate();
  }
}
