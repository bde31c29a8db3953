import { PulseError, toErrorInfo } from '../../errors';
import { isImported } from '../../model/sale';
import { validateSale, type RejectedSale } from '../../model/validate';
import type { BrokerConsumer, PolledBatch } from '../../services/broker/port';
import { parseBatchKey } from '../../services/lake/keys';
import { LakeWriter } from './lakeWriter';
import { MetricsForwarder } from './metricsForwarder';
import { PartitionState, type Taken } from './partitionState';
import { RangeCommitter } from './rangeCommitter';
import { StreamOffsets } from './streamOffsets';
import { emptyStreamCounters, sampleMemory, type StreamCounters } from './streamCounters';
import { WindowAggregator } from './windowAggregator';

export type { StreamCounters } from './streamCounters';

import { STREAM_DEFAULTS, type StreamDeps, type StreamOptions } from './streamOptions';

export { STREAM_DEFAULTS, type StreamDeps, type StreamOptions };

/** How often a worker reads the ids of silver files other workers wrote. */
const ID_REFRESH_MS = 10_000;

/**
 * consume → validate → bronze + silver + quarantine → windows → commit, as a coordinator over
 * one PartitionState per owned partition, a RangeCommitter (files, then offsets, in order) and a
 * MetricsForwarder (windows to the store, off the hot path).
 * The lake owns its offsets (streamOffsets, lakeCheckpoint): each partition starts where its lake
 * ends, and a range is marked done in the lake only after its files are durable. The consumer
 * group's commits follow for monitoring and lag, and never decide where a partition starts.
 */
export class StreamStage {
  readonly counters: StreamCounters = emptyStreamCounters();
  private consumer: BrokerConsumer | null = null;
  private committer: RangeCommitter | null = null;
  private offsets: StreamOffsets | null = null;
  private readonly parts = new Map<number, PartitionState>();
  /** Per partition, the last offset the metrics store has counted (kept across rebalances). */
  private readonly applied = new Map<number, number>();
  private readonly aggregator: WindowAggregator;
  private readonly forwarder: MetricsForwarder;
  private lastFlush = Date.now();
  private stopping = false;
  private running: Promise<void> | null = null;

  constructor(
    private readonly deps: StreamDeps,
    private readonly opts: StreamOptions = STREAM_DEFAULTS,
  ) {
    this.aggregator = new WindowAggregator(opts.allowedLatenessMs);
    this.forwarder = new MetricsForwarder({
      metrics: deps.metrics,
      owns: (p) => this.parts.has(p),
      applied: this.applied,
      counters: this.counters,
      onError: (e) => this.deps.onError?.(e),
      stopping: () => this.stopping,
    });
  }

  async start(): Promise<void> {
    const { broker, lake, duck, ids } = this.deps;
    await broker.ensureTopic(this.opts.topic, this.opts.partitions);
    const writer = await LakeWriter.create(duck, lake);
    const { topic, group } = this.opts;
    const offsets = (this.offsets = new StreamOffsets({ broker, lake, topic, group, onReport: this.deps.onOffsets }));
    const groupId = await offsets.open();
    const totals = await this.deps.metrics.totals().catch(() => null);
    for (const [p, o] of Object.entries(totals?.applied ?? {})) this.applied.set(Number(p), o);
    const consumer = (this.consumer = await broker.consumer({ group: groupId, topic }));
    const committer = (this.committer = new RangeCommitter({
      writer,
      offsets,
      consumer,
      ids,
      holds: (claim) => this.parts.get(claim.partition)?.claim === claim,
      counters: this.counters,
      onFlush: this.deps.onFlush,
    }));
    consumer.onAssign(async (committed) => {
      // This member's own writes land first, so the lake's offsets read next include them.
      await committer.idle();
      const totals = await this.deps.metrics.totals().catch(() => null);
      const claims = await offsets.assign(committed);
      // The ids the previous owners committed are in the filter before these partitions are read.
      await ids.refresh();
      const starts = new Map<number, number>();
      for (const [p, claim] of claims) {
        // Another member may have counted this partition's windows further: the store knows.
        if (totals) this.applied.set(p, totals.applied[p] ?? -1);
        this.parts.set(p, new PartitionState(claim));
        starts.set(p, claim.start);
      }
      return starts;
    });
    // A rebalance takes partitions away after the fact (Kafka's eager protocol, kafkajs has no
    // pre-revoke hook): what was not committed is dropped here and replayed by the new owner.
    consumer.onRevoke(async (partitions) => {
      // A commit already on its way lands before the new owner (maybe this member) reads the offsets.
      await committer.idle();
      for (const p of partitions) {
        this.parts.delete(p);
        ids.drop(p);
        this.forwarder.drop(p);
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
      const settled = owned.every((p) => this.parts.has(p));
      const behind = !owned.length || !settled || owned.some((p) => this.parts.get(p)!.position < (targets[p] ?? 0));
      if (!behind || (!owned.length && Date.now() > assignedBy)) break;
      if (signal?.aborted) return;
      // Never report a drain that did not happen: the caller would load and count a partial lake.
      if (this.stopping) throw new PulseError('stage_state', 'the stream stopped before it caught up with the log');
      await new Promise((r) => setTimeout(r, 20));
    }
    await this.flush();
    await this.forwarder.settle();
  }

  /** Settles when the consume loop ends; rejects with what stopped it (a worker dies of that, reported). */
  whenStopped(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.running;
    await this.flush();
    await this.forwarder.settle();
    await this.consumer?.close();
  }

  private async loop(): Promise<void> {
    let lastLag = 0;
    let lastIds = Date.now();
    const committer = this.committer!;
    while (!this.stopping) {
      try {
        const t0 = performance.now();
        const batches = await this.consumer!.poll({ maxRecords: this.opts.pollRecords, waitMs: 50 });
        this.counters.pollMs += performance.now() - t0;
        for (const b of batches) await this.process(b);
        if (committer.error) throw committer.error;
        const held = this.heldBytes();
        const due = Date.now() - this.lastFlush >= this.opts.flushIntervalMs;
        // Writes go in the background, so polling and the windows go on while DuckDB compresses.
        if ((due || held >= this.opts.flushBytes) && !committer.busy) this.enqueue(this.take()).catch(() => undefined);
        // Backpressure: buffers full and a write in flight, so no poll until it lands.
        else if (held >= this.opts.flushBytes) await committer.idle();
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

  private heldBytes(): number {
    let bytes = 0;
    for (const s of this.parts.values()) bytes += s.bytes;
    return bytes;
  }

  /** Lag is informative: a broker that does not answer now is reported, not fatal. */
  private async updateLag(): Promise<void> {
    this.counters.partitions = this.consumer?.assigned().length ?? 0;
    const newest = this.aggregator.newestEventMs;
    this.counters.eventLagMs = Number.isFinite(newest) ? Math.max(0, Date.now() - newest) : 0;
    sampleMemory(this.counters, this.heldBytes() + (this.committer?.bytes ?? 0));
    try {
      const ends = await this.deps.broker.endOffsets(this.opts.topic);
      this.counters.lag = ends.reduce((s, e, p) => s + Math.max(0, e - (this.parts.get(p)?.position ?? e)), 0);
    } catch (err) {
      this.deps.onError?.(toErrorInfo(err));
    }
  }

  private async process(polled: PolledBatch): Promise<void> {
    const p = polled.partition;
    // Not ours any more (revoked), or records this member already processed (a replay after a rebalance).
    const state = this.parts.get(p);
    if (!state) return;
    const { records, lost } = state.admit(polled);
    if (lost) this.lost(p, lost[0], lost[1]);
    if (!records.length) return;
    const catalog = this.deps.catalog.current();
    const t0 = performance.now();
    const verdicts = records.map((rec) => validateSale(rec.value, rec.timestamp, catalog, isImported(rec.key)));
    this.counters.validateMs += performance.now() - t0;
    // Ids the filter cannot clear and nothing here holds: one exact look in silver for the whole batch.
    const ids = this.deps.ids;
    const maybe = verdicts.flatMap((v) =>
      v.ok && !ids.isPending(v.transactionId) && ids.mightBeDurable(v.transactionId) ? [v.transactionId] : [],
    );
    let inSilver: Set<string> | null = null;
    if (maybe.length) {
      inSilver = await ids.confirm(maybe, this.trusted);
      if (this.parts.get(p) !== state) return; // revoked meanwhile: the new owner reads these again
    }
    const buf = state.pending;
    const applied = this.applied.get(p) ?? -1;
    const now = Date.now();
    const agg = this.aggregator;
    const c = this.counters;
    agg.begin(p, Math.max(records[0].offset, applied + 1));
    for (let i = 0; i < records.length; i++) {
      const rec = records[i];
      buf.addRaw(rec);
      const verdict = verdicts[i];
      const fresh = rec.offset > applied;
      if (!verdict.ok) {
        buf.addRejected(rec, verdict, catalog.version);
        c.quarantined++;
        if (fresh) agg.skip(rec.offset);
      } else if (inSilver?.has(verdict.transactionId) || !ids.claim(p, verdict.transactionId)) {
        const detail = `transaction ${verdict.transactionId} was already accepted`;
        const duplicate: RejectedSale = {
          ok: false,
          reason: 'duplicate_transaction',
          detail,
          transactionId: verdict.transactionId,
        };
        buf.addRejected(rec, duplicate, catalog.version);
        c.quarantined++;
        c.duplicates++;
        if (fresh) agg.skip(rec.offset);
      } else {
        buf.addSale(rec, verdict, now);
        c.valid++;
        c.silverLines += verdict.lines.length;
        if (fresh && agg.add(verdict, rec.offset, isImported(rec.key), rec.timestamp)) c.late++;
      }
    }
    c.consumed += records.length;
    state.advance(records[records.length - 1].offset);
    const delta = agg.end();
    if (delta) this.forwarder.queue(p, delta);
  }

  /** False for a file in a range this member owns and did not write: a previous owner's late write, to be swept. */
  private readonly trusted = (key: string): boolean => {
    const range = parseBatchKey(key);
    const claim = range && this.parts.get(range.partition)?.claim;
    return !claim || range.first < claim.start || claim.written.has(key);
  };

  /** Writes everything buffered and commits it. */
  private async flush(): Promise<void> {
    if (this.committer?.error) throw this.committer.error;
    await this.enqueue(this.take());
  }

  private enqueue(taken: Taken[]): Promise<void> {
    return this.committer ? this.committer.enqueue(taken) : Promise.resolve();
  }

  private take(): Taken[] {
    this.lastFlush = Date.now();
    return [...this.parts.values()].flatMap((s) => s.take() ?? []);
  }

  /** Retention removed records before the stream read them: counted, reported, written into the next done marker. */
  private lost(p: number, from: number, to: number): void {
    this.counters.lost += to - from + 1;
    this.offsets?.lost(p, from, to);
  }
}
