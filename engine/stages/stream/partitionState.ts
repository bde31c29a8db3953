import type { BrokerRecord, PolledBatch } from '../../services/broker/port';
import { PartitionBuffer } from './lakeWriter';
import type { Claim } from './streamOffsets';

/** What one partition hands to a write: its buffered records, the claim they were read under, gaps met. */
export interface Taken {
  buf: PartitionBuffer;
  claim: Claim;
  gaps: [number, number][];
}

/** What a polled batch brings that this partition has not processed yet. */
export interface Admitted {
  records: BrokerRecord[];
  /** Offsets retention removed between the position and the batch's first record, inclusive. */
  lost: [number, number] | null;
}

/**
 * One owned partition, from its assignment to its revocation: the claim it is read under, the next
 * offset to process, the records read and not yet handed to a write, and the gaps retention left
 * since the last hand-over. A revoked partition's state is dropped whole: nothing of it can leak
 * into the next owner's range.
 */
export class PartitionState {
  position: number;
  private buffer: PartitionBuffer;
  private gaps: [number, number][] = [];

  constructor(readonly claim: Claim) {
    this.position = claim.start;
    this.buffer = new PartitionBuffer(claim.partition);
  }

  get partition(): number {
    return this.claim.partition;
  }

  /** The buffer records are added to now. */
  get pending(): PartitionBuffer {
    return this.buffer;
  }

  /** Text held unwritten (values and keys), what the stream's byte cap counts. */
  get bytes(): number {
    return this.buffer.bytes;
  }

  /**
   * The records of a polled batch past the position (a replay after a rebalance delivers some
   * again); a batch starting past the position means the log no longer has what is between.
   */
  admit(polled: PolledBatch): Admitted {
    const records = polled.records;
    const first = records[0]?.offset;
    if (first === undefined) return { records, lost: null };
    const lost: [number, number] | null = first > this.position ? [this.position, first - 1] : null;
    if (lost) this.gaps.push(lost);
    return { records: first >= this.position ? records : records.filter((r) => r.offset >= this.position), lost };
  }

  /** Marks the records up to `lastOffset` processed. */
  advance(lastOffset: number): void {
    this.position = lastOffset + 1;
  }

  /** Hands what is buffered to a write and starts a new buffer; null when there is nothing. */
  take(): Taken | null {
    if (this.buffer.records === 0) return null;
    const taken = { buf: this.buffer, claim: this.claim, gaps: this.gaps };
    this.buffer = new PartitionBuffer(this.partition);
    this.gaps = [];
    return taken;
  }
}
