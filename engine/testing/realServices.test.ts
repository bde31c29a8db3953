import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { startTestService, stopTestService, testService, type TestServices } from './realServices';

const cli = fileURLToPath(new URL('../../scripts/services/cli.ts', import.meta.url));

function services(cliArgs: string[]): string {
  return execFileSync(process.execPath, ['--import', 'tsx', cli, ...cliArgs], { encoding: 'utf8' });
}

function kafkaAdmin(broker: string) {
  return new Kafka({
    clientId: 'real-services-test',
    brokers: [broker],
    logLevel: logLevel.NOTHING,
    retry: { retries: 3 },
  }).admin();
}

test('status --json prints one object whose five servers all answer', async (t) => {
  const status = JSON.parse(services(['status', '--json'])) as TestServices;
  assert.deepEqual(Object.keys(status).sort(), ['kafka', 'kafka39', 'postgres', 'redis', 's3']);

  const table = services(['status']);
  for (const name of ['kafka', 'kafka39'] as const) {
    const admin = kafkaAdmin(status[name]);
    await admin.connect();
    try {
      const cluster = await admin.describeCluster();
      assert.equal(cluster.brokers.length, 1);
      assert.equal(`${cluster.brokers[0].host}:${cluster.brokers[0].port}`, status[name]);
    } finally {
      await admin.disconnect();
    }
    // The protocol does not say a broker's release; the status table does.
    const row = table.split('\n').find((line) => line.startsWith(`${name} `)) ?? '';
    t.diagnostic(`${name} at ${status[name]}: ${row.split(/\s+/)[3]}`);
  }

  const buckets = await fetch(`${status.s3}/`);
  assert.equal(buckets.status, 200);
  assert.match(await buckets.text(), /ListAllMyBucketsResult/);

  const client = new pg.Client({ connectionString: status.postgres });
  await client.connect();
  try {
    const { rows } = await client.query<{ version: string }>('SELECT version()');
    assert.match(rows[0].version, /^PostgreSQL \d+/);
    t.diagnostic(rows[0].version);
  } finally {
    await client.end();
  }

  const redis = new Redis(status.redis, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    assert.equal(await redis.ping(), 'PONG');
  } finally {
    redis.disconnect();
  }
});

test('kafka stopped and started again keeps a topic and its records', async () => {
  const topic = `survives-restart-${randomUUID()}`;
  const broker = testService('kafka');
  const kafka = new Kafka({ clientId: 'real-services-test', brokers: [broker], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: [{ key: 'a', value: 'before the stop' }] });
  await producer.disconnect();
  await admin.disconnect();

  try {
    await stopTestService('kafka');
    assert.throws(() => testService('kafka'), /services:test -- up/);
  } finally {
    assert.equal(await startTestService('kafka'), broker);
  }

  const after = kafka.admin();
  await after.connect();
  try {
    assert.ok((await after.listTopics()).includes(topic));
    // A restarted broker may answer metadata a moment before it leads every partition again.
    let offsets: Awaited<ReturnType<typeof after.fetchTopicOffsets>> = [];
    for (let attempt = 0; ; attempt++) {
      try {
        offsets = await after.fetchTopicOffsets(topic);
        break;
      } catch (err) {
        if (attempt >= 30 || !/not the leader/i.test(String(err))) throw err;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    assert.equal(
      offsets.reduce((sum, p) => sum + Number(p.high), 0),
      1,
    );
    await after.deleteTopics({ topics: [topic] });
  } finally {
    await after.disconnect();
  }
});
