import fs from 'node:fs';
import path from 'node:path';
import { PulseError } from '../../../errors';
import { sleep, writeFileAtomic } from '../../../util/fsx';
import {
  partitionForKey,
  type Broker,
  type BrokerConsumer,
  type BrokerProducer,
  type AssignHandler,
  type BrokerRecord,
  type GroupDescription,
  type PolledBatch,
  type ProduceMessage,
} from '../port';
import { PartitionLog } from './partitionLog';

const TOPIC_META = 'topic.json';

/**
 * The embedded broker: a durable on-disk partitioned log in a folder, with Kafka's semantics
 * where stages rely on them (per-partition order, offsets, keyed partitioning, group commits).
 * Each thread opens its own instance on the same folder; the producer's instance is the writer.
 */
export class LogBroker implements Broker {
  readonly kind = 'embedded' as const;
  private readonly logs = new Map<string, PartitionLog[]>();

  constructor(private readonly root: string) {
    fs.mkdirSync(root, { recursive: true });
  }

  async ensureTopic(topic: string, partitions: number): Promise<number> {
    const dir = this.topicDir(topic);
    const meta = path.join(dir, TOPIC_META);
    if (!fs.existsSync(meta)) {
      fs.mkdirSync(dir, { recursive: true });
      writeFileAtomic(meta, JSON.stringify({ partitions }));
    }
    return this.partitionCount(topic);
  }

  async topicPartitions(topic: string): Promise<number> {
    return fs.existsSync(path.join(this.topicDir(topic), TOPIC_META)) ? this.partitionCount(topic) : 0;
  }

  async producer(topic: string): Promise<BrokerProducer> {
    const logs = this.open(topic, true);
    return {
      send: async (messages: readonly ProduceMessage[]) => {
        const byPartition: ProduceMessage[][] = logs.map(() => []);
        for (const m of messages) byPartition[partitionForKey(m.partitionKey ?? m.key, logs.length)].push(m);
        const now = Date.now();
        for (let p = 0; p < logs.length; p++) if (byPartition[p].length) logs[p].append(byPartition[p], now);
      },
      close: async () => this.closeTopic(topic),
    };
  }

  async consumer(opts: { group: string; topic: string }): Promise<BrokerConsumer> {
    return new LogConsumer(this, opts.group, opts.topic, this.open(opts.topic, false));
  }

  async endOffsets(topic: string): Promise<number[]> {
    return this.open(topic, false).map((l) => (l.refresh(), l.endOffset));
  }

  async earliestOffsets(topic: string): Promise<number[]> {
    return this.open(topic, false).map((l) => (l.refresh(), l.startOffset));
  }

  async committedOffsets(group: string, topic: string): Promise<number[]> {
    const n = this.partitionCount(topic);
    return Array.from({ length: n }, (_, p) => this.readCommitted(group, topic, p));
  }

  async scan(
    topic: string,
    partition: number,
    from: number,
    to: number,
    visit: (records: BrokerRecord[]) => void,
  ): Promise<void> {
    const log = this.open(topic, false)[partition];
    log.refresh();
    let offset = from;
    while (offset < Math.min(to, log.endOffset)) {
      const records = log.read(offset, Math.min(10_000, to - offset));
      if (records.length === 0) break;
      visit(records);
      offset = records[records.length - 1].offset + 1;
    }
  }

  async read(topic: string, partition: number, from: number, max: number): Promise<BrokerRecord[]> {
    const log = this.partitionLog(topic, partition);
    log.refresh();
    return log.read(Math.max(from, log.startOffset), max);
  }

  async offsetsForTime(topic: string, ms: number): Promise<number[]> {
    return this.open(topic, false).map((l) => (l.refresh(), l.offsetForTime(ms)));
  }

  /** The embedded log keeps no membership: its one member is the stream of the app that holds the data dir. */
  async describeGroup(): Promise<GroupDescription | null> {
    return null;
  }

  async close(): Promise<void> {
    // Keys are `<topic>\0<writable>`: close each topic's readers and writer once.
    for (const topic of new Set([...this.logs.keys()].map((k) => k.split('\0')[0]))) this.closeTopic(topic);
  }

  private partitionLog(topic: string, partition: number): PartitionLog {
    const logs = this.open(topic, false);
    if (!Number.isInteger(partition) || partition < 0 || partition >= logs.length)
      throw new PulseError('not_found', `topic ${topic} has partitions 0 to ${logs.length - 1}, not ${partition}`, {
        field: 'partition',
      });
    return logs[partition];
  }

  readCommitted(group: string, topic: string, partition: number): number {
    try {
      return Number(fs.readFileSync(this.offsetFile(group, topic, partition), 'utf8')) || 0;
    } catch {
      return 0;
    }
  }

  writeCommitted(group: string, topic: string, partition: number, offset: number): void {
    const file = this.offsetFile(group, topic, partition);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    writeFileAtomic(file, String(offset));
  }

  private offsetFile(group: string, topic: string, partition: number): string {
    return path.join(this.topicDir(topic), 'groups', encodeURIComponent(group), `${partition}.offset`);
  }

  private topicDir(topic: string): string {
    if (!/^[A-Za-z0-9._-]+$/.test(topic))
      throw new PulseError('config_invalid', `topic name "${topic}" may only use letters, digits, . _ -`, {
        field: 'topic',
      });
    return path.join(this.root, topic);
  }

  private partitionCount(topic: string): number {
    try {
      return JSON.parse(fs.readFileSync(path.join(this.topicDir(topic), TOPIC_META), 'utf8')).partitions as number;
    } catch {
      throw new PulseError('not_found', `topic ${topic} does not exist in ${this.root}`);
    }
  }

  private open(topic: string, writable: boolean): PartitionLog[] {
    const key = `${topic}\0${writable}`;
    let logs = this.logs.get(key);
    if (!logs) {
      const n = this.partitionCount(topic);
      logs = Array.from({ length: n }, (_, p) =>
        PartitionLog.open(path.join(this.topicDir(topic), String(p)), p, { writable }),
      );
      this.logs.set(key, logs);
    }
    return logs;
  }

  private closeTopic(topic: string): void {
    for (const writable of [true, false]) {
      const key = `${topic}\0${writable}`;
      for (const l of this.logs.get(key) ?? []) l.close();
      this.logs.delete(key);
    }
  }
}

/** A single-member group over the local log: it owns every partition of the topic. */
class LogConsumer implements BrokerConsumer {
  private readonly positions: number[];
  private assignHandler: AssignHandler | null = null;
  private assignedOnce = false;
  private closed = false;
  private rr = 0;

  constructor(
    private readonly broker: LogBroker,
    private readonly group: string,
    private readonly topic: string,
    private readonly logs: PartitionLog[],
  ) {
    this.positions = logs.map((_, p) => broker.readCommitted(group, topic, p));
  }

  assigned(): number[] {
    return this.logs.map((_, p) => p);
  }

  async poll(opts: { maxRecords: number; waitMs: number }): Promise<PolledBatch[]> {
    if (!this.assignedOnce) {
      this.assignedOnce = true;
      const starts = await this.assignHandler?.(new Map(this.positions.map((o, p) => [p, o])));
      for (const [p, o] of starts ?? []) if (p >= 0 && p < this.positions.length) this.positions[p] = o;
    }
    const deadline = Date.now() + opts.waitMs;
    for (;;) {
      const out: PolledBatch[] = [];
      let budget = opts.maxRecords;
      const n = this.logs.length;
      // Round-robin the starting partition so a busy partition cannot starve the others.
      for (let k = 0; k < n && budget > 0; k++) {
        const p = (this.rr + k) % n;
        const log = this.logs[p];
        if (this.positions[p] >= log.endOffset) log.refresh();
        const records = log.read(this.positions[p], Math.ceil(budget / (n - k)));
        if (records.length) {
          this.positions[p] = records[records.length - 1].offset + 1;
          budget -= records.length;
          out.push({ partition: p, records });
        }
      }
      this.rr = (this.rr + 1) % n;
      if (out.length || this.closed || Date.now() >= deadline) return out;
      await sleep(5);
    }
  }

  async commit(offsets: ReadonlyMap<number, number>): Promise<boolean> {
    for (const [p, offset] of offsets) this.broker.writeCommitted(this.group, this.topic, p, offset);
    return true;
  }

  onRevoke(): void {
    // A single member is never asked to give partitions away.
  }

  onAssign(handler: AssignHandler): void {
    this.assignHandler = handler;
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
