import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { PipelineSummary } from '../contract';

/** Runs `npm run pipeline` as a user would, for the pipeline tests. */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export function start(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): { child: ChildProcess; stdout: Promise<string>; stderrLines: string[]; exit: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'engine/cli.ts', 'pipeline', ...args, '--json'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let out = '';
  const stderrLines: string[] = [];
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => stderrLines.push(...String(d).split('\n').filter(Boolean)));
  const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, stdout: exit.then(() => out), stderrLines, exit };
}

export async function pipeline(args: string[], env: NodeJS.ProcessEnv = {}): Promise<PipelineSummary> {
  const run = start(args, env);
  const code = await run.exit;
  assert.equal(code, 0, `pipeline failed:\n${run.stderrLines.slice(-10).join('\n')}`);
  return JSON.parse(await run.stdout) as PipelineSummary;
}

/**
 * The invariants every run must keep, whatever happened before it (crashes, catalog changes,
 * quarantine replays, imports). Each record of the log is in bronze once and ends in exactly one
 * place: a sale in silver (accepted live or by a replay) or an open quarantine record.
 */
export function assertReconciles(s: PipelineSummary): void {
  assert.equal(s.bronze.records, s.produced.records, 'every produced record is in bronze');
  assert.equal(
    s.produced.records,
    s.produced.valid_transactions + s.quarantine.open,
    'each record is either a valid sale or open in quarantine',
  );
  assert.equal(
    s.quarantine.records,
    s.quarantine.open + s.quarantine.replayed,
    'a quarantined record is open or was replayed into silver',
  );
  assert.equal(s.silver.transactions, s.produced.valid_transactions, 'silver holds every valid sale once');
  assert.equal(s.silver.lines, s.silver.distinct_lines, 'silver holds each sale line once');
  assert.equal(s.silver.lines, s.produced.valid_lines, 'silver holds every valid line');
  assert.equal(s.warehouse.fact_rows, s.silver.lines, 'the warehouse holds every silver line');
  assert.ok(
    Math.abs(s.silver.revenue - s.produced.valid_revenue) <= 0.01,
    `silver revenue ${s.silver.revenue} vs produced ${s.produced.valid_revenue}`,
  );
  assert.ok(
    Math.abs(s.warehouse.revenue - s.produced.valid_revenue) <= 0.01,
    `warehouse revenue ${s.warehouse.revenue} vs produced ${s.produced.valid_revenue}`,
  );
}

export const waitFor = async (cond: () => boolean, ms: number): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
};
