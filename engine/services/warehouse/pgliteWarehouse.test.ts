import fs from 'node:fs';
import path from 'node:path';
import { tmpDirs } from '../../testing/tmpDirs';
import { PgliteWarehouse } from './pgliteWarehouse';
import { warehouseContract } from './warehouse.contract';

const tmp = tmpDirs('rp-pglite-');
const initSql = fs.readFileSync(path.resolve('sql/init.sql'), 'utf8');

// Creating a data dir takes seconds, opening one a fraction of that: every test gets a copy of one new, empty warehouse.
let template: Promise<string> | null = null;
function emptyWarehouseDir(): Promise<string> {
  template ??= (async () => {
    const dir = path.join(tmp(), 'warehouse');
    await (await PgliteWarehouse.open(dir, initSql)).close();
    return dir;
  })();
  return template;
}

warehouseContract('PGlite', async () => {
  const dir = path.join(tmp(), 'warehouse');
  fs.cpSync(await emptyWarehouseDir(), dir, { recursive: true });
  const warehouse = await PgliteWarehouse.open(dir, initSql);
  return { warehouse, cleanup: () => warehouse.close() };
});
