import type { DuckDBConnection } from '@duckdb/node-api';
import { PulseError, toErrorInfo, type ErrorInfo } from '../../errors';
import type { CatalogIndex } from '../../model/catalog';
import { isImported, SALES_TOPIC } from '../../model/sale';
import { validateSale } from '../../model/validate';
import type { Broker, BrokerConsumer, PolledBatch } from '../../services/broker/port';
import { LAYERS, parseBatchKey } from '../../services/lake/keys';
import type { Lake } from '../../services/lake/port';
import type { Metrics, MetricsBatch } from '../../services/metrics/port';
import { addCounts, mergeWindow } from '../../services/metrics/memoryMetrics';
import { LakeWriter, PartitionBuffer, type FlushResult } from './lakeWriter';
import type { IdIndex } from '../../dedupe/idIndex';
import { WindowAggregator } from './windowAggregator';

export interface StreamOptions {
  topic: string;
  /** Partitions, should the stream be the one to create the topic. */
  partitions: number;
  group: string;
  /** Files are written (and offsets committed) at least this often... */
  flushIntervalMs: number;
  /** ...or as soon as a partition holds this many records. */
  flushRecords: number;
  pollRecords: number;
  allowedLatenessMs: number;
}

export const STREAM_DEFAULTS: StreamOptions = {
  topic: SALES_TOPIC,
  partitions: 4,
  group: 'retail-pulse-stream',
  flushIntervalMs: 5_000,
  flushRecords: 250_000,
  pollRecords: 20_000,
  allowedLatenessMs: 30_000,
};

export interface StreamCounters {
  consumed: number;
  valid: number;
  quarantined: number;
  duplicates: number;
  late: number;
  silverLines: number;
  files: number;
  commits: number;
  lag: number;
  /** Partitions this member owns now. */
  partitions: number;
  metricsErrors: number;
  /** Window deltas held back while the metrics store is unreachable, applied when it is back. */
  metricsPending: number;
}

/** How often a worker reads the ids of silver files other workers wrote. */
const ID_REFRESH_MS = 10_000;
/** How long after taking a partition the stream looks for files a previous owner wrote late. */
const SWEEP_MS = 60_000;

/** This member's claim on a partition: a token per assignment, and the files written under it. */
interface Ownership {
  token: number;
  /** The committed offset it started from. */
  from: number;
  since: number;
  written: Set<string>;
}

export interface StreamDeps {
  broker: Broker;
  lake: Lake;
  metrics: Metrics;
  duck: DuckDBConnection;
  /** The catalog in force, read once per polled batch (a change applies from the next batch). */
  catalog: { current(): CatalogIndex };
  /** Transaction ids accepted across the whole history (duplicates on any partition, any time). */
  ids: IdIndex;
  onFlush?: (r: FlushResult) => void;
  onError?: (e: ErrorInfo) => void;
}

/**
 * consume → validate → bronze + silver + quarantine → windows → commit.
 * Offsets are committed only after the partition's files are durable; files for offsets past the
 * committed one are leftovers of a crash and are removed before the partition is replayed.
 */
export class StreamStage {
  readonly counters: StreamCounters = {
    consumed: 0,
    valid: 0,
    quarantined: 0,
    duplicates: 0,
    late: 0,
    silverLines: 0,
    files: 0,
    commits: 0,
    lag: 0,
    partitions: 0,
    metricsErrors: 0,
    metricsPending: 0,
  };
  private consumer: BrokerConsumer | null = null;
  private writer: LakeWriter | null = null;
  private readonly buffers = new Map<number, PartitionBuffer>();
  private readonly applied = new Map<number, number>();
  private readonly positions = new Map<number, number>();
  private readonly owners = new Map<number, Ownership>();
  private readonly pendingMetrics = new Map<number, MetricsBatch>();
  private tokens = 0;
  private metricsPump: Promise<void> | null = null;
  private draining = false;
  private readonly aggregator: WindowAggregator;
  private lastFlush = Date.now();
  private stopping = false;
  private writeChain: Promise<void> = Promise.resolve();
  private queuedWrites = 0;
  private flushError: unknown = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly deps: StreamDeps,
    private readonly opts: StreamOptions = STREAM_DEFAULTS,
  ) {
    this.aggregator = new WindowAggregator(opts.allowedLatenessMs);
  }

  async start(): Promise<void> {
    const { broker, lake, duck } = this.deps;
    await broker.ensureTopic(this.opts.topic, this.opts.partitions);
    this.writer = await LakeWriter.create(duck, lake);
    const totals = await this.deps.metrics.totals().catch(() => null);
    for (const [p, o] of Object.entries(totals?.applied ?? {})) this.applied.set(Number(p), o);
    this.consumer = await broker.consumer({ group: this.opts.group, topic: this.opts.topic });
    this.consumer.onAssign(async (assigned) => {
      // This member's own writes land first, so the recovery below sees (and removes) them.
      await this.writeChain;
      const totals = await this.deps.metrics.totals().catch(() => null);
      const files = await this.batchFiles();
      for (const [p, committed] of assigned)
        await this.recoverPartition(
          committed,
          files.filter((f) => f.partition === p),
        );
      // The ids the previous owners committed are in the filter before these partitions are read.
      await this.deps.ids.refresh();
      for (const [p, committed] of assigned) {
        // Another member may have counted this partition's windows further: the store knows.
        if (totals) this.applied.set(p, totals.applied[p] ?? -1);
        this.positions.set(p, committed);
        this.owners.set(p, { token: ++this.tokens, from: committed, since: Date.now(), written: new Set() });
      }
    });
    // A rebalance takes partitions away after the fact (Kafka's eager protocol, kafkajs has no
    // pre-revoke hook): what was not committed is dropped here and replayed by the new owner.
    this.consumer.onRevoke(async (partitions) => {
      // A commit already on its way lands before the new owner (maybe this member) reads the offsets.
      await this.writeChain;
      for (const p of partitions) {
        this.buffers.delete(p);
        this.deps.ids.drop(p);
        this.positions.delete(p);
        this.owners.delete(p);
        this.pendingMetrics.delete(p);
      }
    });
    this.running = this.loop();
  }

  /** Processes everything up to `targets` (per-partition end offsets), then flushes and commits. */
  async drainTo(targets: readonly number[], signal?: { aborted: boolean }): Promise<void> {
    // With other members in the group, this one drains the partitions it owns; it waits for its
    // first assignment (a member that owns nothing yet has nothing it could drain).
    const assignedBy = Date.now() + 60_000;
    for (;;) {
      const owned = this.consumer?.assigned() ?? [];
      const settled = owned.every((p) => this.positions.has(p));
      const behind = !owned.length || !settled || owned.some((p) => this.positions.get(p)! < (targets[p] ?? 0));
      if (!behind || (!owned.length && Date.now() > assignedBy)) break;
      if (signal?.aborted) return;
      // Never report a drain that did not happen: the caller would load and count a partial lake.
      if (this.stopping) throw new PulseError('stage_state', 'the stream stopped before it caught up with the log');
      await new Promise((r) => setTimeout(r, 20));
    }
    await this.flush();
    await this.settleMetrics();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.running;
    await this.flush();
    await this.settleMetrics();
    await this.consumer?.close();
  }

  private async loop(): Promise<void> {
    let lastLag = 0;
    let lastIds = Date.now();
    while (!this.stopping) {
      try {
        const batches = await this.consumer!.poll({ maxRecords: this.opts.pollRecords, waitMs: 50 });
        for (const b of batches) await this.process(b);
        const due = Date.now() - this.lastFlush >= this.opts.flushIntervalMs;
        const full = [...this.buffers.values()].some((buf) => buf.records >= this.opts.flushRecords);
        if (this.flushError) throw this.flushError;
        if (due || full) this.flushInBackground();
        if (Date.now() - lastLag > 1000) {
          lastLag = Date.now();
          await this.updateLag();
        }
        // Other workers (Kafka only) write silver too: their ids reach this worker's filter every few seconds.
        if (this.deps.broker.kind === 'kafka' && Date.now() - lastIds > ID_REFRESH_MS) {
          lastIds = Date.now();
          void this.deps.ids.refresh().catch((err) => this.deps.onError?.(toErrorInfo(err)));
        }
      } catch (err) {
        this.deps.onError?.(toErrorInfo(err));
        this.stopping = true;
        throw err;
      }
    }
  }

  /** Lag is informative: a broker that does not answer now is reported, not fatal. */
  private async updateLag(): Promise<void> {
    this.counters.partitions = this.consumer?.assigned().length ?? 0;
    try {
      const ends = await this.deps.broker.endOffsets(this.opts.topic);
      this.counters.lag = ends.reduce(
        (s, e, p) => s + (this.positions.has(p) ? Math.max(0, e - this.positions.get(p)!) : 0),
        0,
      );
    } catch (err) {
      this.deps.onError?.(toErrorInfo(err));
    }
  }

  private async process(polled: PolledBatch): Promise<void> {
    const p = polled.partition;
    // Not ours any more (revoked), or records this member already processed (a replay after a rebalance).
    const position = this.positions.get(p);
    if (position === undefined) return;
    const batch =
      polled.records[0].offset >= position
        ? polled
        : { partition: p, records: polled.records.filter((r) => r.offset >= position) };
    if (!batch.records.length) return;
    const catalog = this.deps.catalog.current();
    const verdicts = batch.records.map((rec) => validateSale(rec.value, rec.timestamp, catalog, isImported(rec.key)));
    // Ids the filter cannot clear and nothing here holds: one exact look in silver for the whole batch.
    const ids = this.deps.ids;
    const maybe = verdicts.flatMap((v) =>
      v.ok && !ids.isPending(v.transactionId) && ids.mightBeDurable(v.transactionId) ? [v.transactionId] : [],
    );
    let inSilver: Set<string> | null = null;
    if (maybe.length) {
      const owner = this.owners.get(p);
      inSilver = await ids.confirm(maybe, this.trusted);
      if (this.owners.get(p) !== owner) return; // revoked meanwhile: the new owner reads these again
    }
    let buf = this.buffers.get(p);
    if (!buf) this.buffers.set(p, (buf = new PartitionBuffer(p)));
    const applied = this.applied.get(p) ?? -1;
    const now = Date.now();
    const agg = this.aggregator;
    agg.begin(p, Math.max(batch.records[0].offset, applied + 1));
    batch.records.forEach((rec, i) => {
      buf.addRaw(rec);
      const verdict = verdicts[i];
      const fresh = rec.offset > applied;
      if (!verdict.ok) {
        buf.addRejected(rec, verdict, catalog.version);
        this.counters.quarantined++;
        if (fresh) agg.skip(rec.offset);
      } else if (inSilver?.has(verdict.transactionId) || !ids.claim(p, verdict.transactionId)) {
        buf.addRejected(
          rec,
          {
            ok: false,
            reason: 'duplicate_transaction',
            detail: `transaction ${verdict.transactionId} was already accepted`,
            transactionId: verdict.transactionId,
          },
          catalog.version,
        );
        this.counters.quarantined++;
        this.counters.duplicates++;
        if (fresh) agg.skip(rec.offset);
      } else {
        buf.addSale(rec, verdict, now);
        this.counters.valid++;
        this.counters.silverLines += verdict.lines.length;
        if (fresh && agg.add(verdict, rec.offset, isImported(rec.key))) this.counters.late++;
      }
    });
    this.counters.consumed += batch.records.length;
    this.positions.set(p, batch.records[batch.records.length - 1].offset + 1);
    const delta = agg.end();
    if (delta) this.queueMetrics(p, delta);
  }

  /** False for a file in a range this member owns and did not write: a previous owner's late write, to be swept. */
  private readonly trusted = (key: string): boolean => {
    const range = parseBatchKey(key);
    const owner = range && this.owners.get(range.partition);
    return !owner || range.first < owner.from || owner.written.has(key);
  };

  /**
   * The speed layer is best effort and off the hot path: deltas queue per partition (merged while
   * one is in flight) and a pump applies them, all partitions at once. The lake and warehouse get
   * every record whatever happens to the store; while it is unreachable the deltas are held and
   * applied in one batch when it answers again, so the windows catch up instead of missing the outage.
   */
  private queueMetrics(p: number, delta: MetricsBatch): void {
    const held = this.pendingMetrics.get(p);
    this.pendingMetrics.set(p, held ? mergeBatches(held, delta) : delta);
    this.metricsPump ??= this.pumpMetrics().finally(() => (this.metricsPump = null));
  }

  private async pumpMetrics(): Promise<void> {
    while (this.pendingMetrics.size) {
      const batches = [...this.pendingMetrics.values()];
      this.pendingMetrics.clear();
      const failed = await Promise.all(
        batches.map(async (batch) => {
          try {
            await this.deps.metrics.apply(batch);
            if (this.positions.has(batch.partition))
              this.applied.set(batch.partition, Math.max(this.applied.get(batch.partition) ?? -1, batch.lastOffset));
            return null;
          } catch (err) {
            // Put it back in front of what arrived meanwhile.
            const later = this.pendingMetrics.get(batch.partition);
            if (this.positions.has(batch.partition))
              this.pendingMetrics.set(batch.partition, later ? mergeBatches(batch, later) : batch);
            return err;
          }
        }),
      );
      const err = failed.find((e) => e !== null);
      this.counters.metricsPending = [...this.pendingMetrics.values()].reduce(
        (s, b) => s + b.windows.reduce((t, w) => t + w.transactions, 0),
        0,
      );
      if (err) {
        this.counters.metricsErrors++;
        this.deps.onError?.({ ...toErrorInfo(err), code: 'metrics_failed', retriable: true });
        if (this.stopping && !this.draining) return;
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  /** Waits until every queued window delta is in the store, or for 10 s while the store is failing. */
  private async settleMetrics(): Promise<void> {
    this.draining = true;
    try {
      const deadline = Date.now() + 10_000;
      while (this.metricsPump && Date.now() < deadline)
        await Promise.race([this.metricsPump, new Promise((r) => setTimeout(r, 200))]);
    } finally {
      this.draining = false;
    }
  }

  /**
   * Hands the buffered records to a background write, so polling and the windows go on while
   * DuckDB compresses. Writes are queued one after another, so offsets are committed in order.
   */
  private flushInBackground(): void {
    if (this.queuedWrites > 0) return;
    const taken = this.take();
    if (taken.length) this.enqueue(taken).catch(() => undefined);
  }

  /** Writes everything buffered and commits it. */
  private async flush(): Promise<void> {
    if (this.flushError) throw this.flushError;
    await this.enqueue(this.take());
  }

  private enqueue(taken: Taken[]): Promise<void> {
    this.queuedWrites++;
    const write = this.writeChain.then(() => this.writeAndCommit(taken)).finally(() => this.queuedWrites--);
    this.writeChain = write.catch((err) => {
      this.flushError ??= err;
    });
    return write;
  }

  private take(): Taken[] {
    this.lastFlush = Date.now();
    const taken: Taken[] = [];
    for (const [p, buf] of this.buffers) {
      if (buf.records === 0) continue;
      taken.push({ buf, owner: this.owners.get(p) });
      this.buffers.set(p, new PartitionBuffer(p));
    }
    return taken;
  }

  /** Files first, durable; only then the offsets that cover them. */
  private async writeAndCommit(taken: Taken[]): Promise<void> {
    // After a failed write nothing later may commit: its offsets would skip the lost records.
    if (this.flushError) throw this.flushError;
    const commits = new Map<number, number>();
    const committed: Ownership[] = [];
    for (const { buf, owner } of taken) {
      const result = await this.writer!.flush(buf);
      // Durable now: these ids are found in silver, no longer only in memory.
      this.deps.ids.settled(buf.silver.columns[1] as string[]);
      this.counters.files += result.files.length;
      for (const f of result.files) owner?.written.add(f);
      // Only under the claim it was read with: after a rebalance these files are leftovers.
      if (owner && this.owners.get(buf.partition) === owner) {
        commits.set(buf.partition, result.lastOffset + 1);
        committed.push(owner);
      }
      this.deps.onFlush?.(result);
    }
    if (commits.size) {
      await this.consumer!.commit(commits);
      this.counters.commits++;
    }
    if (this.deps.broker.kind === 'kafka') {
      const recent = [...this.owners].filter(
        ([, owner]) => committed.includes(owner) && Date.now() - owner.since < SWEEP_MS,
      );
      if (recent.length) await this.sweep(new Map(recent));
    }
  }

  /**
   * A previous owner's write that was in flight when the partition moved here may land after this
   * member's recovery listed the lake. Such a file starts at or after the offset this member took
   * over from and is not one it wrote: remove it, or its records would be in the lake twice.
   */
  private async sweep(owned: ReadonlyMap<number, Ownership>): Promise<void> {
    const foreign = (await this.batchFiles())
      .filter((f) => {
        const owner = owned.get(f.partition);
        return owner && f.first >= owner.from && !owner.written.has(f.key);
      })
      .map((f) => f.key);
    if (foreign.length) await this.deps.lake.delete(foreign);
  }

  /** The stream's batch files in the three layers it writes, one listing per layer (on S3, paged requests). */
  private async batchFiles(): Promise<BatchFile[]> {
    const out: BatchFile[] = [];
    for (const layer of [LAYERS.bronze, LAYERS.silver, LAYERS.quarantine]) {
      for (const obj of await this.deps.lake.list(layer)) {
        const range = parseBatchKey(obj.key);
        if (range) out.push({ layer, key: obj.key, ...range });
      }
    }
    return out;
  }

  /**
   * Before replaying a partition from its committed offset: remove files a crash left past that
   * offset (they will be written again, maybe with another range). Duplicates that straddle the
   * crash are caught by the id index, which reads silver itself.
   */
  private async recoverPartition(committed: number, files: readonly BatchFile[]): Promise<void> {
    const orphans = files.filter((f) => f.first >= committed).map((f) => f.key);
    if (orphans.length) await this.deps.lake.delete(orphans);
  }
}

interface BatchFile {
  layer: string;
  key: string;
  partition: number;
  first: number;
  last: number;
}

interface Taken {
  buf: PartitionBuffer;
  owner: Ownership | undefined;
}

/** One batch covering both offset ranges of a partition, windows merged. */
function mergeBatches(a: MetricsBatch, b: MetricsBatch): MetricsBatch {
  const windows = new Map(a.windows.map((w) => [w.start, structuredClone(w)]));
  for (const w of b.windows) {
    const into = windows.get(w.start);
    if (into) mergeWindow(into, w);
    else windows.set(w.start, structuredClone(w));
  }
  const latency = { ...a.latency };
  addCounts(latency, b.latency);
  return {
    partition: a.partition,
    firstOffset: Math.min(a.firstOffset, b.firstOffset),
    lastOffset: Math.max(a.lastOffset, b.lastOffset),
    windows: [...windows.values()].sort((x, y) => x.start - y.start),
    late: { records: a.late.records + b.late.records, revenueCents: a.late.revenueCents + b.late.revenueCents },
    latency,
  };
}
