import os from 'node:os';
import { toErrorInfo } from '../errors';
import type { Broker, GroupDescription } from '../services/broker/port';
import type { Lake } from '../services/lake/port';
import type { LagMember, LagSample, PartitionLag, TopicLag } from '../topicsContract';
import { lakeNext } from './lakeNext';

export const SAMPLE_MS = 5_000;
/** One hour of samples per group. */
export const HISTORY = 720;
/** A topics.lag call keeps the sampling on this long (the page renews it while it is shown). */
export const WATCH_MS = 60_000;
const GROUPS_KEPT = 4;

export interface LagDeps {
  topic: () => string;
  brokerKind: () => 'embedded' | 'kafka';
  broker: () => Promise<Broker>;
  lake: () => Promise<Lake>;
  /** The stream's consumer group (the lake's own, or the setting). */
  streamGroup: () => Promise<string>;
  /** This app's stream runs (the embedded log's one possible member). */
  streamRunning: () => boolean;
  /** Something writes or reads the topic in this app (producer, stream, an import): lag moves. */
  active: () => boolean;
  emit: (lag: TopicLag) => void;
}

/**
 * Lag per partition and per member of a consumer group, sampled every 5 s while something in this
 * app moves it or a page watches it (a topics.lag call in the last minute), with an hour of history
 * per group. Kafka answers through its admin API (end, committed offsets, DescribeGroups); the
 * embedded log from the log itself. Beside the group's commits, where the lake is: the offsets the
 * stream trusts.
 */
export class LagMonitor {
  private readonly history = new Map<string, LagSample[]>();
  private readonly last = new Map<string, TopicLag>();
  private watched = new Map<string, number>();
  private sampling: Promise<void> | null = null;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly deps: LagDeps) {
    this.timer = setInterval(() => void this.tick(), SAMPLE_MS);
    this.timer.unref();
  }

  /** The lag of `group` (the stream's when absent) now, with its history; keeps it sampled for a minute. */
  async view(group?: string): Promise<TopicLag> {
    const g = group ?? (await this.deps.streamGroup());
    this.watched.set(g, Date.now() + WATCH_MS);
    const lag = await this.sample(g);
    return { ...lag, samples: [...(this.history.get(g) ?? [])] };
  }

  /** Stops sampling; resolves once a sample in flight is done (it may still use the broker). */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.sampling;
  }

  private async tick(): Promise<void> {
    if (this.sampling) return;
    const now = Date.now();
    this.watched = new Map([...this.watched].filter(([, until]) => until > now));
    const groups = new Set(this.watched.keys());
    this.sampling = (async () => {
      if (this.deps.active()) groups.add(await this.deps.streamGroup());
      for (const g of groups) this.deps.emit(await this.sample(g));
    })()
      .catch(() => undefined)
      .finally(() => (this.sampling = null));
  }

  /** One sample: a failure keeps the last figures and says what failed. */
  private async sample(group: string): Promise<TopicLag> {
    const at = Date.now();
    let lag: TopicLag;
    try {
      lag = await this.measure(group, at);
    } catch (err) {
      const prev = this.last.get(group);
      lag = prev
        ? { ...prev, error: toErrorInfo(err), at }
        : {
            topic: this.deps.topic(),
            group,
            groupIs: 'other',
            broker: this.deps.brokerKind(),
            state: 'unknown',
            trusted: 'lake',
            partitions: [],
            members: [],
            samples: [],
            error: toErrorInfo(err),
            at,
          };
    }
    this.last.set(group, lag);
    if (!lag.error) this.remember(group, lag);
    return { ...lag, samples: lag.error ? [] : lag.samples };
  }

  private remember(group: string, lag: TopicLag): void {
    const list = this.history.get(group) ?? [];
    list.push(...lag.samples);
    if (list.length > HISTORY) list.splice(0, list.length - HISTORY);
    this.history.delete(group);
    this.history.set(group, list);
    // Groups asked for once are forgotten first; the stream's stays while it is sampled.
    while (this.history.size > GROUPS_KEPT) {
      const oldest = this.history.keys().next().value!;
      this.history.delete(oldest);
      this.last.delete(oldest);
    }
  }

  private async measure(group: string, at: number): Promise<TopicLag> {
    const broker = await this.deps.broker();
    const topic = this.deps.topic();
    const streamGroup = await this.deps.streamGroup();
    const isStream = group === streamGroup;
    const n = await broker.topicPartitions(topic);
    const [earliest, end, committed, described, lake] = n
      ? await Promise.all([
          broker.earliestOffsets(topic),
          broker.endOffsets(topic),
          broker.committedOffsets(group, topic),
          broker.describeGroup(group, topic),
          isStream ? this.deps.lake().then((l) => lakeNext(l, n)) : Promise.resolve(null),
        ])
      : [[], [], [], null, null];
    const description = described ?? this.embeddedGroup(isStream, n);
    const owner = new Map<number, string>();
    for (const m of description.members) for (const p of m.partitions) owner.set(p, m.memberId);
    const partitions: PartitionLag[] = end.map((e, p) => {
      const l = lake?.[p] ?? null;
      return {
        partition: p,
        earliest: earliest[p],
        end: e,
        committed: committed[p],
        lag: Math.max(0, e - committed[p]),
        lake: l,
        lakeLag: l === null ? null : Math.max(0, e - l),
        member: owner.get(p) ?? null,
      };
    });
    const members: LagMember[] = description.members.map((m) => ({
      ...m,
      lag: m.partitions.reduce((s, p) => s + (partitions[p]?.lag ?? 0), 0),
    }));
    return {
      topic,
      group,
      groupIs: isStream ? 'stream' : 'other',
      broker: broker.kind,
      state: n ? description.state : 'no topic yet',
      trusted: 'lake',
      partitions,
      members,
      samples: [{ at, lag: partitions.map((p) => p.lag), lakeLag: partitions.map((p) => p.lakeLag), end }],
      error: null,
      at,
    };
  }

  /** The embedded log keeps no membership: its one possible member is this app's stream (the data dir is locked to it). */
  private embeddedGroup(isStream: boolean, partitions: number): GroupDescription {
    if (!isStream || !this.deps.streamRunning())
      return {
        state: isStream ? 'Empty (the stream is stopped)' : 'Empty (no member on the embedded log)',
        members: [],
      };
    return {
      state: 'Stable (this app’s stream)',
      members: [
        {
          memberId: 'stream',
          clientId: 'retail-pulse stream',
          host: os.hostname(),
          partitions: Array.from({ length: partitions }, (_, p) => p),
        },
      ],
    };
  }
}
