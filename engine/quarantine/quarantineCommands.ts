import type { Commands, EtlResult, ErrorInfo, QuarantineQuery, ReplayResult } from '../contract';
import type { EngineConfig } from '../config';
import { PulseError, toErrorInfo } from '../errors';
import type { Catalog } from '../model/catalog';
import type { Metrics, MetricsBatch } from '../services/metrics/port';
import type { Remote } from '../workers/rpc';
import { WorkerHandle } from '../workers/workerHandle';

export type QuarantineCommand = 'quarantine.list' | 'quarantine.replay';

/** What a replay worker (or the stream worker) hands back: the result, and the late revenue for the windows. */
export type Replayed = { result: ReplayResult; metrics: MetricsBatch | null };

interface QuarantineWorkerApi {
  list(filter: QuarantineQuery, limit?: number): Promise<unknown>;
  replay(filter: QuarantineQuery, catalog: Catalog): Replayed;
}

export interface QuarantineDeps {
  config: () => EngineConfig;
  /** The running stream worker, which replays through its own id index; null when the stream is stopped. */
  stream: () => Remote<{ replay(filter: QuarantineQuery): Replayed }> | null;
  catalog: () => Promise<Catalog>;
  metrics: () => Metrics;
  runEtl: () => Promise<EtlResult>;
  error: (e: ErrorInfo) => void;
}

const STATES = ['open', 'replayed'];

/**
 * Quarantine listing and replay for the UI and the CLI. A replay runs in the stream worker when the
 * stream runs (so a copy it holds unwritten counts), else in a worker of its own; one at a time.
 * Replayed sales reach the live windows once (as late records) and the warehouse (an ETL run).
 */
export class QuarantineCommands {
  private worker: Promise<WorkerHandle<QuarantineWorkerApi>> | null = null;
  private replaying: Promise<ReplayResult> | null = null;

  constructor(private readonly deps: QuarantineDeps) {}

  handlers(): { [C in QuarantineCommand]: (req: Commands[C]['req']) => Promise<Commands[C]['res']> } {
    return {
      'quarantine.list': async (q) => {
        const { limit, ...filter } = q;
        return (await this.open()).api.list(check(filter), limit ?? 200) as Promise<Commands['quarantine.list']['res']>;
      },
      'quarantine.replay': (q) => this.replay(check(q)),
    };
  }

  replay(filter: QuarantineQuery): Promise<ReplayResult> {
    if (this.replaying) throw new PulseError('stage_state', 'a replay is running: wait for its result');
    this.replaying = (async () => {
      const stream = this.deps.stream();
      const { result, metrics } = stream
        ? await stream.replay(filter)
        : await (await this.open()).api.replay(filter, await this.deps.catalog());
      if (metrics)
        await this.deps
          .metrics()
          .apply(metrics)
          .catch((e) => this.deps.error({ ...toErrorInfo(e), code: 'metrics_failed', retriable: true }));
      if (result.toSilver) result.etl = await this.deps.runEtl();
      return result;
    })().finally(() => (this.replaying = null));
    return this.replaying;
  }

  private open(): Promise<WorkerHandle<QuarantineWorkerApi>> {
    if (!this.worker) {
      const spawned = WorkerHandle.spawn<QuarantineWorkerApi>({ role: 'quarantine', config: this.deps.config() });
      this.worker = spawned;
      spawned.then(
        (h) => h.onExit(() => (this.worker = null)),
        () => (this.worker = null),
      );
    }
    return this.worker;
  }

  /** The Host moved to other services: the next call opens a worker on them. */
  async close(): Promise<void> {
    const w = await this.worker?.catch(() => null);
    this.worker = null;
    await w?.terminate();
  }
}

function check(q: QuarantineQuery): QuarantineQuery {
  if (q.state !== undefined && !STATES.includes(q.state))
    throw new PulseError('config_invalid', `state must be one of ${STATES.join(', ')}`, { field: 'state' });
  return q;
}
