/** The broker port: what stages need of a partitioned, replayable log with consumer groups. */

export interface ProduceMessage {
  key: string;
  value: string;
  /** Chooses the partition instead of `key` (an import keyed by its id, partitioned by store like live sales). */
  partitionKey?: string;
}

export interface BrokerRecord {
  partition: number;
  offset: number;
  /** Broker append time, epoch ms. */
  timestamp: number;
  key: string | null;
  value: string;
}

export interface PolledBatch {
  partition: number;
  records: BrokerRecord[];
}

/** A member of a consumer group as the broker describes it, with the partitions of one topic it owns. */
export interface GroupMember {
  memberId: string;
  clientId: string;
  host: string;
  partitions: number[];
}

/** A consumer group's state and members (Kafka's DescribeGroups); the embedded log keeps no membership. */
export interface GroupDescription {
  /** Kafka's group state: Stable, PreparingRebalance, CompletingRebalance, Empty, Dead. */
  state: string;
  members: GroupMember[];
}

export interface BrokerProducer {
  /** Resolves once every message is durable (acknowledged). Batch: one call, many messages. */
  send(messages: readonly ProduceMessage[]): Promise<void>;
  close(): Promise<void>;
}

export type AssignHandler = (committed: ReadonlyMap<number, number>) => Promise<ReadonlyMap<number, number> | void>;

export interface BrokerConsumer {
  /** Partitions this member owns now. */
  assigned(): number[];
  /** Records after the current position of each owned partition; waits up to waitMs when there is nothing. */
  poll(opts: { maxRecords: number; waitMs: number }): Promise<PolledBatch[]>;
  /**
   * Commits, per partition, the offset of the next record to read. False when a rebalance took the
   * partitions first (nothing is committed then): the caller lost them, and its claim with them.
   */
  commit(offsets: ReadonlyMap<number, number>): Promise<boolean>;
  /**
   * Called when partitions have been taken from this member, before the next assignment is read:
   * after the fact, since Kafka's eager protocol (kafkajs) has no hook before they leave. The
   * handler lets commits already on their way land and drops what it holds of those partitions;
   * a commit it sends for them later is refused (commit answers false), and the new owner reads on.
   */
  onRevoke(handler: (partitions: number[]) => Promise<void>): void;
  /**
   * Called when partitions are given to this member, with the group's committed offset of each.
   * The handler says where each partition starts (the stream: where its lake ends); a partition
   * it leaves out, or a handler that returns nothing, starts at the committed offset. Records are
   * then delivered contiguously from there.
   */
  onAssign(handler: AssignHandler): void;
  close(): Promise<void>;
}

export interface Broker {
  readonly kind: 'embedded' | 'kafka';
  /** Creates the topic if absent; returns its partition count. */
  ensureTopic(topic: string, partitions: number): Promise<number>;
  /** The topic's partition count; 0 when it does not exist (nothing is created). */
  topicPartitions(topic: string): Promise<number>;
  producer(topic: string): Promise<BrokerProducer>;
  consumer(opts: { group: string; topic: string }): Promise<BrokerConsumer>;
  /** Per partition, the offset the next appended record will get. */
  endOffsets(topic: string): Promise<number[]>;
  /** Per partition, the offset of the oldest record still in the log (retention removes those before it). */
  earliestOffsets(topic: string): Promise<number[]>;
  /** Per partition, the group's committed next offset (0 when it never committed). */
  committedOffsets(group: string, topic: string): Promise<number[]>;
  /** Reads a whole partition range in order, for reconciliation and audits. */
  scan(
    topic: string,
    partition: number,
    from: number,
    to: number,
    visit: (records: BrokerRecord[]) => void,
  ): Promise<void>;
  /**
   * Up to `max` records of one partition from `from` (from the log's earliest when `from` is older),
   * in offset order; [] at the end. No consumer group is joined: browsing never moves a group's
   * members or commits.
   */
  read(topic: string, partition: number, from: number, max: number): Promise<BrokerRecord[]>;
  /** Per partition, the first offset appended at or after `ms` (epoch ms); the end offset when none was. */
  offsetsForTime(topic: string, ms: number): Promise<number[]>;
  /** The group's state and members; null where the broker keeps no membership (the embedded log). */
  describeGroup(group: string, topic: string): Promise<GroupDescription | null>;
  close(): Promise<void>;
}

/** Stable key → partition mapping (FNV-1a), so a store's sales stay in order on one partition. */
export function partitionForKey(key: string, partitions: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % partitions;
}
