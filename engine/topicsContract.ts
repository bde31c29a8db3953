/**
 * Types of the Topics page's part of the contract (the topic browser, search by transaction id, the
 * live tail, a hand-written message, lag per partition and member). Re-exported by contract.ts.
 */
import type { ErrorInfo } from './errors';

/** One record of the sales topic as the browser shows it. */
export interface TopicMessage {
  partition: number;
  offset: number;
  /** The broker's append time, epoch ms. */
  timestamp: number;
  key: string | null;
  value: string;
  /** Bytes of key and value on the topic (UTF-8). */
  bytes: number;
}

export interface TopicPartitionBounds {
  partition: number;
  /** The oldest offset the log still holds. */
  earliest: number;
  /** The offset the next record will get. */
  end: number;
}

/** Where a page of the topic starts: the newest records, an offset of one partition, or a time. */
export interface TopicReadRequest {
  /** One partition; every partition, merged by time, when absent. */
  partition?: number;
  /** With a partition: its offset to start at. */
  offset?: number;
  /** Epoch ms: each partition from its first record appended at or after it. */
  time?: number;
  /** Per partition, where the last page began (direction 'before') or ended (direction 'after'). */
  cursor?: number[];
  /** 'after' reads on from the start point; 'before' the records just before it. Default: after, or the newest page. */
  direction?: 'after' | 'before';
  /** Records on the page: 1 to 500 (default 100). */
  limit?: number;
}

/** A page of the topic: one partition in offset order, or all partitions in time order. */
export interface TopicPage {
  topic: string;
  broker: 'embedded' | 'kafka';
  partitions: TopicPartitionBounds[];
  messages: TopicMessage[];
  /** Per partition, the offset this page starts at (where an older page ends). */
  start: number[];
  /** Per partition, the offset after this page (where a newer page starts). */
  next: number[];
  /** Time the Host took to read the page. */
  ms: number;
}

/** Where a record with the transaction id is: silver (accepted), quarantine (with its reason), or only the log so far. */
export interface TopicSearchHit {
  partition: number;
  offset: number;
  place: 'silver' | 'quarantine' | 'log';
  /** The quarantine reason (for a replayed record: the reason it had before the replay took it to silver). */
  reason: string | null;
  /** A quarantine replay moved it to silver. */
  replayed: boolean;
  /** The record itself: from the log, or from bronze when retention removed it from the log; null if neither has it. */
  message: TopicMessage | null;
  /** Where `message` came from. */
  from: 'log' | 'bronze' | null;
}

export interface TopicSearchResult {
  transactionId: string;
  hits: TopicSearchHit[];
  /** The lake searched up to its checkpoint (silver's and quarantine's transaction_id columns). */
  lake: { through: number[]; files: number; ms: number };
  /** The log searched past the lake's checkpoint (not yet in the lake), per partition [from, to). */
  log: { from: number[]; to: number[]; records: number; ms: number };
  ms: number;
}

/** A message written by hand, through the same producer as the app's own (the stream validates it like any till's). */
export interface ProducedMessage {
  partition: number;
  /** Its offset, found on the partition after the send; null when it could not be told apart (identical records). */
  offset: number | null;
  key: string;
  bytes: number;
}

/** New records of the topic while the tail follows (at most 100 an event, the newest; `skipped` older ones not sent). */
export interface TopicTailEvent {
  messages: TopicMessage[];
  skipped: number;
  at: number;
  /** The tail stopped because the broker failed (follow again to resume). */
  error: ErrorInfo | null;
}

export interface TopicTailState {
  following: boolean;
  partition: number | null;
  /** Per partition, where the tail reads on from. */
  from: number[];
}

/** Lag of one partition: the group's committed offset, where the lake is, and the log's end. */
export interface PartitionLag {
  partition: number;
  earliest: number;
  end: number;
  /** The group's committed next offset (0 when it never committed). */
  committed: number;
  /** end − committed. */
  lag: number;
  /** The lake's checkpoint: the first offset the lake does not hold; null when it could not be read. */
  lake: number | null;
  /** end − lake: what the stream still has to write, by the offsets it trusts. */
  lakeLag: number | null;
  /** The member that owns the partition now; null when none does (the stream is stopped). */
  member: string | null;
}

export interface LagMember {
  memberId: string;
  clientId: string;
  host: string;
  partitions: number[];
  /** The group's lag summed over its partitions. */
  lag: number;
}

/** One sample of the lag over time (per partition, in partition order). */
export interface LagSample {
  at: number;
  lag: number[];
  lakeLag: (number | null)[];
  end: number[];
}

export interface TopicLag {
  topic: string;
  group: string;
  /** The stream's group (the lake's own, or the group setting), or another one asked for. */
  groupIs: 'stream' | 'other';
  broker: 'embedded' | 'kafka';
  /** Kafka's group state (Stable, Empty, …); on the embedded log whether this app's stream runs. */
  state: string;
  /** Always the lake: the stream starts each partition from the lake's checkpoint; the group's commits are kept for monitoring. */
  trusted: 'lake';
  partitions: PartitionLag[];
  members: LagMember[];
  /** History, oldest first (from the command); an event carries the newest sample only. */
  samples: LagSample[];
  /** The last sample failed (a broker or lake that does not answer): what was shown before stays. */
  error: ErrorInfo | null;
  at: number;
}

/** The Topics page's commands (the topic browser, search, tail, a hand-written message, lag): part of Commands. */
export interface TopicsCommands {
  /** A page of the sales topic, read without a consumer group: the newest, from an offset or a time, or on from a cursor. */
  'topics.read': { req: TopicReadRequest; res: TopicPage };
  /** Every record of a transaction id: in the lake (silver, quarantine) up to its checkpoint, in the log past it. */
  'topics.search': { req: { transactionId: string }; res: TopicSearchResult };
  /** follow: true pushes new records as topics.tail events (every 500 ms, the newest 100) until follow: false; without follow, the state in force. */
  'topics.tail': { req: { follow?: boolean; partition?: number }; res: TopicTailState };
  /** Sends one message through the topic's producer (key: the value's store_id when absent); the stream validates it like any till's. */
  'topics.produce': { req: { key?: string; value: string }; res: ProducedMessage };
  /** Lag per partition and member of the stream's group (or `group`), beside the lake's offsets, with an hour of samples. */
  'topics.lag': { req: { group?: string }; res: TopicLag };
}

/** The Topics page's events: part of Events. */
export interface TopicsEvents {
  /** New records while the tail follows: the newest 100 every 500 ms at most. */
  'topics.tail': TopicTailEvent;
  /** A lag sample (every 5 s while a stage runs or the Topics page watches), with the newest sample only. */
  'topics.lag': TopicLag;
}
