import type { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { sleep } from '../../../util/fsx';
import type { AssignHandler, BrokerConsumer, PolledBatch } from '../port';
import { brokerError, isRebalanceError, readCommitted, readLow, toRecord } from './kafkaRequests';

/** Record text (values and keys, UTF-16 units) the consumer holds before it stops fetching: backpressure for a slow stream. */
const QUEUE_HIGH_WATER_CHARS = 8 << 20;

/**
 * A pull consumer (the broker port's poll/commit) over kafkajs' push loop (consumer.run calls
 * eachBatch as fetches arrive). Every rebalance (kafkajs speaks the eager protocol) revokes all
 * partitions and assigns the new set, so the stream drops what it had not committed and replays
 * it: nothing lost, and the lake writer's offset-range files keep it from being doubled.
 * - push → pull: deliver() queues each fetched batch; poll() takes up to maxRecords from the queue,
 *   waiting up to waitMs (wake() ends the wait when a batch arrives);
 * - generation: bumped at each rebalance; a batch fetched, or a commit sent, under an older
 *   generation is dropped or reported as lost (commit answers false), never applied to the new one;
 * - assignDone: each rebalance's revoke and assign handlers run in a chain, one after the other,
 *   and poll() and deliver() wait for it, so nothing is read before the new starts are settled;
 * - seek-back: kafkajs starts from the committed offset and may deliver a batch fetched before a
 *   seek; deliver() keeps each partition contiguous from the start onAssign chose, seeking back
 *   over a hole unless retention removed it (then the stream reports the gap);
 * - backpressure: past QUEUE_HIGH_WATER_CHARS of queued record text, deliver() sleeps (sending heartbeats) until
 *   poll() has taken enough, so kafkajs fetches no more meanwhile.
 */
export class KafkaConsumer implements BrokerConsumer {
  private readonly consumer: Consumer;
  private queue: PolledBatch[] = [];
  private queuedChars = 0;
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
      // What one fetch may bring, decoded into the stream's heap at once: bounded with the stream's own buffers.
      maxBytes: 16 << 20,
      maxBytesPerPartition: 4 << 20,
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
    for (const b of out) this.queuedChars -= textOf(b);
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
    this.queuedChars = 0;
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
    this.queuedChars += textOf({ partition: p, records });
    this.wake?.();
    while (this.queuedChars > QUEUE_HIGH_WATER_CHARS && isRunning() && !this.closed && generation === this.generation) {
      await sleep(20);
      await heartbeat();
    }
  }
}

function textOf(batch: PolledBatch): number {
  let chars = 0;
  for (const r of batch.records) chars += r.value.length + (r.key?.length ?? 0);
  return chars;
}
