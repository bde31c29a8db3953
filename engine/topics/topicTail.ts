import { toErrorInfo } from '../errors';
import type { Broker, BrokerRecord } from '../services/broker/port';
import type { TopicTailEvent, TopicTailState } from '../topicsContract';
import { checkPartition, toMessage } from './topicPages';

export const TAIL_MS = 500;
/** The newest records sent per event; older ones that came in the same half second are counted as skipped. */
export const TAIL_MAX = 100;

export interface TailDeps {
  topic: () => string;
  broker: () => Promise<Broker>;
  emit: (e: TopicTailEvent) => void;
  /** Whether anyone receives topics.tail events: a tail nobody listens to stops by itself. */
  listening: () => boolean;
}

/**
 * The live tail: every half second, the records appended since the last look (the newest 100),
 * read like the browser's pages (no consumer group, so the stream's group never notices). Paused
 * (follow: false), the Host does no work for it at all.
 */
export class TopicTail {
  private timer: NodeJS.Timeout | null = null;
  private from: number[] = [];
  private partition: number | null = null;
  private ticking: Promise<void> | null = null;

  constructor(private readonly deps: TailDeps) {}

  state(): TopicTailState {
    return { following: this.timer !== null, partition: this.partition, from: [...this.from] };
  }

  async follow(on: boolean, partition?: number): Promise<TopicTailState> {
    this.stop();
    if (!on) return this.state();
    const broker = await this.deps.broker();
    const topic = this.deps.topic();
    const n = await broker.topicPartitions(topic);
    this.partition = partition === undefined ? null : checkPartition(partition, Math.max(n, 1));
    this.from = n ? await broker.endOffsets(topic) : [];
    this.timer = setInterval(() => this.tick(), TAIL_MS);
    this.timer.unref();
    return this.state();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Stops following; resolves once a look in flight is done (it may still use the broker). */
  async close(): Promise<void> {
    this.stop();
    await this.ticking;
  }

  private tick(): void {
    if (this.ticking) return;
    if (!this.deps.listening()) return this.stop();
    this.ticking = this.look().finally(() => (this.ticking = null));
  }

  private async look(): Promise<void> {
    try {
      const broker = await this.deps.broker();
      const topic = this.deps.topic();
      if (!this.from.length) {
        // The topic did not exist when the tail began: it starts at its beginning once it does.
        const n = await broker.topicPartitions(topic);
        if (!n) return;
        this.from = new Array<number>(n).fill(0);
      }
      const end = await broker.endOffsets(topic);
      const parts = end.map((_, p) => p).filter((p) => this.partition === null || p === this.partition);
      const arrived = parts.reduce((s, p) => s + Math.max(0, end[p] - this.from[p]), 0);
      if (!arrived) return;
      const read = await Promise.all(
        parts.map((p) => {
          const from = Math.max(this.from[p], end[p] - TAIL_MAX);
          return end[p] > from ? broker.read(topic, p, from, end[p] - from) : Promise.resolve([] as BrokerRecord[]);
        }),
      );
      const newest = read
        .flat()
        .sort((a, b) => a.timestamp - b.timestamp || a.partition - b.partition || a.offset - b.offset)
        .slice(-TAIL_MAX);
      for (const p of parts) this.from[p] = Math.max(this.from[p], end[p]);
      if (this.timer)
        this.deps.emit({
          messages: newest.map(toMessage),
          skipped: arrived - newest.length,
          at: Date.now(),
          error: null,
        });
    } catch (err) {
      // A broker that stops answering stops the tail, said where the tail is shown; Resume starts it again.
      this.stop();
      this.deps.emit({ messages: [], skipped: 0, at: Date.now(), error: toErrorInfo(err) });
    }
  }
}
