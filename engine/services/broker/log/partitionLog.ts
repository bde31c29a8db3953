import fs from 'node:fs';
import path from 'node:path';
import { PulseError } from '../../../errors';
import type { BrokerRecord, ProduceMessage } from '../port';
import { fsyncDir as syncDir } from '../../../util/fsx';
import { HEADER_BYTES, decodeHeader, decodeRecords, encodeBatch, payloadIntact } from './batchCodec';

const SEGMENT_BYTES = 128 * 1024 * 1024;
const SEGMENT_RE = /^(\d{20})\.log$/;

interface Segment {
  baseOffset: number;
  file: string;
  fd: number;
  /** Bytes of complete batches indexed so far. */
  size: number;
}

/** Batch index: parallel arrays keep 10⁵ batches cheap. */
interface BatchIndex {
  base: number[];
  count: number[];
  segment: number[];
  pos: number[];
  len: number[];
  /** Append time of the batch, as the running maximum (so a clock stepping back keeps it sorted, as Kafka's time index). */
  time: number[];
}

/**
 * One partition of the embedded log: append-only segment files of CRC-framed batches.
 * A writer opens it with recovery (a torn tail from a crash is cut off); readers open it read-only
 * and pick up what the writer appends on refresh(). One writer per partition at a time: the data
 * directory lock makes that true across processes.
 */
export class PartitionLog {
  private readonly segments: Segment[] = [];
  private readonly index: BatchIndex = { base: [], count: [], segment: [], pos: [], len: [], time: [] };
  private next = 0;

  private constructor(
    readonly dir: string,
    readonly partition: number,
    private readonly writable: boolean,
  ) {}

  static open(dir: string, partition: number, opts: { writable: boolean }): PartitionLog {
    fs.mkdirSync(dir, { recursive: true });
    const log = new PartitionLog(dir, partition, opts.writable);
    log.loadSegments();
    return log;
  }

  get endOffset(): number {
    return this.next;
  }

  get startOffset(): number {
    return this.index.base.length ? this.index.base[0] : this.next;
  }

  append(messages: readonly ProduceMessage[], appendMs = Date.now()): { baseOffset: number; count: number } {
    if (!this.writable) throw new PulseError('internal', 'append on a read-only partition log');
    if (messages.length === 0) return { baseOffset: this.next, count: 0 };
    let seg = this.segments[this.segments.length - 1];
    if (!seg || seg.size >= SEGMENT_BYTES) seg = this.roll();
    const buf = encodeBatch(this.next, appendMs, messages);
    try {
      let written = 0;
      while (written < buf.length)
        written += fs.writeSync(seg.fd, buf, written, buf.length - written, seg.size + written);
      fs.fdatasyncSync(seg.fd);
    } catch (cause) {
      throw new PulseError('broker_io', `cannot append to ${seg.file}: ${(cause as Error).message}`, {
        cause,
        retriable: true,
      });
    }
    this.indexBatch(
      this.segments.length - 1,
      seg.size,
      this.next,
      messages.length,
      buf.length - HEADER_BYTES,
      appendMs,
    );
    seg.size += buf.length;
    const baseOffset = this.next;
    this.next += messages.length;
    return { baseOffset, count: messages.length };
  }

  /** Reads up to `max` records from `offset`. Returns [] at the end of the log. */
  read(offset: number, max: number): BrokerRecord[] {
    const out: BrokerRecord[] = [];
    if (offset >= this.next || max <= 0) return out;
    let i = this.findBatch(offset);
    while (i < this.index.base.length && out.length < max) {
      // Read a run of consecutive batches of one segment with a single pread.
      const segIdx = this.index.segment[i];
      let j = i;
      let records = this.index.base[i] + this.index.count[i] - offset;
      while (
        j + 1 < this.index.base.length &&
        this.index.segment[j + 1] === segIdx &&
        records < max &&
        this.index.pos[j + 1] - this.index.pos[i] < 8 * 1024 * 1024
      ) {
        j++;
        records += this.index.count[j];
      }
      const start = this.index.pos[i];
      const end = this.index.pos[j] + HEADER_BYTES + this.index.len[j];
      const buf = Buffer.allocUnsafe(end - start);
      fs.readSync(this.segments[segIdx].fd, buf, 0, buf.length, start);
      for (let k = i; k <= j && out.length < max; k++) {
        const at = this.index.pos[k] - start;
        const header = decodeHeader(buf, at);
        const payload = buf.subarray(at + HEADER_BYTES, at + HEADER_BYTES + this.index.len[k]);
        if (!header || !payloadIntact(header, payload)) {
          if (k === this.index.base.length - 1 && !this.writable) {
            // The writer may still be finishing this batch: forget it and look again on refresh().
            this.dropFrom(k);
            return out;
          }
          throw new PulseError(
            'broker_corrupt',
            `partition ${this.partition}: batch at offset ${this.index.base[k]} fails its checksum`,
          );
        }
        decodeRecords(this.partition, header, payload, Math.max(offset, header.baseOffset), max - out.length, out);
      }
      offset = this.index.base[j] + this.index.count[j];
      i = j + 1;
    }
    return out;
  }

  /**
   * The first offset of the first batch appended at or after `ms`, as Kafka answers ListOffsets by
   * timestamp; the end offset when every batch is older. A binary search over the batch index.
   */
  offsetForTime(ms: number): number {
    const t = this.index.time;
    let lo = 0;
    let hi = t.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (t[mid] < ms) lo = mid + 1;
      else hi = mid;
    }
    return lo < t.length ? this.index.base[lo] : this.next;
  }

  /** Picks up batches another thread or process appended since the last look (readers only). */
  refresh(): void {
    if (this.writable) return;
    const last = this.segments[this.segments.length - 1];
    if (last) {
      const before = last.size;
      this.scanSegment(this.segments.length - 1, false);
      if (last.size !== before || last.size < SEGMENT_BYTES) return;
    }
    // The tail segment is full: the writer may have rolled to a new one.
    for (const name of this.segmentNames()) {
      const base = Number(SEGMENT_RE.exec(name)![1]);
      if (this.segments.some((s) => s.baseOffset === base)) continue;
      this.segments.push({
        baseOffset: base,
        file: path.join(this.dir, name),
        fd: fs.openSync(path.join(this.dir, name), 'r'),
        size: 0,
      });
      this.scanSegment(this.segments.length - 1, false);
    }
  }

  close(): void {
    for (const s of this.segments) fs.closeSync(s.fd);
    this.segments.length = 0;
  }

  private segmentNames(): string[] {
    return fs
      .readdirSync(this.dir)
      .filter((n) => SEGMENT_RE.test(n))
      .sort();
  }

  private loadSegments(): void {
    const names = this.segmentNames();
    for (const name of names) {
      const file = path.join(this.dir, name);
      const fd = fs.openSync(file, this.writable ? 'r+' : 'r');
      this.segments.push({ baseOffset: Number(SEGMENT_RE.exec(name)![1]), file, fd, size: 0 });
    }
    for (let s = 0; s < this.segments.length; s++) {
      // A crash can only tear the newest segment's tail: verify checksums there, headers elsewhere.
      this.scanSegment(s, this.writable && s === this.segments.length - 1);
    }
    if (this.segments.length === 0) this.next = 0;
  }

  /** Indexes complete batches from the segment's known size onwards; a writer cuts off a torn tail. */
  private scanSegment(segIdx: number, verify: boolean): void {
    const seg = this.segments[segIdx];
    const fileSize = fs.fstatSync(seg.fd).size;
    const header = Buffer.allocUnsafe(HEADER_BYTES);
    let pos = seg.size;
    if (pos === 0 && this.index.base.length === 0) this.next = seg.baseOffset;
    while (pos + HEADER_BYTES <= fileSize) {
      fs.readSync(seg.fd, header, 0, HEADER_BYTES, pos);
      const h = decodeHeader(header);
      if (!h || h.baseOffset !== this.next || pos + HEADER_BYTES + h.payloadLen > fileSize) break;
      if (verify) {
        const payload = Buffer.allocUnsafe(h.payloadLen);
        fs.readSync(seg.fd, payload, 0, h.payloadLen, pos + HEADER_BYTES);
        if (!payloadIntact(h, payload)) break;
      }
      this.indexBatch(segIdx, pos, h.baseOffset, h.count, h.payloadLen, h.appendMs);
      this.next = h.baseOffset + h.count;
      pos += HEADER_BYTES + h.payloadLen;
    }
    seg.size = pos;
    if (this.writable && pos < fileSize) {
      // Torn or unacknowledged tail from a crash: nobody was told it was written, so cut it off.
      fs.ftruncateSync(seg.fd, pos);
      fs.fdatasyncSync(seg.fd);
    }
  }

  private roll(): Segment {
    const name = `${String(this.next).padStart(20, '0')}.log`;
    const file = path.join(this.dir, name);
    const fd = fs.openSync(file, 'wx+');
    syncDir(this.dir);
    const seg = { baseOffset: this.next, file, fd, size: 0 };
    this.segments.push(seg);
    return seg;
  }

  private indexBatch(segment: number, pos: number, base: number, count: number, len: number, time: number): void {
    const t = this.index.time;
    t.push(t.length ? Math.max(t[t.length - 1], time) : time);
    this.index.base.push(base);
    this.index.count.push(count);
    this.index.segment.push(segment);
    this.index.pos.push(pos);
    this.index.len.push(len);
  }

  private dropFrom(k: number): void {
    const seg = this.segments[this.index.segment[k]];
    seg.size = this.index.pos[k];
    this.next = this.index.base[k];
    for (const arr of Object.values(this.index)) arr.length = k;
  }

  /** Index of the batch holding `offset` (binary search over base offsets). */
  private findBatch(offset: number): number {
    const base = this.index.base;
    let lo = 0;
    let hi = base.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (base[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}
