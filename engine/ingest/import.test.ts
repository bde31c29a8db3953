import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { resolveConfig } from '../config';
import type { ImportProgress, ImportSummary, PipelineSummary } from '../contract';
import { Host } from '../host';
import type { SaleTransaction } from '../model/sale';
import { assertReconciles, pipeline } from '../pipeline/pipelineHarness';
import { SaleSimulator } from '../stages/producer/simulator';
import { partitionForKey } from '../services/broker/port';
import { openBroker } from '../services/open';
import { freshExternal, type ExternalSetup } from '../testing/externalServices';
import { tmpDirs } from '../testing/tmpDirs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const tmp = tmpDirs('rp-import-');
const setups: ExternalSetup[] = [];
after(async () => {
  for (const s of setups) await s.cleanup();
});

/** 6,000 sales of last month (older than the live staleness limit: a backfill), a minute apart. */
const sim = new SaleSimulator({ seed: 21 });
const FROM = Date.now() - 30 * 86_400_000;
const SALES: SaleTransaction[] = Array.from({ length: 6000 }, (_, i) => {
  const s = sim.next(FROM + i * 60_000);
  // As a POS export writes it: naive UTC, microseconds.
  s.timestamp_utc = s.timestamp_utc.replace('Z', `${String(i % 1000).padStart(3, '0')}`);
  return s;
});
const lines = (from: number, to: number) => SALES.slice(from, to).reduce((n, s) => n + s.products.length, 0);
const cents = (from: number, to: number) =>
  SALES.slice(from, to).reduce((n, s) => n + Math.round(s.total_amount * 100), 0);

const ndjson = (from: number, to: number) =>
  SALES.slice(from, to)
    .map((s) => `${JSON.stringify(s)}\n`)
    .join('');
const jsonArray = (from: number, to: number) =>
  `[\n${SALES.slice(from, to)
    .map((s) => `  ${JSON.stringify(s)}`)
    .join(',\n')}\n]\n`;
const csv = (from: number, to: number, total = true) =>
  `transaction_id,timestamp_utc,store_id,customer_id,product_id,quantity,unit_price${total ? ',total_amount' : ''}\r\n` +
  SALES.slice(from, to)
    .flatMap((s) =>
      s.products.map(
        (l) =>
          `${s.transaction_id},${s.timestamp_utc},${s.store_id},"${s.customer_id}",${l.product_id},${l.quantity},${l.unit_price}${total ? `,${s.total_amount}` : ''}\r\n`,
      ),
    )
    .join('');

function write(dir: string, name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

/** `npm run import` as a user runs it. */
async function importCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; summary: ImportSummary | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'engine/cli.ts', 'import', ...args, '--json'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  return { code, summary: out.trim() ? (JSON.parse(out) as ImportSummary) : null, stderr: err };
}

function assertSales(s: PipelineSummary, transactions: number, lineCount: number, revenueCents: number): void {
  assert.equal(s.silver.transactions, transactions);
  assert.equal(s.silver.lines, lineCount);
  assert.equal(s.warehouse.fact_rows, lineCount);
  assert.equal(Math.round(s.silver.revenue * 100), revenueCents);
  assert.equal(Math.round(s.warehouse.revenue * 100), revenueCents);
}

describe('importing sales files', { timeout: 900_000 }, () => {
  it('imports NDJSON and CSV twice, with overlap, and counts nothing twice anywhere', async () => {
    const dir = tmp();
    const data = path.join(dir, 'data');
    const a = write(dir, 'a.ndjson', ndjson(0, 3000));
    const b = write(dir, 'b.csv', csv(2000, 5000));
    const first = await importCli(['--data-dir', data, a, b]);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.summary?.status, 'succeeded');
    assert.deepEqual(
      first.summary?.files.map((f) => [path.basename(f.file), f.format, f.records, f.issueCount]),
      [
        ['a.ndjson', 'ndjson', 3000, 0],
        ['b.csv', 'csv', 3000, 0],
      ],
    );
    assert.match(first.stderr, /import .*b\.csv: .* \(100%\), 3,000 records/, 'progress on stderr');
    const once = await pipeline(['--data-dir', data, '--seconds', '0']);
    assertReconciles(once);
    assert.equal(once.produced.records, 6000);
    assertSales(once, 5000, lines(0, 5000), cents(0, 5000));
    assert.deepEqual(once.quarantine.by_reason, { duplicate_transaction: 1000 }, 'the overlap is quarantined once');

    // The same files again, and a third that overlaps both: silver and the warehouse do not move.
    const c = write(dir, 'c.json', jsonArray(4500, 6000));
    const again = await importCli(['--data-dir', data, a, b, c]);
    assert.equal(again.code, 0, again.stderr);
    const twice = await pipeline(['--data-dir', data, '--seconds', '0']);
    assertReconciles(twice);
    assert.equal(twice.produced.records, 6000 + 3000 + 3000 + 1500);
    assertSales(twice, 6000, lines(0, 6000), cents(0, 6000));
    assert.deepEqual(twice.quarantine.by_reason, { duplicate_transaction: 1000 + 6000 + 500 });
    assert.equal(twice.etl?.rowsInserted, lines(5000, 6000));

    // The event times are the file's, to the microsecond, and the records remember their import.
    const host = await Host.open(resolveConfig({ dataDir: data }));
    try {
      const rows = (
        await host.call('lake.query', {
          sql: `SELECT s.transaction_id, strftime(s.event_time, '%Y-%m-%dT%H:%M:%S.%f'), b.key FROM silver s JOIN bronze b USING (source_partition, source_offset) WHERE s.line_no = 1`,
          limit: 10_000,
        })
      ).rows;
      const byId = new Map(SALES.map((s) => [s.transaction_id, s.timestamp_utc]));
      assert.equal(rows.length, 6000);
      for (const [id, t, key] of rows) {
        assert.equal(t, byId.get(String(id)));
        assert.match(String(key), /^import:\d{8}T\d{6}Z-[0-9a-f]{6}$/);
      }
    } finally {
      await host.close();
    }
  });

  it('imports through the app in pieces while the stream runs, with progress, and catches copies on other partitions', async () => {
    const host = await Host.open(resolveConfig({ dataDir: tmp() }));
    const progress: ImportProgress[] = [];
    host.on('import.progress', (p) => progress.push(p));
    const send = async (name: string, text: string, piece: number): Promise<ImportSummary> => {
      const bytes = Buffer.byteLength(text);
      const { importId } = await host.call('import.begin', { name, bytes });
      for (let i = 0; i < text.length; i += piece) {
        const part = text.slice(i, i + piece);
        await host.call('import.chunk', { importId, text: part, bytes: Buffer.byteLength(part) });
      }
      return host.call('import.end', { importId });
    };
    try {
      await host.startStream();
      const r1 = await send('first.csv', csv(0, 2000, false), 64 * 1024);
      assert.deepEqual([r1.status, r1.records, r1.files[0].format], ['succeeded', 2000, 'csv']);
      const last = progress.filter((p) => p.importId === r1.importId).at(-1)!;
      assert.deepEqual([last.bytesDone, last.bytesTotal, last.records], [r1.bytes, r1.bytes, 2000]);
      assert.ok(progress.length >= 2 && last.recordsPerSec > 0 && last.secondsLeft === 0);
      await host.drainStream();
      // The embedded log has one writer: no import while the producer writes it, and the reverse.
      await host.startProducer({ rate: 100, limit: 100, seed: 5 });
      await assert.rejects(
        host.call('import.begin', { name: 'x.ndjson', bytes: 1 }),
        /stop the producer before importing/,
      );
      await host.producerDone();
      // An import partitions by store, like live sales; a till that keys nothing re-sends anywhere:
      // copies of 200 of the first file's sales, each on another partition than its first copy.
      const r2 = await send('resend.ndjson', ndjson(1000, 1100), 1000);
      assert.equal(r2.records, 100);
      const broker = await openBroker(host.config);
      const producer = await broker.producer(host.config.topic);
      await producer.send(
        SALES.slice(1100, 1200).map((t) => {
          const home = partitionForKey(String(t.store_id), host.config.partitions);
          const elsewhere = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].find(
            (k) => partitionForKey(k, host.config.partitions) !== home,
          )!;
          // Keyed as an import (month-old sales are a backfill, not stale), partitioned elsewhere.
          return { key: 'import:resend', value: JSON.stringify(t), partitionKey: elsewhere };
        }),
      );
      await producer.close();
      await broker.close();
      await host.drainStream();
      const moved = await host.call('lake.query', {
        sql: `SELECT count(*) FROM quarantine q JOIN silver s USING (transaction_id) WHERE q.reason = 'duplicate_transaction' AND s.line_no = 1 AND q.source_partition <> s.source_partition`,
        limit: 1,
      });
      assert.ok(
        Number(moved.rows[0][0]) > 0,
        'some copies landed on another partition than the original and were caught',
      );
      await host.stopStream();
      const etl = await host.runEtl();
      assert.equal(etl.status, 'succeeded', etl.error);
      const s = await host.summary();
      assertReconciles(s);
      assert.equal(s.quarantine.by_reason.duplicate_transaction, 200);
      assert.equal(s.silver.transactions, 2000 + 100);
      assert.ok(
        Math.abs(s.windows.revenue + s.windows.late_revenue - s.silver.revenue) <= 0.01,
        'the windows count imported sales once, as late',
      );
      assert.ok(s.windows.late_revenue >= cents(0, 2000) / 100 - 0.01, 'a backfill is late by definition');

      // After a restart the stream still knows the whole history (from silver, not from memory).
      await host.startStream();
      const r3 = await send('again.json', jsonArray(0, 2000), 256 * 1024);
      assert.equal(r3.records, 2000);
      await host.drainStream();
      await host.stopStream();
      const s2 = await host.summary();
      assert.equal(s2.silver.transactions, 2100);
      assert.equal(s2.quarantine.by_reason.duplicate_transaction, 2200);
    } finally {
      await host.close();
    }
  });

  it('refuses a bad file with its problem named, keeps what is good, and a corrected re-import doubles nothing', async () => {
    const dir = tmp();
    const data = path.join(dir, 'data');
    const run = (...files: string[]) => importCli(['--data-dir', data, ...files]);

    const notNdjson = await run(write(dir, 'sales.ndjson', csv(0, 10)));
    assert.equal(notNdjson.code, 1);
    assert.match(
      notNdjson.summary?.files[0].error ?? '',
      /sales\.ndjson: line 1 is not a JSON object, so this is not an NDJSON sales file/,
    );
    assert.equal(notNdjson.summary?.records, 0);

    const noColumn = await run(write(dir, 'short.csv', csv(0, 10).replace(',unit_price', ',price')));
    assert.match(noColumn.summary?.files[0].error ?? '', /short\.csv line 1: missing column unit_price/);
    assert.equal(noColumn.summary?.records, 0);

    const unknown = await run(write(dir, 'sales.txt', 'hello\n'));
    assert.equal(unknown.code, 1);
    assert.match(
      unknown.summary?.files[0].error ?? '',
      /sales\.txt: cannot tell the format .* give --format ndjson\|json\|csv/,
    );
    const missing = await run(path.join(dir, 'nowhere.csv'));
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /nowhere\.csv: no such file \(field: file\)/);

    // CSV rows that cannot form a sale are named and not sent; the other sales go.
    const rows = csv(0, 40).split('\r\n');
    const id = (i: number) => SALES[i].transaction_id;
    const broken = rows.map((r) =>
      r.startsWith(id(3))
        ? r.replace(/,[^,]*$/, '')
        : r.startsWith(id(5))
          ? r.replace(`,${SALES[5].store_id},`, ',999,')
          : r,
    );
    broken.push(rows.find((r) => r.startsWith(id(7)))!); // a row of sale 7 again, apart from the others
    const mixed = await run(write(dir, 'mixed.csv', broken.filter(Boolean).join('\n')));
    assert.equal(mixed.code, 0, mixed.stderr);
    const f = mixed.summary!.files[0];
    // Sale 3 (a short row) is refused, and sale 5 when its rows disagree on the store (with one row it goes, to
    // quarantine: store 999 is unknown); sale 7 goes, its stray row not.
    const refused = [3].concat(SALES[5].products.length > 1 ? [5] : []);
    const notSold = [3, 5];
    assert.equal(f.records, 40 - refused.length);
    assert.ok(f.issues.some((i) => /8 fields|7 fields, the header has 8/.test(i.message)));
    assert.ok(
      f.issues.some((i) =>
        new RegExp(`transaction ${id(7)} continues here, but its rows stopped at line \\d+`).test(i.message),
      ),
    );

    // A JSON array cut short: what came before the break is sent; the full file again sends nothing twice.
    const whole = jsonArray(100, 400);
    const cut = await run(write(dir, 'cut.json', whole.slice(0, Math.floor(whole.length / 2))));
    assert.equal(cut.code, 1);
    assert.match(
      cut.summary?.files[0].error ?? '',
      /cut\.json line \d+: the array is never closed \(a truncated file\?\)/,
    );
    const partial = cut.summary!.records;
    const fixed = await run(write(dir, 'fixed.json', whole));
    assert.equal(fixed.code, 0);
    const s = await pipeline(['--data-dir', data, '--seconds', '0']);
    assertReconciles(s);
    assertSales(
      s,
      40 - notSold.length + 300,
      lines(0, 40) - notSold.reduce((n, i) => n + SALES[i].products.length, 0) + lines(100, 400),
      cents(0, 40) - notSold.reduce((n, i) => n + Math.round(SALES[i].total_amount * 100), 0) + cents(100, 400),
    );
    assert.equal(s.quarantine.by_reason.duplicate_transaction, partial);
  });

  it('imports into the real Kafka the same way', async () => {
    const x = await freshExternal();
    setups.push(x);
    const dir = tmp();
    const data = path.join(dir, 'data');
    const a = write(dir, 'a.ndjson', ndjson(0, 1500));
    const b = write(dir, 'b.csv', csv(1000, 2500));
    const r = await importCli(['--data-dir', data, ...x.args, a, b, a], x.env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.summary?.target ?? '', /^kafka 127\.0\.0\.1:\d+, topic sales-/);
    const s = await pipeline(['--data-dir', data, ...x.args, '--seconds', '0'], x.env);
    assertReconciles(s);
    assert.equal(s.produced.records, 4500);
    assertSales(s, 2500, lines(0, 2500), cents(0, 2500));
    assert.deepEqual(s.quarantine.by_reason, { duplicate_transaction: 2000 });
  });
});
