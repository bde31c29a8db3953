import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { openDuck, sqlString } from '../../services/lake/duck';
import { pieces } from '../../services/warehouse/copyBinary';
import { clusterTemplate, openPglite, WAREHOUSE_SETTINGS } from '../../services/warehouse/pgliteCluster';
import { FACT_COLUMNS, type DimKeys } from '../../services/warehouse/port';
import { tmpDirs } from '../../testing/tmpDirs';
import { loadDimKeys, prepareChunk } from './factChunk';

const tmp = tmpDirs('rp-fact-chunk-');

/** Two catalog versions: store 1 and product 5 changed between them (new dim rows, new keys). */
const KEYS: DimKeys = {
  versions: ['v1', 'v2'],
  stores: { version: ['v1', 'v2'], id: [1, 1], key: [11, 21] },
  products: { version: ['v1', 'v2', 'v2'], id: [5, 5, 6], key: [105, 205, 9_007_199_254_740_000] },
};

type Line = [
  txn: string,
  lineNo: number,
  time: string,
  store: number,
  customer: string,
  product: number,
  qty: number,
  price: string,
];

/** A silver file as the stream writes it (the columns the ETL reads), with or without catalog_version. */
async function silver(duck: Awaited<ReturnType<typeof openDuck>>, file: string, lines: Line[], version?: string) {
  const rows = lines
    .map(
      ([txn, no, time, store, customer, product, qty, price]) =>
        `(${sqlString(txn)}, ${no}, TIMESTAMPTZ ${sqlString(time)}, ${store}, ${sqlString(customer)}, ${product}, ${qty}, ${price}::DECIMAL(12,2), (${price} * ${qty})::DECIMAL(12,2))`,
    )
    .join(', ');
  const cols = `transaction_id, line_no, event_time, store_id, customer_id, product_id, quantity, unit_price, line_amount`;
  const withVersion = version ? `, ${sqlString(version)} AS catalog_version` : '';
  await duck.run(
    `COPY (SELECT *${withVersion} FROM (VALUES ${rows}) t(${cols})) TO ${sqlString(file)} (FORMAT parquet)`,
  );
}

test('a chunk is written as binary COPY that PostgreSQL reads back exactly: keys of each line’s version, date keys, µs, cents', async () => {
  const dir = tmp();
  const duck = await openDuck();
  const a = path.join(dir, 'a.parquet');
  const b = path.join(dir, 'b.parquet');
  await silver(
    duck,
    a,
    [
      ['t-2', 1, '2026-03-06T23:59:59.999999Z', 1, 'cust_é', 6, 3, '12345678.05'],
      ['t-1', 2, '2026-03-07T00:00:00.000001Z', 1, 'cust_1', 5, 1, '0.01'],
      ['t-1', 1, '2026-03-07T00:00:00.000001Z', 1, 'cust_1', 5, 4, '10.00'],
    ],
    'v2',
  );
  // Written before catalogs had versions: its lines read as the first version.
  await silver(duck, b, [['t-3', 1, '2026-03-05T10:00:00Z', 1, 'cust_1', 5, 2, '350.00']]);
  await loadDimKeys(duck, KEYS);
  const files = [
    { key: 'silver/a.parquet', path: a, rows: 3 },
    { key: 'silver/b.parquet', path: b, rows: 1 },
  ];
  const chunk = await prepareChunk(duck, KEYS, files, path.join(dir, 'facts.pgcopy'));
  assert.equal(chunk.facts.rows, 4);
  assert.deepEqual(chunk.days, ['2026-03-05', '2026-03-06', '2026-03-07']);
  const customers = chunk.customers.ids.map((id, i) => [id, chunk.customers.first[i], chunk.customers.last[i]]);
  assert.deepEqual(customers.sort(), [
    ['cust_1', '2026-03-05T10:00:00.000000Z', '2026-03-07T00:00:00.000001Z'],
    ['cust_é', '2026-03-06T23:59:59.999999Z', '2026-03-06T23:59:59.999999Z'],
  ]);

  const db = await openPglite(path.join(tmp(), 'pg'), { settings: WAREHOUSE_SETTINGS, template: clusterTemplate() });
  try {
    await db.exec(`SET TimeZone = 'UTC';
      CREATE TABLE f (transaction_id text, line_no smallint, date_key integer, store_id integer, product_id integer,
        customer_id text, event_time timestamptz, quantity integer, unit_price numeric(12,2), line_amount numeric(14,2),
        source_file text, store_key bigint, product_key bigint, catalog_version text)`);
    for (const piece of pieces(chunk.facts)) {
      const blob = new Blob([fs.readFileSync(piece.path).subarray(piece.start, piece.end)]);
      await db.query(`COPY f (${FACT_COLUMNS.join(', ')}) FROM '/dev/blob' WITH (FORMAT binary)`, [], { blob });
    }
    const rows = await db.query<Record<string, string>>(
      `SELECT transaction_id, line_no::text, date_key::text, store_key::text, product_key::text, customer_id,
         to_char(event_time, 'YYYY-MM-DD"T"HH24:MI:SS.US') AS t, quantity::text, unit_price::text, line_amount::text,
         source_file, catalog_version FROM f`,
    );
    // In (transaction_id, line_no) order: the primary key takes them page by page.
    assert.deepEqual(
      rows.rows.map((r) => Object.values(r)),
      [
        [
          't-1',
          '1',
          '20260307',
          '21',
          '205',
          'cust_1',
          '2026-03-07T00:00:00.000001',
          '4',
          '10.00',
          '40.00',
          'silver/a.parquet',
          'v2',
        ],
        [
          't-1',
          '2',
          '20260307',
          '21',
          '205',
          'cust_1',
          '2026-03-07T00:00:00.000001',
          '1',
          '0.01',
          '0.01',
          'silver/a.parquet',
          'v2',
        ],
        [
          't-2',
          '1',
          '20260306',
          '21',
          '9007199254740000',
          'cust_é',
          '2026-03-06T23:59:59.999999',
          '3',
          '12345678.05',
          '37037034.15',
          'silver/a.parquet',
          'v2',
        ],
        [
          't-3',
          '1',
          '20260305',
          '11',
          '105',
          'cust_1',
          '2026-03-05T10:00:00.000000',
          '2',
          '350.00',
          '700.00',
          'silver/b.parquet',
          'v1',
        ],
      ],
    );
  } finally {
    await db.close();
  }
});

test('a line of a catalog version, store or product the warehouse does not have is refused with its file named, nothing left', async () => {
  const dir = tmp();
  const duck = await openDuck();
  await loadDimKeys(duck, KEYS);
  const cases: [Line, string | undefined, RegExp][] = [
    [
      ['t-1', 1, '2026-03-06T10:00:00Z', 1, 'c', 5, 1, '1.00'],
      'v9',
      /x\.parquet has a line of catalog version v9, which the warehouse does not have/,
    ],
    [
      ['t-1', 1, '2026-03-06T10:00:00Z', 2, 'c', 5, 1, '1.00'],
      'v2',
      /x\.parquet has a line of store 2, which catalog version v2 does not have/,
    ],
    [
      ['t-1', 1, '2026-03-06T10:00:00Z', 1, 'c', 6, 1, '1.00'],
      undefined,
      /x\.parquet has a line of product 6, which catalog version v1 does not have/,
    ],
  ];
  for (const [line, version, refusal] of cases) {
    const file = path.join(dir, 'x.parquet');
    await silver(duck, file, [line], version);
    const scratch = path.join(dir, 'facts.pgcopy');
    await assert.rejects(
      prepareChunk(duck, KEYS, [{ key: 'silver/x.parquet', path: file, rows: 1 }], scratch),
      (e: { code?: string; message: string }) =>
        e.code === 'warehouse_failed' && refusal.test(e.message) && /run the ETL again/.test(e.message),
    );
    assert.ok(!fs.existsSync(scratch), 'no scratch file is left');
  }
});
