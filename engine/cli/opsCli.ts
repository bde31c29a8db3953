/**
 * The operator views in a terminal, over the same contract calls as the app:
 *   npm run etl -- runs|log RUN_ID|run|rerun RUN_ID|schedule [EXPR|off] [--every N] [--zone Z]
 *   npm run quality -- [--from T] [--to T] [--bucket MINUTES] | record PARTITION OFFSET
 *   npm run alerts -- list|ack [ID]|rules|check
 * plus the service flags of `pipeline` and --json. The app holds its data dir while it runs: these
 * work on a data dir no app has open (the schedule set here is the one the app starts with).
 */
import { parseArgs } from 'node:util';
import { configFromFlags, SERVICE_FLAGS } from '../cliConfig';
import type { Alert, AlertRulesView, EtlRunView, QualityStats, ValidationRule } from '../contract';
import { PulseError } from '../errors';
import { describeRule } from '../alerts/alertRules';
import { Host } from '../host';
import { parseTimestampUs } from '../model/timestamp';

export const ETL_USAGE = `usage: npm run etl -- runs [--limit N] | log RUN_ID | run | rerun RUN_ID
       | schedule [EXPR | off] [--every MINUTES] [--zone IANA] [--json] [service flags as for pipeline]
  runs      the ETL runs, newest first: what started each, status, files, lines, duration
  log       one run's log and the silver files it loaded
  run       runs the ETL now; rerun: runs it again as a rerun of RUN_ID (it loads what is not loaded yet)
  schedule  shows the schedule; EXPR sets it ("*/15 * * * *", "every 15 minutes", "daily at 02:30", @hourly),
            read in --zone (default this computer's); --every N: every N minutes; off: no schedule`;
export const QUALITY_USAGE = `usage: npm run quality -- [--from T] [--to T] [--bucket MINUTES] [--json] | record PARTITION OFFSET
  every validation rule with its reason code and the records it refused between --from and --to
  (arrival time, ISO-8601, UTC when no zone; default the last hour), of all records that arrived;
  record: one quarantined record, its raw value whole`;
export const ALERTS_USAGE = `usage: npm run alerts -- list | ack [ALERT_ID] | rules | check [--json]
  list: the alerts, newest first; ack: acknowledge one (or all); rules: each rule and its state now;
  check: evaluate every rule now (probing the services)`;

const FLAGS = {
  ...SERVICE_FLAGS,
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', default: false },
  limit: { type: 'string' },
  every: { type: 'string' },
  zone: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  bucket: { type: 'string' },
} as const;

const n = (x: number): string => x.toLocaleString('en-US');
const pct = (x: number, of: number): string => (of ? `${((x / of) * 100).toFixed(2)}%` : '-');
const time = (ms: number | null): string => (ms === null ? '-' : new Date(ms).toISOString());

function parse(argv: string[]) {
  return parseArgs({ args: argv, allowPositionals: true, options: FLAGS, strict: true });
}

function whole(text: string | undefined, field: string): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (!Number.isInteger(v) || v < 0)
    throw new PulseError('config_invalid', `--${field} ${text}: a whole number`, { field });
  return v;
}

function when(text: string | undefined, field: string): number | undefined {
  if (text === undefined) return undefined;
  const us = parseTimestampUs(text);
  if (Number.isNaN(us))
    throw new PulseError('config_invalid', `--${field} ${text}: use ISO-8601, e.g. 2026-11-29T07:00:00Z`, { field });
  return Math.floor(us / 1000);
}

async function withHost<T>(values: Record<string, unknown>, work: (h: Host) => Promise<T>): Promise<T> {
  const host = await Host.open(configFromFlags(values));
  try {
    return await work(host);
  } finally {
    await host.close();
  }
}

const print = (json: boolean, value: unknown, text: () => string) => console.log(json ? JSON.stringify(value) : text());

export async function etlCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse(argv);
  const [action, arg] = positionals;
  if (values.help) return void console.log(ETL_USAGE);
  if (!['runs', 'log', 'run', 'rerun', 'schedule'].includes(action ?? ''))
    throw new PulseError('config_invalid', `say runs, log, run, rerun or schedule\n${ETL_USAGE}`, { field: 'action' });
  await withHost(values, async (h) => {
    if (action === 'runs') {
      const runs = await h.call('etl.runs', { limit: whole(values.limit, 'limit') ?? 20 });
      print(values.json, runs, () => runs.map(formatRun).join('\n') || 'no ETL runs yet');
    } else if (action === 'log' || action === 'rerun') {
      if (!arg)
        throw new PulseError('config_invalid', `${action} needs a run id (see: npm run etl -- runs)`, {
          field: 'runId',
        });
      if (action === 'rerun') {
        const r = await h.call('etl.rerun', { runId: arg });
        print(values.json, r, () => `${r.runId} ${r.status}: ${n(r.files)} files, ${n(r.rowsInserted)} lines inserted`);
      } else {
        const d = await h.call('etl.runLog', { runId: arg });
        print(values.json, d, () =>
          [
            formatRun(d.run),
            ...d.log.map((l) => `  ${time(l.at)} ${l.level === 'error' ? 'ERROR ' : ''}${l.message}`),
            ...d.files.map((f) => `  loaded ${f.key} (${n(f.rows)} lines)`),
          ].join('\n'),
        );
      }
    } else if (action === 'run') {
      const r = await h.call('etl.run', {});
      print(values.json, r, () => `${r.runId} ${r.status}: ${n(r.files)} files, ${n(r.rowsInserted)} lines inserted`);
    } else {
      const every = whole(values.every, 'every');
      const q =
        arg === 'off'
          ? { cron: null }
          : arg !== undefined
            ? { cron: arg, ...(values.zone ? { timeZone: values.zone } : {}) }
            : every !== undefined
              ? { everyMinutes: every }
              : {};
      const s = await h.call('etl.schedule', q);
      print(values.json, s, () =>
        s.description
          ? `ETL ${s.description}${s.timeZone ? ` (${s.timeZone})` : ''}; next run ${time(s.nextRunAt)} while the app runs`
          : `no ETL schedule${s.problem ? ` (${s.problem})` : ''}`,
      );
    }
  });
}

function formatRun(r: EtlRunView): string {
  return `${r.runId}  ${r.status.padEnd(11)} ${r.trigger.padEnd(9)} ${time(r.startedAt)}  ${n(r.files)} files, ${n(r.rowsInserted)} lines${
    r.durationMs === null ? '' : `, ${(r.durationMs / 1000).toFixed(1)} s`
  }${r.rerunOf ? `, rerun of ${r.rerunOf}` : ''}${r.error ? `\n  ${r.error}` : ''}`;
}

export async function qualityCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse(argv);
  if (values.help) return void console.log(QUALITY_USAGE);
  if (positionals[0] === 'record') {
    const partition = whole(positionals[1], 'partition');
    const offset = whole(positionals[2], 'offset');
    if (partition === undefined || offset === undefined)
      throw new PulseError('config_invalid', `record needs PARTITION OFFSET\n${QUALITY_USAGE}`, { field: 'offset' });
    const r = await withHost(values, (h) => h.call('quarantine.record', { partition, offset }));
    return print(
      values.json,
      r,
      () => `${r.file} p${r.partition}@${r.offset} ${r.brokerTime} ${r.reason}: ${r.detail ?? ''}\n${r.raw}`,
    );
  }
  if (positionals.length) throw new PulseError('config_invalid', QUALITY_USAGE, { field: 'action' });
  const q = {
    from: when(values.from, 'from'),
    to: when(values.to, 'to'),
    bucketMinutes: whole(values.bucket, 'bucket'),
  };
  const [rules, stats] = await withHost(
    values,
    async (h) => [await h.call('quality.rules', {}), await h.call('quality.stats', q)] as const,
  );
  print(values.json, { rules, stats }, () => formatQuality(rules, stats));
}

function formatQuality(rules: ValidationRule[], s: QualityStats): string {
  const t = s.totals;
  const width = Math.max(...rules.map((r) => r.code.length));
  return [
    `${time(s.from)} to ${time(s.to)}: ${n(t.records)} records arrived, ${n(t.quarantined)} quarantined (${pct(t.quarantined, t.records)}); all time ${n(s.allTime.records)} / ${n(s.allTime.quarantined)}`,
    ...rules.map(
      (r) =>
        `${r.code.padEnd(width)}  ${n(t.byReason[r.code] ?? 0).padStart(9)}  ${pct(t.byReason[r.code] ?? 0, t.records).padStart(7)}  all time ${n(s.allTime.byReason[r.code] ?? 0)}  ${r.title}`,
    ),
  ].join('\n');
}

export async function alertsCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse(argv);
  const [action, id] = positionals;
  if (values.help) return void console.log(ALERTS_USAGE);
  if (!['list', 'ack', 'rules', 'check'].includes(action ?? ''))
    throw new PulseError('config_invalid', `say list, ack, rules or check\n${ALERTS_USAGE}`, { field: 'action' });
  await withHost(values, async (h) => {
    if (action === 'list' || action === 'ack') {
      const l =
        action === 'ack' ? await h.call('alerts.acknowledge', id ? { id } : {}) : await h.call('alerts.list', {});
      print(values.json, l, () => [`${n(l.unacknowledged)} not acknowledged`, ...l.alerts.map(formatAlert)].join('\n'));
    } else {
      const v = action === 'check' ? await h.call('alerts.check', {}) : await h.call('alerts.rules', {});
      print(values.json, v, () => formatRules(v));
    }
  });
}

function formatAlert(a: Alert): string {
  const state = a.resolvedAt === null ? 'OPEN    ' : 'resolved';
  return `${a.id}  ${state} ${a.acknowledgedAt === null ? 'new ' : 'ack '} ${time(a.firedAt)}  ${a.name}: ${a.message}`;
}

function formatRules(v: AlertRulesView): string {
  return v.rules
    .map((r) => {
      const s = v.states.find((x) => x.ruleId === r.id);
      return `${r.id.padEnd(20)} ${(s?.state ?? '-').padEnd(8)} ${r.name}: ${describeRule(r)}${s ? `\n${' '.repeat(30)}${s.summary}` : ''}`;
    })
    .join('\n');
}
