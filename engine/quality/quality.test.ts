/**
 * Data quality from durable state, on the embedded services and on real Kafka, S3 (moto),
 * PostgreSQL and Redis: arrivals and refusals by reason over time agree with bronze, quarantine and
 * the pipeline summary; a hand-written 40 KB bad record comes back whole; every validation rule is
 * listed with its reason code; wrong requests are refused with the field named.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkCall } from '../commandCheck';
import { resolveConfig, type ConfigInput } from '../config';
import { Host } from '../host';
import { REJECT_REASONS } from '../model/validate';
import { openBroker } from '../services/open';
import { freshExternal } from '../testing/externalServices';
import { produceSales } from '../testing/produceSales';
import { tmpDirs } from '../testing/tmpDirs';

const tmp = tmpDirs('rp-quality-');

/** A till's broken record: JSON cut short, quotes, a NUL-free control character and an emoji, 40 KB. */
const HUGE = `{"transaction_id":"hand-written-1","note":"${"it's a 'quoted' \\\"value\\\" 🧾 ".repeat(1400)}`;

function scenario(label: string, input: () => Promise<{ input: ConfigInput; cleanup: () => Promise<void> }>) {
  test(
    `data quality (${label}): counts by reason over time, a raw record in full, the rules`,
    { timeout: 240_000 },
    async (t) => {
      const ext = await input();
      t.after(ext.cleanup);
      const config = resolveConfig({ ...ext.input, dataDir: tmp() });
      const host = await Host.open(config);
      t.after(() => host.close());
      const before = Date.now() - 60_000;

      const broker = await openBroker(config);
      await broker.ensureTopic(config.topic, config.partitions);
      const producer = await broker.producer(config.topic);
      await producer.send([{ key: '3', value: HUGE }]);
      await producer.close();
      await broker.close();
      await produceSales(host, 3000, { malformed: 0.03, invalid: 0.1, duplicate: 0.03 });

      const summary = await host.summary();
      const stats = await host.call('quality.stats', { from: before, to: Date.now() + 60_000 });
      assert.equal(stats.totals.records, summary.bronze.records);
      assert.equal(stats.totals.quarantined, summary.quarantine.records);
      assert.ok(stats.totals.quarantined > 100, `${stats.totals.quarantined} refused`);
      const listing = await host.call('quarantine.list', { limit: 100_000 });
      const byOriginal: Record<string, number> = {};
      for (const r of listing.rows) byOriginal[r.originalReason] = (byOriginal[r.originalReason] ?? 0) + 1;
      assert.deepEqual(stats.totals.byReason, byOriginal);
      assert.ok(stats.totals.byReason.malformed_json >= 1 && stats.totals.byReason.duplicate_transaction >= 1);
      assert.deepEqual(stats.allTime, stats.totals);
      // The buckets add up to the totals, each at a multiple of the bucket size.
      assert.equal(stats.bucketMs, 60_000);
      const sum = (f: (b: (typeof stats.buckets)[number]) => number) => stats.buckets.reduce((s, b) => s + f(b), 0);
      assert.equal(
        sum((b) => b.records),
        stats.totals.records,
      );
      assert.equal(
        sum((b) => b.quarantined),
        stats.totals.quarantined,
      );
      assert.equal(
        sum((b) => b.byReason.malformed_json ?? 0),
        stats.totals.byReason.malformed_json,
      );
      assert.ok(stats.buckets.every((b) => b.start % stats.bucketMs === 0 && b.quarantined <= b.records));
      // The stream's counters over its last minute, now that it stopped.
      assert.equal(stats.live.running, false);
      assert.ok(stats.live.quarantined <= stats.live.consumed && stats.live.consumed > 0);

      // Files are read once: a second answer reads none; a range before the data counts nothing, all-time stays.
      const again = await host.call('quality.stats', { from: before, to: Date.now() + 60_000, bucketMinutes: 5 });
      assert.equal(again.filesRead, 0);
      assert.equal(again.bucketMs, 300_000);
      assert.deepEqual(again.totals, stats.totals);
      const earlier = await host.call('quality.stats', { from: before - 7_200_000, to: before - 3_600_000 });
      assert.deepEqual(earlier.totals, { records: 0, quarantined: 0, byReason: {} });
      assert.deepEqual(earlier.allTime, stats.allTime);

      // The hand-written record: cut to 2,000 characters in the list, whole here.
      const row = listing.rows.find((r) => r.raw.startsWith('{"transaction_id":"hand-written-1"'));
      assert.ok(row, 'the hand-written record is quarantined');
      assert.equal(row.originalReason, 'malformed_json');
      assert.ok(row.raw.length <= 2001);
      const full = await host.call('quarantine.record', { partition: row.partition, offset: row.offset });
      assert.equal(full.raw, HUGE);
      assert.equal(full.bytes, Buffer.byteLength(HUGE));
      assert.equal(full.key, '3');
      assert.equal(full.reason, 'malformed_json');
      assert.equal(full.brokerTime, row.brokerTime);
      assert.match(full.file, /^quarantine\/sales_transactions\/date=.*\.parquet$/);

      const rules = await host.call('quality.rules', {});
      assert.deepEqual(rules.map((r) => r.code).sort(), [...REJECT_REASONS].sort());
      assert.ok(rules.every((r) => r.title && r.description.length > 20));
      assert.match(rules.find((r) => r.code === 'future_timestamp')!.description, /5 minutes ahead/);

      const refused: [Parameters<typeof host.call<'quality.stats'>>[1], string, RegExp][] = [
        [{ from: 10_000, to: 5_000 }, 'from', /before to/],
        [{ bucketMinutes: 0.5 }, 'bucketMinutes', /whole number/],
        [{ from: 0, bucketMinutes: 1 }, 'bucketMinutes', /too many/],
        [{ to: -1 }, 'to', /epoch ms/],
      ];
      for (const [q, field, message] of refused)
        await assert.rejects(host.call('quality.stats', q), (e: { field?: string; message?: string }) => {
          assert.equal(e.field, field, JSON.stringify(q));
          assert.match(e.message ?? '', message);
          return true;
        });
      await assert.rejects(host.call('quarantine.record', { partition: -1, offset: 0 }), { field: 'partition' });
      await assert.rejects(host.call('quarantine.record', { partition: 0, offset: 1.5 }), { field: 'offset' });
      await assert.rejects(host.call('quarantine.record', { partition: 0, offset: 1e12 }), { code: 'not_found' });
      assert.throws(() => checkCall('quality.stats', { from: 'yesterday' }), /"from" must be a number/);
      assert.throws(() => checkCall('quarantine.record', { partition: 0 }), /"offset" is required/);
    },
  );
}

scenario('embedded', async () => ({ input: {}, cleanup: async () => undefined }));
scenario('Kafka, S3, PostgreSQL, Redis', async () => freshExternal());
