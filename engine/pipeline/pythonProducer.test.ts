import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { ensureKafkaPython } from '../../scripts/services/kafkaPython';
import { resolveConfig } from '../config';
import { Host } from '../host';
import { freshExternal, type ExternalSetup } from '../testing/externalServices';
import { tmpDirs } from '../testing/tmpDirs';
import { assertReconciles } from './pipelineHarness';

const run = promisify(execFile);
const PRODUCER = fileURLToPath(new URL('../testing/pos/pos_producer.py', import.meta.url));
const tmp = tmpDirs('rp-python-');
const SALES = 2000;
let python = '';
let setup: ExternalSetup | null = null;

before(async () => {
  python = await ensureKafkaPython((line) => process.stderr.write(`kafka-python: ${line}\n`));
});
after(async () => setup?.cleanup());

describe(
  'a point-of-sale producer written in Python (kafka-python, naive UTC timestamps, no key)',
  { timeout: 600_000 },
  () => {
    it('sends 2,000 sales into the real Kafka: every one reaches silver and the warehouse with its chain’s names, none quarantined', async () => {
      setup = await freshExternal();
      const dir = tmp();
      // The producer's own chain (8 stores, 15 products) is imported as the catalog.
      const chain = JSON.parse((await run(python, [PRODUCER, '--print-catalog'])).stdout) as {
        stores: { store_id: number; name: string }[];
        products: { product_id: number; name: string; category: string }[];
      };
      assert.deepEqual([chain.stores.length, chain.products.length], [8, 15]);
      const catalogFile = path.join(dir, 'pos-chain.json');
      fs.writeFileSync(catalogFile, JSON.stringify(chain));
      const host = await Host.open(
        resolveConfig({ ...setup.input, dataDir: path.join(dir, 'data'), catalog: catalogFile }),
      );
      try {
        await host.startStream(); // creates the topic (4 partitions, LogAppendTime) and joins the group
        const sent = await run(python, [
          PRODUCER,
          '--bootstrap',
          String(setup.input.kafka),
          '--topic',
          String(setup.input.topic),
          '--count',
          String(SALES),
          '--seed',
          '7',
        ]);
        assert.deepEqual(JSON.parse(sent.stdout), { sent: SALES });
        await host.drainStream();
        await host.stopStream();
        const etl = await host.runEtl();
        assert.equal(etl.status, 'succeeded', etl.error);

        const s = await host.summary();
        assert.equal(s.produced.records, SALES);
        assert.equal(s.produced.valid_transactions, SALES);
        assert.deepEqual(
          s.quarantine,
          { records: 0, open: 0, replayed: 0, by_reason: {} },
          'nothing quarantined: naive timestamps are UTC',
        );
        assert.equal(s.warehouse.fact_rows, s.silver.lines);
        assertReconciles(s);

        const lake = async (sql: string) => (await host.call('lake.query', { sql, limit: 10_000 })).rows;
        // Unkeyed: Kafka spread the sales over the partitions.
        const [[partitions, keyed]] = await lake('SELECT count(DISTINCT source_partition), count(key) FROM bronze');
        assert.ok(Number(partitions) > 1, `records on ${partitions} partition(s)`);
        assert.equal(Number(keyed), 0);
        // Silver and the warehouse carry the Python chain's names, for every store and product it sold.
        const storeNames = new Map(chain.stores.map((x) => [x.store_id, x.name]));
        const silverStores = await lake('SELECT DISTINCT store_id, store_name FROM silver ORDER BY 1');
        assert.deepEqual(
          silverStores,
          [...storeNames].sort((a, b) => a[0] - b[0]),
        );
        const facts = await host.call('warehouse.query', {
          sql: `SELECT s.store_id, s.store_name, count(DISTINCT f.transaction_id)::int FROM fact_sales f JOIN dim_store s USING (store_key) GROUP BY 1, 2 ORDER BY 1`,
          limit: 10_000,
        });
        assert.deepEqual(
          facts.rows.map((r) => [r[0], r[1]]),
          silverStores,
        );
        assert.equal(
          facts.rows.reduce((n, r) => n + Number(r[2]), 0),
          SALES,
        );
        const products = await host.call('warehouse.query', {
          sql: `SELECT DISTINCT p.product_id, p.product_name, p.category FROM fact_sales f JOIN dim_product p USING (product_key) ORDER BY 1`,
          limit: 10_000,
        });
        assert.deepEqual(
          products.rows,
          chain.products.map((p) => [p.product_id, p.name, p.category]),
        );

        // Event times to the microsecond, as the till wrote them, in silver and in the warehouse.
        const written = new Map(
          (await lake('SELECT value FROM bronze')).map((r) => {
            const sale = JSON.parse(String(r[0])) as { transaction_id: string; timestamp_utc: string };
            const [whole, fraction = ''] = sale.timestamp_utc.split('.');
            return [sale.transaction_id, `${whole}.${fraction.padEnd(6, '0')}`];
          }),
        );
        const inSilver = await lake(
          `SELECT DISTINCT transaction_id, strftime(event_time, '%Y-%m-%dT%H:%M:%S.%f') FROM silver`,
        );
        assert.equal(inSilver.length, SALES);
        for (const [id, t] of inSilver) assert.equal(t, written.get(String(id)), `silver ${String(id)}`);
        const inWarehouse = await host.call('warehouse.query', {
          sql: `SELECT transaction_id, to_char(event_time, 'YYYY-MM-DD"T"HH24:MI:SS.US') FROM fact_sales WHERE line_no = 1`,
          limit: 10_000, // one page of every sale (a page is 1,000 rows unless asked)
        });
        assert.equal(inWarehouse.rows.length, SALES);
        for (const [id, t] of inWarehouse.rows) assert.equal(t, written.get(String(id)), `warehouse ${String(id)}`);
        assert.ok(
          [...written.values()].some((t) => !t.endsWith('000')),
          'some times have microseconds below the millisecond',
        );
      } finally {
        await host.close();
      }
    });
  },
);
