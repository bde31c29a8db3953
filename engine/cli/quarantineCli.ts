/**
 * npm run quarantine -- list|replay [--reason R] [--from T] [--to T] [--state open|replayed] [--limit N] [--json]
 * plus the service flags of `pipeline` (--data-dir, --kafka, --s3 …, --catalog).
 */
import { parseArgs } from 'node:util';
import { configFromFlags, SERVICE_FLAGS } from '../cliConfig';
import type { QuarantineListing, QuarantineQuery, ReplayResult } from '../contract';
import { PulseError } from '../errors';
import { Host } from '../host';

export const QUARANTINE_USAGE = `usage: npm run quarantine -- list|replay [--reason R] [--from T] [--to T] [--json]
       [--state open|replayed] [--limit N] [--data-dir DIR] [--catalog PATH] [service flags as for pipeline]
  list    quarantined records (oldest first) with their latest reason, and whether a replay moved them
  replay  validates the open ones again with today's rules and catalog: the now-valid go to silver and the
          warehouse once (an ETL run follows); the rest stay, with their new reason. T: ISO-8601, UTC when no zone.`;

export async function quarantineCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...SERVICE_FLAGS,
      reason: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      state: { type: 'string' },
      limit: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const [action] = positionals;
  if (values.help) return void console.log(QUARANTINE_USAGE);
  if (positionals.length !== 1 || (action !== 'list' && action !== 'replay'))
    throw new PulseError('config_invalid', `say list or replay\n${QUARANTINE_USAGE}`, { field: 'action' });
  const limit = values.limit === undefined ? 50 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 0)
    throw new PulseError('config_invalid', `--limit ${values.limit}: a whole number`, { field: 'limit' });
  if (values.state !== undefined && values.state !== 'open' && values.state !== 'replayed')
    throw new PulseError('config_invalid', `--state ${values.state}: open or replayed`, { field: 'state' });
  const query: QuarantineQuery = { reason: values.reason, from: values.from, to: values.to };
  const host = await Host.open(configFromFlags(values));
  try {
    if (action === 'list') {
      const listing = await host.call('quarantine.list', {
        ...query,
        state: values.state as QuarantineQuery['state'],
        limit,
      });
      console.log(values.json ? JSON.stringify(listing) : formatListing(listing));
    } else {
      if (values.state !== undefined)
        throw new PulseError('config_invalid', 'replay takes open records only: leave out --state', { field: 'state' });
      const result = await host.call('quarantine.replay', query);
      console.log(values.json ? JSON.stringify(result) : formatReplay(result));
    }
  } finally {
    await host.close();
  }
}

function formatListing(l: QuarantineListing): string {
  const reasons = Object.entries(l.byReason)
    .map(([r, n]) => `${r} ${n}`)
    .join(', ');
  const head = [
    `quarantined ${l.total}: open ${l.open}${reasons ? ` (${reasons})` : ''}, replayed into silver ${l.replayed}`,
    `matching ${l.matching}${l.rows.length < l.matching ? `, first ${l.rows.length} shown` : ''}`,
  ];
  const rows = l.rows.map(
    (r) =>
      `${r.brokerTime}  p${r.partition}@${r.offset}  ${r.transactionId ?? '-'}  ${
        r.state === 'replayed'
          ? `replayed ${r.replayedAt} → ${r.wentTo} (was ${r.originalReason})`
          : `${r.reason}${r.reason !== r.originalReason ? ` (was ${r.originalReason}, replayed ${r.replayedAt})` : ''}: ${r.detail ?? ''}`
      }`,
  );
  return [...head, ...rows].join('\n');
}

function formatReplay(r: ReplayResult): string {
  const reasons = Object.entries(r.byReason)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  return [
    `replay ${r.replayId} with catalog ${r.catalogVersion}: ${r.candidates} open record(s) validated again`,
    `  to silver: ${r.toSilver} sale(s), ${r.lines} line(s), ${r.revenue.toFixed(2)} EGP${r.silverFiles.length ? ` in ${r.silverFiles.join(', ')}` : ''}`,
    `  still quarantined with a new reason: ${r.stillQuarantined}${reasons ? ` (${reasons})` : ''}; unchanged: ${r.unchanged}`,
    r.etl
      ? `  etl ${r.etl.status}: ${r.etl.rowsInserted} row(s) into the warehouse${r.etl.error ? ` (${r.etl.error})` : ''}`
      : '  etl: nothing to load',
  ].join('\n');
}
