import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { IdIndex } from '../../dedupe/idIndex';
import type { ErrorInfo } from '../../errors';
import { BUILTIN_INDEX } from '../../model/catalog';
import { validateSale, type ValidSale } from '../../model/validate';
import { LogBroker } from '../../services/broker/log/logBroker';
import type { Broker, BrokerRecord } from '../../services/broker/port';
import { openDuck } from '../../services/lake/duck';
import { FolderLake } from '../../services/lake/folderLake';
import { LAYERS } from '../../services/lake/keys';
import type { Lake } from '../../services/lake/port';
import { MemoryMetrics } from '../../services/metrics/memoryMetrics';
import type { MetricsBatch } from '../../services/metrics/port';
import { emptyWindow } from '../../services/metrics/windows';
import { tmpDirs } from '../../testing/tmpDirs';
import { parseMarker } from './checkpointChain';
import { LakeWriter } from './lakeWriter';
import { MetricsForwarder } from './metricsForwarder';
import { PartitionState } from './partitionState';
import { RangeCommitter } from './rangeCommitter';
import { StreamOffsets, type Claim } from './streamOffsets';
import { STREAM_DEFAULTS, StreamStage } from './streamStage';

const tmp = tmpDirs('rp-units-');

/** A lake whose disk is full: every file fails to land. */
class FullDisk extends FolderLake {
  override put(): Promise<void> {
    return Promise.reject(new Error('disk full'));
  }
}
const TOPIC = 'sales_transactions';
let sales = 0;

function sale(): { key: string; value: string } {
  const id = `u-${++sales}`;
  const value = JSON.stringify({
    transaction_id: id,
    timestamp_utc: new Date().toISOString(),
    store_id: 1 + (sales % 8),
    customer_id: 'cust_1',
    products: [{ product_id: 112, quantity: 2, unit_price: 75.5 }],
    total_amount: 151,
  });
  return { key: String(1 + (sales % 8)), value };
}

/** An embedded log with `n` sales in partition 0 of a 1-partition topic. */
async function logWith(dir: string, n: number, partitions = 1): Promise<Broker> {
  const broker = new LogBroker(path.join(dir, 'broker'));
  await broker.ensureTopic(TOPIC, partitions);
  const producer = await broker.producer(TOPIC);
  await producer.send(Array.from({ length: n }, sale));
  await producer.close();
  return broker;
}

async function records(broker: Broker, from: number, to: number): Promise<BrokerRecord[]> {
  const out: BrokerRecord[] = [];
  await broker.scan(TOPIC, 0, from, to, (r) => out.push(...r));
  return out;
}

/** A claim on partition 0 as an assignment makes it (the lake's offsets read). */
async function claimOn(broker: Broker, lake: Lake): Promise<{ offsets: StreamOffsets; claim: Claim; group: string }> {
  const offsets = new StreamOffsets({ broker, lake, topic: TOPIC });
  const group = await offsets.open();
  const claim = (await offsets.assign(new Map([[0, 0]]))).get(0)!;
  return { offsets, claim, group };
}

describe('the stream coordinator and its parts (embedded log)', { timeout: 120_000 }, () => {
  it('a partition admits each record once from its position, reports what retention took, and hands its buffer over', async () => {
    const dir = tmp();
    const broker = await logWith(dir, 10);
    const { claim } = await claimOn(broker, new FolderLake(path.join(dir, 'lake')));
    const state = new PartitionState({ ...claim, start: 3 });
    const all = await records(broker, 0, 10);
    const again = state.admit({ partition: 0, records: all.slice(0, 5) });
    assert.deepEqual(
      again.records.map((r) => r.offset),
      [3, 4],
      'records before the position were processed already',
    );
    assert.equal(again.lost, null);
    for (const r of again.records) state.pending.addRaw(r);
    state.advance(4);
    const gap = state.admit({ partition: 0, records: all.slice(8) });
    assert.deepEqual(gap.lost, [5, 7], 'the log no longer had 5-7');
    assert.equal(state.bytes, all[3].value.length + all[4].value.length + 2, 'values and keys counted');
    const taken = state.take()!;
    assert.deepEqual([taken.buf.firstOffset, taken.buf.lastOffset, taken.gaps], [3, 4, [[5, 7]]]);
    assert.equal(state.bytes, 0, 'a new buffer');
    assert.equal(state.take(), null, 'nothing buffered, nothing to write');
    await broker.close();
  });

  it('the committer writes a range, then marks it done and commits the group; a lost claim writes nothing; a failure sticks', async () => {
    const dir = tmp();
    const broker = await logWith(dir, 20);
    const lake = new FolderLake(path.join(dir, 'lake'));
    const { offsets, claim, group } = await claimOn(broker, lake);
    const consumer = await broker.consumer({ group, topic: TOPIC });
    const duck = await openDuck();
    const ids = await IdIndex.open(lake, await openDuck());
    const counters = { files: 0, commits: 0, duckMb: 0, appendMs: 0, copyMs: 0 };
    let held: Claim | null = claim;
    const committer = new RangeCommitter({
      writer: await LakeWriter.create(duck, lake),
      offsets,
      consumer,
      ids,
      holds: (c) => c === held,
      counters,
    });
    const state = new PartitionState(claim);
    const fill = async (from: number, to: number) => {
      for (const r of await records(broker, from, to)) {
        state.pending.addRaw(r);
        state.pending.addSale(r, validateSale(r.value, r.timestamp, BUILTIN_INDEX) as ValidSale, Date.now());
      }
    };
    await fill(0, 10);
    await committer.enqueue([state.take()!]);
    const done = (await lake.list('_checkpoint/')).map((o) => parseMarker(o.key)).filter((m) => m?.kind === 'done');
    assert.deepEqual(
      done.map((m) => [m!.first, m!.last]),
      [[0, 9]],
    );
    assert.equal((await lake.list(LAYERS.silver)).length, 1);
    assert.deepEqual(await broker.committedOffsets(group, TOPIC), [10]);
    assert.deepEqual([counters.files, counters.commits], [2, 1]);

    // A rebalance ended the claim: the new owner reads 10-19 again, so nothing is written or committed here.
    await fill(10, 20);
    held = null;
    await committer.enqueue([state.take()!]);
    assert.deepEqual(await broker.committedOffsets(group, TOPIC), [10]);
    assert.equal((await lake.list(LAYERS.silver)).length, 1);

    // A write that fails stops every later one: their offsets would skip the lost records.
    held = claim;
    const broken = new RangeCommitter({
      writer: await LakeWriter.create(duck, new FullDisk(path.join(dir, 'lake'))),
      offsets,
      consumer,
      ids,
      holds: (c) => c === held,
      counters,
    });
    await fill(10, 20);
    const taken = state.take()!;
    await assert.rejects(broken.enqueue([taken]), /disk full/);
    await broken.idle();
    assert.match(String(broken.error), /disk full/);
    await assert.rejects(broken.enqueue([]), /disk full/, 'the first error sticks');
    assert.deepEqual(await broker.committedOffsets(group, TOPIC), [10]);
    duck.closeSync();
    await broker.close();
  });

  it('the forwarder applies window deltas once, holds them while the store fails, and drops a revoked partition', async () => {
    const store = new MemoryMetrics();
    let failing = 1;
    const errors: ErrorInfo[] = [];
    const owned = new Set([0, 1]);
    const applied = new Map<number, number>();
    const counters = { metricsErrors: 0, metricsPending: 0 };
    const forwarder = new MetricsForwarder({
      metrics: {
        apply: (b) => (failing-- > 0 ? Promise.reject(new Error('store down')) : store.apply(b)),
        windows: (s) => store.windows(s),
        totals: () => store.totals(),
        reset: () => store.reset(),
        close: () => store.close(),
      },
      owns: (p) => owned.has(p),
      applied,
      counters,
      onError: (e) => errors.push(e),
      stopping: () => false,
    });
    const batch = (partition: number, first: number, last: number, tx: number): MetricsBatch => ({
      partition,
      firstOffset: first,
      lastOffset: last,
      windows: [{ ...emptyWindow(60_000), transactions: tx, revenueCents: tx * 100 }],
      late: { records: 0, revenueCents: 0 },
      latency: { 3: tx },
    });
    forwarder.queue(0, batch(0, 0, 9, 10));
    forwarder.queue(0, batch(0, 10, 19, 5));
    forwarder.queue(1, batch(1, 0, 4, 7));
    owned.delete(1);
    forwarder.drop(1);
    await forwarder.settle();
    const totals = await store.totals();
    assert.equal(totals.transactions, 15, 'partition 0 once, partition 1 dropped');
    assert.equal(totals.applied['0'], 19);
    assert.equal(applied.get(0), 19);
    assert.equal(errors[0]?.code, 'metrics_failed');
    assert.equal(counters.metricsErrors, 1);
  });

  it('bounds what it holds by the byte cap: every write is at most the cap and a poll, and every record lands once', async () => {
    const dir = tmp();
    const broker = await logWith(dir, 3000, 2);
    const lake = new FolderLake(path.join(dir, 'lake'));
    const flushed: { records: number }[] = [];
    const valueChars = JSON.stringify(JSON.parse(sale().value)).length + 1;
    const cap = 40_000;
    const poll = 50;
    const stage = new StreamStage(
      {
        broker,
        lake,
        metrics: new MemoryMetrics(),
        duck: await openDuck(),
        catalog: { current: () => BUILTIN_INDEX },
        ids: await IdIndex.open(lake, await openDuck()),
        onFlush: (r) => flushed.push(r),
      },
      { ...STREAM_DEFAULTS, flushBytes: cap, pollRecords: poll, flushIntervalMs: 60_000 },
    );
    await stage.start();
    await stage.drainTo(await broker.endOffsets(TOPIC));
    await stage.stop();
    const written = flushed.reduce((s, f) => s + f.records, 0);
    assert.equal(written, 3000, 'every record written once');
    assert.equal(stage.counters.valid, 3000);
    const most = Math.max(...flushed.map((f) => f.records));
    assert.ok(most * valueChars <= cap + poll * (valueChars + 2), `a write of ${most} records passed the cap`);
    assert.ok(flushed.length >= (3000 * valueChars) / (cap + poll * valueChars), `${flushed.length} writes`);
    await broker.close();
  });
});
