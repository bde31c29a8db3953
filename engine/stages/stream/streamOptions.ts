import type { DuckDBConnection } from '@duckdb/node-api';
import type { LakeOffsets } from '../../contract';
import type { ErrorInfo } from '../../errors';
import type { IdIndex } from '../../dedupe/idIndex';
import type { CatalogIndex } from '../../model/catalog';
import { SALES_TOPIC } from '../../model/sale';
import type { Broker } from '../../services/broker/port';
import type { Lake } from '../../services/lake/port';
import type { MetricsCalls } from '../../services/metrics/port';
import type { FlushResult } from './lakeWriter';

/** The stream's settings, and what a stream worker gives its stage. */
export interface StreamOptions {
  topic: string;
  /** Partitions, should the stream be the one to create the topic. */
  partitions: number;
  /** The consumer group setting; absent, one derived from the lake's id (see lakeIdentity). */
  group?: string;
  /** Files are written (and offsets committed) at least this often... */
  flushIntervalMs: number;
  /**
   * ...or as soon as the partitions hold this much record text (values and keys, UTF-16 units).
   * It is also the cap: with this much held and a write in flight, the stream polls no more until
   * the write lands (backpressure on the consumer), so memory is bounded whatever the backlog.
   */
  flushBytes: number;
  pollRecords: number;
  allowedLatenessMs: number;
}

export const STREAM_DEFAULTS: StreamOptions = {
  topic: SALES_TOPIC,
  partitions: 4,
  flushIntervalMs: 5_000,
  flushBytes: 16 << 20,
  pollRecords: 10_000,
  allowedLatenessMs: 30_000,
};

export interface StreamDeps {
  broker: Broker;
  lake: Lake;
  metrics: MetricsCalls;
  duck: DuckDBConnection;
  /** The catalog in force, read once per polled batch (a change applies from the next batch). */
  catalog: { current(): CatalogIndex };
  /** Transaction ids accepted across the whole history (duplicates on any partition, any time). */
  ids: IdIndex;
  onFlush?: (r: FlushResult) => void;
  onError?: (e: ErrorInfo) => void;
  /** Where the partitions start and what a user should know, at each (re)assignment. */
  onOffsets?: (r: LakeOffsets) => void;
}
