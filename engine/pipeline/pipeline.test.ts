import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tmpDirs } from '../testing/tmpDirs';
import { assertReconciles, pipeline, start, waitFor } from './pipelineHarness';

const tmp = tmpDirs('rp-pipeline-');

describe('pipeline on the embedded services', { timeout: 900_000 }, () => {
  it('produces, streams and loads a clean feed with every number reconciled', async () => {
    const dir = tmp();
    const s = await pipeline(['--data-dir', dir, '--seconds', '3', '--rate', '2000', '--seed', '7']);
    assert.equal(s.produced.records, 6000);
    assert.equal(s.produced.valid_transactions, 6000);
    assert.equal(s.quarantine.records, 0);
    assertReconciles(s);
    assert.ok(
      Math.abs(s.windows.revenue + s.windows.late_revenue - s.silver.revenue) <= 0.01,
      'the speed layer saw all revenue, on time or late',
    );
    assert.equal(s.etl?.rowsInserted, s.silver.lines);
    assert.ok(s.latency_ms.p99 !== null && s.throughput_tps > 0);

    // Running again with nothing new loads nothing: the manifest remembers every file.
    const again = await pipeline(['--data-dir', dir, '--seconds', '0']);
    assert.equal(again.etl?.rowsInserted, 0);
    assert.equal(again.etl?.files, 0);
    assert.deepEqual({ ...again.warehouse }, { ...s.warehouse });
    assertReconciles(again);
  });

  it('quarantines every kind of bad input with its reason and keeps the good ones exactly once', async () => {
    const dir = tmp();
    const s = await pipeline([
      '--data-dir',
      dir,
      '--seconds',
      '4',
      '--rate',
      '2500',
      '--malformed-rate',
      '0.03',
      '--invalid-rate',
      '0.03',
      '--late-rate',
      '0.05',
      '--duplicate-rate',
      '0.03',
    ]);
    assertReconciles(s);
    assert.ok(s.produced.records > 10_000, 'duplicates add records on top of the transactions');
    for (const reason of [
      'malformed_json',
      'duplicate_transaction',
      'unknown_product',
      'bad_quantity',
      'total_mismatch',
    ]) {
      assert.ok((s.quarantine.by_reason[reason] ?? 0) > 0, `quarantine has ${reason}`);
    }
    assert.ok(s.windows.late_records > 0, 'late events are counted as late');
    assert.ok(Math.abs(s.windows.revenue + s.windows.late_revenue - s.silver.revenue) <= 0.01);
  });

  it('loses nothing and doubles nothing when killed with SIGKILL mid-stream', async () => {
    const dir = tmp();
    const run = start([
      '--data-dir',
      dir,
      '--seconds',
      '30',
      '--rate',
      '3000',
      '--duplicate-rate',
      '0.02',
      '--malformed-rate',
      '0.01',
    ]);
    // Kill once files have been written and committed, while the producer is still going.
    await waitFor(
      () => run.stderrLines.some((l) => /files [1-9]\d*/.test(l) && /produced [1-9]\d{4,} tx/.test(l)),
      60_000,
    );
    run.child.kill('SIGKILL');
    await run.exit;
    const recovered = await pipeline(['--data-dir', dir, '--seconds', '0']);
    assert.ok(
      recovered.produced.records > 10_000 && recovered.produced.records < 90_000 * 1.05,
      `a partial run: ${recovered.produced.records} records`,
    );
    assertReconciles(recovered);
    // And once more, now that everything is loaded.
    const third = await pipeline(['--data-dir', dir, '--seconds', '0']);
    assert.equal(third.etl?.rowsInserted, 0);
    assertReconciles(third);
  });

  it('recovers from SIGKILL in the middle of the ETL', async () => {
    const dir = tmp();
    await pipeline(['--data-dir', dir, '--seconds', '3', '--rate', '3000']);
    // Produce more, then kill as soon as the ETL starts loading it.
    const run = start(['--data-dir', dir, '--seconds', '6', '--rate', '4000']);
    await waitFor(() => run.stderrLines.some((l) => l.startsWith('etl loading')), 120_000);
    run.child.kill('SIGKILL');
    await run.exit;
    const recovered = await pipeline(['--data-dir', dir, '--seconds', '0']);
    assertReconciles(recovered);
    assert.equal(recovered.produced.records, 9000 + 24_000);
  });

  it('refuses a wrong setting and names it', async () => {
    const run = start(['--data-dir', tmp(), '--rate', 'fast']);
    assert.equal(await run.exit, 2);
    assert.match(run.stderrLines.join('\n'), /--rate fast: must be from 1 to 500000 transactions\/s \(field: rate\)/);
  });

  it('refuses a data directory another running instance holds', async () => {
    const dir = tmp();
    const first = start(['--data-dir', dir, '--seconds', '20', '--rate', '100']);
    await waitFor(() => first.stderrLines.some((l) => l.startsWith('produced')), 60_000);
    const second = start(['--data-dir', dir, '--seconds', '0']);
    assert.equal(await second.exit, 1);
    assert.match(second.stderrLines.join('\n'), new RegExp(`is in use by process ${first.child.pid}`));
    first.child.kill('SIGKILL');
    await first.exit;
  });
});
