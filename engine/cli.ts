/**
 * Command line of the engine. `pipeline` runs the main job, on the embedded services unless
 * a service is pointed at a real one (flags over RETAIL_PULSE_* variables over --config FILE):
 *   npm run pipeline -- [--data-dir DIR] [--seconds S] [--rate R] [--seed N]
 *     [--malformed-rate P] [--invalid-rate P] [--late-rate P] [--duplicate-rate P]
 *     [--kafka HOST:PORT] [--s3 URL --s3-bucket NAME] [--postgres URL] [--redis URL] [--json]
 */
import { parseArgs } from 'node:util';
import { configFromFlags, SERVICE_FLAGS } from './cliConfig';
import { describeConfig } from './config';
import type { PipelineSummary } from './contract';
import { PulseError, toErrorInfo } from './errors';
import { runPipeline } from './pipeline/runPipeline';
import { groupForLake, lakeIdentity } from './services/lake/lakeIdentity';
import { openLake } from './services/open';
import { quarantineCommand } from './cli/quarantineCli';
import { importCommand } from './cli/importCli';
import { alertsCommand, etlCommand, qualityCommand } from './cli/opsCli';
import { compactCommand } from './cli/compactCli';
import { reconcileCommand } from './cli/reconcileCli';
import { topicCommand } from './cli/topicCli';

const USAGE = `usage: npm run pipeline -- [--data-dir DIR] [--seconds S] [--rate R] [--seed N] [--catalog PATH]
       [--malformed-rate P] [--invalid-rate P] [--late-rate P] [--duplicate-rate P]
       [--config FILE] [--topic T] [--partitions N] [--group G] [--kafka HOST:PORT[,…]] [--s3 http://HOST:PORT --s3-bucket NAME [--s3-region R]]
       [--postgres postgres://USER:PASS@HOST:PORT/DB] [--redis redis://HOST:PORT] [--json]
  A service left out (or given as "embedded") runs embedded: on-disk log, lake folder, PGlite, in-memory windows.
  The stream's offsets live in the lake; --group names its consumer group (default: the lake's own, from its id).
  --catalog: the stores and products in force (a JSON file, or a folder with stores.csv and products.csv).
Also: npm run quarantine -- list|replay …, npm run import -- FILE…, npm run reconcile -- [lineage …],
      npm run topic -- read|search|tail|produce|lag …, npm run compact, npm run etl -- runs|log|run|rerun|schedule …,
      npm run quality -- …, npm run alerts -- list|ack|rules|check (--help for each).`;

function num(
  values: Record<string, unknown>,
  name: string,
  fallback: number,
  check: (n: number) => boolean,
  rule: string,
): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || !check(n))
    throw new PulseError('config_invalid', `--${name} ${String(raw)}: ${rule}`, { field: name });
  return n;
}

async function pipeline(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...SERVICE_FLAGS,
      seconds: { type: 'string' },
      rate: { type: 'string' },
      seed: { type: 'string' },
      'malformed-rate': { type: 'string' },
      'invalid-rate': { type: 'string' },
      'late-rate': { type: 'string' },
      'duplicate-rate': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const prob = (name: string): number =>
    num(values, name, 0, (n) => n >= 0 && n <= 1, 'must be a probability from 0 to 1');
  const config = configFromFlags(values);
  const run = {
    config,
    seconds: num(values, 'seconds', 10, (n) => n >= 0 && n <= 86_400, 'must be from 0 to 86400 seconds'),
    rate: num(values, 'rate', 1000, (n) => n >= 1 && n <= 500_000, 'must be from 1 to 500000 transactions/s'),
    seed: num(values, 'seed', 42, (n) => Number.isInteger(n), 'must be an integer'),
    faults: {
      malformed: prob('malformed-rate'),
      invalid: prob('invalid-rate'),
      late: prob('late-rate'),
      duplicate: prob('duplicate-rate'),
    },
    onProgress: (line: string) => process.stderr.write(`${line}\n`),
  };
  const where = describeConfig(config);
  // The lake's id names the default consumer group: read (or create) it first, so the line can say which.
  const identity = await lakeIdentity(await openLake(config));
  const group = config.group
    ? `consumer group ${config.group} (set)`
    : `consumer group ${groupForLake(identity.id)} (lake ${identity.id})`;
  process.stderr.write(
    `retail-pulse: ${where.broker} → ${where.lake} → ${where.warehouse}, windows in ${where.metrics}; ${group}; data in ${config.dataDir}\n`,
  );
  process.stderr.write(`retail-pulse: producing for ${run.seconds}s at ${run.rate} tx/s\n`);
  const summary = await runPipeline(run);
  if (values.json) console.log(JSON.stringify(summary));
  else console.log(formatSummary(summary));
}

export function formatSummary(s: PipelineSummary): string {
  const money = (x: number): string =>
    x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const rows: [string, string][] = [
    ['produced records', String(s.produced.records)],
    ['  valid transactions / lines', `${s.produced.valid_transactions} / ${s.produced.valid_lines}`],
    ['  valid revenue (EGP)', money(s.produced.valid_revenue)],
    ['bronze records / files', `${s.bronze.records} / ${s.bronze.files}`],
    [
      'quarantine records / open / replayed',
      `${s.quarantine.records} / ${s.quarantine.open} / ${s.quarantine.replayed}${
        Object.keys(s.quarantine.by_reason).length
          ? '  (open: ' +
            Object.entries(s.quarantine.by_reason)
              .map(([k, v]) => `${k} ${v}`)
              .join(', ') +
            ')'
          : ''
      }`,
    ],
    ['silver transactions', String(s.silver.transactions)],
    ['silver lines / distinct / files', `${s.silver.lines} / ${s.silver.distinct_lines} / ${s.silver.files}`],
    ['silver revenue (EGP)', money(s.silver.revenue)],
    ['warehouse fact rows', String(s.warehouse.fact_rows)],
    ['warehouse revenue (EGP)', money(s.warehouse.revenue)],
    [
      'windows revenue (EGP) / late',
      `${money(s.windows.revenue)} / ${s.windows.late_records} late (${money(s.windows.late_revenue)})`,
    ],
    ['throughput (tx/s)', String(s.throughput_tps)],
    ['latency p50 / p99 (ms)', `${s.latency_ms.p50 ?? '-'} / ${s.latency_ms.p99 ?? '-'}`],
    [
      'etl',
      s.etl
        ? `${s.etl.status}: ${s.etl.files} files, ${s.etl.rowsInserted} rows inserted, ${s.etl.rowsSkipped} skipped, ${s.etl.durationMs} ms`
        : '-',
    ],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n');
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  if (command === 'pipeline') return pipeline(rest);
  if (command === 'quarantine') return quarantineCommand(rest);
  if (command === 'import') return importCommand(rest);
  if (command === 'etl') return etlCommand(rest);
  if (command === 'quality') return qualityCommand(rest);
  if (command === 'alerts') return alertsCommand(rest);
  if (command === 'compact') return compactCommand(rest);
  if (command === 'reconcile') return reconcileCommand(rest);
  if (command === 'topic') return topicCommand(rest);
  console.error(`unknown command ${command ?? '(none)'}\n${USAGE}`);
  process.exitCode = 2;
}

main().catch((err) => {
  const info = toErrorInfo(err);
  console.error(`retail-pulse: ${info.message}${info.field ? ` (field: ${info.field})` : ''}`);
  process.exitCode = info.code === 'config_invalid' ? 2 : 1;
});
