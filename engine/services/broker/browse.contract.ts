import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import type { Broker } from './port';

/**
 * What the topic browser relies on from any broker adapter: a bounded read of one partition from an
 * offset (no consumer group), and the offset of a point in time. Run on the embedded log and on
 * real Kafka 4.x and 3.9 alike.
 */
export function browseContract(label: string, open: () => Promise<Broker>): void {
  const msgs = (n: number, from = 0) =>
    Array.from({ length: n }, (_, i) => ({ key: `store-${(from + i) % 12}`, value: JSON.stringify({ n: from + i }) }));
  const topicName = () => `browse-${randomUUID().slice(0, 8)}`;

  async function with_(fn: (b: Broker) => Promise<void>): Promise<void> {
    const broker = await open();
    try {
      await fn(broker);
    } finally {
      await broker.close();
    }
  }

  /** Waits until the clock has moved past `ms`, so the next append is stamped later. */
  async function after(ms: number): Promise<void> {
    while (Date.now() <= ms) await new Promise((r) => setTimeout(r, ms + 1 - Date.now()));
  }

  describe(`broker browsing: ${label}`, () => {
    it('reads a page of one partition from an offset, in order, and nothing past the end', () =>
      with_(async (broker) => {
        const topic = topicName();
        assert.equal(await broker.topicPartitions(topic), 0, 'no such topic yet, and asking makes none');
        assert.equal(await broker.topicPartitions(topic), 0);
        await broker.ensureTopic(topic, 1);
        assert.equal(await broker.topicPartitions(topic), 1);
        const producer = await broker.producer(topic);
        await producer.send(msgs(150));
        await producer.send(msgs(50, 150));
        await producer.close();
        const page = await broker.read(topic, 0, 140, 20);
        assert.deepEqual(
          page.map((r) => r.offset),
          Array.from({ length: 20 }, (_, i) => 140 + i),
          'a page across two batches',
        );
        assert.deepEqual(
          page.map((r) => (JSON.parse(r.value) as { n: number }).n),
          Array.from({ length: 20 }, (_, i) => 140 + i),
        );
        assert.equal(page[0].key, 'store-8');
        assert.deepEqual(
          (await broker.read(topic, 0, 195, 100)).map((r) => r.offset),
          [195, 196, 197, 198, 199],
          'a page cut at the end of the log',
        );
        assert.deepEqual(await broker.read(topic, 0, 200, 100), [], 'at the end: nothing');
        assert.deepEqual(await broker.read(topic, 0, 10_000, 100), [], 'past the end: nothing, no error');
      }));

    it('finds the first offset appended at or after a time, per partition', () =>
      with_(async (broker) => {
        const topic = topicName();
        await broker.ensureTopic(topic, 2);
        const producer = await broker.producer(topic);
        await producer.send(msgs(40));
        const firstBatchEnd = await broker.endOffsets(topic);
        const between = Date.now();
        await after(between);
        await producer.send(msgs(40, 40));
        await producer.close();
        const ends = await broker.endOffsets(topic);
        assert.deepEqual(await broker.offsetsForTime(topic, 0), [0, 0], 'before everything: the start');
        assert.deepEqual(
          await broker.offsetsForTime(topic, between + 1),
          firstBatchEnd,
          'the second send starts where the first ended, in each partition',
        );
        assert.deepEqual(await broker.offsetsForTime(topic, Date.now() + 3_600_000), ends, 'the future: the end');
        const at = await broker.offsetsForTime(topic, between + 1);
        for (let p = 0; p < 2; p++) {
          const [first] = await broker.read(topic, p, at[p], 1);
          assert.ok(first.timestamp > between, `partition ${p}: the record there is from after the time`);
          assert.ok((JSON.parse(first.value) as { n: number }).n >= 40);
        }
      }));
  });
}
