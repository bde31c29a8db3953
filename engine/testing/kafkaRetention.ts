import { Kafka, logLevel } from 'kafkajs';

/**
 * What Kafka's retention does to old segments, done at once for a test: the log of each partition
 * then starts at the given offset (DeleteRecords moves the log start offset, as retention does).
 */
export async function deleteRecordsBefore(
  brokers: string[],
  topic: string,
  before: ReadonlyMap<number, number>,
): Promise<void> {
  const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.fetchTopicMetadata({ topics: [topic] });
    await admin.deleteTopicRecords({
      topic,
      partitions: [...before].map(([partition, offset]) => ({ partition, offset: String(offset) })),
    });
  } finally {
    await admin.disconnect();
  }
}
