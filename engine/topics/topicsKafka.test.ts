import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { resolveConfig } from '../config';
import { Host } from '../host';
import { KafkaBroker } from '../services/broker/kafka/kafkaBroker';
import type { BrokerConsumer } from '../services/broker/port';
import { freshExternal, type ExternalSetup } from '../testing/externalServices';
import { testService } from '../testing/realServices';
import { tmpDirs } from '../testing/tmpDirs';
import { topicsScenario } from './topics.scenario';

const tmp = tmpDirs('rp-topics-kafka-');
const setups: ExternalSetup[] = [];
after(async () => {
  for (const s of setups) await s.cleanup();
});

/** Real Kafka, S3, PostgreSQL and Redis, each run in its own topic, bucket, database and key prefix. */
async function external(kafka: 'kafka' | 'kafka39') {
  const s = await freshExternal();
  setups.push(s);
  return resolveConfig({ ...s.input, kafka: testService(kafka), redisPrefix: s.input.redisPrefix, dataDir: tmp() });
}

describe('Topics page on real Kafka', () => {
  topicsScenario('Kafka 4.4', () => external('kafka'));
  topicsScenario('Kafka 3.9', () => external('kafka39'));

  for (const name of ['kafka', 'kafka39'] as const)
    it(
      `${name}: lag per member of a group of two, with the committed and end offsets`,
      { timeout: 180_000 },
      async () => {
        const config = await external(name);
        const group = `g-${randomUUID().slice(0, 8)}`;
        const broker = await KafkaBroker.open({ brokers: [testService(name)], clientId: 'rp-lag-test' });
        const members: BrokerConsumer[] = [];
        const host = await Host.open(config, { waitForWarehouse: false });
        try {
          await broker.ensureTopic(config.topic, 4);
          const producer = await broker.producer(config.topic);
          await producer.send(Array.from({ length: 400 }, (_, i) => ({ key: `store-${i % 12}`, value: `{"n":${i}}` })));
          await producer.close();
          members.push(
            await broker.consumer({ group, topic: config.topic }),
            await broker.consumer({ group, topic: config.topic }),
          );
          const end = Date.now() + 90_000;
          let lag = await host.call('topics.lag', { group });
          while (!(
            lag.state === 'Stable' &&
            lag.members.length === 2 &&
            lag.members.every((m) => m.partitions.length === 2)
          )) {
            assert.ok(Date.now() < end, `the group did not settle: ${lag.state}, ${lag.members.length} members`);
            await Promise.all(members.map((c) => c.poll({ maxRecords: 1, waitMs: 100 })));
            lag = await host.call('topics.lag', { group });
          }
          // Each member commits 10 records of each of its partitions.
          for (const m of members) assert.ok(await m.commit(new Map(m.assigned().map((p) => [p, 10]))));
          lag = await host.call('topics.lag', { group });
          assert.equal(lag.groupIs, 'other');
          assert.deepEqual(
            lag.partitions.map((p) => p.committed),
            [10, 10, 10, 10],
          );
          for (const p of lag.partitions) {
            assert.equal(p.lag, p.end - 10);
            assert.equal(p.lake, null, "another group's lag is not the lake's");
            assert.ok(lag.members.some((m) => m.memberId === p.member && m.partitions.includes(p.partition)));
          }
          for (const m of lag.members)
            assert.equal(
              m.lag,
              m.partitions.reduce((s, p) => s + lag.partitions[p].end - 10, 0),
              'a member sums its partitions',
            );
          assert.equal(
            lag.members.reduce((s, m) => s + m.lag, 0),
            400 - 40,
          );
          assert.ok(lag.samples.length >= 2, 'the samples build a history');
        } finally {
          for (const c of members) await c.close();
          await broker.close();
          await host.close();
        }
      },
    );
});
