import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { EngineConfig } from '../config';
import type { TopicMessage, TopicTailEvent } from '../contract';
import { Host } from '../host';

/**
 * The Topics page's calls through a whole Host, as a UI makes them, on any services: the embedded
 * log and real Kafka alike. `config` gives a fresh data dir and a fresh topic each time.
 */
export function topicsScenario(label: string, config: () => Promise<EngineConfig>): void {
  it(`${label}: browses, searches, tails, writes by hand and shows lag`, { timeout: 300_000 }, async () => {
    const host = await Host.open(await config(), { waitForWarehouse: false });
    try {
      // Nothing written yet: an empty topic, said as such, and nothing created by looking.
      const empty = await host.call('topics.read', {});
      assert.deepEqual([empty.partitions, empty.messages], [[], []]);
      assert.equal((await host.call('topics.lag', {})).state, 'no topic yet');

      await host.call('stage.start', {
        stage: 'producer',
        settings: { rate: 5000, limit: 1200, faults: { malformed: 0.02, invalid: 0, late: 0, duplicate: 0 } },
      });
      await host.producerDone();
      await host.call('stage.start', { stage: 'stream' });
      await host.drainStream();
      await host.call('stage.stop', { stage: 'stream' });

      // The newest page, every partition merged by time.
      const newest = await host.call('topics.read', {});
      const ends = newest.partitions.map((p) => p.end);
      const total = ends.reduce((a, b) => a + b, 0);
      assert.ok(total >= 1200, `every record is on the topic (${total})`);
      assert.equal(newest.messages.length, 100);
      assert.deepEqual(newest.next, ends, 'the newest page ends at the end of each partition');
      assert.ok(isTimeOrdered(newest.messages));

      // Paging forward from the start covers every record once.
      const seen = new Set<string>();
      let cursor = newest.partitions.map((p) => p.earliest);
      for (let pages = 0; seen.size < total; pages++) {
        assert.ok(pages < 20, 'pages end');
        const page = await host.call('topics.read', { cursor, direction: 'after', limit: 100 });
        assert.ok(page.messages.length > 0);
        for (const m of page.messages) seen.add(`${m.partition}:${m.offset}`);
        cursor = page.next;
      }
      assert.equal(seen.size, total, 'no record twice, none left out');

      // One partition from an offset: key, time, size, the value as sent.
      const p0 = await host.call('topics.read', { partition: 0, offset: 10, limit: 5 });
      assert.deepEqual(
        p0.messages.map((m) => m.offset),
        [10, 11, 12, 13, 14],
      );
      const m0 = p0.messages[0];
      assert.equal(m0.bytes, Buffer.byteLength(m0.value) + Buffer.byteLength(m0.key ?? ''));
      assert.ok(m0.timestamp > Date.now() - 600_000);
      const older = await host.call('topics.read', { partition: 0, cursor: p0.start, direction: 'before', limit: 5 });
      assert.deepEqual(
        older.messages.map((m) => m.offset),
        [5, 6, 7, 8, 9],
      );
      // By time: from the first record appended at or after a time.
      const later = newest.messages[50];
      const byTime = await host.call('topics.read', { time: later.timestamp, limit: 10 });
      assert.ok(byTime.messages.every((m) => m.timestamp >= later.timestamp));

      // Search: a sale the stream accepted is in silver; a hand-written copy is in the log until the
      // stream reads it, then in quarantine as a duplicate.
      const sale = newest.messages.map(parseSale).find((s) => s !== null)!;
      const first = await host.call('topics.search', { transactionId: sale.id });
      assert.deepEqual(
        first.hits.map((h) => [h.place, h.partition, h.offset, h.from]),
        [['silver', sale.message.partition, sale.message.offset, 'log']],
      );
      assert.equal(first.hits[0].message?.value, sale.message.value);
      assert.equal(first.log.records, 0, 'the lake holds everything: no log record to scan');

      const copy = await host.call('topics.produce', { value: sale.message.value });
      assert.equal(copy.key, sale.message.key, "keyed by the value's store, as the app's producer keys sales");
      assert.equal(copy.partition, sale.message.partition);
      assert.ok(copy.offset !== null && copy.offset >= ends[copy.partition]);
      const before = await host.call('topics.search', { transactionId: sale.id });
      assert.deepEqual(
        before.hits.map((h) => h.place),
        ['silver', 'log'],
      );
      assert.equal(before.log.records, 1, 'only the record past the lake is scanned');
      await host.call('stage.start', { stage: 'stream' });
      await host.drainStream();
      const lagRunning = await host.call('topics.lag', {});
      assert.equal(lagRunning.members.length, 1, "this app's stream is the group's one member");
      assert.deepEqual(
        lagRunning.members[0].partitions,
        Array.from({ length: ends.length }, (_, p) => p),
      );
      await host.call('stage.stop', { stage: 'stream' });
      const after = await host.call('topics.search', { transactionId: sale.id });
      assert.deepEqual(
        after.hits.map((h) => [h.place, h.reason, h.offset]),
        [
          ['silver', null, sale.message.offset],
          ['quarantine', 'duplicate_transaction', copy.offset],
        ],
      );
      assert.equal((await host.call('topics.search', { transactionId: "' OR 1=1 --" })).hits.length, 0);
      await assert.rejects(host.call('topics.search', { transactionId: '  ' }), { field: 'transactionId' });

      // Lag with the stream stopped: the group's commits and the lake both at the end, no member.
      const lag = await host.call('topics.lag', {});
      assert.equal(lag.trusted, 'lake');
      assert.equal(lag.members.length, 0);
      for (const p of lag.partitions) {
        assert.deepEqual([p.committed, p.lake, p.lag, p.lakeLag], [p.end, p.end, 0, 0], `partition ${p.partition}`);
      }
      assert.ok(lag.samples.length >= 1 && lag.samples.at(-1)!.end.length === ends.length);

      // The live tail: what arrives while it follows; nothing of a pause; then on again from the end.
      const tail: TopicTailEvent[] = [];
      const off = host.on('topics.tail', (e) => tail.push(e));
      const following = await host.call('topics.tail', { follow: true });
      assert.equal(following.following, true);
      const a = await host.call('topics.produce', { key: 'tail-test', value: '{"tail":"a"}' });
      await until(() => tail.some((e) => e.messages.some((m) => m.value === '{"tail":"a"}')));
      assert.equal((await host.call('topics.tail', { follow: false })).following, false);
      await host.call('topics.produce', { key: 'tail-test', value: '{"tail":"during the pause"}' });
      await host.call('topics.tail', { follow: true });
      await host.call('topics.produce', { key: 'tail-test', value: '{"tail":"c"}' });
      await until(() => tail.some((e) => e.messages.some((m) => m.value === '{"tail":"c"}')));
      off();
      const values = tail.flatMap((e) => e.messages.map((m) => m.value));
      assert.ok(!values.includes('{"tail":"during the pause"}'), 'a paused tail sends nothing of the pause');
      assert.equal(values.filter((v) => v === '{"tail":"a"}').length, 1);
      const lagAfter = await host.call('topics.lag', {});
      assert.equal(lagAfter.partitions[a.partition].lakeLag, 3, 'the three tail records are past the lake');
      assert.equal(lagAfter.partitions[a.partition].lag, 3, "and past the group's commit");
    } finally {
      await host.close();
    }
  });
}

function isTimeOrdered(ms: TopicMessage[]): boolean {
  return ms.every((m, i) => i === 0 || ms[i - 1].timestamp <= m.timestamp);
}

function parseSale(m: TopicMessage): { id: string; message: TopicMessage } | null {
  try {
    const v = JSON.parse(m.value) as { transaction_id?: unknown };
    return typeof v.transaction_id === 'string' ? { id: v.transaction_id, message: m } : null;
  } catch {
    return null;
  }
}

async function until(cond: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    assert.ok(Date.now() < end, 'timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}
