import type { IdIndex } from '../../dedupe/idIndex';
import type { BrokerConsumer } from '../../services/broker/port';
import type { FlushResult, LakeWriter } from './lakeWriter';
import type { Taken } from './partitionState';
import type { Claim, Flushed, StreamOffsets } from './streamOffsets';

export interface RangeCommitterDeps {
  writer: LakeWriter;
  offsets: StreamOffsets;
  consumer: BrokerConsumer;
  ids: IdIndex;
  /** Whether this member still reads the partition under this claim (a rebalance ends a claim). */
  holds: (claim: Claim) => boolean;
  counters: { files: number; commits: number; duckMb: number; appendMs: number; copyMs: number };
  onFlush?: (r: FlushResult) => void;
}

/**
 * The stream's commit unit: taken ranges are written one write after another (so offsets are
 * committed in order), each as an intent, its files (durable), the group's commit, then the range
 * marked done in the lake. The first failure sticks: nothing after it commits, since its offsets
 * would skip the lost records; the stage reads `error` and stops.
 */
export class RangeCommitter {
  private chain: Promise<void> = Promise.resolve();
  private queued = 0;
  /** Text of the ranges queued or being written: with the buffers, what the stream holds. */
  private inFlightBytes = 0;
  private failure: unknown = null;

  constructor(private readonly deps: RangeCommitterDeps) {}

  /** The first write that failed, if any. */
  get error(): unknown {
    return this.failure;
  }

  get busy(): boolean {
    return this.queued > 0;
  }

  get bytes(): number {
    return this.inFlightBytes;
  }

  /** Settles when every write queued so far has landed or failed (never rejects). */
  idle(): Promise<void> {
    return this.chain;
  }

  /** Queues a write of these ranges; resolves when they are committed, rejects with what stopped them. */
  enqueue(taken: readonly Taken[]): Promise<void> {
    const bytes = taken.reduce((s, t) => s + t.buf.bytes, 0);
    this.queued++;
    this.inFlightBytes += bytes;
    const write = this.chain
      .then(() => this.writeAndCommit(taken))
      .finally(() => {
        this.queued--;
        this.inFlightBytes -= bytes;
      });
    this.chain = write.catch((err) => {
      this.failure ??= err;
    });
    return write;
  }

  /**
   * Per partition: an intent, the files (durable), then the range marked done in the lake. The
   * group's commit comes between, for monitoring, and as a fence: after a rebalance it is refused,
   * so a member that lost a partition marks nothing done there (the new owner reads it again).
   */
  private async writeAndCommit(taken: readonly Taken[]): Promise<void> {
    if (this.failure) throw this.failure;
    const { writer, offsets, consumer, ids, holds, counters } = this.deps;
    const flushed: Flushed[] = [];
    for (const { buf, claim, gaps } of taken) {
      // Read under a claim since lost: the new owner reads the range again.
      if (!holds(claim)) continue;
      const [first, last] = [buf.firstOffset, buf.lastOffset];
      await offsets.intent(claim, first, last, writer.plan(buf));
      const result = await writer.flush(buf);
      // Its own files: the duplicate check trusts them, the sweep never takes them.
      for (const f of result.files) claim.written.add(f);
      // Durable now: these ids are found in silver, no longer only in memory.
      ids.settled(buf.silver.columns[1] as string[]);
      counters.files += result.files.length;
      counters.duckMb = Math.round(writer.duckBytes / (1 << 20));
      counters.appendMs = Math.round(writer.appendMs);
      counters.copyMs = Math.round(writer.copyMs);
      flushed.push({ claim, first, last, files: result.files, records: result.records, gaps });
      this.deps.onFlush?.(result);
    }
    const current = flushed.filter((f) => holds(f.claim));
    if (!current.length) return;
    if (!(await consumer.commit(new Map(current.map((f) => [f.claim.partition, f.last + 1]))))) return;
    counters.commits++;
    await offsets.commit(current);
  }
}
