import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { paths, type EngineConfig } from '../../config';
import { LakeCounter } from '../../lakeBrowser/lakeCounts';
import { LakeSql } from '../../lakeBrowser/lakeSql';
import { openDuck, sqlList } from '../../services/lake/duck';
import { LAYERS } from '../../services/lake/keys';
import type { Lake } from '../../services/lake/port';
import { openLake } from '../../services/open';
import type { CompactOptions, CompactStep } from '../compactor';
import type { CompactionResult } from '../../compactionContract';
import { visibleKeys } from '../lakeView';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const CHILD = fileURLToPath(new URL('./compactChild.ts', import.meta.url));

/** Compaction as it would run three hours from now: the hours a test just wrote are closed, its files settled. */
export const later = (over: CompactOptions = {}): CompactOptions => ({
  now: Date.now() + 3 * 3_600_000,
  settleMs: 0,
  ...over,
});

/** Runs compaction in a process of its own to the end; with `pauseAt`, stops it there with SIGKILL instead. */
export async function compactInChild(
  config: EngineConfig,
  options: CompactOptions,
  pauseAt?: CompactStep | { afterMs: number },
): Promise<{ result: CompactionResult | null; steps: string[] }> {
  const step = typeof pauseAt === 'string' ? [pauseAt] : [];
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', CHILD, JSON.stringify(config), JSON.stringify(options), ...step],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  const steps: string[] = [];
  const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const paused = new Promise<void>((resolve) => {
    child.stdout.on('data', (d: Buffer) => {
      out += String(d);
      if (out.includes('paused\n')) resolve();
    });
  });
  child.stderr.on('data', (d: Buffer) => (err += String(d)));
  if (pauseAt !== undefined) {
    if (typeof pauseAt === 'string') await Promise.race([paused, exit]);
    else await new Promise((r) => setTimeout(r, pauseAt.afterMs));
    child.kill('SIGKILL');
  }
  const code = await exit;
  steps.push(...[...out.matchAll(/^step (\w+)$/gm)].map((m) => m[1]));
  if (typeof pauseAt === 'string') assert.ok(steps.includes(pauseAt), `never reached ${pauseAt}:\n${out}\n${err}`);
  const line = out.split('\n').find((l) => l.startsWith('result '));
  if (pauseAt === undefined) assert.equal(code, 0, `compaction failed:\n${out}\n${err}`);
  return { result: line ? (JSON.parse(line.slice(7)) as CompactionResult) : null, steps };
}

export interface LayerCounts {
  records: number;
  /** Distinct records (bronze, quarantine: source partition and offset; silver: transaction and line). */
  distinct: number;
  files: number;
}
export type ReaderCounts = Record<'bronze' | 'silver' | 'quarantine', LayerCounts> & {
  /** The same three as the Pipeline page's footer counts and lake SQL's views see them. */
  footers: { bronze: number; silver: number; quarantine: number };
  sql: { bronze: number; silver: number; quarantine: number };
};

const IDENTITY = {
  bronze: '(source_partition, source_offset)',
  silver: '(transaction_id, line_no)',
  quarantine: '(source_partition, source_offset)',
} as const;

/** What every reader of the lake sees, each counted its own way. */
export async function readerCounts(config: EngineConfig): Promise<ReaderCounts> {
  const lake = await openLake(config);
  const duck = await openDuck();
  try {
    const out = {} as ReaderCounts;
    for (const layer of ['bronze', 'silver', 'quarantine'] as const) {
      const keys = await visibleKeys(lake, LAYERS[layer]);
      const [records, distinct] = keys.length
        ? (
            await duck.runAndReadAll(
              `SELECT count(*), count(DISTINCT ${IDENTITY[layer]}) FROM read_parquet(${sqlList(await lake.localPaths(keys))}, union_by_name = true, hive_partitioning = false)`,
            )
          ).getRowsJS()[0]
        : [0, 0];
      out[layer] = { records: Number(records), distinct: Number(distinct), files: keys.length };
    }
    const footers = await new LakeCounter(lake).counts();
    out.footers = {
      bronze: footers.bronze.records,
      silver: footers.silver.lines,
      quarantine: footers.quarantine.records,
    };
    const sql = new LakeSql(lake, await openDuck());
    const count = async (view: 'bronze' | 'silver' | 'quarantine') =>
      out[view].files ? Number((await sql.query(`SELECT count(*) FROM ${view}`)).rows[0][0]) : 0;
    out.sql = { bronze: await count('bronze'), silver: await count('silver'), quarantine: await count('quarantine') };
    return out;
  } finally {
    duck.closeSync();
  }
}

/** Every reader counts every record once, and what it counts equals `expected` (records per layer). */
export function assertSeenOnce(
  c: ReaderCounts,
  expected: { bronze: number; silver: number; quarantine: number },
): void {
  for (const layer of ['bronze', 'silver', 'quarantine'] as const) {
    assert.equal(c[layer].records, expected[layer], `${layer}: every record is read`);
    assert.equal(c[layer].distinct, c[layer].records, `${layer}: no record is read twice`);
    assert.equal(c.footers[layer], expected[layer], `${layer}: the footer counts agree`);
    assert.equal(c.sql[layer], expected[layer], `${layer}: lake SQL agrees`);
  }
}

/** A copy of a stopped embedded data dir (log, lake folder, PGlite): one pipeline run serves several tests. */
export function copyDataDir(from: string, to: string): void {
  fs.cpSync(from, to, { recursive: true });
  fs.rmSync(path.join(to, 'retail-pulse.lock'), { force: true });
}

/** Every object of one lake into another (an S3 bucket into a new one), as a copy of a stopped lake. */
export async function copyLake(from: Lake, to: Lake): Promise<void> {
  for (const o of await from.list('')) {
    if (o.key.startsWith('.')) continue;
    const local = to.scratchPath(`copy-${Math.random().toString(36).slice(2)}`);
    fs.writeFileSync(local, await from.read(o.key));
    await to.put(o.key, local);
  }
}

/** The keys of the Parquet files in the lake (all of them, whatever readers make of them). */
export async function parquetOnDisk(config: EngineConfig): Promise<string[]> {
  const lake = await openLake(config);
  return (await lake.list('')).map((o) => o.key).filter((k) => k.endsWith('.parquet'));
}

export { paths };
