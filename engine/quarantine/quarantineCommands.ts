import type { Commands, EtlResult, ErrorInfo, QuarantineQuery, ReplayResult } from '../contract';
import type { EngineConfig } from '../config';
import { PulseError, toErrorInfo } from '../errors';
import type { Catalog } from '../model/catalog';
import type { Metrics, MetricsBatch } from '../services/metrics/port';
import { LazyWorker } from '../workers/lazyWorker';
import type { WorkerApi } from '../workers/protocol';
import type { Remote } from '../workers/rpc';

export type QuarantineCommand = 'quarantine.list' | 'quarantine.replay';

/** What a replay worker (or the stream worker) hands back: the result, and the late revenue for the windows. */
export type Replayed = { result: ReplayResult; metrics: MetricsBatch | null };

export interface QuarantineDeps {
  config: () => EngineConfig;
  /** The running stream worker, which replays through its own id index; null when the stream is stopped. */
  stream: () => Pick<Remote<WorkerApi<'stream'>>, 'replay'> | null;
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
  /** Listing and replays while the stream is stopped: a worker of their own (DuckDB), started on first use. */
  private readonly worker: LazyWorker<'quarantine'>;
  private replaying: Promise<ReplayResult> | null = null;

  constructor(private readonly deps: QuarantineDeps) {
    this.worker = new LazyWorker(() => ({ role: 'quarantine', config: deps.config() }));
  }

  handlers(): { [C in QuarantineCommand]: (req: Commands[C]['req']) => Promise<Commands[C]['res']> } {
    return {
      'quarantine.list': async (q) => {
        const { limit, ...filter } = q;
        return (await this.worker.get()).api.list(check(filter), limit ?? 200);
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
        : await (await this.worker.get()).api.replay(filter, await this.deps.catalog());
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

  /** The Host moved to other services: the next call opens a worker on them. */
  async close(): Promise<void> {
    await this.worker.close();
  }
}

function check(q: QuarantineQuery): QuarantineQuery {
  if (q.state !== undefined && !STATES.includes(q.state))
    throw new PulseError('config_invalid', `state must be one of ${STATES.join(', ')}`, { field: 'state' });
  return q;
}
