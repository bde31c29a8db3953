import type { Kafka } from 'kafkajs';
import { PulseError } from '../../../errors';
import { sleep } from '../../../util/fsx';
import type { BrokerRecord } from '../port';
import { toRecord } from './kafkaRequests';

/*
 * Reading a partition range without a consumer group: one Fetch request to the partition's leader,
 * as a consumer's fetcher sends it, but with no JoinGroup, no assignment and no commit. kafkajs has
 * no assign(), so its consumer can only read through a group; its cluster client (the object its
 * consumers and admin are built on) can send the Fetch itself. kafkajs 2.2.4 is the last release
 * (unmaintained since 2023), so this reaches one documented-by-source internal of a frozen library:
 * the factory a Kafka object keeps for its clients. If it ever moves, opening fails loudly here.
 */

interface KafkaJsRecord {
  offset: string;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  isControlRecord?: boolean;
}

interface FetchResponse {
  responses: {
    topicName: string;
    partitions: { partition: number; highWatermark: string; messages: KafkaJsRecord[] }[];
  }[];
}

interface LeaderConnection {
  fetch(req: {
    replicaId: number;
    isolationLevel: number;
    maxWaitTime: number;
    minBytes: number;
    maxBytes: number;
    topics: { topic: string; partitions: { partition: number; fetchOffset: string; maxBytes: number }[] }[];
  }): Promise<FetchResponse>;
}

interface ClusterClient {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  addTargetTopic(topic: string): Promise<void>;
  refreshMetadata(): Promise<void>;
  findLeaderForPartitions(topic: string, partitions: number[]): Record<string, number[]>;
  findBroker(q: { nodeId: string }): Promise<LeaderConnection>;
}

type ClusterFactory = (opts: {
  metadataMaxAge?: number;
  allowAutoTopicCreation?: boolean;
  isolationLevel?: number;
}) => ClusterClient;

/** READ_UNCOMMITTED: the app's producers are idempotent, never transactional. */
const READ_UNCOMMITTED = 0;
const LEADERSHIP_ERRORS = ['NOT_LEADER_FOR_PARTITION', 'LEADER_NOT_AVAILABLE', 'UNKNOWN_TOPIC_OR_PARTITION'];

function clusterFactory(kafka: Kafka): ClusterFactory {
  const symbol = Object.getOwnPropertySymbols(kafka).find((s) => s.description === 'private:Kafka:createCluster');
  const factory: unknown = symbol ? Reflect.get(kafka, symbol) : undefined;
  if (typeof factory !== 'function')
    throw new PulseError(
      'internal',
      'this kafkajs has no cluster factory (expected in kafkajs 2.2.4): reading a partition without a consumer group needs it',
    );
  return factory as ClusterFactory;
}

/**
 * Reads partition ranges with Fetch requests to each partition's leader, no consumer group. One per
 * browsing client (the Host's topic browser, a search): a connection per broker, reused.
 */
export class PartitionFetcher {
  private readonly cluster: ClusterClient;
  private connected: Promise<void> | null = null;
  private readonly topics = new Set<string>();
  /**
   * One Fetch at a time: kafkajs opens a broker's fetch connection on first use without sharing the
   * attempt, so concurrent first requests open several sockets and orphan all but one.
   */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    kafka: Kafka,
    /** Per partition, the log's earliest and end offsets (admin ListOffsets), for a fetch outside them. */
    private readonly bounds: (topic: string) => Promise<{ earliest: number[]; end: number[] }>,
  ) {
    this.cluster = clusterFactory(kafka)({ allowAutoTopicCreation: false, isolationLevel: READ_UNCOMMITTED });
  }

  /** Up to `max` records of one partition from `from`, in order; [] at the end of the log. */
  async read(topic: string, partition: number, from: number, max: number): Promise<BrokerRecord[]> {
    const out: BrokerRecord[] = [];
    let next = from;
    // A record batch is the unit Kafka returns: ask for about what `max` records take, at least 64 KiB.
    const bytes = Math.min(16 << 20, Math.max(64 << 10, max * 1024));
    for (let empty = 0; out.length < max && empty < 2;) {
      const got = await this.serial(() => this.fetchOnce(topic, partition, next, bytes));
      if (got === null) {
        // Out of range: below the log's start (retention) or past its end.
        const b = await this.bounds(topic);
        const earliest = b.earliest[partition] ?? 0;
        if (next >= (b.end[partition] ?? 0)) break;
        if (next >= earliest)
          throw new PulseError('broker_io', `${topic}/${partition}: offset ${next} is out of range`);
        next = earliest;
        continue;
      }
      const { records, high } = got;
      for (const r of records) {
        if (Number(r.offset) < next || r.isControlRecord) continue;
        if (out.length >= max) break;
        out.push(toRecord(partition, r));
      }
      if (out.length && out[out.length - 1].offset >= next) next = out[out.length - 1].offset + 1;
      else empty++;
      if (next >= high) break;
    }
    return out;
  }

  async close(): Promise<void> {
    await this.queue;
    await this.cluster.disconnect().catch(() => undefined);
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** One Fetch; null when the offset is out of range. Leadership moving (a restarted broker) is waited out. */
  private async fetchOnce(
    topic: string,
    partition: number,
    offset: number,
    maxBytes: number,
  ): Promise<{ records: KafkaJsRecord[]; high: number } | null> {
    const until = Date.now() + 20_000;
    for (;;) {
      try {
        await this.ready(topic);
        const leaders = this.cluster.findLeaderForPartitions(topic, [partition]);
        const nodeId = Object.keys(leaders)[0];
        if (nodeId === undefined)
          throw new PulseError('not_found', `topic ${topic} has no partition ${partition}`, { field: 'partition' });
        const leader = await this.cluster.findBroker({ nodeId });
        const res = await leader.fetch({
          replicaId: -1,
          isolationLevel: READ_UNCOMMITTED,
          maxWaitTime: 0,
          minBytes: 1,
          maxBytes,
          topics: [{ topic, partitions: [{ partition, fetchOffset: String(offset), maxBytes }] }],
        });
        const p = res.responses[0]?.partitions.find((x) => x.partition === partition);
        return { records: p?.messages ?? [], high: Number(p?.highWatermark ?? offset) };
      } catch (err) {
        const type = (err as { type?: string }).type ?? '';
        if (type === 'OFFSET_OUT_OF_RANGE') return null;
        if (err instanceof PulseError || Date.now() > until || !LEADERSHIP_ERRORS.includes(type)) throw err;
        await sleep(300);
        await this.cluster.refreshMetadata().catch(() => undefined);
      }
    }
  }

  private async ready(topic: string): Promise<void> {
    this.connected ??= this.cluster.connect().catch((err: unknown) => {
      this.connected = null;
      throw err;
    });
    await this.connected;
    if (!this.topics.has(topic)) {
      await this.cluster.addTargetTopic(topic);
      this.topics.add(topic);
    }
  }
}
