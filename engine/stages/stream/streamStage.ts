import type { DuckDBConnection } from '@duckdb/node-api';
import type { LakeOffsets } from '../../contract';
import { PulseError, toErrorInfo, type ErrorInfo } from '../../errors';
import type { CatalogIndex } from '../../model/catalog';
import { isImported, SALES_TOPIC } from '../../model/sale';
import { validateSale } from '../../model/validate';
import type { Broker, BrokerConsumer, PolledBatch } from '../../services/broker/port';
import { parseBatchKey } from '../../services/lake/keys';
import type { Lake } from '../../services/lake/port';
import type { MetricsCalls } from '../../services/metrics/port';
import { LakeWriter, PartitionBuffer, type FlushResult } from './lakeWriter';
import { MetricsPump } from './metricsPump';
import { StreamOffsets, type Claim, type Flushed } from './streamOffsets';
import type { IdIndex } from '../../dedupe/idIndex';
import { WindowAggregator } from './windowAggregator';

export interface StreamOptions {
  topic: string;
  /** Partitions, should the stream be the one to create the topic. */
  partitions: number;
  /** The consumer group setting; absent, one derived from the lake's id (see lakeIdentity). */
  group?: string;
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
  flushIntervalMs: 5_000,
  flushRecords: 250_000,
  pollRecords: 20_000,
  allowedLatenessMs: 30_000,
};

/** A type, not an interface: a stage status carries it as Record<string, number>. */
export type StreamCounters = {
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
  /** Records retention removed before the stream read them (reported as they are found). */
  lost: number;
};

/** How often a worker reads the ids of silver files other workers wrote. */
const ID_REFRESH_MS = 10_000;

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

/**
 * consume → validate → bronze + silver + quarantine → windows → commit.
 * The lake owns its offsets (streamOffsets, lakeCheckpoint): each partition starts where its lake
 * ends, and a range is marked done in the lake only after its files are durable. The consumer
 * group's commits follow for monitoring and lag, and never decide where a partition starts.
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
    lost: 0,
  };
  private consumer: BrokerConsumer | null = null;
  private writer: LakeWriter | null = null;
  private readonly buffers = new Map<number, PartitionBuffer>();
  private readonly applied = new Map<number, number>();
  private readonly positions = new Map<number, number>();
  private readonly owners = new Map<number, Claim>();
  /** Per partition, offset ranges retention removed before they were read, since the last take(). */
  private readonly gaps = new Map<number, [number, number][]>();
  private offsets: StreamOffsets | null = null;
  private readonly aggregator: WindowAggregator;
  private readonly metricsPump: MetricsPump;
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
    this.metricsPump = new MetricsPump({
      metrics: deps.metrics,
      owns: (p) => this.positions.has(p),
      applied: this.applied,
      counters: this.counters,
      onError: (e) => this.deps.onError?.(e),
      stopping: () => this.stopping,
    });
  }

  async start(): Promise<void> {
    const { broker, lake, duck } = this.deps;
    await broker.ensureTopic(this.opts.topic, this.opts.partitions);
    this.writer = await LakeWriter.create(duck, lake);
    const { topic, group } = this.opts;
    this.offsets = new StreamOffsets({ broker, lake, topic, group, onReport: this.deps.onOffsets });
    const groupId = await this.offsets.open();
    const totals = await this.deps.metrics.totals().catch(() => null);
    for (const [p, o] of Object.entries(totals?.applied ?? {})) this.applied.set(Number(p), o);
    this.consumer = await broker.consumer({ group: groupId, topic });
    this.consumer.onAssign(async (committed) => {
      // This member's own writes land first, so the lake's offsets read next include them.
      await this.writeChain;
      const totals = await this.deps.metrics.totals().catch(() => null);
      const claims = await this.offsets!.assign(committed);
      // The ids the previous owners committed are in the filter before these partitions are read.
      await this.deps.ids.refresh();
      const starts = new Map<number, number>();
      for (const [p, claim] of claims) {
        // Another member may have counted this partition's windows further: the store knows.
        if (totals) this.applied.set(p, totals.applied[p] ?? -1);
        this.positions.set(p, claim.start);
        this.owners.set(p, claim);
        starts.set(p, claim.start);
      }
      return starts;
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
        this.metricsPump.drop(p);
        this.gaps.delete(p);
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
    await this.metricsPump.settle();
  }

  /** Settles when the consume loop ends; rejects with what stopped it (a worker dies of that, reported). */
  whenStopped(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.running;
    await this.flush();
    await this.metricsPump.settle();
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
    // The consumer delivers each partition contiguously, unless the log no longer has what follows.
    if (polled.records[0].offset > position) this.lost(p, position, polled.records[0].offset - 1);
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
    if (delta) this.metricsPump.queue(p, delta);
  }

  /** False for a file in a range this member owns and did not write: a previous owner's late write, to be swept. */
  private readonly trusted = (key: string): boolean => {
    const range = parseBatchKey(key);
    const claim = range && this.owners.get(range.partition);
    return !claim || range.first < claim.start || claim.written.has(key);
  };

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
      taken.push({ buf, owner: this.owners.get(p), gaps: this.gaps.get(p) ?? [] });
      this.buffers.set(p, new PartitionBuffer(p));
      this.gaps.delete(p);
    }
    return taken;
  }

  /**
   * Per partition: an intent, the files (durable), then the range marked done in the lake. The
   * group's commit comes between, for monitoring, and as a fence: after a rebalance it is refused,
   * so a member that lost a partition marks nothing done there (the new owner reads it again).
   */
  private async writeAndCommit(taken: Taken[]): Promise<void> {
    // After a failed write nothing later may commit: its offsets would skip the lost records.
    if (this.flushError) throw this.flushError;
    const flushed: Flushed[] = [];
    for (const { buf, owner: claim, gaps } of taken) {
      // Read under a claim since lost: the new owner reads the range again.
      if (!claim || this.owners.get(buf.partition) !== claim) continue;
      const [first, last] = [buf.firstOffset, buf.lastOffset];
      await this.offsets!.intent(claim, first, last, this.writer!.plan(buf));
      const result = await this.writer!.flush(buf);
      // Its own files: the duplicate check trusts them (see trusted), the sweep never takes them.
      for (const f of result.files) claim.written.add(f);
      // Durable now: these ids are found in silver, no longer only in memory.
      this.deps.ids.settled(buf.silver.columns[1] as string[]);
      this.counters.files += result.files.length;
      flushed.push({ claim, first, last, files: result.files, records: result.records, gaps });
      this.deps.onFlush?.(result);
    }
    const current = flushed.filter((f) => this.owners.get(f.claim.partition) === f.claim);
    if (!current.length) return;
    if (!(await this.consumer!.commit(new Map(current.map((f) => [f.claim.partition, f.last + 1]))))) return;
    this.counters.commits++;
    await this.offsets!.commit(current);
  }

  /** Retention removed records before the stream read them: counted, reported, written into the next done marker. */
  private lost(p: number, from: number, to: number): void {
    this.counters.lost += to - from + 1;
    const gaps = this.gaps.get(p) ?? [];
    gaps.push([from, to]);
    this.gaps.set(p, gaps);
    this.offsets?.lost(p, from, to);
  }
}

interface Taken {
  buf: PartitionBuffer;
  owner: Claim | undefined;
  gaps: [number, number][];
}
