import type { ErrorInfo } from '../errors';
import type { Explanation, PartitionLedger, ReconcileCheck, ReconciliationReport } from '../reconcileContract';
import { REPLAY_METRICS_PARTITION } from '../quarantine/replay';
import type { MetricsTotals } from '../services/metrics/port';
import type { LakeView } from './lakeView';
import { egp, layers, n } from './layerFigures';

export type Read<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

/** Everything a report is built from; each part read by its own cheap call (reconcileCommands.ts). */
export interface ReportParts {
  at: number;
  tookMs: number;
  topic: string;
  etlRunning: boolean;
  streamRunning: boolean;
  log: Read<{ ends: number[]; earliest: number[] }>;
  lake: LakeView;
  warehouse: Read<{ loadedFiles: number; factRows: number; revenue: number; newest: number | null }>;
  windows: Read<MetricsTotals & { kind: 'memory' | 'redis' }>;
}

const TOLERANCE = { records: 0, lines: 0, EGP: 0.01 };

/** The report: figures side by side, per partition, and each check with its difference explained. */
export function buildReport(p: ReportParts): ReconciliationReport {
  const partitions = ledger(p);
  const lake = p.lake;
  return {
    at: p.at,
    tookMs: p.tookMs,
    topic: p.topic,
    layers: layers(p),
    partitions,
    backlog: lake.backlog && {
      files: lake.backlog.files,
      lines: lake.backlog.lines,
      revenue: lake.backlog.cents / 100,
      etlRunning: p.etlRunning,
      from: "silver files the warehouse's load_manifest does not list, with their lines and revenue from the lake's ledger",
    },
    checks: [
      logToBronze(p, partitions),
      bronzeSplit(p),
      silverToWarehouse(p, 'lines'),
      silverToWarehouse(p, 'EGP'),
      silverToWindows(p, partitions),
    ],
    streamRunning: p.streamRunning,
  };
}

function ledger(p: ReportParts): PartitionLedger[] {
  const ends = p.log.ok ? p.log.value.ends : [];
  const earliest = p.log.ok ? p.log.value.earliest : [];
  const byPartition = new Map(p.lake.partitions.map((x) => [x.partition, x]));
  const all = new Set([...ends.keys(), ...byPartition.keys()]);
  const w = p.windows.ok ? p.windows.value : null;
  return [...all]
    .sort((a, b) => a - b)
    .map((partition) => {
      const x = byPartition.get(partition);
      const cp = x?.checkpoint ?? null;
      const lakeNext = cp ? cp.next : 0;
      const end = ends[partition] ?? 0;
      const first = earliest[partition] ?? 0;
      const inFlight = x?.bronze.ahead ?? 0;
      const holes = (x?.bronze.holes ?? []).map((h) => ({
        ...h,
        retention: h.to < first || (cp?.gaps ?? []).some((g) => g.from <= h.from && g.to >= h.to),
      }));
      return {
        partition,
        earliest: first,
        end,
        lake: lakeNext,
        bronze: x?.bronze.covered ?? 0,
        holes,
        inFlight,
        unread: p.log.ok && lakeNext !== null ? Math.max(0, end - lakeNext - inFlight) : 0,
        windowsSince: w?.since[partition] ?? null,
        windowsApplied: w?.applied[partition] ?? null,
        problem: cp?.problem ?? null,
      };
    });
}

/** `note` says what an unexplained part may be; `always`: it is worth saying even when the check holds. */
function check(
  c: Omit<ReconcileCheck, 'difference' | 'unexplained' | 'state' | 'explained' | 'note'>,
  explained: Explanation[],
  note: string | null = null,
  always = false,
): ReconcileCheck {
  const round = (x: number) => (c.unit === 'EGP' ? Math.round(x * 100) / 100 : x);
  const difference = round(c.left.value - c.right.value);
  const parts = explained.filter((e) => Math.abs(e.amount) > TOLERANCE[c.unit]);
  const unexplained = round(difference - parts.reduce((s, e) => s + e.amount, 0));
  const holds = (x: number) => Math.abs(x) <= TOLERANCE[c.unit] + 1e-9;
  return {
    ...c,
    difference,
    explained: holds(difference) ? [] : parts,
    unexplained: holds(unexplained) ? 0 : unexplained,
    state: holds(difference) ? 'ok' : holds(unexplained) ? 'explained' : 'unexplained',
    note: always || !holds(unexplained) ? note : null,
  };
}

function unavailable(c: Pick<ReconcileCheck, 'id' | 'title' | 'unit'>, why: ErrorInfo): ReconcileCheck {
  return {
    ...c,
    left: { label: '', value: 0 },
    right: { label: '', value: 0 },
    difference: 0,
    explained: [],
    unexplained: 0,
    state: 'unavailable',
    note: why.message,
  };
}

function logToBronze(p: ReportParts, partitions: PartitionLedger[]): ReconcileCheck {
  const head = {
    id: 'log_bronze',
    title: 'Log → bronze: every record of the log is in the lake',
    unit: 'records',
  } as const;
  if (!p.log.ok) return unavailable(head, p.log.error);
  const unread = partitions.reduce((s, x) => s + x.unread, 0);
  const retention = partitions.flatMap((x) =>
    x.holes.filter((h) => h.retention).map((h) => ({ ...h, p: x.partition })),
  );
  const other = partitions.flatMap((x) => x.holes.filter((h) => !h.retention).map((h) => ({ ...h, p: x.partition })));
  const ahead = partitions.filter((x) => x.lake !== null && x.lake > x.end);
  const broken = partitions.filter((x) => x.problem);
  const explained: Explanation[] = [];
  if (unread)
    explained.push({
      kind: 'not_yet_read',
      amount: unread,
      text: `${n(unread)} records in the log the stream has not written to the lake yet (${partitions
        .filter((x) => x.unread)
        .map((x) => `p${x.partition}: ${n(x.unread)}`)
        .join(', ')})${p.streamRunning ? '' : ': start the stream to read them'}`,
    });
  const lost = retention.reduce((s, h) => s + h.records, 0);
  if (lost)
    explained.push({
      kind: 'retention',
      amount: lost,
      text: `retention removed ${n(lost)} records before this lake read them (${retention
        .map((h) => `p${h.p} offsets ${n(h.from)}–${n(h.to)}`)
        .join(', ')}); they are lost to this lake`,
    });
  const note = [
    ...other.map(
      (h) => `p${h.p} offsets ${n(h.from)}–${n(h.to)}: ${n(h.records)} records the checkpoint holds but bronze lacks`,
    ),
    ...ahead.map(
      (x) =>
        `p${x.partition}: the lake holds offsets up to ${n(x.lake! - 1)} but the log ends at ${n(x.end)} (was the topic recreated?)`,
    ),
    ...broken.map((x) => `p${x.partition}: ${x.problem}`),
  ];
  return check(
    {
      ...head,
      left: { label: 'records in the log', value: partitions.reduce((s, x) => s + x.end, 0) },
      right: { label: 'records in bronze', value: p.lake.bronze.records },
    },
    explained,
    note.join('; ') || null,
  );
}

function bronzeSplit(p: ReportParts): ReconcileCheck {
  const { lake } = p;
  const sum = (f: (x: LakeView['partitions'][number]) => number) => lake.partitions.reduce((s, x) => s + f(x), 0);
  const replayed = lake.silver.replay.records;
  const inFlight = sum((x) => x.bronze.ahead);
  return check(
    {
      id: 'bronze_split',
      title: 'Bronze → silver + quarantine: each record ends in exactly one place',
      unit: 'records',
      left: { label: 'records in bronze (checkpointed)', value: sum((x) => x.bronze.covered) },
      right: {
        label: 'sales in silver + records in quarantine',
        value: sum((x) => x.silver.covered) + replayed + sum((x) => x.quarantine.covered),
      },
    },
    replayed
      ? [
          {
            kind: 'replayed',
            amount: -replayed,
            text: `${n(replayed)} records were quarantined, then replayed into silver: they are in both`,
          },
        ]
      : [],
    inFlight ? `${n(inFlight)} records in files past the checkpoint (a flush writing now) are left out` : null,
    true,
  );
}

function silverToWarehouse(p: ReportParts, unit: 'lines' | 'EGP'): ReconcileCheck {
  const money = unit === 'EGP';
  const head = {
    id: money ? 'silver_warehouse_revenue' : 'silver_warehouse_lines',
    title: money ? 'Silver → warehouse: revenue' : 'Silver → warehouse: every line loaded once',
    unit,
  } as const;
  if (!p.warehouse.ok) return unavailable(head, p.warehouse.error);
  const { lake } = p;
  const wh = p.warehouse.value;
  const backlog = lake.backlog ?? { files: 0, lines: 0, cents: 0 };
  const explained: Explanation[] = [];
  if (backlog.files)
    explained.push({
      kind: 'etl_backlog',
      amount: money ? backlog.cents / 100 : backlog.lines,
      text: `${n(backlog.files)} silver files (${n(backlog.lines)} lines, ${egp(backlog.cents)}) are not loaded yet: ${
        p.etlRunning ? 'an ETL run is loading them now' : 'the next ETL run loads them'
      }`,
    });
  const twice = money ? lake.loaded.cents / 100 - wh.revenue : lake.loaded.lines - wh.factRows;
  if (twice > 0 && !lake.loaded.gone)
    explained.push({
      kind: 'duplicate_lines',
      amount: money ? Math.round(twice * 100) / 100 : twice,
      text: money
        ? `${egp(Math.round(twice * 100))} of loaded silver lines that silver holds twice: the warehouse keeps each line once`
        : `${n(twice)} loaded silver lines repeat a (transaction, line) silver already holds: the warehouse keeps each once (two stream workers accepted one sale; see "Duplicates across the whole history")`,
    });
  return check(
    {
      ...head,
      left: {
        label: money ? 'silver revenue' : 'silver lines',
        value: money ? lake.silver.cents / 100 : lake.silver.lines,
      },
      right: { label: money ? 'warehouse revenue' : 'fact_sales rows', value: money ? wh.revenue : wh.factRows },
    },
    explained,
    lake.loaded.gone ? `${n(lake.loaded.gone)} files the manifest lists are no longer in the lake` : null,
  );
}

function silverToWindows(p: ReportParts, partitions: PartitionLedger[]): ReconcileCheck {
  const head = {
    id: 'silver_windows',
    title: 'Silver → live windows: revenue, on time and late',
    unit: 'EGP',
  } as const;
  if (!p.windows.ok) return unavailable(head, p.windows.error);
  const w = p.windows.value;
  const missed = p.lake.missedByWindows;
  const explained: Explanation[] = [];
  const since = partitions
    .filter((x) => x.windowsSince !== null)
    .map((x) => `p${x.partition}@${n(x.windowsSince!)}`)
    .join(' ');
  if (missed.cents)
    explained.push({
      kind: 'windows_restarted',
      amount: missed.cents / 100,
      text: `${n(missed.sales)} silver sales (${egp(missed.cents)}) came before the windows started counting (${
        since ? `from ${since}` : 'they have counted nothing yet'
      }): ${
        w.kind === 'memory'
          ? 'the embedded store keeps its windows in memory and starts empty at every start of the app'
          : 'the Redis windows were reset, or are new for this lake'
      }`,
    });
  if (missed.replayCents)
    explained.push({
      kind: 'replays_before_windows',
      amount: missed.replayCents / 100,
      text: `${n(missed.replaySales)} replayed sales (${egp(missed.replayCents)}) were replayed before the windows started counting`,
    });
  const left = p.lake.silver.cents / 100;
  const right = (w.revenueCents + w.lateRevenueCents) / 100;
  const residual = Math.round((left - right - (missed.cents + missed.replayCents) / 100) * 100) / 100;
  const ahead = partitions.filter((x) => x.windowsApplied !== null && x.lake !== null && x.windowsApplied >= x.lake);
  if (residual < 0 && ahead.length)
    explained.push({
      kind: 'windows_ahead',
      amount: residual,
      text: `the windows counted records the lake has not written yet (${ahead
        .map((x) => `p${x.partition} up to ${n(x.windowsApplied!)}, lake up to ${n(x.lake! - 1)}`)
        .join(', ')}): a flush in progress brings them to silver`,
    });
  return check(
    {
      ...head,
      left: { label: 'silver revenue', value: left },
      right: { label: 'windows revenue + late revenue', value: right },
    },
    explained,
    `windows counted ${since || 'nothing'}${
      w.since[REPLAY_METRICS_PARTITION] !== undefined ? ' and replays' : ''
    }: another lake writing to the same Redis prefix, or windows kept from before this lake, would show here`,
  );
}
