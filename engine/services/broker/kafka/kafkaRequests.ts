import type { Admin } from 'kafkajs';
import { PulseError } from '../../../errors';
import { sleep } from '../../../util/fsx';
import type { BrokerRecord } from '../port';

/*
 * The small requests the Kafka adapter's parts share: committed and earliest offsets, a kafkajs
 * message as a broker record, the wait for a restarted broker's leaders, and its errors in words.
 */

/** A group's committed next offset per partition (absent: it never committed; Kafka says -1). */
export async function readCommitted(admin: Admin, group: string, topic: string): Promise<Map<number, number>> {
  const [entry] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
  return new Map((entry?.partitions ?? []).map((p) => [p.partition, Math.max(0, Number(p.offset))]));
}

/** Per partition, the log start offset (the oldest record retention kept), in partition order. */
export async function readLow(admin: Admin, topic: string): Promise<Map<number, number>> {
  const offsets = await leaderRetry(() => admin.fetchTopicOffsets(topic));
  return new Map(offsets.sort((a, b) => a.partition - b.partition).map((o) => [o.partition, Number(o.low)]));
}

export function toRecord(
  partition: number,
  m: { offset: string; timestamp: string; key: Buffer | null; value: Buffer | null },
): BrokerRecord {
  return {
    partition,
    offset: Number(m.offset),
    timestamp: Number(m.timestamp),
    key: m.key ? m.key.toString() : null,
    value: m.value ? m.value.toString() : '',
  };
}

/** A restarted broker answers metadata a moment before it leads its partitions again: wait that out. */
export async function leaderRetry<T>(fn: () => Promise<T>, forMs = 20_000): Promise<T> {
  const until = Date.now() + forMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      const type = (err as { type?: string }).type ?? '';
      if (
        Date.now() > until ||
        !['NOT_LEADER_FOR_PARTITION', 'LEADER_NOT_AVAILABLE', 'UNKNOWN_TOPIC_OR_PARTITION'].includes(type)
      )
        throw err;
      await sleep(300);
    }
  }
}

export function isRebalanceError(err: unknown): boolean {
  const type = (err as { type?: string }).type ?? '';
  return ['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID', 'FENCED_INSTANCE_ID'].includes(type);
}

export function brokerError(brokers: string[], what: string, err: unknown): PulseError {
  if (err instanceof PulseError) return err;
  const detail = err instanceof Error ? err.message : String(err);
  return new PulseError('broker_io', `${what} (Kafka at ${brokers.join(',')}): ${detail}`, {
    retriable: true,
    cause: err,
  });
}
