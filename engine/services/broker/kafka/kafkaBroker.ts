import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Admin, type Consumer, type EachBatchPayload, type Producer } from 'kafkajs';
import { PulseError } from '../../../errors';
import { sleep } from '../../../util/fsx';
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
import { describeGroup, offsetsForTime } from './kafkaBrowse';
import { PartitionFetcher } from './kafkaFetch';

export interface KafkaOptions {
  /** Bootstrap servers, host:port. */
  brokers: string[];
  clientId?: string;
  /** How long an unreachable cluster is retried before a call fails (the producer waits this long for a restarted broker). */
  retryForMs?: number;
}

/** Records the consumer holds before it stops fetching: backpressure for a slow stream. */
const QUEUE_HIGH_WATER = 100_000;

/**
 * Apache Kafka through kafkajs, behind the same port as the embedded log.
 * - partitions are chosen here with the same FNV-1a key hash, so a store maps to the same
 *   partition in both modes;
 * - the producer is idempotent (acks=all) and sends each batch as one request per broker;
 * - topics use LogAppendTime, so event timestamps are judged against the broker's clock as in
 *   the embedded log;
 * - the consumer is a pull API over kafkajs' push loop, with manual commits only.
 */
export class KafkaBroker implements Broker {
  readonly kind = 'kafka' as const;
  private readonly closers = new Set<() => Promise<void>>();
  private readonly knownPartitions = new Map<string, number>();
  /** Browsing reads (read()): Fetch requests without a consumer group, one connection per broker. */
  private fetcher: PartitionFetcher | null = null;

  private constructor(
    private readonly kafka: Kafka,
    private readonly admin: Admin,
    readonly opts: Required<KafkaOptions>,
  ) {}

  static async open(opts: KafkaOptions): Promise<KafkaBroker> {
    if (!opts.brokers.length)
      throw new PulseError('config_invalid', 'kafka needs at least one host:port', { field: 'kafka' });
    const full: Required<KafkaOptions> = { clientId: 'retail-pulse', retryForMs: 60_000, ...opts };
    const kafka = new Kafka({
      clientId: full.clientId,
      brokers: full.brokers,
      logLevel: logLevel.NOTHING,
      connectionTimeout: 3_000,
      retry: { initialRetryTime: 200, maxRetryTime: 2_000, retries: Math.max(1, Math.ceil(full.retryForMs / 2_000)) },
    });
    const admin = kafka.admin({ retry: { retries: 2, initialRetryTime: 200 } });
    try {
      await admin.connect();
      await admin.describeCluster();
    } catch (err) {
      await admin.disconnect().catch(() => undefined);
      throw brokerError(
        full.brokers,
        'cannot reach the Kafka cluster; is it running? (npm run infra -- up, or check --kafka)',
        err,
      );
    }
    return new KafkaBroker(kafka, admin, full);
  }

  async ensureTopic(topic: string, partitions: number): Promise<number> {
    try {
      const existing = await this.partitionCount(topic);
      if (existing) return existing;
      await this.admin.createTopics({
        waitForLeaders: true,
        topics: [
          {
            topic,
            numPartitions: partitions,
            configEntries: [{ name: 'message.timestamp.type', value: 'LogAppendTime' }],
          },
        ],
      });
      // Another process may have created it first with another count: the cluster's answer wins.
      for (let i = 0; i < 50; i++) {
        const n = await this.partitionCount(topic);
        if (n) return n;
        await sleep(100);
      }
      throw new PulseError('broker_io', `topic ${topic} was created but has no partitions yet`, { retriable: true });
    } catch (err) {
      throw brokerError(this.opts.brokers, `cannot create topic ${topic}`, err);
    }
  }

  async topicPartitions(topic: string): Promise<number> {
    try {
      return await this.partitionCount(topic);
    } catch (err) {
      throw brokerError(this.opts.brokers, `cannot read the metadata of ${topic}`, err);
    }
  }

  async producer(topic: string): Promise<BrokerProducer> {
    const partitions = await this.ensureKnown(topic);
    const producer: Producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
    await producer.connect();
    const close = async () => {
      this.closers.delete(close);
      await producer.disconnect().catch(() => undefined);
    };
    this.closers.add(close);
    return {
      send: async (messages: readonly ProduceMessage[]) => {
        if (!messages.length) return;
        try {
          await producer.send({
            topic,
            acks: -1,
            messages: messages.map((m) => ({
              key: m.key,
              value: m.value,
              partition: partitionForKey(m.partitionKey ?? m.key, partitions),
            })),
          });
        } catch (err) {
          throw brokerError(this.opts.brokers, `cannot send ${messages.length} records to ${topic}`, err);
        }
      },
      close,
    };
  }

  async consumer(opts: { group: string; topic: string }): Promise<BrokerConsumer> {
    await this.ensureKnown(opts.topic);
    const c = new KafkaConsumer(this.kafka, this.admin, opts.group, opts.topic, this.opts.brokers, (close) => {
      this.closers.add(close);
      return () => this.closers.delete(close);
    });
    await c.start();
    return c;
  }

  async endOffsets(topic: string): Promise<number[]> {
    try {
      const offsets = await leaderRetry(() => this.admin.fetchTopicOffsets(topic));
      return offsets.sort((a, b) => a.partition - b.partition).map((o) => Number(o.high));
    } catch (err) {
      throw brokerError(this.opts.brokers, `cannot read the end offsets of ${topic}`, err);
    }
  }

  async earliestOffsets(topic: string): Promise<number[]> {
    try {
      return [...(await readLow(this.admin, topic)).values()];
    } catch (err) {
      throw brokerError(this.opts.brokers, `cannot read the earliest offsets of ${topic}`, err);
    }
  }

  async committedOffsets(group: string, topic: string): Promise<number[]> {
    try {
      const committed = await readCommitted(this.admin, group, topic);
      const n = await this.ensureKnown(topic);
      return Array.from({ length: n }, (_, p) => committed.get(p) ?? 0);
    } catch (err) {
      throw brokerError(this.opts.brokers, `cannot read the committed offsets of group ${group}`, err);
    }
  }

  /**
   * kafkajs has no assign(): a scan is a throwaway group that owns the topic, seeks the one
   * partition to `from`, pauses the others, and is deleted afterwards.
   */
  async scan(
    topic: string,
    partition: number,
    from: number,
    to: number,
    visit: (records: BrokerRecord[]) => void,
  ): Promise<void> {
    if (from >= to) return;
    const groupId = `${this.opts.clientId}-scan-${randomUUID()}`;
    const consumer = this.kafka.consumer({
      groupId,
      maxBytes: 32 << 20,
      maxBytesPerPartition: 16 << 20,
      maxWaitTimeInMs: 200,
      retry: { retries: 5 },
    });
    let failure: unknown = null;
    try {
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      let next = from;
      let done!: () => void;
      const finished = new Promise<void>((r) => (done = r));
      consumer.on(consumer.events.CRASH, (e) => {
        failure = e.payload.error;
        done();
      });
      let seeked = false;
      consumer.on(consumer.events.GROUP_JOIN, () => {
        if (seeked) return;
        seeked = true;
        const n = this.knownPartitions.get(topic) ?? 0;
        const others = Array.from({ length: n }, (_, p) => p).filter((p) => p !== partition);
        if (others.length) consumer.pause([{ topic, partitions: others }]);
        consumer.seek({ topic, partition, offset: String(from) });
      });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          if (batch.partition !== partition || next >= to) return;
          const records = batch.messages
            .map((m) => toRecord(partition, m))
            .filter((r) => r.offset >= next && r.offset < to);
          if (records.length) {
            visit(records);
            next = records[records.length - 1].offset + 1;
          }
          if (next >= to) done();
        },
      });
      await finished;
    } finally {
      await consumer.disconnect().catch(() => undefined);
      await this.admin.deleteGroups([groupId]).catch(() => undefined);
    }
    if (failure) throw brokerError(this.opts.brokers, `cannot read ${topic}/${partition}`, failure);
  }

  async read(topic: string, partition: number, from: number, max: number): Promise<BrokerRecord[]> {
    this.fetcher ??= new PartitionFetcher(this.kafka, async (t) => ({
      earliest: await this.earliestOffsets(t),
      end: await this.endOffsets(t),
    }));
    try {
      return await this.fetcher.read(topic, partition, from, max);
    } catch (err) {
      throw brokerError(this.opts.brokers, `cannot read ${topic}/${partition} from offset ${from}`, err);
    }
  }

  async offsetsForTime(topic: string, ms: number): Promise<number[]> {
    try {
      return await leaderRetry(() => offsetsForTime(this.admin, topic, ms));
    } catch (err) {
      throw brokerError(this.opts.brokers, `cannot find the offsets of ${topic} at ${new Date(ms).toISOString()}`, err);
    }
  }

  async describeGroup(group: string, topic: string): Promise<GroupDescription> {
    try {
      return await describeGroup(this.admin, group, topic);
    } catch (err) {
      throw brokerError(this.opts.brokers, `cannot describe consumer group ${group}`, err);
    }
  }

  async close(): Promise<void> {
    for (const close of [...this.closers]) await close();
    await this.fetcher?.close();
    await this.admin.disconnect().catch(() => undefined);
  }

  private async partitionCount(topic: string): Promise<number> {
    const topics = await this.admin.listTopics();
    if (!topics.includes(topic)) return 0;
    const meta = await this.admin.fetchTopicMetadata({ topics: [topic] });
    const n = meta.topics[0]?.partitions.length ?? 0;
    if (n) this.knownPartitions.set(topic, n);
    return n;
  }

  private async ensureKnown(topic: string): Promise<number> {
    const n = this.knownPartitions.get(topic) ?? (await this.partitionCount(topic));
    if (!n) throw new PulseError('not_found', `topic ${topic} does not exist on ${this.opts.brokers.join(',')}`);
    return n;
  }
}

/**
 * A pull consumer over kafkajs' run loop. Every rebalance (kafkajs speaks the eager protocol)
 * revokes all partitions and assigns the new set from the group's committed offsets, so the
 * stream drops what it had not committed and replays it: nothing lost, and the lake writer's
 * offset-range files keep it from being doubled.
 */
class KafkaConsumer implements BrokerConsumer {
  private readonly consumer: Consumer;
  private queue: PolledBatch[] = [];
  private queuedRecords = 0;
  private owned: number[] = [];
  private generation = 0;
  /** Per owned partition, the offset the next delivered record must have. */
  private next = new Map<number, number>();
  private assignDone: Promise<void> = Promise.resolve();
  private wake: (() => void) | null = null;
  private revokeHandler: ((p: number[]) => Promise<void>) | null = null;
  private assignHandler: AssignHandler | null = null;
  private crash: unknown = null;
  private closed = false;
  private readonly untrack: () => void;

  constructor(
    kafka: Kafka,
    private readonly admin: Admin,
    private readonly group: string,
    private readonly topic: string,
    private readonly brokers: string[],
    track: (close: () => Promise<void>) => () => void,
  ) {
    this.untrack = track(() => this.close());
    this.consumer = kafka.consumer({
      groupId: group,
      sessionTimeout: 30_000,
      rebalanceTimeout: 60_000,
      heartbeatInterval: 1_000,
      maxBytes: 64 << 20,
      maxBytesPerPartition: 16 << 20,
      maxWaitTimeInMs: 100,
      allowAutoTopicCreation: false,
      retry: { retries: 30, initialRetryTime: 300, maxRetryTime: 3_000 },
    });
  }

  async start(): Promise<void> {
    const c = this.consumer;
    c.on(c.events.GROUP_JOIN, (e) => this.rebalanced(e.payload.memberAssignment[this.topic] ?? []));
    c.on(c.events.CRASH, (e) => {
      // kafkajs restarts itself after retriable failures; only a final crash is kept.
      if (!e.payload.restart) this.crash = e.payload.error;
      this.wake?.();
    });
    try {
      await c.connect();
      await c.subscribe({ topic: this.topic, fromBeginning: true });
      await c.run({
        autoCommit: false,
        eachBatchAutoResolve: true,
        partitionsConsumedConcurrently: 1,
        eachBatch: (b) => this.deliver(b),
      });
    } catch (err) {
      throw brokerError(this.brokers, `cannot join consumer group ${this.group}`, err);
    }
  }

  assigned(): number[] {
    return [...this.owned];
  }

  async poll(opts: { maxRecords: number; waitMs: number }): Promise<PolledBatch[]> {
    if (this.crash) throw brokerError(this.brokers, `the consumer of group ${this.group} stopped`, this.crash);
    await this.assignDone;
    if (!this.queue.length && !this.closed) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, opts.waitMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
      await this.assignDone;
    }
    const out: PolledBatch[] = [];
    let budget = opts.maxRecords;
    while (this.queue.length && budget > 0) {
      const head = this.queue[0];
      if (head.records.length <= budget) {
        this.queue.shift();
        out.push(head);
        budget -= head.records.length;
      } else {
        out.push({ partition: head.partition, records: head.records.splice(0, budget) });
        budget = 0;
      }
    }
    this.queuedRecords -= opts.maxRecords - budget;
    return out;
  }

  async commit(offsets: ReadonlyMap<number, number>): Promise<boolean> {
    const mine = [...offsets].filter(([p]) => this.owned.includes(p));
    if (mine.length < offsets.size) return false;
    const generation = this.generation;
    const deadline = Date.now() + 120_000;
    for (;;) {
      try {
        await this.consumer.commitOffsets(
          mine.map(([partition, offset]) => ({ topic: this.topic, partition, offset: String(offset) })),
        );
        // A rebalance may have begun while the request was on its way: the generation tells.
        return generation === this.generation;
      } catch (err) {
        // A rebalance took the partitions: the new owner reads on from the lake's offsets.
        if (generation !== this.generation || isRebalanceError(err)) return false;
        if (Date.now() > deadline || this.closed)
          throw brokerError(this.brokers, `cannot commit offsets of group ${this.group}`, err);
        await sleep(500);
      }
    }
  }

  onRevoke(handler: (partitions: number[]) => Promise<void>): void {
    this.revokeHandler = handler;
  }

  onAssign(handler: AssignHandler): void {
    this.assignHandler = handler;
  }

  async close(): Promise<void> {
    this.untrack();
    this.closed = true;
    this.wake?.();
    await this.consumer.disconnect().catch(() => undefined);
  }

  private rebalanced(partitions: number[]): void {
    this.generation++;
    const previous = this.owned;
    this.owned = [...partitions].sort((a, b) => a - b);
    this.queue = [];
    this.queuedRecords = 0;
    const prior = this.assignDone;
    this.assignDone = (async () => {
      await prior.catch(() => undefined);
      // The handler lets this member's in-flight commits land, so the offsets read next are final.
      if (previous.length) await this.revokeHandler?.(previous);
      const committed = await this.committed(this.owned);
      const starts = (await this.assignHandler?.(committed)) ?? committed;
      this.next = new Map(this.owned.map((p) => [p, starts.get(p) ?? committed.get(p) ?? 0]));
      // kafkajs fetches from the committed offset: where the stream starts elsewhere, go there now.
      for (const [p, offset] of this.next)
        if (offset !== committed.get(p))
          this.consumer.seek({ topic: this.topic, partition: p, offset: String(offset) });
    })();
    this.assignDone.catch((err) => (this.crash = err));
  }

  private async logStartsAfter(partition: number, offset: number): Promise<boolean> {
    const low = await readLow(this.admin, this.topic).catch(() => null);
    return (low?.get(partition) ?? 0) > offset;
  }

  private async committed(partitions: number[]): Promise<Map<number, number>> {
    const byPartition = await readCommitted(this.admin, this.group, this.topic);
    return new Map(partitions.map((p) => [p, byPartition.get(p) ?? 0]));
  }

  private async deliver({ batch, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const generation = this.generation;
    await this.assignDone;
    if (!isRunning() || isStale() || generation !== this.generation || !this.owned.includes(batch.partition)) return;
    const p = batch.partition;
    const expected = this.next.get(p) ?? 0;
    // Deliver each partition contiguously from the offset onAssign settled on: kafkajs resolves its
    // own start offset, a batch fetched before a seek can still arrive, and a commit that landed in
    // between (another member's, late) would make it skip records the stream has not written. A gap
    // is only accepted when the log no longer has it (retention): the stream reports it.
    const records = batch.messages.map((m) => toRecord(p, m)).filter((r) => r.offset >= expected);
    if (!records.length) return;
    if (records[0].offset > expected && !(await this.logStartsAfter(p, expected))) {
      this.consumer.seek({ topic: this.topic, partition: p, offset: String(expected) });
      return;
    }
    this.next.set(p, records[records.length - 1].offset + 1);
    this.queue.push({ partition: batch.partition, records });
    this.queuedRecords += records.length;
    this.wake?.();
    while (this.queuedRecords > QUEUE_HIGH_WATER && isRunning() && !this.closed && generation === this.generation) {
      await sleep(20);
      await heartbeat();
    }
  }
}

/** A group's committed next offset per partition (absent: it never committed; Kafka says -1). */
async function readCommitted(admin: Admin, group: string, topic: string): Promise<Map<number, number>> {
  const [entry] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
  return new Map((entry?.partitions ?? []).map((p) => [p.partition, Math.max(0, Number(p.offset))]));
}

/** Per partition, the log start offset (the oldest record retention kept), in partition order. */
async function readLow(admin: Admin, topic: string): Promise<Map<number, number>> {
  const offsets = await leaderRetry(() => admin.fetchTopicOffsets(topic));
  return new Map(offsets.sort((a, b) => a.partition - b.partition).map((o) => [o.partition, Number(o.low)]));
}

function toRecord(
  partition: number,
  m: { offset: string; timestamp: string; key: Buffer | null; value: Buffer | null },
): BrokerRecord {
  return {
    partition,
    offset: Number(m.offset),
    timestamp: Number(m.timestamp),
    key: m.key ? m.key.toString() : null,
    value: m.value ? m.value.toString() : '',
  };
}

/** A restarted broker answers metadata a moment before it leads its partitions again: wait that out. */
async function leaderRetry<T>(fn: () => Promise<T>, forMs = 20_000): Promise<T> {
  const until = Date.now() + forMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      const type = (err as { type?: string }).type ?? '';
      if (
        Date.now() > until ||
        !['NOT_LEADER_FOR_PARTITION', 'LEADER_NOT_AVAILABLE', 'UNKNOWN_TOPIC_OR_PARTITION'].includes(type)
      )
        throw err;
      await sleep(300);
    }
  }
}

function isRebalanceError(err: unknown): boolean {
  const type = (err as { type?: string }).type ?? '';
  return ['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID', 'FENCED_INSTANCE_ID'].includes(type);
}

function brokerError(brokers: string[], what: string, err: unknown): PulseError {
  if (err instanceof PulseError) return err;
  const detail = err instanceof Error ? err.message : String(err);
  return new PulseError('broker_io', `${what} (Kafka at ${brokers.join(',')}): ${detail}`, {
    retriable: true,
    cause: err,
  });
}
