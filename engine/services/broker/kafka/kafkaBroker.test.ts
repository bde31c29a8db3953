import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { testService } from '../../../testing/realServices';
import type { BrokerConsumer } from '../port';
import { brokerContract } from '../broker.contract';
import { KafkaBroker } from './kafkaBroker';
import { deleteRecordsBefore } from '../../../testing/kafkaRetention';

// kafkajs 2.2.4 is unmaintained since 2023: the same suite runs against a 4.x and a 3.9.x broker.
for (const name of ['kafka', 'kafka39'] as const) {
  brokerContract(`Apache Kafka (${name})`, async () => ({
    broker: await KafkaBroker.open({ brokers: [testService(name)], clientId: 'rp-contract' }),
    cleanup: async () => undefined,
  }));
}

describe('Kafka consumer group', () => {
  it('gives a second member half the partitions, and the first learns what it lost and what it keeps', async () => {
    const broker = await KafkaBroker.open({ brokers: [testService('kafka')], clientId: 'rp-group' });
    const topic = `t-${randomUUID().slice(0, 8)}`;
    const group = `g-${randomUUID().slice(0, 8)}`;
    try {
      await broker.ensureTopic(topic, 4);
      const first = await broker.consumer({ group, topic });
      const revoked: number[][] = [];
      const assigned: number[][] = [];
      first.onRevoke(async (p) => void revoked.push(p));
      first.onAssign(async (p) => void assigned.push([...p.keys()]));
      const pollUntil = async (c: BrokerConsumer[], cond: () => boolean) => {
        const end = Date.now() + 60_000;
        while (!cond()) {
          assert.ok(Date.now() < end, 'group did not settle');
          await Promise.all(c.map((x) => x.poll({ maxRecords: 10, waitMs: 100 })));
        }
      };
      await pollUntil([first], () => first.assigned().length === 4);
      const second = await broker.consumer({ group, topic });
      // assigned() changes at once; onAssign runs once the committed offsets are read.
      await pollUntil(
        [first, second],
        () => first.assigned().length === 2 && second.assigned().length === 2 && assigned.at(-1)?.length === 2,
      );
      assert.deepEqual([...first.assigned(), ...second.assigned()].sort(), [0, 1, 2, 3]);
      assert.deepEqual(revoked.at(-1), [0, 1, 2, 3], 'the eager protocol revokes everything');
      assert.deepEqual(assigned.at(-1), first.assigned(), 'then assigns the new share from the committed offsets');
      await second.close();
      await pollUntil([first], () => first.assigned().length === 4);
      await first.close();
    } finally {
      await broker.close();
    }
  });
});

describe('Kafka retention', () => {
  it('reports the new earliest offset once records are deleted, and a consumer asked for them starts there', async () => {
    const brokers = [testService('kafka')];
    const broker = await KafkaBroker.open({ brokers, clientId: 'rp-retention' });
    const topic = `t-${randomUUID().slice(0, 8)}`;
    try {
      await broker.ensureTopic(topic, 1);
      const producer = await broker.producer(topic);
      await producer.send(Array.from({ length: 100 }, (_, i) => ({ key: 'k', value: String(i) })));
      await producer.close();
      // What retention does to old segments, done at once: the log now starts at offset 40.
      await deleteRecordsBefore(brokers, topic, new Map([[0, 40]]));
      assert.deepEqual(await broker.earliestOffsets(topic), [40]);
      assert.deepEqual(await broker.endOffsets(topic), [100]);
      const consumer = await broker.consumer({ group: `g-${randomUUID().slice(0, 8)}`, topic });
      consumer.onAssign(async () => new Map([[0, 10]]));
      const offsets: number[] = [];
      const end = Date.now() + 30_000;
      while (offsets.length < 60 && Date.now() < end)
        for (const b of await consumer.poll({ maxRecords: 100, waitMs: 200 }))
          offsets.push(...b.records.map((r) => r.offset));
      await consumer.close();
      assert.deepEqual(
        offsets,
        Array.from({ length: 60 }, (_, i) => 40 + i),
      );
    } finally {
      await broker.close();
    }
  });
});
