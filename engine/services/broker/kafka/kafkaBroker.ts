import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import { PulseError } from '../../../errors';
import { sleep } from '../../../util/fsx';
import {
  partitionForKey,
  type Broker,
  type BrokerConsumer,
  type BrokerProducer,
  type BrokerRecord,
  type GroupDescription,
  type ProduceMessage,
} from '../port';
import { describeGroup, offsetsForTime } from './kafkaBrowse';
import { KafkaConsumer } from './kafkaConsumer';
import { PartitionFetcher } from './kafkaFetch';
import { brokerError, leaderRetry, readCommitted, readLow } from './kafkaRequests';
import { scanPartition } from './kafkaScan';

export interface KafkaOptions {
  /** Bootstrap servers, host:port. */
  brokers: string[];
  clientId?: string;
  /** How long an unreachable cluster is retried before a call fails (the producer waits this long for a restarted broker). */
  retryForMs?: number;
}

/**
 * Apache Kafka through kafkajs, behind the same port as the embedded log.
 * - partitions are chosen here with the same FNV-1a key hash, so a store maps to the same
 *   partition in both modes;
 * - the producer is idempotent (acks=all) and sends each batch as one request per broker;
 * - topics use LogAppendTime, so event timestamps are judged against the broker's clock as in
 *   the embedded log;
 * - the consumer is a pull API over kafkajs' push loop, with manual commits only (kafkaConsumer.ts);
 * - a scan reads one partition range through a throwaway group (kafkaScan.ts);
 * - the small requests and error wording the parts share are in kafkaRequests.ts.
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
      // A topic that does not exist is 'not_found' (nothing produced yet), not a broker failure.
      await this.ensureKnown(topic);
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

  /** Reads a partition range in order (kafkaScan.ts: kafkajs has no assign()). */
  scan(
    topic: string,
    partition: number,
    from: number,
    to: number,
    visit: (records: BrokerRecord[]) => void,
  ): Promise<void> {
    const partitions = this.knownPartitions.get(topic) ?? 0;
    return scanPartition(
      { kafka: this.kafka, admin: this.admin, opts: this.opts },
      { topic, partitions, partition, from, to },
      visit,
    );
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
