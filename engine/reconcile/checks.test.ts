import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { REPLAY_METRICS_PARTITION } from '../quarantine/replay';
import { emptyTotals } from '../services/metrics/windows';
import { buildReport, type ReportParts } from './checks';
import type { LakePartitionView, LakeView } from './lakeView';

/**
 * The differences a report explains and the ones it must not explain away, from states that are
 * hard to reach on purpose in a pipeline run (a hole in bronze, a lake ahead of its topic, windows
 * counting ahead of the lake, silver holding a line twice, a service down).
 */

function partition(p: number, records: number, over: Partial<LakePartitionView> = {}): LakePartitionView {
  return {
    partition: p,
    checkpoint: { partition: p, next: records, gaps: [], intents: [], problem: null },
    bronze: { covered: records, ahead: 0, holes: [] },
    silver: { covered: records - 10, ahead: 0 },
    quarantine: { covered: 10, ahead: 0 },
    ...over,
  };
}

/** Two partitions of 1,000 records, all in silver (990 sales each) or quarantine, loaded and windowed. */
function parts(over: { lake?: Partial<LakeView>; ends?: number[]; earliest?: number[] } = {}): ReportParts {
  const total = (records: number, lines: number, cents: number) => ({ records, lines, cents, files: 2, newest: 1 });
  const lake: LakeView = {
    bronze: total(2000, 2000, 0),
    silver: { ...total(1980, 4000, 5_000_00), replay: { ...total(0, 0, 0), files: 0 } },
    quarantine: total(20, 20, 0),
    partitions: [partition(0, 1000), partition(1, 1000)],
    backlog: { files: 0, lines: 0, cents: 0 },
    loaded: { files: 2, lines: 4000, cents: 5_000_00, gone: 0 },
    missedByWindows: { sales: 0, cents: 0, replaySales: 0, replayCents: 0 },
    ...over.lake,
  };
  const windows = {
    ...emptyTotals(),
    transactions: 1900,
    lateRecords: 80,
    revenueCents: 4_800_00,
    lateRevenueCents: 200_00,
    since: { 0: 0, 1: 0 },
    applied: { 0: 999, 1: 999 },
    kind: 'memory' as const,
  };
  return {
    at: 0,
    tookMs: 1,
    topic: 't',
    etlRunning: false,
    streamRunning: true,
    log: { ok: true, value: { ends: over.ends ?? [1000, 1000], earliest: over.earliest ?? [0, 0] } },
    lake,
    warehouse: { ok: true, value: { loadedFiles: 2, factRows: 4000, revenue: 5000, newest: 1 } },
    windows: { ok: true, value: windows },
  };
}

const check = (p: ReportParts, id: string) => buildReport(p).checks.find((c) => c.id === id)!;

describe('reconciliation checks', () => {
  it('hold when every layer agrees', () => {
    assert.deepEqual(
      buildReport(parts()).checks.map((c) => [c.id, c.state, c.difference]),
      [
        ['log_bronze', 'ok', 0],
        ['bronze_split', 'ok', 0],
        ['silver_warehouse_lines', 'ok', 0],
        ['silver_warehouse_revenue', 'ok', 0],
        ['silver_windows', 'ok', 0],
      ],
    );
  });

  it('explain a hole in bronze only where retention removed it: below the log’s start or in a gap marker', () => {
    const holes = [{ from: 0, to: 99, records: 100 }];
    const gap = partition(0, 1000, {
      checkpoint: { partition: 0, next: 1000, gaps: [{ from: 0, to: 99 }], intents: [], problem: null },
      bronze: { covered: 900, ahead: 0, holes },
    });
    const lake = {
      bronze: { records: 1900, lines: 1900, cents: 0, files: 2, newest: 1 },
      partitions: [gap, partition(1, 1000)],
    };
    const byMarker = check(parts({ lake }), 'log_bronze');
    assert.equal(byMarker.state, 'explained');
    assert.deepEqual(
      byMarker.explained.map((e) => [e.kind, e.amount]),
      [['retention', 100]],
    );
    assert.match(byMarker.explained[0].text, /p0 offsets 0–99/);
    // No gap marker (folded into a base), but the log starts at 100: retention as well.
    const folded = { ...gap, checkpoint: { ...gap.checkpoint!, gaps: [] } };
    assert.equal(
      check(parts({ lake: { ...lake, partitions: [folded, partition(1, 1000)] }, earliest: [100, 0] }), 'log_bronze')
        .state,
      'explained',
    );
    // The log still has those offsets and no marker says they were removed: nothing explains it.
    const missing = check(parts({ lake: { ...lake, partitions: [folded, partition(1, 1000)] } }), 'log_bronze');
    assert.deepEqual([missing.state, missing.unexplained], ['unexplained', 100]);
    assert.match(missing.note!, /p0 offsets 0–99: 100 records the checkpoint holds but bronze lacks/);
  });

  it('leave a lake ahead of its log unexplained, and say the topic may have been recreated', () => {
    const c = check(parts({ ends: [400, 1000] }), 'log_bronze');
    assert.equal(c.state, 'unexplained');
    assert.equal(c.difference, -600);
    assert.match(c.note!, /p0: the lake holds offsets up to 999 but the log ends at 400 \(was the topic recreated\?\)/);
  });

  it('count records in files past the checkpoint as in flight, not as unread', () => {
    const busy = partition(1, 1000, { bronze: { covered: 1000, ahead: 50, holes: [] } });
    const p = parts({
      ends: [1000, 1200],
      lake: {
        partitions: [partition(0, 1000), busy],
        bronze: { records: 2050, lines: 2050, cents: 0, files: 3, newest: 1 },
      },
    });
    const report = buildReport(p);
    assert.deepEqual(
      report.partitions.map((x) => [x.unread, x.inFlight]),
      [
        [0, 0],
        [150, 50],
      ],
    );
    assert.deepEqual(
      report.checks[0].explained.map((e) => [e.kind, e.amount]),
      [['not_yet_read', 150]],
    );
    assert.match(report.checks[1].note ?? '', /50 records in files past the checkpoint/);
  });

  it('explain silver lines the warehouse holds once, and leave an unknown shortfall unexplained', () => {
    const dup = parts();
    dup.warehouse = { ok: true, value: { loadedFiles: 2, factRows: 3990, revenue: 4990, newest: 1 } };
    const lines = check(dup, 'silver_warehouse_lines');
    assert.deepEqual(
      [lines.state, lines.explained.map((e) => [e.kind, e.amount])],
      ['explained', [['duplicate_lines', 10]]],
    );
    const revenue = check(dup, 'silver_warehouse_revenue');
    assert.deepEqual(
      revenue.explained.map((e) => [e.kind, e.amount]),
      [['duplicate_lines', 10]],
    );
    // Files the manifest lists are gone from the lake (removed by hand): the warehouse's extra rows stay unexplained.
    const gone = parts({ lake: { loaded: { files: 1, lines: 2000, cents: 2_500_00, gone: 1 } } });
    gone.lake.silver = { ...gone.lake.silver, lines: 2000, cents: 2_500_00 };
    const g = check(gone, 'silver_warehouse_lines');
    assert.deepEqual([g.state, g.unexplained], ['unexplained', -2000]);
    assert.match(g.note!, /1 files the manifest lists are no longer in the lake/);
    const behind = parts({ lake: { backlog: { files: 1, lines: 500, cents: 600_00 } } });
    behind.lake.silver = { ...behind.lake.silver, lines: 4500, cents: 5_600_00 };
    behind.etlRunning = true;
    const b = check(behind, 'silver_warehouse_lines');
    assert.deepEqual([b.state, b.explained.map((e) => [e.kind, e.amount])], ['explained', [['etl_backlog', 500]]]);
    assert.match(
      b.explained[0].text,
      /1 silver files \(500 lines, EGP 600\.00\) are not loaded yet: an ETL run is loading them now/,
    );
  });

  it('explain windows that missed sales before they started counting, replays, and windows ahead of the lake', () => {
    const restarted = parts({
      lake: { missedByWindows: { sales: 100, cents: 1_000_00, replaySales: 5, replayCents: 50_00 } },
    });
    const w = restarted.windows.ok ? restarted.windows.value : null!;
    w.revenueCents -= 1_050_00;
    w.since = { 0: 500, 1: 0, [REPLAY_METRICS_PARTITION]: 1 };
    const c = check(restarted, 'silver_windows');
    assert.deepEqual(
      [c.state, c.explained.map((e) => [e.kind, e.amount])],
      [
        'explained',
        [
          ['windows_restarted', 1000],
          ['replays_before_windows', 50],
        ],
      ],
    );
    assert.match(c.explained[0].text, /from p0@500 p1@0/);
    const ahead = parts();
    const a = ahead.windows.ok ? ahead.windows.value : null!;
    a.revenueCents += 25_00;
    a.applied = { 0: 1010, 1: 999 };
    const x = check(ahead, 'silver_windows');
    assert.deepEqual([x.state, x.explained.map((e) => [e.kind, e.amount])], ['explained', [['windows_ahead', -25]]]);
    // Windows beyond silver with the lake caught up: another writer on the same store, not explained.
    a.applied = { 0: 999, 1: 999 };
    assert.equal(check(ahead, 'silver_windows').state, 'unexplained');
  });

  it('say a check is unavailable when its service does not answer, and keep the others', () => {
    const down = parts();
    const error = {
      code: 'warehouse_failed' as const,
      message: 'cannot connect to postgres://x:***@db',
      retriable: true,
    };
    down.warehouse = { ok: false, error };
    down.windows = { ok: false, error: { ...error, code: 'metrics_failed', message: 'Redis is not reachable' } };
    down.lake = { ...down.lake, backlog: null };
    const r = buildReport(down);
    assert.deepEqual(
      r.checks.map((c) => c.state),
      ['ok', 'ok', 'unavailable', 'unavailable', 'unavailable'],
    );
    assert.equal(r.checks[2].note, error.message);
    assert.equal(r.backlog, null);
    assert.deepEqual(r.layers.find((l) => l.layer === 'warehouse')!.error, error);
    assert.equal(r.layers.find((l) => l.layer === 'windows')!.records, null);
  });
});
