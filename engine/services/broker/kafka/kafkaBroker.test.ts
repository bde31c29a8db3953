import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { testService } from '../../../testing/realServices';
import type { BrokerConsumer } from '../port';
import { brokerContract } from '../broker.contract';
import { KafkaBroker } from './kafkaBroker';

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
