import type { EngineConfig } from '../../config';
import { PulseError, toErrorInfo } from '../../errors';
import { openExternalMetrics } from '../open';
import { MemoryMetrics } from './memoryMetrics';
import type { Metrics, MetricsBatch, MetricsTotals, WindowView } from './port';

/**
 * The app's metrics store: Redis when configured, else one in memory. A Redis that does not answer
 * must not keep the app from starting: it comes back as an UnavailableMetrics and the error.
 */
export async function openAppMetrics(config: EngineConfig): Promise<{ metrics: Metrics; error: PulseError | null }> {
  try {
    return { metrics: (await openExternalMetrics(config)) ?? new MemoryMetrics(), error: null };
  } catch (err) {
    const error = withWayOut(err);
    return { metrics: new UnavailableMetrics(error), error };
  }
}

/** The metrics store's error, with the way out: the app runs on, the Live page and the stream wait for it. */
function withWayOut(err: unknown): PulseError {
  const info = toErrorInfo(err);
  return new PulseError(
    'metrics_failed',
    `${info.message}. Fix the Redis setting in Settings (Test connection, then Save and restart), or start Redis and check again.`,
    { cause: err, retriable: true, field: 'redis' },
  );
}

/**
 * Stands in for an external metrics store that could not be reached when the app started, so the
 * app still starts: every read and write fails with the reason (and how to fix it) until the Host
 * reconnects (services.status { recheck: true }, or starting the stream).
 */
export class UnavailableMetrics implements Metrics {
  readonly kind = 'redis' as const;

  constructor(readonly error: PulseError) {}

  apply(_batch: MetricsBatch): Promise<boolean> {
    return Promise.reject(this.error);
  }

  windows(_sinceMs: number): Promise<WindowView[]> {
    return Promise.reject(this.error);
  }

  totals(): Promise<MetricsTotals> {
    return Promise.reject(this.error);
  }

  reset(): Promise<void> {
    return Promise.reject(this.error);
  }

  async close(): Promise<void> {}
}
