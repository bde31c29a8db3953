import type { Commands, Events } from '../contract';
import { paths, type EngineConfig } from '../config';
import { PulseError } from '../errors';
import type { Broker } from '../services/broker/port';
import { LogBroker } from '../services/broker/log/logBroker';
import { groupForLake, lakeIdentity } from '../services/lake/lakeIdentity';
import type { Lake } from '../services/lake/port';
import { openBroker, openLake } from '../services/open';
import { WorkerHandle } from '../workers/workerHandle';
import { messageKey, produceOne } from './handWritten';
import { LagMonitor } from './lagMonitor';
import { readPage } from './topicPages';
import { TopicTail } from './topicTail';

export type TopicsCommand = 'topics.read' | 'topics.search' | 'topics.tail' | 'topics.produce' | 'topics.lag';
type TopicsEvent = 'topics.tail' | 'topics.lag';

export interface TopicsDeps {
  /** The config in force: infra.useDocker/useEmbedded replace it. */
  config: () => EngineConfig;
  /** The stream's consumer group as the Host knows it (null until the lake has answered). */
  streamGroup: () => string | null;
  streamRunning: () => boolean;
  /** The producer stage or an import holds the embedded log's one writer. */
  writerBusy: () => boolean;
  /** Something in this app moves the lag (a stage or an import runs): it is sampled meanwhile. */
  active: () => boolean;
  emit: <K extends TopicsEvent>(name: K, payload: Events[K]) => void;
  listening: (name: TopicsEvent) => boolean;
}

/** A search worker idle this long is ended (its DuckDB instance with it). */
const SEARCH_IDLE_MS = 5 * 60_000;

/**
 * The Topics page's side of the Host: pages of the sales topic by partition and offset or by time,
 * search by transaction id (in a worker), the live tail, one hand-written message, and lag per
 * partition and member. One browsing broker client per services in force, no consumer group.
 */
export class TopicCommands {
  private browsing: { config: EngineConfig; broker: Promise<Broker>; lake: Promise<Lake> | null } | null = null;
  private search: { config: EngineConfig; worker: Promise<WorkerHandle<'topics'>> } | null = null;
  private searchIdle: NodeJS.Timeout | null = null;
  private writing = false;
  private closed = false;
  private readonly tail: TopicTail;
  private readonly lag: LagMonitor;

  constructor(private readonly deps: TopicsDeps) {
    const topic = () => deps.config().topic;
    this.tail = new TopicTail({
      topic,
      broker: () => this.broker(),
      emit: (e) => deps.emit('topics.tail', e),
      listening: () => deps.listening('topics.tail'),
    });
    this.lag = new LagMonitor({
      topic,
      brokerKind: () => (deps.config().services.broker.mode === 'embedded' ? 'embedded' : 'kafka'),
      broker: () => this.broker(),
      lake: () => this.lake(),
      streamGroup: () => this.streamGroup(),
      streamRunning: deps.streamRunning,
      active: deps.active,
      emit: (l) => deps.emit('topics.lag', l),
    });
  }

  /** A hand-written message is being appended: the embedded log's writer is taken meanwhile. */
  busyWriting(): boolean {
    return this.writing;
  }

  handlers(): { [C in TopicsCommand]: (req: Commands[C]['req']) => Promise<Commands[C]['res']> } {
    return {
      'topics.read': async (q) => {
        const started = performance.now();
        const broker = await this.broker();
        const topic = this.deps.config().topic;
        const page = (await broker.topicPartitions(topic))
          ? await readPage(broker, topic, q)
          : { topic, partitions: [], messages: [], start: [], next: [] };
        return { ...page, broker: broker.kind, ms: Math.round(performance.now() - started) };
      },
      'topics.search': async (q) => (await this.searchWorker()).api.search(q.transactionId),
      'topics.tail': async (q) =>
        q.follow === undefined ? this.tail.state() : this.tail.follow(q.follow, q.partition),
      'topics.produce': (q) => this.produce(q.key, q.value),
      'topics.lag': (q) => this.lag.view(q.group),
    };
  }

  private async produce(rawKey: unknown, value: unknown): Promise<Commands['topics.produce']['res']> {
    const key = messageKey(rawKey, value);
    const config = this.deps.config();
    if (config.services.broker.mode !== 'embedded') {
      return produceOne(await this.broker(), config.topic, config.partitions, key, value as string);
    }
    if (this.deps.writerBusy() || this.writing)
      throw new PulseError(
        'stage_state',
        'the embedded log takes one writer at a time and the producer or an import holds it: stop it, then send (Kafka takes both)',
      );
    this.writing = true;
    const writer = new LogBroker(paths.broker(config));
    try {
      return await produceOne(writer, config.topic, config.partitions, key, value as string);
    } finally {
      await writer.close();
      this.writing = false;
    }
  }

  private async streamGroup(): Promise<string> {
    const known = this.deps.streamGroup();
    if (known) return known;
    const config = this.deps.config();
    return config.group ?? groupForLake((await lakeIdentity(await this.lake())).id);
  }

  /** The browsing client of the services in force (opened again when they change or it failed to open). */
  private current(): NonNullable<TopicCommands['browsing']> {
    if (this.closed) throw new PulseError('stage_state', 'the Host is closing');
    const config = this.deps.config();
    if (this.browsing?.config !== config) {
      void this.closeBrowsing();
      const broker = openBroker(config);
      broker.catch(() => {
        if (this.browsing?.broker === broker) this.browsing = null;
      });
      this.browsing = { config, broker, lake: null };
    }
    return this.browsing;
  }

  private broker(): Promise<Broker> {
    return this.current().broker;
  }

  private lake(): Promise<Lake> {
    const b = this.current();
    if (!b.lake) {
      const lake = openLake(b.config);
      lake.catch(() => {
        if (b.lake === lake) b.lake = null;
      });
      b.lake = lake;
    }
    return b.lake;
  }

  private searchWorker(): Promise<WorkerHandle<'topics'>> {
    if (this.closed) throw new PulseError('stage_state', 'the Host is closing');
    const config = this.deps.config();
    if (this.search?.config !== config) {
      void this.endSearch();
      const worker = WorkerHandle.spawn({ role: 'topics', config });
      const entry = { config, worker };
      this.search = entry;
      worker.then(
        (h) => h.onExit(() => this.search === entry && (this.search = null)),
        () => this.search === entry && (this.search = null),
      );
    }
    if (this.searchIdle) clearTimeout(this.searchIdle);
    this.searchIdle = setTimeout(() => void this.endSearch(), SEARCH_IDLE_MS);
    this.searchIdle.unref();
    return this.search!.worker;
  }

  private async endSearch(): Promise<void> {
    const s = this.search;
    this.search = null;
    const handle = await s?.worker.catch(() => null);
    await handle?.terminate();
  }

  private async closeBrowsing(): Promise<void> {
    const b = this.browsing;
    this.browsing = null;
    await this.tail.close();
    await (await b?.broker.catch(() => null))?.close();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.tail.close();
    await this.lag.close();
    if (this.searchIdle) clearTimeout(this.searchIdle);
    await this.endSearch();
    await this.closeBrowsing();
  }
}
