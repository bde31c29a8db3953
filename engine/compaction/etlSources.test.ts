import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { configFromFlags } from '../cliConfig';
import { pipeline } from '../pipeline/pipelineHarness';
import { openDuck } from '../services/lake/duck';
import { LAYERS } from '../services/lake/keys';
import { openLake } from '../services/open';
import { PgWarehouse } from '../services/warehouse/pgWarehouse';
import type { Warehouse } from '../services/warehouse/port';
import { runEtl } from '../stages/etl/etlStage';
import { freshExternal, type ExternalSetup } from '../testing/externalServices';
import { tmpDirs } from '../testing/tmpDirs';
import { compactLake } from './compactor';
import { readLog } from './compactionLog';
import { later } from './testing/compactionHarness';

const tmp = tmpDirs('rp-compaction-etl-');
const INIT_SQL = new URL('../../sql/init.sql', import.meta.url).pathname;
const setups: ExternalSetup[] = [];
const warehouses: Warehouse[] = [];
after(async () => {
  for (const w of warehouses) await w.close();
  for (const s of setups) await s.cleanup();
});

/** A PostgreSQL database of its own on the test server, with the star schema. */
async function freshWarehouse(): Promise<{ url: string; warehouse: Warehouse }> {
  const x = await freshExternal();
  setups.push(x);
  const url = String(x.input.postgres);
  const warehouse = await PgWarehouse.open({ url, initSqlPath: INIT_SQL });
  warehouses.push(warehouse);
  return { url, warehouse };
}

describe("the ETL's rule for compacted silver files", { timeout: 900_000 }, () => {
  it('loads nothing twice and loses nothing, whichever part of a compacted file a warehouse has', async () => {
    const dir = tmp();
    const config = configFromFlags({ 'data-dir': dir });
    const main = await freshWarehouse();
    const args = ['--data-dir', dir, '--postgres', main.url, '--rate', '1500', '--duplicate-rate', '0.02'];
    const lake = await openLake(config);
    const duck = await openDuck();
    const etl = (warehouse: Warehouse) => runEtl({ lake, duck, warehouse });

    // A second warehouse loads the lake as it is after the first run, and not what comes after.
    const first = await pipeline([...args, '--seconds', '3']);
    const other = (await freshWarehouse()).warehouse;
    assert.equal((await etl(other)).rowsInserted, first.silver.lines);
    const second = await pipeline([...args, '--seconds', '3']);
    const added = second.silver.lines - first.silver.lines;
    assert.ok(added > 0);

    // The main warehouse has loaded everything: silver is compacted, files of both runs together.
    const loaded = await main.warehouse.loadedFiles();
    const r = await compactLake({ lake, duck, loadedFiles: async () => loaded }, later({ graceMs: 0 }));
    assert.equal(r.status, 'succeeded', r.error);
    assert.ok(r.layers.silver.filesOut >= 1);
    await compactLake({ lake, duck, loadedFiles: async () => loaded }, later({ graceMs: 0 }));
    const [entry] = await readLog(lake, LAYERS.silver);

    // The main warehouse: nothing to load.
    const again = await etl(main.warehouse);
    assert.deepEqual([again.status, again.files, again.rowsInserted], ['succeeded', 0, 0]);

    // The other warehouse had the first run's files: exactly the second run's lines are cut out and loaded.
    const partly = await etl(other);
    assert.equal(partly.status, 'succeeded', partly.error);
    assert.equal(partly.rowsInserted, added, "the second run's lines, cut out of the compacted file");
    assert.equal(partly.rowsSkipped, 0, 'not one row offered twice');
    assert.deepEqual(await other.totals(), await main.warehouse.totals());
    assert.equal((await etl(other)).rowsInserted, 0, 'and the manifest now has them');

    // A new warehouse on the compacted lake loads each compacted file whole, under its own key.
    const fresh = (await freshWarehouse()).warehouse;
    const whole = await etl(fresh);
    assert.equal(whole.rowsInserted, second.silver.lines);
    assert.equal(whole.rowsSkipped, 0);
    assert.ok((await fresh.loadedFiles()).includes(entry.output));
    assert.deepEqual(await fresh.totals(), await main.warehouse.totals());
    assert.equal((await etl(fresh)).rowsInserted, 0);
    duck.closeSync();
  });
});
