import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { partitionForKey, type Broker, type BrokerConsumer, type PolledBatch } from './port';

/**
 * What the stages rely on from any broker adapter. `open` gives a broker (several calls may share
 * one server); every test uses its own topic and group names.
 */
export function brokerContract(
  label: string,
  open: () => Promise<{ broker: Broker; cleanup: () => Promise<void> }>,
): void {
  const msgs = (n: number, from = 0) =>
    Array.from({ length: n }, (_, i) => ({ key: `store-${(from + i) % 12}`, value: JSON.stringify({ n: from + i }) }));
  const names = () => ({ topic: `t-${randomUUID().slice(0, 8)}`, group: `g-${randomUUID().slice(0, 8)}` });

  async function with_(fn: (b: Broker) => Promise<void>): Promise<void> {
    const { broker, cleanup } = await open();
    try {
      await fn(broker);
    } finally {
      await broker.close();
      await cleanup();
    }
  }

  /** Polls until `n` records arrived (or fails after a while), returning them by partition. */
  async function pollAll(consumer: BrokerConsumer, n: number): Promise<PolledBatch[]> {
    const out: PolledBatch[] = [];
    let got = 0;
    const deadline = Date.now() + 30_000;
    while (got < n) {
      assert.ok(Date.now() < deadline, `polled ${got} of ${n} records`);
      for (const b of await consumer.poll({ maxRecords: 500, waitMs: 200 })) {
        out.push(b);
        got += b.records.length;
      }
    }
    return out;
  }

  describe(`broker contract: ${label}`, () => {
    it('creates a topic once and reports its partition count', () =>
      with_(async (broker) => {
        const { topic } = names();
        assert.equal(await broker.ensureTopic(topic, 3), 3);
        assert.equal(await broker.ensureTopic(topic, 5), 3, 'an existing topic keeps its partitions');
        assert.deepEqual(await broker.endOffsets(topic), [0, 0, 0]);
        assert.deepEqual(await broker.earliestOffsets(topic), [0, 0, 0], 'a new log starts at offset 0');
      }));

    it('keeps every acknowledged record, partitioned by key hash, in order per key', () =>
      with_(async (broker) => {
        const { topic } = names();
        await broker.ensureTopic(topic, 4);
        const producer = await broker.producer(topic);
        const before = Date.now();
        await producer.send(msgs(700));
        await producer.send(msgs(300, 700));
        await producer.close();
        const ends = await broker.endOffsets(topic);
        assert.equal(
          ends.reduce((a, b) => a + b),
          1000,
        );
        const seen: number[] = [];
        for (let p = 0; p < 4; p++) {
          let last = -1;
          await broker.scan(topic, p, 0, ends[p], (records) => {
            for (const r of records) {
              assert.equal(partitionForKey(r.key!, 4), p, 'same partition as the embedded hash');
              const n = (JSON.parse(r.value) as { n: number }).n;
              assert.ok(n > last, 'order kept within a partition');
              assert.ok(
                r.timestamp >= before - 5_000 && r.timestamp <= Date.now() + 5_000,
                'timestamp is the append time',
              );
              last = n;
              seen.push(n);
            }
          });
        }
        assert.deepEqual(
          seen.sort((a, b) => a - b),
          Array.from({ length: 1000 }, (_, i) => i),
        );
      }));

    it('scans a middle range of one partition', () =>
      with_(async (broker) => {
        const { topic } = names();
        await broker.ensureTopic(topic, 1);
        const producer = await broker.producer(topic);
        await producer.send(msgs(100));
        await producer.close();
        const offsets: number[] = [];
        await broker.scan(topic, 0, 40, 60, (rs) => rs.forEach((r) => offsets.push(r.offset)));
        assert.deepEqual(
          offsets,
          Array.from({ length: 20 }, (_, i) => 40 + i),
        );
      }));

    it('gives a consumer its partitions with committed offsets first, then resumes a new member after the commit', () =>
      with_(async (broker) => {
        const { topic, group } = names();
        await broker.ensureTopic(topic, 2);
        const producer = await broker.producer(topic);
        await producer.send(msgs(300));
        const consumer = await broker.consumer({ group, topic });
        const assignedFrom = new Map<number, number>();
        consumer.onAssign(async (parts) => {
          for (const [p, o] of parts) assignedFrom.set(p, o);
        });
        const batches = await pollAll(consumer, 300);
        assert.deepEqual([...assignedFrom.entries()].sort(), [
          [0, 0],
          [1, 0],
        ]);
        assert.deepEqual(consumer.assigned(), [0, 1]);
        const next = new Map<number, number>();
        for (const b of batches) next.set(b.partition, b.records[b.records.length - 1].offset + 1);
        assert.equal(await consumer.commit(next), true, 'a member commits what it owns');
        await consumer.close();
        assert.deepEqual(await broker.committedOffsets(group, topic), [next.get(0), next.get(1)]);

        await producer.send(msgs(10, 300));
        await producer.close();
        const again = await broker.consumer({ group, topic });
        const from = new Map<number, number>();
        again.onAssign(async (parts) => {
          for (const [p, o] of parts) from.set(p, o);
        });
        const rest = await pollAll(again, 10);
        assert.equal(
          rest.reduce((s, b) => s + b.records.length, 0),
          10,
          'only what came after the commit',
        );
        assert.deepEqual([...from.entries()].sort(), [...next.entries()].sort());
        await again.close();
      }));

    it('starts each assigned partition where onAssign says, below or above the committed offset, and delivers on from there', () =>
      with_(async (broker) => {
        const { topic, group } = names();
        await broker.ensureTopic(topic, 2);
        const producer = await broker.producer(topic);
        await producer.send(msgs(400));
        await producer.close();
        const ends = await broker.endOffsets(topic);
        assert.ok(ends[0] > 100 && ends[1] > 100, `both partitions hold records: ${ends.join(', ')}`);
        assert.deepEqual(await broker.earliestOffsets(topic), [0, 0]);
        const first = await broker.consumer({ group, topic });
        await pollAll(first, 400);
        await first.commit(new Map([0, 1].map((p) => [p, 60])));
        await first.close();

        // The lake is the truth: partition 0 behind the group's commit, partition 1 ahead of it.
        const again = await broker.consumer({ group, topic });
        const told: [number, number][] = [];
        again.onAssign(async (committed) => {
          told.push(...committed);
          return new Map([
            [0, 20],
            [1, 90],
          ]);
        });
        const batches = await pollAll(again, ends[0] - 20 + ends[1] - 90);
        assert.deepEqual(
          told.sort(),
          [
            [0, 60],
            [1, 60],
          ],
          'onAssign hears the committed offsets',
        );
        for (const [p, from] of [
          [0, 20],
          [1, 90],
        ]) {
          const offsets = batches.filter((b) => b.partition === p).flatMap((b) => b.records.map((r) => r.offset));
          assert.deepEqual(
            offsets,
            Array.from({ length: ends[p] - from }, (_, i) => from + i),
            `partition ${p} from ${from}, every record once, in order`,
          );
        }
        await again.close();
        assert.deepEqual(await broker.committedOffsets(group, topic), [60, 60], 'starting elsewhere commits nothing');
      }));

    it('answers an empty poll within its wait', () =>
      with_(async (broker) => {
        const { topic, group } = names();
        await broker.ensureTopic(topic, 1);
        const consumer = await broker.consumer({ group, topic });
        const t0 = Date.now();
        assert.deepEqual(await consumer.poll({ maxRecords: 10, waitMs: 300 }), []);
        assert.ok(Date.now() - t0 < 15_000);
        await consumer.close();
      }));
  });
}
