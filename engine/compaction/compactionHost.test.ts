import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it, mock } from 'node:test';
import { configFromFlags } from '../cliConfig';
import { checkCall } from '../commandCheck';
import type { CompactionProgress, CompactionResult } from '../contract';
import { Host } from '../host';
import { assertReconciles, pipeline } from '../pipeline/pipelineHarness';
import { LAYERS } from '../services/lake/keys';
import { openLake } from '../services/open';
import { tmpDirs } from '../testing/tmpDirs';
import { writeSalesFiles } from '../testing/salesFiles';
import { importFiles } from '../ingest/importFiles';
import { scheduleFile } from './compactionCommands';
import { isCompactedKey } from './compactionKeys';
import { readerCounts } from './testing/compactionHarness';

const tmp = tmpDirs('rp-compaction-host-');
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** `npm run compact` as a user runs it. */
async function compactCli(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'engine/cli.ts', 'compact', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  return { code, out, err };
}

/** The lake's files as if written an hour ago (what a lake that ran all day has). */
function age(dir: string, ms: number): void {
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else fs.utimesSync(p, new Date(Date.now() - ms), new Date(Date.now() - ms));
    }
  };
  walk(path.join(dir, 'lake'));
}

describe('compaction from the command line and the contract', { timeout: 900_000 }, () => {
  it('npm run compact merges the closed hours of yesterday, and leaves the open hour and unloaded files', async () => {
    const dir = tmp();
    // Sales from yesterday, three hours of them, imported (silver's hours are their event hours).
    const sales = writeSalesFiles(path.join(dir, 'yesterday'), {
      count: 6000,
      seed: 5,
      from: Date.now() - 26 * 3_600_000,
      stepMs: 1_800,
      only: ['ndjson'],
    });
    await importFiles(configFromFlags({ 'data-dir': dir }), [sales.ndjson]);
    const s = await pipeline(['--data-dir', dir, '--seconds', '0']);
    assertReconciles(s);
    age(dir, 3_600_000);

    const plan = await compactCli(['--data-dir', dir, '--dry-run', '--json']);
    assert.equal(plan.code, 0, plan.err);
    const planned = JSON.parse(plan.out) as CompactionResult;
    assert.equal(planned.dryRun, true);
    assert.ok(planned.layers.silver.filesIn > planned.layers.silver.filesOut);
    assert.ok(!fs.existsSync(path.join(dir, 'lake', '_compaction')), 'a plan writes nothing');

    const run = await compactCli(['--data-dir', dir, '--json']);
    assert.equal(run.code, 0, run.err);
    const result = JSON.parse(run.out) as CompactionResult;
    assert.equal(result.status, 'succeeded');
    assert.deepEqual(result.layers.silver, {
      ...planned.layers.silver,
      bytesOut: result.layers.silver.bytesOut,
      rows: s.silver.lines,
    });
    // Bronze and quarantine are by arrival time: this hour, still open.
    assert.equal(result.layers.bronze.filesIn, 0);
    assert.ok(result.waiting > 0);
    const silver = (await (await openLake(configFromFlags({ 'data-dir': dir }))).list(LAYERS.silver)).map((o) => o.key);
    assert.ok(silver.some(isCompactedKey));
    const counts = await readerCounts(configFromFlags({ 'data-dir': dir }));
    assert.equal(counts.silver.records, s.silver.lines);
    assert.equal(counts.silver.distinct, s.silver.lines);

    // The text form names each layer.
    const text = await compactCli(['--data-dir', dir]);
    assert.equal(text.code, 0, text.err);
    assert.match(text.out, /silver +0 hours: 0 files/);
    assert.match(text.out, /kept for readers until their grace period ends [1-9]/);

    const again = await pipeline(['--data-dir', dir, '--seconds', '0']);
    assertReconciles(again);
    assert.equal(again.etl?.rowsInserted, 0);
  });

  it('runs, reports progress and keeps its schedule through the contract; refuses what is wrong, by field', async () => {
    const dir = tmp();
    const host = await Host.open(configFromFlags({ 'data-dir': dir }));
    try {
      const progress: CompactionProgress[] = [];
      const off = host.on('compaction.progress', (p) => progress.push(p));
      const r = await host.call('compaction.run', {});
      off();
      assert.equal(r.status, 'succeeded', r.error);
      assert.deepEqual(
        progress.map((p) => p.phase).filter((p, i, a) => a.indexOf(p) === i),
        ['planning', 'merging', 'cleaning', 'done'],
      );
      assert.deepEqual((await host.call('compaction.status', {})).last?.runId, r.runId);

      assert.deepEqual(await host.call('compaction.schedule', {}), { everyMinutes: null, nextRunAt: null });
      for (const bad of [0, 1.5, 7 * 24 * 60 + 1])
        await assert.rejects(host.call('compaction.schedule', { everyMinutes: bad }), { field: 'everyMinutes' });
      await assert.rejects(host.call('compaction.run', { targetMb: 0 }), { field: 'targetMb' });
      assert.throws(() => checkCall('compaction.run', { targetMb: '128' }), { field: 'targetMb' });
      assert.throws(() => checkCall('compaction.schedule', { every: 5 }), { field: 'every' });

      mock.timers.enable({ apis: ['setInterval'] });
      try {
        const set = await host.call('compaction.schedule', { everyMinutes: 30 });
        assert.equal(set.everyMinutes, 30);
        const ran = new Promise<void>((resolve) =>
          host.on('compaction.progress', (p) => p.phase === 'done' && resolve()),
        );
        mock.timers.tick(30 * 60_000);
        await ran;
      } finally {
        mock.timers.reset();
      }
      assert.notEqual((await host.call('compaction.status', {})).last?.runId, r.runId, 'the schedule ran it again');
      assert.deepEqual(JSON.parse(fs.readFileSync(scheduleFile(dir), 'utf8')), { everyMinutes: 30 });
    } finally {
      await host.close();
    }
    // A setting: the next start has it in force.
    const reopened = await Host.open(configFromFlags({ 'data-dir': dir }));
    try {
      assert.equal((await reopened.call('compaction.schedule', {})).everyMinutes, 30);
      assert.equal((await reopened.call('compaction.schedule', { everyMinutes: null })).everyMinutes, null);
    } finally {
      await reopened.close();
    }
    assert.deepEqual(JSON.parse(fs.readFileSync(scheduleFile(dir), 'utf8')), { everyMinutes: null });
  });
});
