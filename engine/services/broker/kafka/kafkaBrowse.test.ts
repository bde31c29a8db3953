import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { deleteRecordsBefore } from '../../../testing/kafkaRetention';
import { testService } from '../../../testing/realServices';
import { browseContract } from '../browse.contract';
import type { BrokerConsumer } from '../port';
import { KafkaBroker } from './kafkaBroker';

// Browsing reads with Fetch requests to the leader, outside any group: the same suite on 4.x and 3.9.
for (const name of ['kafka', 'kafka39'] as const) {
  browseContract(`Apache Kafka (${name})`, () =>
    KafkaBroker.open({ brokers: [testService(name)], clientId: 'rp-browse' }),
  );

  describe(`Kafka browsing outside groups (${name})`, () => {
    it('reads pages without creating or joining a consumer group, and starts at the earliest after retention', async () => {
      const brokers = [testService(name)];
      const broker = await KafkaBroker.open({ brokers, clientId: 'rp-browse' });
      const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      const topic = `t-${randomUUID().slice(0, 8)}`;
      try {
        await broker.ensureTopic(topic, 1);
        const producer = await broker.producer(topic);
        await producer.send(Array.from({ length: 100 }, (_, i) => ({ key: 'k', value: String(i) })));
        await producer.close();
        const groupsBefore = (await admin.listGroups()).groups.map((g) => g.groupId).sort();
        for (let from = 0; from < 100; from += 10) assert.equal((await broker.read(topic, 0, from, 10)).length, 10);
        assert.deepEqual(
          (await admin.listGroups()).groups.map((g) => g.groupId).sort(),
          groupsBefore,
          'ten pages read, no group made',
        );
        await deleteRecordsBefore(brokers, topic, new Map([[0, 40]]));
        const page = await broker.read(topic, 0, 10, 5);
        assert.deepEqual(
          page.map((r) => r.offset),
          [40, 41, 42, 43, 44],
          'below the log start: from the earliest kept',
        );
        assert.deepEqual(
          page.map((r) => r.value),
          ['40', '41', '42', '43', '44'],
        );
        await assert.rejects(broker.read(topic, 7, 0, 5), /no partition 7/);
      } finally {
        await admin.disconnect();
        await broker.close();
      }
    });

    it('describes a group of two members with the partitions each owns', async () => {
      const broker = await KafkaBroker.open({ brokers: [testService(name)], clientId: 'rp-describe' });
      const topic = `t-${randomUUID().slice(0, 8)}`;
      const group = `g-${randomUUID().slice(0, 8)}`;
      const members: BrokerConsumer[] = [];
      try {
        await broker.ensureTopic(topic, 4);
        assert.deepEqual(await broker.describeGroup(group, topic), { state: 'Dead', members: [] }, 'no such group');
        members.push(await broker.consumer({ group, topic }), await broker.consumer({ group, topic }));
        const end = Date.now() + 60_000;
        for (;;) {
          await Promise.all(members.map((c) => c.poll({ maxRecords: 10, waitMs: 100 })));
          const d = await broker.describeGroup(group, topic);
          if (d.state === 'Stable' && d.members.length === 2 && d.members.every((m) => m.partitions.length === 2)) {
            assert.deepEqual(d.members.flatMap((m) => m.partitions).sort(), [0, 1, 2, 3]);
            assert.ok(d.members.every((m) => m.memberId && m.clientId && m.host));
            break;
          }
          assert.ok(Date.now() < end, `the group did not settle: ${JSON.stringify(d)}`);
        }
      } finally {
        for (const c of members) await c.close();
        await broker.close();
      }
    });
  });
}
