import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectFormat, salesReader, type SaleRecord, type SalesFormat } from './salesReaders';

function readAll(format: SalesFormat, text: string, piece: number) {
  const r = salesReader(format, 'f');
  const out: SaleRecord[] = [];
  for (let i = 0; i < text.length; i += piece) out.push(...r.push(text.slice(i, i + piece)));
  out.push(...r.end());
  return { records: out, issues: r.issues, fatal: r.fatal?.message ?? null, unreadable: r.unreadable };
}

const tricky = { transaction_id: 't-1', store_id: 4, customer_id: 'c "q" ]}, {', products: [], total_amount: 0 };

describe('sales file readers', () => {
  it('split a JSON array into its sales whatever the pieces, strings with brackets and escapes included', () => {
    const text = `\ufeff [\n ${JSON.stringify(tricky)} ,\n{"transaction_id":"t-2","store_id":"7","nested":{"a":[1,{"b":"]"}]}}\n, 42 ] \n`;
    const whole = readAll('json', text, text.length);
    assert.equal(whole.fatal, null);
    assert.deepEqual(
      whole.records.map((r) => [r.value, r.store, r.transactionId, r.line]),
      [
        [JSON.stringify(tricky), '4', 't-1', 2],
        ['{"transaction_id":"t-2","store_id":"7","nested":{"a":[1,{"b":"]"}]}}', '7', 't-2', 3],
        ['42', '', null, 4],
      ],
    );
    assert.equal(whole.unreadable, 1, 'a non-object element is sent, to be quarantined');
    for (let piece = 1; piece < 40; piece++)
      assert.deepEqual(readAll('json', text, piece), whole, `pieces of ${piece}`);
    assert.deepEqual(readAll('json', '[]', 1).records, []);
  });

  it('refuses a broken JSON array where it breaks, keeping the sales before it', () => {
    assert.match(readAll('json', '{"a":1}', 3).fatal ?? '', /f line 1: a JSON sales file is an array of sales/);
    const trailing = readAll('json', '[{"transaction_id":"a"},\n]', 5);
    assert.match(trailing.fatal ?? '', /f line 2: a "," before "\]" \(a trailing comma\)/);
    assert.equal(trailing.records.length, 1);
    const cut = readAll('json', '[{"transaction_id":"a"},{"transaction_id":"b"},{"transac', 7);
    assert.match(cut.fatal ?? '', /the array is never closed/);
    assert.deepEqual(
      cut.records.map((r) => r.transactionId),
      ['a', 'b'],
    );
    assert.match(readAll('json', '[{}] x', 2).fatal ?? '', /unexpected "x" after the end of the array/);
  });

  it('reads NDJSON with CRLF, a BOM and blank lines, and refuses a file that is not NDJSON', () => {
    const r = readAll('ndjson', '\ufeff{"transaction_id":"a","store_id":1}\r\n\r\nnot json\n{"transaction_id":"b"}', 4);
    assert.deepEqual(
      r.records.map((x) => [x.value, x.store, x.line]),
      [
        ['{"transaction_id":"a","store_id":1}', '1', 1],
        ['not json', '', 3],
        ['{"transaction_id":"b"}', '', 4],
      ],
    );
    assert.equal(r.unreadable, 1);
    assert.match(readAll('ndjson', 'transaction_id,timestamp_utc\n', 5).fatal ?? '', /line 1 is not a JSON object/);
  });

  it('groups consecutive CSV rows into one sale, with JSON types and the total', () => {
    const csv =
      'transaction_id,timestamp_utc,store_id,customer_id,product_id,quantity,unit_price\n' +
      't1,2026-11-01 10:00:00,3,"c, 1",101,2,5.5\nt1,2026-11-01 10:00:00,3,"c, 1",102,1,45\nt2,2026-11-01 10:01:00,x3,c2,103,one,12.5\n';
    const r = readAll('csv', csv, 9);
    assert.deepEqual(
      r.records.map((x) => JSON.parse(x.value)),
      [
        {
          transaction_id: 't1',
          timestamp_utc: '2026-11-01 10:00:00',
          store_id: 3,
          customer_id: 'c, 1',
          products: [
            { product_id: 101, quantity: 2, unit_price: 5.5 },
            { product_id: 102, quantity: 1, unit_price: 45 },
          ],
          total_amount: 56,
        },
        {
          transaction_id: 't2',
          timestamp_utc: '2026-11-01 10:01:00',
          store_id: 'x3',
          customer_id: 'c2',
          products: [{ product_id: 103, quantity: 'one', unit_price: 12.5 }],
          total_amount: null,
        },
      ],
    );
    assert.equal(r.records[0].store, '3');
    assert.match(
      readAll('csv', 'transaction_id,store_id\n', 4).fatal ?? '',
      /f line 1: missing columns timestamp_utc, customer_id/,
    );
  });

  it('tells the format from the name or the first characters', () => {
    assert.equal(detectFormat('a.CSV', '{'), 'csv');
    assert.equal(detectFormat('a.jsonl', '['), 'ndjson');
    assert.equal(detectFormat('a.json', ' [\n{'), 'json');
    assert.equal(detectFormat('a.json', '{"a":1}\n{"a":2}'), 'ndjson');
    assert.equal(detectFormat('export', 'transaction_id,timestamp_utc'), 'csv');
    assert.throws(() => detectFormat('a.txt', 'hello'), /cannot tell the format/);
  });
});
