import { randomUUID } from 'node:crypto';
import type { Admin, Kafka } from 'kafkajs';
import type { BrokerRecord } from '../port';
import { brokerError, toRecord } from './kafkaRequests';

/**
 * kafkajs has no assign(): a scan is a throwaway group that owns the topic, seeks the one
 * partition to `from`, pauses the others, and is deleted afterwards.
 */
export async function scanPartition(
  client: { kafka: Kafka; admin: Admin; opts: { clientId: string; brokers: string[] } },
  range: { topic: string; partitions: number; partition: number; from: number; to: number },
  visit: (records: BrokerRecord[]) => void,
): Promise<void> {
  const { topic, partition, from, to } = range;
  const { kafka, admin, opts } = client;
  if (from >= to) return;
  const groupId = `${opts.clientId}-scan-${randomUUID()}`;
  const consumer = kafka.consumer({
    groupId,
    maxBytes: 32 << 20,
    maxBytesPerPartition: 16 << 20,
    maxWaitTimeInMs: 200,
    retry: { retries: 5 },
  });
  let failure: unknown = null;
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    let next = from;
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    consumer.on(consumer.events.CRASH, (e) => {
      failure = e.payload.error;
      done();
    });
    let seeked = false;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      if (seeked) return;
      seeked = true;
      const n = range.partitions;
      const others = Array.from({ length: n }, (_, p) => p).filter((p) => p !== partition);
      if (others.length) consumer.pause([{ topic, partitions: others }]);
      consumer.seek({ topic, partition, offset: String(from) });
    });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        if (batch.partition !== partition || next >= to) return;
        const records = batch.messages
          .map((m) => toRecord(partition, m))
          .filter((r) => r.offset >= next && r.offset < to);
        if (records.length) {
          visit(records);
          next = records[records.length - 1].offset + 1;
        }
        if (next >= to) done();
      },
    });
    await finished;
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await admin.deleteGroups([groupId]).catch(() => undefined);
  }
  if (failure) throw brokerError(opts.brokers, `cannot read ${topic}/${partition}`, failure);
}
