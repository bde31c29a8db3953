import { IdIndex } from '../../dedupe/idIndex';
import { BUILTIN_INDEX } from '../../model/catalog';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { LakeOffsets } from '../../contract';
import type { ErrorInfo } from '../../errors';
import { LogBroker } from '../../services/broker/log/logBroker';
import { openDuck, sqlList } from '../../services/lake/duck';
import { FolderLake } from '../../services/lake/folderLake';
import { batchFileKey, LAYERS } from '../../services/lake/keys';
import { IDENTITY_KEY, lakeIdentity } from '../../services/lake/lakeIdentity';
import { putBytes, rejectsWith } from '../../services/lake/lake.contract';
import { MemoryMetrics } from '../../services/metrics/memoryMetrics';
import { tmpDirs } from '../../testing/tmpDirs';
import { marker, OFFSETS, partitionPrefix } from './checkpointChain';
import { LakeCheckpoint } from './lakeCheckpoint';
import { LEGACY_GROUP } from './streamOffsets';
import { STREAM_DEFAULTS, StreamStage, type StreamOptions } from './streamStage';

const tmp = tmpDirs('rp-checkpoint-');
const TOPIC = 'sales_transactions';
let sales = 0;

/** Valid sales, keyed by store, as the producer sends them. */
function produce(dir: string, n: number): Promise<void> {
  const broker = new LogBroker(path.join(dir, 'broker'));
  return (async () => {
    await broker.ensureTopic(TOPIC, 4);
    const producer = await broker.producer(TOPIC);
    const now = new Date().toISOString();
    await producer.send(
      Array.from({ length: n }, () => {
        const id = `t-${++sales}`;
        const store = 1 + (sales % 12);
        const value = JSON.stringify({
          transaction_id: id,
          timestamp_utc: now,
          store_id: store,
          customer_id: 'cust_1',
          products: [{ product_id: 112, quantity: 2, unit_price: 75.5 }],
          total_amount: 151,
        });
        return { key: String(store), value };
      }),
    );
    await producer.close();
    await broker.close();
  })();
}

interface Run {
  reports: LakeOffsets[];
  errors: ErrorInfo[];
  /** Set when the stream stopped before it had everything. */
  failed?: Error;
}

/** One stream over the data dir's log and lake until it has everything in the log, as `--seconds 0` does. */
async function drain(dir: string, opts: Partial<StreamOptions> = {}): Promise<Run> {
  const run: Run = { reports: [], errors: [] };
  const broker = new LogBroker(path.join(dir, 'broker'));
  const duck = await openDuck();
  const stage = new StreamStage(
    {
      broker,
      lake: new FolderLake(path.join(dir, 'lake')),
      metrics: new MemoryMetrics(),
      duck,
      catalog: { current: () => BUILTIN_INDEX },
      ids: await IdIndex.open(new FolderLake(path.join(dir, 'lake')), await openDuck()),
      onOffsets: (r) => run.reports.push(r),
      onError: (e) => run.errors.push(e),
    },
    { ...STREAM_DEFAULTS, ...opts },
  );
  try {
    await stage.start();
    stage.whenStopped().catch(() => undefined); // the failure is reported through onError and drainTo
    await stage.drainTo(await broker.endOffsets(TOPIC));
    await stage.stop();
  } catch (err) {
    run.failed = err as Error;
    await stage.stop().catch(() => undefined);
  } finally {
    duck.closeSync();
    await broker.close();
  }
  return run;
}

/** Per partition: records in bronze, distinct offsets among them, and the highest. */
async function bronze(dir: string): Promise<{ records: number; distinct: number; perPartition: number[] }> {
  const lake = new FolderLake(path.join(dir, 'lake'));
  const keys = (await lake.list(LAYERS.bronze)).map((o) => o.key);
  if (!keys.length) return { records: 0, distinct: 0, perPartition: [] };
  const duck = await openDuck();
  try {
    const r = await duck.runAndReadAll(
      `SELECT source_partition::INTEGER p, count(*)::INTEGER n, count(DISTINCT source_offset)::INTEGER d FROM read_parquet(${sqlList(await lake.localPaths(keys))}) GROUP BY 1 ORDER BY 1`,
    );
    const rows = r.getRowsJS() as number[][];
    return {
      records: rows.reduce((s, x) => s + x[1], 0),
      distinct: rows.reduce((s, x) => s + x[2], 0),
      perPartition: rows.map((x) => x[1]),
    };
  } finally {
    duck.closeSync();
  }
}

async function ends(dir: string): Promise<number[]> {
  const broker = new LogBroker(path.join(dir, 'broker'));
  try {
    return await broker.endOffsets(TOPIC);
  } finally {
    await broker.close();
  }
}

describe('the lake owns its offsets (embedded log, folder lake)', { timeout: 300_000 }, () => {
  it('gives a new lake an id once, the same to writers racing for it, and a group named after it', async () => {
    const lake = new FolderLake(tmp());
    const all = await Promise.all(Array.from({ length: 6 }, () => lakeIdentity(lake)));
    assert.equal(new Set(all.map((i) => i.id)).size, 1, 'one id');
    assert.equal(all.filter((i) => i.created).length, 1, 'created by exactly one');
    assert.equal(all[0].legacy, false);
    assert.equal((await lakeIdentity(lake)).id, all[0].id, 'read back later');
    await putBytes(lake, IDENTITY_KEY, Buffer.from('{"id": 42}'));
    await rejectsWith(lakeIdentity(lake), 'lake_io');
  });

  it('reads a new lake from offset 0, resumes where the lake ends, and never trusts the group over it', async () => {
    const dir = tmp();
    await produce(dir, 1200);
    const first = await drain(dir);
    assert.equal(first.failed, undefined);
    assert.deepEqual(
      first.reports.at(-1)!.partitions.map((p) => p.start),
      [0, 0, 0, 0],
    );
    assert.match(first.reports.at(-1)!.group!, /^retail-pulse-[0-9a-f]{12}$/);
    assert.deepEqual(await bronze(dir), {
      records: 1200,
      distinct: 1200,
      perPartition: (await ends(dir)).filter(Boolean),
    });

    await produce(dir, 600);
    // The group's commits say the lake holds everything: the lake knows better, and wins.
    const broker = new LogBroker(path.join(dir, 'broker'));
    (await broker.endOffsets(TOPIC)).forEach((e, p) =>
      broker.writeCommitted(first.reports.at(-1)!.group!, TOPIC, p, e),
    );
    await broker.close();
    const second = await drain(dir);
    const report = second.reports.at(-1)!;
    assert.deepEqual(
      report.partitions.map((p) => p.start),
      first.reports.at(-1)!.partitions.map((p) => p.end),
      'each partition starts where the lake ended',
    );
    assert.deepEqual(
      report.notices.map((n) => [n.kind, n.ranges.reduce((sum, r) => sum + r.records, 0)]),
      [['lake_behind_group', 600]],
      'the user is told the lake lacks 600 records the group claims',
    );
    assert.deepEqual(await bronze(dir), {
      records: 1800,
      distinct: 1800,
      perPartition: (await ends(dir)).filter(Boolean),
    });
  });

  it('a new lake given a group another lake used says so, and still reads the topic from its start', async () => {
    const dir = tmp();
    await produce(dir, 700);
    const first = await drain(dir);
    fs.rmSync(path.join(dir, 'lake'), { recursive: true });
    const group = first.reports.at(-1)!.group!;
    const second = await drain(dir, { group });
    const report = second.reports.at(-1)!;
    assert.equal(report.groupFrom, 'setting');
    assert.notEqual(report.lakeId, first.reports.at(-1)!.lakeId, 'a new lake, a new id');
    assert.deepEqual(
      report.notices.map((n) => n.kind),
      ['new_lake_group_has_commits'],
    );
    assert.match(
      report.notices[0].message,
      /another lake used this group.*reads the topic from its earliest offsets, 700 records/,
    );
    assert.deepEqual(await bronze(dir), {
      records: 700,
      distinct: 700,
      perPartition: (await ends(dir)).filter(Boolean),
    });
  });

  it("removes a crash's half-written range (files without a done marker) and reads it again", async () => {
    const dir = tmp();
    await produce(dir, 800);
    await drain(dir);
    const lake = new FolderLake(path.join(dir, 'lake'));
    const next = (await ends(dir))[0];
    await produce(dir, 400);
    // As a kill -9 between the bronze file and the silver file would leave them: an intent, one file.
    const half = batchFileKey('bronze', '2026-01-01/00', 0, next, next + 50);
    await putBytes(lake, half, Buffer.from('not parquet: a torn write'));
    await new LakeCheckpoint(lake, 'crashed').intent(0, next, next + 50, [
      half,
      batchFileKey('silver', '2026-01-01/00', 0, next, next + 50),
    ]);
    // And a file a live copy of the lake took past its checkpoint, named by no marker at all.
    const stray = batchFileKey('quarantine', '2026-01-01/00', 1, 10_000, 10_010);
    await putBytes(lake, stray, Buffer.from('junk'));
    await drain(dir);
    assert.deepEqual(
      (await lake.list('')).filter((o) => o.key === half || o.key === stray),
      [],
      'the torn range and the stray file are gone',
    );
    assert.deepEqual((await bronze(dir)).records, 1200);
    assert.deepEqual((await bronze(dir)).distinct, 1200);
  });

  it('folds old ranges into a base marker, so reading the offsets stays one short listing', async () => {
    const lake = new FolderLake(tmp());
    const checkpoint = new LakeCheckpoint(lake, 'test');
    const state = await checkpoint.load(0);
    for (let i = 0; i < 300; i++) {
      const files = [batchFileKey('silver', '2026-01-01/00', 0, i * 10, i * 10 + 9)];
      await checkpoint.intent(0, i * 10, i * 10 + 9, files);
      await checkpoint.done(state, i * 10, i * 10 + 9, { files, records: 10 });
    }
    const listed = await lake.list(partitionPrefix(0));
    assert.ok(listed.length <= 200, `${listed.length} markers for 300 ranges`);
    assert.ok(listed.some((o) => o.key.endsWith('.base.json')));
    const again = await new LakeCheckpoint(lake, 'test').load(0);
    assert.equal(again.next, 3000);
    assert.equal(again.chain[0].kind, 'base');
    assert.deepEqual(
      again.chain.slice(1).map((m) => m.first),
      again.chain.slice(1).map((_, i, all) => 3000 - (all.length - i) * 10),
      'the newest ranges stay as they were, after the base',
    );
  });

  it("sweeps a previous owner's write that lands after this one took the partition over", async () => {
    const dir = tmp();
    await produce(dir, 400);
    const broker = new LogBroker(path.join(dir, 'broker'));
    const lake = new FolderLake(path.join(dir, 'lake'));
    const duck = await openDuck();
    let flushes = 0;
    const stage = new StreamStage(
      {
        broker,
        lake,
        metrics: new MemoryMetrics(),
        duck,
        catalog: { current: () => BUILTIN_INDEX },
        ids: await IdIndex.open(lake, await openDuck()),
        onFlush: () => flushes++,
      },
      { ...STREAM_DEFAULTS, flushIntervalMs: 100 },
    );
    try {
      await stage.start();
      await stage.drainTo(await broker.endOffsets(TOPIC));
      // The old owner's flush of 0–99 of partition 0, in flight when the partition moved, lands now.
      const late = batchFileKey('bronze', '2026-01-01/00', 0, 0, 99);
      await putBytes(lake, late, Buffer.from('a late duplicate'));
      const foreign = marker(0, 0, 99, 'done');
      await putBytes(lake, foreign.key, Buffer.from(JSON.stringify({ writer: 'old owner', files: [late] })));
      await produce(dir, 200);
      const seen = flushes;
      await stage.drainTo(await broker.endOffsets(TOPIC));
      assert.ok(flushes > seen);
      const left = (await lake.list('')).map((o) => o.key);
      assert.ok(!left.includes(late) && !left.includes(foreign.key), 'the late write and its marker are gone');
    } finally {
      await stage.stop();
      duck.closeSync();
      await broker.close();
    }
    assert.deepEqual(await bronze(dir), {
      records: 600,
      distinct: 600,
      perPartition: (await ends(dir)).filter(Boolean),
    });
  });

  it('adopts the group offsets of a lake written before lakes kept their own, once, and reads on exactly', async () => {
    const dir = tmp();
    await produce(dir, 900);
    await drain(dir);
    const lake = new FolderLake(path.join(dir, 'lake'));
    // What an older version left: batch files, no _checkpoint/, its offsets in the one shared group.
    fs.rmSync(path.join(dir, 'lake', '_checkpoint'), { recursive: true });
    const logEnds = await ends(dir);
    const broker = new LogBroker(path.join(dir, 'broker'));
    logEnds.forEach((e, p) => broker.writeCommitted(LEGACY_GROUP, TOPIC, p, e));
    await broker.close();
    const stray = batchFileKey('bronze', '2026-01-01/00', 2, logEnds[2], logEnds[2] + 9);
    await putBytes(lake, stray, Buffer.from('written past the commit, before a crash'));
    await produce(dir, 300);
    const run = await drain(dir);
    const notice = run.reports.at(-1)!.notices.find((n) => n.kind === 'adopted_legacy');
    assert.ok(notice, JSON.stringify(run.reports.at(-1)));
    assert.deepEqual(
      notice.ranges.map((r) => r.to + 1),
      logEnds.filter(Boolean),
    );
    assert.equal((await lakeIdentity(lake)).legacy, true);
    assert.deepEqual(await bronze(dir), {
      records: 1200,
      distinct: 1200,
      perPartition: (await ends(dir)).filter(Boolean),
    });
    // Adopted once: the next start reads the lake's own offsets and reports nothing.
    const next = await drain(dir);
    assert.deepEqual(next.reports.at(-1)!.notices, []);
  });

  it('refuses a lake ahead of its log, and a checkpoint with a hole, saying what to do', async () => {
    const dir = tmp();
    await produce(dir, 300);
    await drain(dir);
    await produce(dir, 100);
    await drain(dir);
    const lake = new FolderLake(path.join(dir, 'lake'));
    // Part of _checkpoint/ lost: the first ranges' markers of partition 0 are gone, the later ones remain.
    const markers = (await lake.list(partitionPrefix(0))).map((o) => o.key).filter((k) => /\/0-\d+\./.test(k));
    assert.ok(markers.length > 0);
    await lake.delete(markers);
    const holed = await drain(dir);
    assert.match(String(holed.failed), /stopped before it caught up/);
    const hole = holed.errors.find((e) => e.code === 'offsets_conflict');
    assert.ok(hole, JSON.stringify(holed.errors));
    assert.match(
      hole.message,
      /partition 0: the lake's checkpoint holds nothing from offset 0, but has markers from \d+ on/,
    );

    const fresh = tmp();
    fs.cpSync(path.join(dir, 'lake'), path.join(fresh, 'lake'), { recursive: true });
    fs.rmSync(path.join(fresh, 'lake', OFFSETS, 'p=0'), { recursive: true });
    await produce(fresh, 20); // a recreated topic: far shorter than the lake
    const ahead = await drain(fresh);
    assert.ok(ahead.failed);
    const conflict = ahead.errors.find((e) => e.code === 'offsets_conflict');
    assert.ok(conflict, JSON.stringify(ahead.errors));
    assert.match(conflict.message, /holds offsets the topic sales_transactions does not have.*use a new lake/);
  });
});
