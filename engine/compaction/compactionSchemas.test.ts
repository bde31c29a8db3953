import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { openDuck, sqlList, sqlString } from '../services/lake/duck';
import { FolderLake } from '../services/lake/folderLake';
import { LAYERS } from '../services/lake/keys';
import { tmpDirs } from '../testing/tmpDirs';
import { compactLake } from './compactor';
import { isCompactedKey } from './compactionKeys';
import { visibleKeys } from './lakeView';
import { writeDay } from './testing/dayOfFiles';

const tmp = tmpDirs('rp-compaction-schemas-');
const DAY = { date: '2026-03-02', hours: 1, rate: 2, partitions: 2, flushSeconds: 300, layers: ['silver' as const] };

describe('compaction of an hour whose files have different columns', () => {
  it('files an older version wrote without a column are merged by name: every row kept, the missing column empty', async () => {
    const root = tmp();
    const lake = new FolderLake(root);
    const duck = await openDuck({ threads: 1 });
    await writeDay(lake, duck, DAY, root);
    const files = await visibleKeys(lake, LAYERS.silver);
    assert.equal(files.length, 24, 'two partitions, a file every five minutes');
    const local = (k: string) => path.join(root, ...k.split('/'));
    // Two files as an older stream wrote them: no catalog_version, which was the last column.
    const old = [files[3], files[15]];
    for (const k of old) {
      const without = `${local(k)}.old`;
      await duck.run(
        `COPY (SELECT * EXCLUDE (catalog_version) FROM read_parquet(${sqlString(local(k))})) TO ${sqlString(without)} (FORMAT parquet)`,
      );
      fs.renameSync(without, local(k));
    }
    const count = async (sql: string) => Number((await duck.runAndReadAll(sql)).getRowsJS()[0][0]);
    const oldRows = await count(`SELECT count(*) FROM read_parquet(${sqlList(old.map(local))})`);
    const all = await count(`SELECT count(*) FROM read_parquet(${sqlList(files.map(local))}, union_by_name = true)`);
    const ids = `SELECT transaction_id, line_no, source_offset, line_amount FROM read_parquet(%s, union_by_name = true) ORDER BY ALL`;
    const before = (await duck.runAndReadAll(ids.replace('%s', sqlList(files.map(local))))).getRowsJS();

    const run = await compactLake({ lake, duck, loadedFiles: async () => files }, { settleMs: 0 });
    assert.equal(run.status, 'succeeded', run.error);
    const after = await visibleKeys(lake, LAYERS.silver);
    assert.equal(after.length, 1);
    assert.ok(isCompactedKey(after[0]));
    const out = sqlString(local(after[0]));
    assert.equal(await count(`SELECT count(*) FROM read_parquet(${out})`), all);
    assert.equal(
      await count(`SELECT count(*) FROM read_parquet(${out}) WHERE catalog_version IS NULL`),
      oldRows,
      "the older files' rows have no catalog version; every other row keeps its own",
    );
    assert.deepEqual((await duck.runAndReadAll(ids.replace('%s', out))).getRowsJS(), before);
    const types = (await duck.runAndReadAll(`SELECT name, type FROM parquet_schema(${out}) WHERE type IS NOT NULL`))
      .getRowsJS()
      .map(([n]) => n);
    assert.ok(types.includes('catalog_version') && types.includes('line_amount'));
    duck.closeSync();
  });
});
