import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { resolveConfig } from '../config';
import { Host } from '../host';
import { BUILTIN_CATALOG } from '../model/catalog';
import type { SaleTransaction } from '../model/sale';
import { assertReconciles } from '../pipeline/pipelineHarness';
import { openBroker } from '../services/open';
import { tmpDirs } from '../testing/tmpDirs';

const tmp = tmpDirs('rp-replay-');
const WITH_9999 = {
  ...BUILTIN_CATALOG,
  products: [...BUILTIN_CATALOG.products, { product_id: 9999, name: 'Seasonal Hamper', category: 'Gifts', price: 300 }],
};

function sale(id: string, lines: [number, number, number][], total?: number): SaleTransaction {
  return {
    transaction_id: id,
    timestamp_utc: new Date(Date.now() - 60_000).toISOString().replace('Z', '123'),
    store_id: 3,
    customer_id: 'cust_77',
    products: lines.map(([product_id, quantity, unit_price]) => ({ product_id, quantity, unit_price })),
    total_amount: total ?? lines.reduce((s, [, q, p]) => s + q * p, 0),
  };
}

describe('quarantine replay', { timeout: 600_000 }, () => {
  it('after a missing product is added: now-valid sales reach silver and the warehouse once, with lineage; a second replay changes nothing', async () => {
    const host = await Host.open(resolveConfig({ dataDir: tmp() }));
    const config = host.config;
    const summary = () => host.summary();
    try {
      await host.startStream();
      // A till feed where 10% of the records are broken, 3% re-sent (product 9999 is one of the breaks).
      await host.startProducer({
        rate: 4000,
        seed: 11,
        limit: 4000,
        faults: { malformed: 0, invalid: 0.1, late: 0, duplicate: 0.03 },
      });
      await host.producerDone();
      await host.drainStream();
      // And records that need more than the product: a wrong total, a copy of an accepted sale, two copies of one sale.
      const broker = await openBroker(config);
      const accepted = (await host.call('lake.query', { sql: 'SELECT transaction_id FROM silver LIMIT 1', limit: 1 }))
        .rows[0]?.[0];
      const twin = randomUUID();
      const crafted = [
        sale(
          `wrong-total-${randomUUID()}`,
          [
            [9999, 1, 300],
            [101, 2, 5],
          ],
          999,
        ),
        sale(String(accepted ?? 'none'), [[9999, 1, 300]]),
        sale(twin, [
          [9999, 2, 300],
          [102, 1, 45],
        ]),
        sale(twin, [
          [9999, 2, 300],
          [102, 1, 45],
        ]),
      ];
      const producer = await broker.producer(config.topic);
      await producer.send(crafted.map((t) => ({ key: '3', value: JSON.stringify(t) })));
      await producer.close();
      await broker.close();
      await host.drainStream();
      assert.ok(accepted, 'the stream accepted sales');
      assert.equal((await host.runEtl()).status, 'succeeded');

      const before = await summary();
      assertReconciles(before);
      const listed = await host.call('quarantine.list', { reason: 'unknown_product' });
      const unknown = listed.matching;
      assert.ok(unknown > 20, `${unknown} records refused for product 9999`);
      assert.equal(listed.byReason.unknown_product, unknown);
      assert.ok(listed.rows.every((r) => r.state === 'open' && r.detail?.includes('9999')));

      // Before the fix a replay changes nothing: same verdict, nothing logged.
      const early = await host.call('quarantine.replay', { reason: 'unknown_product' });
      assert.deepEqual(
        [early.candidates, early.toSilver, early.stillQuarantined, early.unchanged],
        [unknown, 0, 0, unknown],
      );

      // The product is added to the catalog; the stream is still running.
      await host.call('catalog.apply', { files: [{ name: 'with-9999.json', text: JSON.stringify(WITH_9999) }] });
      const replay = await host.call('quarantine.replay', { reason: 'unknown_product' });
      // All but three become sales: the wrong total, the copy of an accepted sale, and the second twin stay, with new reasons.
      assert.equal(replay.candidates, unknown);
      assert.equal(replay.toSilver, unknown - 3);
      assert.deepEqual(replay.byReason, { total_mismatch: 1, duplicate_transaction: 2 });
      assert.equal(replay.stillQuarantined, 3);
      assert.equal(replay.etl?.status, 'succeeded');
      assert.equal(replay.etl?.rowsInserted, replay.lines);

      const after = await summary();
      assertReconciles(after);
      assert.equal(after.produced.records, before.produced.records, 'a replay produces nothing');
      assert.equal(after.bronze.records, before.bronze.records);
      assert.equal(after.quarantine.records, before.quarantine.records);
      assert.equal(after.quarantine.replayed, replay.toSilver);
      assert.equal(after.quarantine.open, before.quarantine.open - replay.toSilver);
      assert.equal(after.quarantine.by_reason.unknown_product, undefined);
      assert.equal(
        after.quarantine.by_reason.duplicate_transaction,
        before.quarantine.by_reason.duplicate_transaction + 2,
      );
      assert.equal(after.silver.transactions, before.silver.transactions + replay.toSilver);
      assert.equal(after.silver.lines, before.silver.lines + replay.lines);
      assert.equal(after.warehouse.fact_rows, before.warehouse.fact_rows + replay.lines);
      assert.ok(Math.abs(after.warehouse.revenue - before.warehouse.revenue - replay.revenue) <= 0.01);
      assert.ok(
        Math.abs(after.windows.revenue + after.windows.late_revenue - after.silver.revenue) <= 0.01,
        'the live windows count replayed revenue once, as late',
      );

      // Lineage: where each went, when; replayed sales keep their source partition, offset and event time.
      const moved = await host.call('quarantine.list', { state: 'replayed', limit: 1000 });
      assert.equal(moved.matching, replay.toSilver);
      for (const r of moved.rows) {
        assert.equal(r.reason, null);
        assert.equal(r.originalReason, 'unknown_product');
        assert.match(r.wentTo ?? '', new RegExp(`^silver/sales_lines/date=.*/replay-${replay.replayId}-0\\.parquet$`));
        assert.equal(Date.parse(r.replayedAt ?? ''), replay.replayedAt);
      }
      const lineage = await host.call('lake.query', {
        sql: `SELECT count(*) FROM silver s JOIN bronze b USING (source_partition, source_offset)
              WHERE s.catalog_version = '${replay.catalogVersion}' AND strftime(s.event_time, '%Y-%m-%dT%H:%M:%S.%f')
                = regexp_replace(json_extract_string(b.value, '$.timestamp_utc'), '(\\.\\d{3})(Z)?$', '\\1000')`,
      });
      assert.deepEqual(lineage.rows, [[replay.lines]], 'each replayed line carries its record’s offset and event time');
      const changed = await host.call('quarantine.list', { reason: 'duplicate_transaction', limit: 10_000 });
      const renamed = changed.rows.filter((r) => r.originalReason === 'unknown_product');
      assert.equal(renamed.length, 2);
      assert.ok(renamed.every((r) => r.replayedAt !== null && /already accepted/.test(r.detail ?? '')));

      // Replaying twice changes nothing, with the stream running and with it stopped.
      const again = await host.call('quarantine.replay', {});
      assert.equal(again.toSilver, 0);
      assert.equal(again.stillQuarantined, 0);
      assert.equal(again.etl, null);
      await host.stopStream();
      const stopped = await host.call('quarantine.replay', {});
      assert.deepEqual([stopped.toSilver, stopped.stillQuarantined, stopped.unchanged], [0, 0, after.quarantine.open]);
      const last = await summary();
      assertReconciles(last);
      assert.deepEqual(
        { ...last, etl: null, throughput_tps: 0, latency_ms: null },
        { ...after, etl: null, throughput_tps: 0, latency_ms: null },
      );

      await assert.rejects(host.call('quarantine.replay', { from: 'last tuesday' }), {
        code: 'config_invalid',
        field: 'from',
      });
    } finally {
      await host.close();
    }
  });
});
