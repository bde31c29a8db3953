import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateSale, type RejectedSale, type ValidSale } from '../../model/validate';
import { openDuck } from '../../services/lake/duck';
import { FolderLake } from '../../services/lake/folderLake';
import { previewRows, readFooter } from '../../services/lake/footer';
import { tmpDirs } from '../../testing/tmpDirs';
import { LakeWriter, PartitionBuffer } from './lakeWriter';

const tmp = tmpDirs('rp-lake-');
const T = Date.parse('2026-11-25T10:59:59.500Z');
const sale = (id: string, ts: string) =>
  JSON.stringify({
    transaction_id: id,
    timestamp_utc: ts,
    store_id: 3,
    customer_id: 'cust_9',
    products: [
      { product_id: 112, quantity: 2, unit_price: 75.5 },
      { product_id: 129, quantity: 1, unit_price: 350 },
    ],
    total_amount: 501,
  });

describe('lake writer and footer reader', () => {
  it('writes bronze, silver (enriched, split by event hour) and quarantine files named by offset range, readable from their footers', async () => {
    const lake = new FolderLake(tmp());
    const duck = await openDuck();
    const writer = await LakeWriter.create(duck, lake);
    const buf = new PartitionBuffer(2);
    // t-2 as Python's utcnow().isoformat() writes it: no zone, microseconds.
    const values = [sale('t-1', '2026-11-25T10:59:59.000Z'), 'not json', sale('t-2', '2026-11-25T11:00:00.250123')];
    values.forEach((value, i) => {
      const rec = { partition: 2, offset: 40 + i, timestamp: T + i, key: '3', value };
      buf.addRaw(rec);
      const v = validateSale(value, rec.timestamp);
      if (v.ok) buf.addSale(rec, v as ValidSale, T + 10);
      else buf.addRejected(rec, v as RejectedSale, 'built-in');
    });
    const result = await writer.flush(buf);
    assert.deepEqual(result.files, [
      'bronze/sales_transactions/date=2026-11-25/hour=10/2-40-42.parquet',
      'silver/sales_lines/date=2026-11-25/hour=10/2-40-42.parquet',
      'silver/sales_lines/date=2026-11-25/hour=11/2-40-42.parquet',
      'quarantine/sales_transactions/date=2026-11-25/hour=10/2-40-42.parquet',
    ]);

    const bronze = await readFooter(lake, result.files[0]);
    assert.equal(bronze.rows, 3);
    assert.deepEqual(bronze.offsets, { partition: 2, first: 40, last: 42 });
    const offset = bronze.columns.find((c) => c.name === 'source_offset')!;
    assert.deepEqual([offset.min, offset.max], [40, 42]);

    const silver = await previewRows(lake, result.files[2]);
    assert.deepEqual(
      silver.map((r) => [
        r.transaction_id,
        r.line_no,
        r.city,
        r.store_name,
        r.product_name,
        r.category,
        r.line_amount,
        r.event_time,
      ]),
      [
        ['t-2', 1, 'Alexandria', 'Alexandria Corniche', 'White Cheese 500g', 'Dairy', 151, '2026-11-25T11:00:00.250Z'],
        [
          't-2',
          2,
          'Alexandria',
          'Alexandria Corniche',
          'USB-C Charger',
          'Electronics',
          350,
          '2026-11-25T11:00:00.250Z',
        ],
      ],
    );
    // Silver keeps the microseconds (hyparquet's preview above rounds to milliseconds; DuckDB does not).
    const [path] = await lake.localPaths([result.files[2]]);
    const us = await duck.runAndReadAll(
      `SELECT DISTINCT epoch_us(event_time)::VARCHAR, strftime(event_time, '%Y-%m-%d %H:%M:%S.%f') FROM '${path}'`,
    );
    assert.deepEqual(us.getRowsJS(), [
      [String(Date.parse('2026-11-25T11:00:00.250Z') * 1000 + 123), '2026-11-25 11:00:00.250123'],
    ]);

    const [rejected] = await previewRows(lake, result.files[3]);
    assert.equal(rejected.reason, 'malformed_json');
    assert.equal(rejected.raw, 'not json');
    assert.equal(rejected.source_offset, 41);
  });
});
