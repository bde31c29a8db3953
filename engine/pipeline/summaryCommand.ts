import type { EtlResult, PipelineSummary } from '../contract';
import type { EngineConfig } from '../config';
import type { Handlers } from '../host/commandRouter';
import type { MetricsCalls } from '../services/metrics/port';
import type { WarehouseCalls } from '../services/warehouse/port';
import { LazyWorker } from '../workers/lazyWorker';
import { assembleSummary } from './summary';

export interface SummaryDeps {
  config: () => EngineConfig;
  warehouse: () => Pick<WarehouseCalls, 'totals'>;
  metrics: () => Pick<MetricsCalls, 'totals'>;
  lastEtl: () => EtlResult | null;
}

/**
 * pipeline.summary: every count from durable state. Replaying the log and DuckDB over the lake
 * take seconds on a large lake: they run in the summary worker, never on the Host's thread
 * (Electron's main process); the warehouse and the windows answer from their own threads.
 */
export class SummaryCommand {
  private readonly worker: LazyWorker<'summary'>;

  constructor(private readonly deps: SummaryDeps) {
    this.worker = new LazyWorker(() => ({ role: 'summary', config: deps.config() }));
  }

  handlers(): Handlers<'pipeline.summary'> {
    return { 'pipeline.summary': () => this.summary() };
  }

  /** `throughputTps`: what the caller measured (the CLI's run), reported as it is. */
  async summary(throughputTps = 0): Promise<PipelineSummary> {
    const [durable, warehouse, windows] = await Promise.all([
      this.worker.get().then((w) => w.api.count()),
      this.deps.warehouse().totals(),
      this.deps.metrics().totals(),
    ]);
    return assembleSummary({ durable, warehouse, windows, etl: this.deps.lastEtl(), throughputTps });
  }

  /** The Host moved to other services (the next summary counts there), or is closing. */
  async close(): Promise<void> {
    await this.worker.close();
  }
}
