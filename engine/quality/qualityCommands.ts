import type { EngineConfig } from '../config';
import type { Commands, EventName, Events, LiveQuality, QualityBucket, QualityStats, StageStatus } from '../contract';
import { PulseError } from '../errors';
import { LazyWorker } from '../workers/lazyWorker';
import type { WorkerApi } from '../workers/protocol';
import type { WindowCounts } from './qualityScanner';
import { VALIDATION_RULES } from './validationRules';

export type QualityCommand = 'quality.rules' | 'quality.stats' | 'quarantine.record';

export interface QualityDeps {
  config: () => EngineConfig;
  on: <K extends EventName>(name: K, listener: (payload: Events[K]) => void) => () => void;
  now?: () => number;
}

const MINUTE = 60_000;
const MAX_BUCKETS = 2_000;
const LIVE_SPAN = 60_000;

/** A bucket size that draws a range in about 60 to 300 bars: 1, 5, 15, 60 minutes or a day. */
export function bucketFor(rangeMs: number): number {
  for (const m of [1, 5, 15, 60]) if (rangeMs / (m * MINUTE) <= 300) return m * MINUTE;
  return 1440 * MINUTE;
}

/**
 * Data quality for the UI and the alerts: the validation rules with their reason codes, arrivals and
 * refusals by reason over time from the lake (a worker of its own, qualityScanner.ts), and the
 * stream's live counters over its last minute (what the lake does not hold yet).
 */
export class QualityCommands {
  /** The lake's reads, in a worker of its own started on first use (on the services in force then). */
  private readonly worker: LazyWorker<'quality'>;
  private readonly busy = new Set<Promise<unknown>>();
  private samples: { at: number; consumed: number; quarantined: number }[] = [];
  private streamRunning = false;
  private readonly off: () => void;
  private readonly now: () => number;

  constructor(private readonly deps: QualityDeps) {
    this.now = deps.now ?? Date.now;
    this.worker = new LazyWorker(() => ({ role: 'quality', config: deps.config() }));
    this.off = deps.on('stage.status', (s) => this.sample(s));
  }

  handlers(): { [C in QualityCommand]: (req: Commands[C]['req']) => Promise<Commands[C]['res']> } {
    return {
      'quality.rules': async () => VALIDATION_RULES.map((r) => ({ ...r })),
      'quality.stats': (q) => this.stats(q),
      'quarantine.record': async (q) => {
        for (const f of ['partition', 'offset'] as const)
          if (!Number.isInteger(q[f]) || q[f] < 0)
            throw new PulseError('config_invalid', `${f} must be a whole number from 0, got ${q[f]}`, { field: f });
        return this.call((api) => api.record(q.partition, q.offset));
      },
    };
  }

  async stats(q: Commands['quality.stats']['req']): Promise<QualityStats> {
    const now = this.now();
    const to = q.to ?? now;
    const from = q.from ?? to - 3_600_000;
    for (const f of ['from', 'to'] as const) {
      const v = q[f];
      if (v !== undefined && (!Number.isFinite(v) || v < 0 || v > 8.64e15))
        throw new PulseError('config_invalid', `${f} must be a time in epoch ms, got ${v}`, { field: f });
    }
    if (from >= to) throw new PulseError('config_invalid', 'from must be before to', { field: 'from' });
    if (q.bucketMinutes !== undefined && (!Number.isInteger(q.bucketMinutes) || q.bucketMinutes < 1))
      throw new PulseError('config_invalid', `bucketMinutes must be a whole number from 1, got ${q.bucketMinutes}`, {
        field: 'bucketMinutes',
      });
    const bucketMs = q.bucketMinutes ? q.bucketMinutes * MINUTE : bucketFor(to - from);
    const first = Math.floor(from / bucketMs) * bucketMs;
    if ((to - first) / bucketMs > MAX_BUCKETS)
      throw new PulseError(
        'config_invalid',
        `${Math.ceil((to - first) / bucketMs)} buckets is too many (at most ${MAX_BUCKETS}): choose larger buckets or a shorter range`,
        { field: 'bucketMinutes' },
      );
    const counts = await this.call((api) => api.counts(Math.floor(from / MINUTE) * MINUTE, to));
    const buckets: QualityBucket[] = [];
    for (let t = first; t < to; t += bucketMs) buckets.push({ start: t, records: 0, quarantined: 0, byReason: {} });
    const at = (m: number) => buckets[Math.floor((m - first) / bucketMs)];
    const totals: WindowCounts = { records: 0, quarantined: 0, byReason: {} };
    for (const [m, n] of counts.bronze) {
      at(m).records += n;
      totals.records += n;
    }
    for (const [m, reason, n] of counts.quarantine) {
      const b = at(m);
      b.quarantined += n;
      b.byReason[reason] = (b.byReason[reason] ?? 0) + n;
      totals.quarantined += n;
      totals.byReason[reason] = (totals.byReason[reason] ?? 0) + n;
    }
    return {
      from,
      to,
      bucketMs,
      buckets,
      totals,
      allTime: counts.allTime,
      live: this.live(),
      filesRead: counts.filesRead,
      at: now,
    };
  }

  /** Arrivals and refusals over the last `minutes` (for the quarantine-rate alerts). */
  async window(minutes: number): Promise<WindowCounts> {
    const to = this.now();
    const from = Math.floor((to - minutes * MINUTE) / MINUTE) * MINUTE;
    const counts = await this.call((api) => api.counts(from, to + 1));
    const out: WindowCounts = { records: 0, quarantined: 0, byReason: {} };
    for (const [, n] of counts.bronze) out.records += n;
    for (const [, reason, n] of counts.quarantine) {
      out.quarantined += n;
      out.byReason[reason] = (out.byReason[reason] ?? 0) + n;
    }
    return out;
  }

  /** When the newest file of bronze or silver landed. */
  async newest(layer: 'bronze' | 'silver'): Promise<number | null> {
    return this.call((api) => api.newest(layer));
  }

  live(): LiveQuality {
    const last = this.samples.at(-1);
    const first = this.samples.find((s) => last && last.at - s.at <= LIVE_SPAN);
    if (!last || !first || first === last)
      return { running: this.streamRunning, windowMs: 0, consumed: 0, quarantined: 0, rate: null };
    const consumed = last.consumed - first.consumed;
    const quarantined = last.quarantined - first.quarantined;
    return {
      running: this.streamRunning,
      windowMs: last.at - first.at,
      consumed,
      quarantined,
      rate: consumed > 0 ? quarantined / consumed : null,
    };
  }

  /** The stream's counters, kept for a minute; a new stream starts its counters at 0 again. */
  private sample(s: StageStatus): void {
    if (s.stage !== 'stream') return;
    this.streamRunning = s.state === 'running';
    const consumed = s.counters.consumed;
    if (typeof consumed !== 'number') return;
    const at = this.now();
    const last = this.samples.at(-1);
    if (last && consumed < last.consumed) this.samples = [];
    this.samples.push({ at, consumed, quarantined: s.counters.quarantined ?? 0 });
    while (this.samples.length > 2 && at - this.samples[1].at > LIVE_SPAN) this.samples.shift();
  }

  /** One call to the worker, kept as under way until it answers. */
  private call<T>(work: (api: WorkerApi<'quality'>) => Promise<T>): Promise<T> {
    const run = this.worker.get().then((h) => work(h.api));
    this.busy.add(run);
    run.then(
      () => this.busy.delete(run),
      () => this.busy.delete(run),
    );
    return run;
  }

  /**
   * The Host moved to other services (or closes): the next call opens a worker on them. Calls under
   * way end first: a thread ended in the middle of a DuckDB query takes the process down with it.
   */
  async servicesChanged(): Promise<void> {
    await Promise.allSettled([...this.busy]);
    await this.worker.close();
  }

  async close(): Promise<void> {
    this.off();
    await this.servicesChanged();
  }
}
