import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { tmpDirs } from '../../../testing/tmpDirs';
import { LogBroker } from './logBroker';
import { partitionForKey } from '../port';

const tmp = tmpDirs('rp-log-');

const msgs = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => ({
    key: String((from + i) % 12),
    value: JSON.stringify({ n: from + i, pad: 'x'.repeat((from + i) % 50) }),
  }));

async function readAll(broker: LogBroker, topic: string): Promise<number[]> {
  const ends = await broker.endOffsets(topic);
  const seen: number[] = [];
  for (let p = 0; p < ends.length; p++)
    await broker.scan(topic, p, 0, ends[p], (rs) => rs.forEach((r) => seen.push(JSON.parse(r.value).n)));
  return seen.sort((a, b) => a - b);
}

describe('embedded log broker', () => {
  it('keeps every record, in order per key, across partitions and reopen', async () => {
    const dir = tmp();
    const writer = new LogBroker(dir);
    assert.equal(await writer.ensureTopic('t', 4), 4);
    const producer = await writer.producer('t');
    await producer.send(msgs(1000));
    await producer.send(msgs(500, 1000));
    await producer.close();
    const reader = new LogBroker(dir);
    assert.deepEqual(
      await readAll(reader, 't'),
      Array.from({ length: 1500 }, (_, i) => i),
    );
    const ends = await reader.endOffsets('t');
    assert.equal(
      ends.reduce((a, b) => a + b),
      1500,
    );
    // Per partition, a key's records keep their order.
    const p = partitionForKey('5', 4);
    const ns: number[] = [];
    await reader.scan('t', p, 0, ends[p], (rs) =>
      rs.filter((r) => r.key === '5').forEach((r) => ns.push(JSON.parse(r.value).n)),
    );
    assert.deepEqual(
      ns,
      [...ns].sort((a, b) => a - b),
    );
    assert.ok(ns.length > 100);
  });

  it('lets a consumer see what another instance appends, and resume from its committed offsets', async () => {
    const dir = tmp();
    const writer = new LogBroker(dir);
    await writer.ensureTopic('t', 2);
    const producer = await writer.producer('t');
    const consumerSide = new LogBroker(dir);
    const consumer = await consumerSide.consumer({ group: 'g', topic: 't' });
    assert.deepEqual(await consumer.poll({ maxRecords: 100, waitMs: 10 }), []);
    await producer.send(msgs(300));
    let got = 0;
    const next = new Map<number, number>();
    while (got < 300) {
      for (const b of await consumer.poll({ maxRecords: 64, waitMs: 200 })) {
        got += b.records.length;
        next.set(b.partition, b.records[b.records.length - 1].offset + 1);
      }
    }
    await consumer.commit(next);
    await producer.send(msgs(10, 300));
    const again = await new LogBroker(dir).consumer({ group: 'g', topic: 't' });
    let rest = 0;
    for (let i = 0; i < 20 && rest < 10; i++)
      for (const b of await again.poll({ maxRecords: 100, waitMs: 50 })) rest += b.records.length;
    assert.equal(rest, 10, 'a new member starts after the committed offsets');
    assert.deepEqual(
      await consumerSide.committedOffsets('g', 't'),
      [...next.entries()].sort((a, b) => a[0] - b[0]).map(([, o]) => o),
    );
  });

  it('cuts a torn tail left by a crash and keeps every acknowledged record', async () => {
    const dir = tmp();
    const writer = new LogBroker(dir);
    await writer.ensureTopic('t', 1);
    const producer = await writer.producer('t');
    await producer.send(msgs(200));
    await producer.close();
    // A crash in the middle of the next write: half a batch frame at the end of the segment.
    const seg = path.join(
      dir,
      't',
      '0',
      fs.readdirSync(path.join(dir, 't', '0')).find((f) => f.endsWith('.log'))!,
    );
    const sizeBefore = fs.statSync(seg).size;
    const torn = Buffer.concat([fs.readFileSync(seg).subarray(0, 32), Buffer.from('garbage that never finished')]);
    fs.appendFileSync(seg, torn);
    const reader = new LogBroker(dir);
    assert.deepEqual(
      await readAll(reader, 't'),
      Array.from({ length: 200 }, (_, i) => i),
      'readers never expose the torn batch',
    );
    const reopened = new LogBroker(dir);
    const p2 = await reopened.producer('t');
    assert.equal(fs.statSync(seg).size, sizeBefore, 'the writer cut the torn tail on open');
    await p2.send(msgs(5, 200));
    assert.deepEqual(
      await readAll(new LogBroker(dir), 't'),
      Array.from({ length: 205 }, (_, i) => i),
    );
  });

  it('refuses a topic name that could escape its folder', async () => {
    await assert.rejects(new LogBroker(tmp()).ensureTopic('../x', 1), { code: 'config_invalid', field: 'topic' });
  });
});
