/**
 * npm run reconcile -- [--json]                                        every layer side by side, differences explained
 * npm run reconcile -- lineage --store N --minute T [--limit N] [--json] a store's minute down to silver and bronze
 * plus the service flags of `pipeline` (--data-dir, --kafka, --s3 …).
 */
import { parseArgs } from 'node:util';
import { configFromFlags, SERVICE_FLAGS } from '../cliConfig';
import type { Lineage, ReconciliationReport } from '../contract';
import { PulseError } from '../errors';
import { Host } from '../host';
import { parseTimestampUs } from '../model/timestamp';

export const RECONCILE_USAGE = `usage: npm run reconcile -- [--json] [--data-dir DIR] [service flags as for pipeline]
       npm run reconcile -- lineage --store N --minute T [--limit N] [--json] [...]
  (no action)  produced, bronze, silver, quarantine, warehouse and windows side by side, read from durable
               state (the log's offsets, Parquet footers, the checkpoint, the manifest), each difference explained.
               The embedded windows live in the app's memory: from the CLI they are empty, and say so.
  lineage      a store's sales in the minute starting at T (ISO-8601, UTC when no zone) in silver, each with its
               raw record in bronze (partition, offset). --limit: sales shown (default 20, at most 500).`;

export async function reconcileCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...SERVICE_FLAGS,
      store: { type: 'string' },
      minute: { type: 'string' },
      limit: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) return void console.log(RECONCILE_USAGE);
  const [action] = positionals;
  if (positionals.length > 1 || (action !== undefined && action !== 'lineage'))
    throw new PulseError('config_invalid', `say nothing or lineage\n${RECONCILE_USAGE}`, { field: 'action' });
  const lineage = action === 'lineage' ? lineageRequest(values) : null;
  const host = await Host.open(configFromFlags(values));
  try {
    if (lineage) {
      const l = await host.call('lineage.minute', lineage);
      console.log(values.json ? JSON.stringify(l) : formatLineage(l));
    } else {
      const r = await host.call('reconcile.report', {});
      console.log(values.json ? JSON.stringify(r) : formatReport(r));
    }
  } finally {
    await host.close();
  }
}

function lineageRequest(values: Record<string, unknown>): { storeId: number; minute: number; limit: number } {
  const storeId = Number(values.store);
  if (values.store === undefined || !Number.isInteger(storeId) || storeId < 0)
    throw new PulseError('config_invalid', `--store ${String(values.store ?? '')}: a store id (a whole number)`, {
      field: 'store',
    });
  const us = typeof values.minute === 'string' ? parseTimestampUs(values.minute) : Number.NaN;
  if (Number.isNaN(us))
    throw new PulseError(
      'config_invalid',
      `--minute ${String(values.minute ?? '')}: a time, ISO-8601 (e.g. 2026-11-29T07:36:00Z; UTC when no zone)`,
      { field: 'minute' },
    );
  const ms = Math.floor(us / 1000);
  const limit = values.limit === undefined ? 20 : Number(values.limit);
  return { storeId, minute: ms - (ms % 60_000), limit };
}

const n = (x: number | null) => (x === null ? '-' : x.toLocaleString('en-US'));
const money = (x: number | null) =>
  x === null ? '-' : x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const time = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString().replace('T', ' ').slice(0, 19));

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows
    .map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '))
    .join('\n');
}

export function formatReport(r: ReconciliationReport): string {
  const layers = table([
    ['layer', 'records/sales', 'lines', 'revenue (EGP)', 'files', 'newest (UTC)'],
    ...r.layers.map((l) => [
      l.layer,
      l.error ? 'unavailable' : n(l.records),
      n(l.lines),
      money(l.revenue),
      n(l.files),
      `${time(l.newest)}${l.newest !== null && l.newestOf ? ` ${l.newestOf}` : ''}`,
    ]),
  ]);
  const from = r.layers.map(
    (l) => `  ${l.layer}: ${l.error ? l.error.message : l.from}${l.note ? ` (${l.note})` : ''}`,
  );
  const partitions = table([
    ['partition', 'log earliest', 'log end', 'lake', 'bronze', 'unread', 'in flight', 'windows from'],
    ...r.partitions.map((p) => [
      String(p.partition),
      n(p.earliest),
      n(p.end),
      n(p.lake),
      n(p.bronze),
      n(p.unread),
      n(p.inFlight),
      n(p.windowsSince),
    ]),
  ]);
  const checks = r.checks.flatMap((c) => {
    const fmt = c.unit === 'EGP' ? money : n;
    return [
      `[${c.state}] ${c.title}: ${c.left.label} ${fmt(c.left.value)} vs ${c.right.label} ${fmt(c.right.value)}${
        c.difference ? `, difference ${fmt(c.difference)}` : ''
      }`,
      ...c.explained.map((e) => `    ${fmt(e.amount)}: ${e.text}`),
      ...(c.unexplained ? [`    ${fmt(c.unexplained)} unexplained`] : []),
      ...(c.note ? [`    ${c.note}`] : []),
    ];
  });
  const backlog = r.backlog
    ? `ETL backlog: ${n(r.backlog.files)} files, ${n(r.backlog.lines)} lines, EGP ${money(r.backlog.revenue)}${
        r.backlog.etlRunning ? ' (a run is loading them)' : ''
      }`
    : 'ETL backlog: unknown (the warehouse did not answer)';
  return [
    `reconciliation of topic ${r.topic} at ${time(r.at)} UTC (read in ${r.tookMs} ms)`,
    layers,
    'read from:',
    ...from,
    backlog,
    partitions,
    ...checks,
  ].join('\n');
}

export function formatLineage(l: Lineage): string {
  const head = `store ${l.storeId}${l.storeName ? ` (${l.storeName})` : ''}, minute ${time(l.minute)} UTC: silver ${n(
    l.silver.sales,
  )} sales, ${n(l.silver.lines)} lines, EGP ${money(l.silver.revenue)} in ${n(l.silver.files)} file(s); window ${
    l.window ? `${n(l.window.transactions)} sales, EGP ${money(l.window.revenue)}` : 'none'
  } (${l.tookMs} ms)`;
  const sales = l.sales.flatMap((s) => [
    `${time(s.eventTime)}  ${s.transactionId}  EGP ${money(s.total)}  ${s.lines.length} line(s)  ${s.origin}  p${s.partition}@${s.offset}`,
    `    silver ${s.silverFile}`,
    `    bronze ${s.bronze ? `${s.bronze.file} key ${s.bronze.key ?? '-'} at ${time(s.bronze.brokerTime)}: ${s.bronze.value}` : 'not found'}`,
  ]);
  return [head, ...l.notes.map((x) => `  note: ${x}`), ...sales, ...(l.more ? ['  … more (--limit)'] : [])].join('\n');
}
