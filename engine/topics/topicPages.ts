import { PulseError } from '../errors';
import type { Broker, BrokerRecord } from '../services/broker/port';
import type { TopicMessage, TopicPage, TopicReadRequest } from '../topicsContract';

export const PAGE_DEFAULT = 100;
export const PAGE_MAX = 500;

export function toMessage(r: BrokerRecord): TopicMessage {
  return {
    partition: r.partition,
    offset: r.offset,
    timestamp: r.timestamp,
    key: r.key,
    value: r.value,
    bytes: Buffer.byteLength(r.value) + (r.key === null ? 0 : Buffer.byteLength(r.key)),
  };
}

const wholeAtLeast = (v: unknown, min: number): v is number => Number.isInteger(v) && (v as number) >= min;

/** The partition asked for, checked against the topic's count. */
export function checkPartition(p: unknown, count: number): number {
  if (!wholeAtLeast(p, 0) || p >= count)
    throw new PulseError(
      'config_invalid',
      `partition must be a whole number from 0 to ${count - 1}, got ${String(p)}`,
      {
        field: 'partition',
      },
    );
  return p;
}

/** Page size, 1 to PAGE_MAX (PAGE_DEFAULT when absent). */
export function checkLimit(limit: unknown): number {
  if (limit === undefined) return PAGE_DEFAULT;
  if (!wholeAtLeast(limit, 1) || limit > PAGE_MAX)
    throw new PulseError('config_invalid', `limit must be a whole number from 1 to ${PAGE_MAX}, got ${String(limit)}`, {
      field: 'limit',
    });
  return limit;
}

/** One partition in offset order; several merged by append time (then partition, offset), as they arrived. */
function order(records: BrokerRecord[], single: boolean): BrokerRecord[] {
  return records.sort((a, b) =>
    single ? a.offset - b.offset : a.timestamp - b.timestamp || a.partition - b.partition || a.offset - b.offset,
  );
}

/** Where the page starts, per partition, and which way it reads. */
async function startPoints(
  broker: Broker,
  topic: string,
  q: TopicReadRequest,
  end: number[],
): Promise<{ cursor: number[]; direction: 'after' | 'before' }> {
  const n = end.length;
  if (q.direction !== undefined && q.direction !== 'after' && q.direction !== 'before')
    throw new PulseError('config_invalid', `direction must be "after" or "before", got ${String(q.direction)}`, {
      field: 'direction',
    });
  const given = [q.cursor !== undefined, q.time !== undefined, q.offset !== undefined].filter(Boolean).length;
  if (given > 1)
    throw new PulseError('config_invalid', 'give one of cursor, time or offset: where the page starts', {
      field: q.cursor !== undefined ? 'cursor' : 'time',
    });
  if (q.cursor !== undefined) {
    if (!Array.isArray(q.cursor) || q.cursor.length !== n || !q.cursor.every((o) => wholeAtLeast(o, 0)))
      throw new PulseError('config_invalid', `cursor must be ${n} offsets, one per partition`, { field: 'cursor' });
    return { cursor: [...q.cursor], direction: q.direction ?? 'after' };
  }
  if (q.time !== undefined) {
    if (typeof q.time !== 'number' || !Number.isFinite(q.time) || q.time < 0)
      throw new PulseError('config_invalid', `time must be epoch milliseconds, got ${String(q.time)}`, {
        field: 'time',
      });
    return { cursor: await broker.offsetsForTime(topic, q.time), direction: q.direction ?? 'after' };
  }
  if (q.offset !== undefined) {
    if (q.partition === undefined)
      throw new PulseError('config_invalid', 'an offset is within one partition: choose the partition too', {
        field: 'partition',
      });
    if (!wholeAtLeast(q.offset, 0))
      throw new PulseError('config_invalid', `offset must be a whole number ≥ 0, got ${String(q.offset)}`, {
        field: 'offset',
      });
    const cursor = [...end];
    cursor[q.partition] = q.offset;
    return { cursor, direction: q.direction ?? 'after' };
  }
  // Nothing given: the newest page.
  return { cursor: [...end], direction: 'before' };
}

/**
 * A page of the topic through the broker port (a bounded read per partition, no consumer group):
 * from a start point on, or the records just before it, merged across partitions by time.
 */
export async function readPage(
  broker: Broker,
  topic: string,
  q: TopicReadRequest,
): Promise<Omit<TopicPage, 'ms' | 'broker'>> {
  const [earliest, end] = await Promise.all([broker.earliestOffsets(topic), broker.endOffsets(topic)]);
  const n = end.length;
  const limit = checkLimit(q.limit);
  const parts = q.partition === undefined ? end.map((_, p) => p) : [checkPartition(q.partition, n)];
  const { cursor, direction } = await startPoints(broker, topic, q, end);
  for (let p = 0; p < n; p++) cursor[p] = Math.min(Math.max(cursor[p], earliest[p]), end[p]);

  const read = await Promise.all(
    parts.map(async (p) => {
      if (direction === 'after') return broker.read(topic, p, cursor[p], Math.min(limit, end[p] - cursor[p]));
      const from = Math.max(earliest[p], cursor[p] - limit);
      return cursor[p] > from ? broker.read(topic, p, from, cursor[p] - from) : [];
    }),
  );
  const merged = order(read.flat(), parts.length === 1);
  const taken = direction === 'after' ? merged.slice(0, limit) : merged.slice(-limit);
  const kept = new Set(taken);
  const start = [...cursor];
  const next = [...cursor];
  parts.forEach((p, i) => {
    const list = read[i];
    if (direction === 'after') {
      // The first record read but not taken is where the next page starts (nothing is skipped).
      const firstLeft = list.find((r) => !kept.has(r));
      next[p] = firstLeft ? firstLeft.offset : list.length ? list[list.length - 1].offset + 1 : cursor[p];
    } else {
      let k = list.length;
      while (k > 0 && kept.has(list[k - 1])) k--;
      start[p] = k < list.length ? list[k].offset : cursor[p];
    }
  });
  return {
    topic,
    partitions: end.map((e, p) => ({ partition: p, earliest: earliest[p], end: e })),
    messages: taken.map(toMessage),
    start,
    next,
  };
}
