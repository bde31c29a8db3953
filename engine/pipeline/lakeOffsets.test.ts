import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import type { PipelineSummary } from '../contract';
import { freshExternal, type ExternalSetup } from '../testing/externalServices';
import { deleteRecordsBefore } from '../testing/kafkaRetention';
import { testService } from '../testing/realServices';
import { tmpDirs } from '../testing/tmpDirs';
import { assertReconciles, start, waitFor } from './pipelineHarness';

/*
 * The lake owns its offsets, on a real Kafka: lakes never inherit each other's progress through a
 * shared consumer group, and a lake always reads exactly what it lacks.
 */

const tmp = tmpDirs('rp-lake-offsets-');
const setups: ExternalSetup[] = [];
after(async () => {
  for (const s of setups) await s.cleanup();
});

/** A pipeline's own database, bucket and Redis prefix; `topic`/`kafka` to share another's. */
async function fresh(over: { topic?: string; kafka?: string } = {}): Promise<ExternalSetup> {
  const s = await freshExternal();
  setups.push(s);
  const input = { ...s.input, ...over };
  const args = [...s.args];
  for (const [flag, value] of [
    ['--topic', input.topic],
    ['--kafka', input.kafka],
  ] as const)
    args[args.indexOf(flag) + 1] = String(value);
  return { ...s, input, args };
}

/** The flags without the S3 lake: the lake is then the folder in the data dir. */
const withoutS3 = (args: string[]): string[] =>
  args.filter((a, i) => !['--s3', '--s3-bucket'].includes(a) && !['--s3', '--s3-bucket'].includes(args[i - 1]));

async function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ summary: PipelineSummary; stderr: string[] }> {
  const r = start(args, env);
  assert.equal(await r.exit, 0, `pipeline failed:\n${r.stderrLines.slice(-10).join('\n')}`);
  return { summary: JSON.parse(await r.stdout) as PipelineSummary, stderr: r.stderrLines };
}

const groupOf = (stderr: string[]): string => /consumer group (\S+)/.exec(stderr[0])?.[1] ?? `(none in: ${stderr[0]})`;

/** Copies a lake folder while it is written, as a backup tool would: _checkpoint/ first, then the data. */
function copyLive(from: string, to: string): void {
  const copy = (rel: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(path.join(from, rel), { withFileTypes: true });
    } catch {
      return; // gone meanwhile
    }
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const r = path.join(rel, e.name);
      if (e.isDirectory()) copy(r);
      else {
        fs.mkdirSync(path.join(to, rel), { recursive: true });
        try {
          fs.copyFileSync(path.join(from, r), path.join(to, r));
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        }
      }
    }
  };
  copy('_checkpoint');
  for (const top of fs.readdirSync(from)) if (top !== '_checkpoint' && !top.startsWith('.')) copy(top);
}

describe('the lake owns its offsets, on real Kafka', { timeout: 900_000 }, () => {
  for (const [kafka, lake] of [
    ['kafka', 's3'],
    ['kafka39', 'folder'],
  ] as const) {
    it(`a second lake on the same topic reads it from offset 0, and the first reads on where it stopped (${kafka}, ${lake} lakes)`, async () => {
      const a = await fresh({ kafka: testService(kafka) });
      const b = await fresh({ topic: String(a.input.topic), kafka: testService(kafka) });
      const lakeArgs = (x: ExternalSetup) => (lake === 's3' ? x.args : withoutS3(x.args));
      const dirA = tmp();
      const first = await run(['--data-dir', dirA, ...lakeArgs(a), '--seconds', '3', '--rate', '2000'], a.env);
      assertReconciles(first.summary);
      assert.equal(first.summary.produced.records, 6000);

      const second = await run(['--data-dir', tmp(), ...lakeArgs(b), '--seconds', '2', '--rate', '2000'], b.env);
      assert.notEqual(groupOf(second.stderr), groupOf(first.stderr), 'each lake has its own consumer group');
      assert.equal(second.summary.produced.records, 10_000);
      assertReconciles(second.summary); // every record from offset 0, not only the 4,000 after the first lake

      const again = await run(['--data-dir', dirA, ...lakeArgs(a), '--seconds', '0'], a.env);
      assert.equal(groupOf(again.stderr), groupOf(first.stderr), 'a lake keeps its group');
      assertReconciles(again.summary);
      assert.equal(
        again.summary.etl?.rowsInserted,
        again.summary.warehouse.fact_rows - first.summary.warehouse.fact_rows,
      );
    });
  }

  it('two pipelines on two topics of one cluster run at once, each in its own group, and each reconciles', async () => {
    const [a, b] = [await fresh(), await fresh()];
    const runs = [a, b].map((x) => start(['--data-dir', tmp(), ...x.args, '--seconds', '4', '--rate', '1500'], x.env));
    const codes = await Promise.all(runs.map((r) => r.exit));
    for (const [i, r] of runs.entries()) assert.equal(codes[i], 0, r.stderrLines.slice(-10).join('\n'));
    assert.notEqual(groupOf(runs[0].stderrLines), groupOf(runs[1].stderrLines));
    for (const r of runs) {
      const s = JSON.parse(await r.stdout) as PipelineSummary;
      assert.equal(s.produced.records, 6000);
      assertReconciles(s);
    }
  });

  it('a lake restored from a copy taken while it ran reads again exactly what it lacks, nothing twice', async () => {
    const x = await fresh();
    const dir = tmp();
    const args = ['--data-dir', dir, ...withoutS3(x.args)];
    await run([...args, '--seconds', '3', '--rate', '2000'], x.env);
    const backup = tmp();
    const live = start([...args, '--seconds', '8', '--rate', '2000'], x.env);
    await waitFor(() => live.stderrLines.some((l) => /produced [1-9]\d{3,} tx .* files [1-9]/.test(l)), 90_000);
    copyLive(path.join(dir, 'lake'), backup);
    assert.equal(await live.exit, 0, live.stderrLines.slice(-10).join('\n'));
    const full = JSON.parse(await live.stdout) as PipelineSummary;
    assertReconciles(full);

    fs.rmSync(path.join(dir, 'lake'), { recursive: true });
    fs.cpSync(backup, path.join(dir, 'lake'), { recursive: true });
    const restored = await run([...args, '--seconds', '0'], x.env);
    const notice = restored.stderr.find((l) => l.includes('[lake_behind_group]'));
    assert.ok(notice, `the start says the lake lacks what the group committed:\n${restored.stderr.join('\n')}`);
    assertReconciles(restored.summary);
    assert.equal(restored.summary.produced.records, full.produced.records);
    assert.equal(restored.summary.etl?.rowsInserted, 0, 'the warehouse already had every line: nothing loaded twice');
    const again = await run([...args, '--seconds', '0'], x.env);
    assert.ok(!again.stderr.some((l) => l.includes('offsets notice')), again.stderr.join('\n'));
    assertReconciles(again.summary);
  });

  it('a new lake on a topic whose start retention removed says what is missing and what it reads', async () => {
    const x = await fresh();
    const first = await run(['--data-dir', tmp(), ...x.args, '--seconds', '2', '--rate', '2000'], x.env);
    assert.equal(first.summary.produced.records, 4000);
    await deleteRecordsBefore(
      [String(x.input.kafka)],
      String(x.input.topic),
      new Map([
        [0, 100],
        [2, 250],
      ]),
    );
    const y = await fresh({ topic: String(x.input.topic) });
    const late = await run(['--data-dir', tmp(), ...y.args, '--seconds', '0'], y.env);
    const notice = late.stderr.find((l) => l.includes('[retention_gap]'));
    assert.ok(notice, late.stderr.join('\n'));
    assert.match(notice, /retention removed 350 records/);
    assert.match(notice, /partition 0 offsets 0–99, 100 records; partition 2 offsets 0–249, 250 records/);
    assert.match(
      late.stderr.find((l) => l.startsWith('offsets from the lake'))!,
      /0@100 1@0 2@250 3@0; 3,650 records to read/,
    );
    // The summary counts the log from offset 0; the lake has everything the log still has, once.
    assert.equal(late.summary.bronze.records, 4000 - 350);
    assert.equal(late.summary.silver.lines, late.summary.silver.distinct_lines);
    assert.equal(late.summary.warehouse.fact_rows, late.summary.silver.lines);
  });
});
