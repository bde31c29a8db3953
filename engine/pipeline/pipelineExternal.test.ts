import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { freshExternal, type ExternalSetup } from '../testing/externalServices';
import { startTestService, stopTestService } from '../testing/realServices';
import { tmpDirs } from '../testing/tmpDirs';
import { assertReconciles, pipeline, start, waitFor } from './pipelineHarness';

const tmp = tmpDirs('rp-external-');
const setups: ExternalSetup[] = [];
after(async () => {
  for (const s of setups) await s.cleanup();
});

async function fresh(): Promise<ExternalSetup & { dir: string }> {
  const s = await freshExternal();
  setups.push(s);
  return { ...s, dir: tmp() };
}

/** Stops a test server for a while mid-run, then brings it back on the same port with its data. */
async function outage(name: 'kafka' | 'postgres' | 'redis', ms: number): Promise<void> {
  await stopTestService(name);
  try {
    await new Promise((r) => setTimeout(r, ms));
  } finally {
    await startTestService(name);
  }
}

describe('pipeline on real Kafka, S3, PostgreSQL and Redis', { timeout: 900_000 }, () => {
  it('runs unchanged in external mode, every number reconciled, and loads once', async () => {
    const x = await fresh();
    const s = await pipeline(
      [
        '--data-dir',
        x.dir,
        ...x.args,
        '--seconds',
        '4',
        '--rate',
        '2500',
        '--malformed-rate',
        '0.02',
        '--invalid-rate',
        '0.02',
        '--late-rate',
        '0.03',
        '--duplicate-rate',
        '0.02',
      ],
      x.env,
    );
    assertReconciles(s);
    assert.ok(s.produced.records > 10_000);
    for (const reason of ['malformed_json', 'duplicate_transaction', 'unknown_product'])
      assert.ok((s.quarantine.by_reason[reason] ?? 0) > 0, `quarantine has ${reason}`);
    assert.ok(
      Math.abs(s.windows.revenue + s.windows.late_revenue - s.silver.revenue) <= 0.01,
      'the Redis windows saw all revenue, on time or late',
    );
    const again = await pipeline(['--data-dir', x.dir, ...x.args, '--seconds', '0'], x.env);
    assert.equal(again.etl?.rowsInserted, 0, 'a second run loads nothing');
    assertReconciles(again);
  });

  it('keeps going through a Kafka broker restart mid-stream: the producer retries, the stream resumes', async () => {
    const x = await fresh();
    const run = start(['--data-dir', x.dir, ...x.args, '--seconds', '12', '--rate', '2000'], x.env);
    await waitFor(() => run.stderrLines.some((l) => /files [1-9]/.test(l)), 90_000);
    await outage('kafka', 4_000);
    assert.equal(await run.exit, 0, run.stderrLines.slice(-15).join('\n'));
    const s = JSON.parse(await run.stdout);
    // The idempotent producer's retries write nothing twice.
    assert.equal(s.produced.records, 24_000);
    assert.equal(s.produced.valid_transactions, 24_000);
    assertReconciles(s);
  });

  it('recovers after the whole engine is killed mid-batch, rewriting what was half written', async () => {
    const x = await fresh();
    const run = start(
      ['--data-dir', x.dir, ...x.args, '--seconds', '30', '--rate', '2500', '--duplicate-rate', '0.02'],
      x.env,
    );
    await waitFor(
      () => run.stderrLines.some((l) => /files [1-9]\d*/.test(l) && /produced [1-9]\d{4,} tx/.test(l)),
      90_000,
    );
    run.child.kill('SIGKILL');
    await run.exit;
    const recovered = await pipeline(['--data-dir', x.dir, ...x.args, '--seconds', '0'], x.env);
    assert.ok(
      recovered.produced.records > 10_000 && recovered.produced.records < 75_000 * 1.05,
      `a partial run: ${recovered.produced.records}`,
    );
    assertReconciles(recovered);
  });

  it('loads exactly once when PostgreSQL restarts during an ETL run', async () => {
    const x = await fresh();
    const run = start(['--data-dir', x.dir, ...x.args, '--seconds', '8', '--rate', '4000'], x.env);
    await waitFor(() => run.stderrLines.some((l) => l.startsWith('etl loading')), 180_000);
    await outage('postgres', 1_000);
    assert.equal(await run.exit, 1, 'the interrupted run fails rather than reporting a partial load');
    assert.match(
      run.stderrLines.join('\n'),
      /postgres:\/\/pulse:\*\*\*@127\.0\.0\.1/,
      'the error names the server, without its password',
    );
    const recovered = await pipeline(['--data-dir', x.dir, ...x.args, '--seconds', '0'], x.env);
    assert.equal(recovered.produced.records, 32_000);
    assertReconciles(recovered);
  });

  it('goes on while Redis is down, reports the outage, and the live windows recover', async () => {
    const x = await fresh();
    const run = start(['--data-dir', x.dir, ...x.args, '--seconds', '12', '--rate', '2000'], x.env);
    await waitFor(() => run.stderrLines.some((l) => /consumed [1-9]\d{3,}/.test(l)), 90_000);
    await outage('redis', 4_000);
    assert.equal(await run.exit, 0, run.stderrLines.slice(-15).join('\n'));
    assert.ok(
      run.stderrLines.some((l) => /stream error \[metrics_failed\].*redis/i.test(l)),
      'the outage is reported as a metrics error',
    );
    const s = JSON.parse(await run.stdout);
    assertReconciles(s);
    // The test Redis keeps nothing across a restart: what the windows hold is what came after it,
    // including the deltas the stream held during the outage.
    assert.ok(
      s.windows.revenue > 0 && s.windows.revenue <= s.silver.revenue + 0.01,
      `windows ${s.windows.revenue} of ${s.silver.revenue}`,
    );
  });
});
