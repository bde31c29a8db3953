import type { CatalogData } from '../../model/catalog';
import { SALES_TOPIC } from '../../model/sale';
import type { Broker, BrokerProducer, ProduceMessage } from '../../services/broker/port';
import { sleep } from '../../util/fsx';
import type { FaultRates, ProducerSettings } from '../../contract';
import { FaultInjector, NO_FAULTS } from './faults';
import { SaleSimulator } from './simulator';

export interface ProducerOptions extends ProducerSettings {
  topic: string;
  partitions: number;
  /** The catalog in force: the stores and products it sells (the built-in chain when absent). */
  catalog?: CatalogData;
}

export const PRODUCER_DEFAULTS: ProducerOptions = {
  rate: 500,
  seed: 42,
  faults: NO_FAULTS,
  topic: SALES_TOPIC,
  partitions: 4,
};
export const MAX_RATE = 500_000;
const TICK_MS = 20;
const MAX_SEND = 10_000;

/** A type, not an interface: a stage status carries it as Record<string, number>. */
export type ProducerCounters = {
  transactions: number;
  records: number;
  malformed: number;
  invalid: number;
  late: number;
  duplicate: number;
  /** Transactions per second over the last second. */
  rate: number;
};

/**
 * Paced point-of-sale feed: every tick it sends what the target rate owes since the last change
 * of rate, in one batched send (the broker acknowledges the whole batch durably).
 */
export class ProducerStage {
  readonly counters: ProducerCounters = {
    transactions: 0,
    records: 0,
    malformed: 0,
    invalid: 0,
    late: 0,
    duplicate: 0,
    rate: 0,
  };
  private simulator!: SaleSimulator;
  private faults!: FaultInjector;
  private faultRates: FaultRates;
  private producer: BrokerProducer | null = null;
  private stopping = false;
  private running: Promise<void> | null = null;
  private paceStart = 0;
  private paceBase = 0;
  private rate: number;

  constructor(
    private readonly broker: Broker,
    private readonly opts: ProducerOptions,
  ) {
    this.faultRates = { ...opts.faults };
    this.rate = opts.rate;
  }

  async start(): Promise<void> {
    await this.broker.ensureTopic(this.opts.topic, this.opts.partitions);
    // The same seed on the same log gives the same sales; a second run on a log continues with new
    // sales instead of repeating the first run's transaction ids.
    const already = (await this.broker.endOffsets(this.opts.topic)).reduce((a, b) => a + b, 0);
    this.simulator = new SaleSimulator({
      seed: (this.opts.seed ^ Math.imul(already, 0x9e3779b1)) >>> 0,
      catalog: this.catalog ?? this.opts.catalog,
    });
    this.faults = new FaultInjector(this.simulator.rng, this.faultRates);
    this.producer = await this.broker.producer(this.opts.topic);
    this.running = this.loop();
  }

  /** Resolves when the producer has stopped by itself (limit reached) or was stopped. */
  done(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  setRate(rate: number): void {
    this.rebase();
    this.rate = rate;
  }

  private catalog: CatalogData | undefined;

  /** The next sales come from this chain. */
  setCatalog(c: CatalogData): void {
    this.catalog = c;
    this.simulator?.setCatalog(c);
  }

  setFaults(rates: FaultRates): void {
    this.faultRates = { ...rates };
    if (this.faults) this.faults.rates = this.faultRates;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.running;
  }

  private rebase(): void {
    this.paceStart = performance.now();
    this.paceBase = this.counters.transactions;
  }

  private async loop(): Promise<void> {
    this.rebase();
    let windowStart = performance.now();
    let windowCount = 0;
    const limit = this.opts.limit ?? Infinity;
    try {
      while (!this.stopping && this.counters.transactions < limit) {
        const now = performance.now();
        const owed =
          Math.min(limit, this.paceBase + Math.floor(((now - this.paceStart) / 1000) * this.rate)) -
          this.counters.transactions;
        if (owed > 0) {
          const n = Math.min(owed, MAX_SEND);
          await this.send(n);
          windowCount += n;
        }
        if (now - windowStart >= 1000) {
          this.counters.rate = Math.round((windowCount * 1000) / (now - windowStart));
          windowStart = now;
          windowCount = 0;
        }
        if (owed <= MAX_SEND) await sleep(TICK_MS);
      }
    } finally {
      await this.producer?.close();
    }
  }

  private async send(n: number): Promise<void> {
    const messages: ProduceMessage[] = [];
    const nowMs = Date.now();
    for (let i = 0; i < n; i++) this.faults.records(this.simulator.next(nowMs), messages);
    await this.producer!.send(messages);
    const c = this.counters;
    c.transactions += n;
    c.records += messages.length;
    Object.assign(c, this.faults.counts);
  }
}
