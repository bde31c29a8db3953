import { PulseError } from '../errors';
import { partitionForKey, type Broker } from '../services/broker/port';
import type { ProducedMessage } from '../topicsContract';

/** A hand-written message is for testing a rule: a real sale is a few hundred bytes. */
export const MAX_VALUE_BYTES = 256 * 1024;
export const MAX_KEY_BYTES = 1024;
/** How far past the end before the send the new record is looked for (other producers may write meanwhile). */
const FIND_WITHIN = 20_000;

/** The key given, or (as the simulator keys sales) the value's store_id, or an empty key. */
export function messageKey(key: unknown, value: unknown): string {
  if (typeof value !== 'string')
    throw new PulseError('config_invalid', 'value must be the message text', { field: 'value' });
  if (Buffer.byteLength(value) > MAX_VALUE_BYTES)
    throw new PulseError('config_invalid', `value is larger than ${MAX_VALUE_BYTES / 1024} KiB`, { field: 'value' });
  if (key !== undefined) {
    if (typeof key !== 'string') throw new PulseError('config_invalid', 'key must be text', { field: 'key' });
    if (Buffer.byteLength(key) > MAX_KEY_BYTES)
      throw new PulseError('config_invalid', `key is longer than ${MAX_KEY_BYTES} bytes`, { field: 'key' });
    if (key !== '') return key;
  }
  try {
    const v = JSON.parse(value) as { store_id?: unknown } | null;
    const store = typeof v === 'object' && v !== null ? v.store_id : undefined;
    if (typeof store === 'number' || (typeof store === 'string' && store !== '')) return String(store);
  } catch {
    // Not JSON: sent as it is, with an empty key (the stream quarantines it as malformed_json).
  }
  return '';
}

/**
 * Sends one message with the topic's producer (the path the app's producer and imports take),
 * then finds its offset on the partition its key maps to.
 */
export async function produceOne(
  broker: Broker,
  topic: string,
  partitions: number,
  key: string,
  value: string,
): Promise<ProducedMessage> {
  const count = await broker.ensureTopic(topic, partitions);
  const partition = partitionForKey(key, count);
  const before = (await broker.endOffsets(topic))[partition];
  const producer = await broker.producer(topic);
  try {
    await producer.send([{ key, value }]);
  } finally {
    await producer.close();
  }
  let offset: number | null = null;
  for (let at = before; offset === null && at < before + FIND_WITHIN;) {
    const records = await broker.read(topic, partition, at, 1_000);
    if (!records.length) break;
    offset = records.find((r) => r.key === key && r.value === value)?.offset ?? null;
    at = records[records.length - 1].offset + 1;
  }
  return { partition, offset, key, bytes: Buffer.byteLength(key) + Buffer.byteLength(value) };
}
