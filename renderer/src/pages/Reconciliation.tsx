import type { ReconcileCheck, ReconciliationReport } from '../../../engine/contract';
import { ErrorNote } from '../components/ErrorNote';
import { useCtx, usePlace, useTimeFormat, useUi, type TimeFormat } from '../context';
import { formatDuration, formatMoney, formatNumber } from '../format';
import { useHostQuery } from '../hostQuery';
import { setReconcile } from '../store/reconcileState';
import { LineagePanel } from './reconciliation/LineagePanel';
import './reconciliation/reconciliation.css';

const LAYER_NAMES: Record<string, string> = {
  log: 'Produced (log)',
  bronze: 'Bronze',
  silver: 'Silver',
  quarantine: 'Quarantine',
  warehouse: 'Warehouse',
  windows: 'Live windows',
};
const STATE_WORDS: Record<ReconcileCheck['state'], string> = {
  ok: 'holds',
  explained: 'explained',
  unexplained: 'not explained',
  unavailable: 'unavailable',
};

/**
 * Reconciliation and lineage: every layer side by side from durable state, where each figure is
 * read from, the ETL backlog and freshness, each check with its difference explained, per partition;
 * then a store's minute traced down to silver rows and raw bronze records.
 */
export function Reconciliation() {
  const { ui } = useCtx();
  const time = useTimeFormat();
  const page = useUi((s) => s.reconcile);
  const place = usePlace('reconcile.report');
  // Read on opening and on Refresh; the last report stays in the store while the app runs.
  const reading = useHostQuery((host) => host.call('reconcile.report', {}), [], {
    place: 'reconcile.report',
    onData: (report) => setReconcile(ui, { report }),
  });
  const loading = reading.loading;
  const refresh = () => void reading.refresh();
  const r = page.report;
  return (
    <div className="page reconciliation">
      <h2>Reconciliation</h2>
      <p className="muted">
        Every layer read from durable state: the log&apos;s offsets, the lake&apos;s Parquet footers and checkpoint, the
        warehouse&apos;s tables and load manifest; the live windows from the metrics store. Nothing replays the log.
        Times in {time.label}.
      </p>
      <div className="toolbar">
        <button onClick={refresh} disabled={loading}>
          {loading ? 'Reading…' : 'Refresh'}
        </button>
        <span className="muted" role="status" aria-label="Report status">
          {r ? `read at ${time.time(r.at)} in ${formatDuration(r.tookMs)}` : loading ? 'reading…' : ''}
        </span>
      </div>
      <ErrorNote error={place.error} />
      {r && <Report r={r} time={time} />}
      <LineagePanel />
    </div>
  );
}

function Report({ r, time }: { r: ReconciliationReport; time: TimeFormat }) {
  const money = (v: number | null) => (v === null ? '–' : formatMoney(v));
  return (
    <>
      <h3>Layers side by side</h3>
      <div className="grid-wrap" role="region" aria-label="Layers side by side" tabIndex={0}>
        <table className="grid" aria-label="Layers side by side">
          <thead>
            <tr>
              <th scope="col">layer</th>
              <th scope="col" className="num">
                records / sales
              </th>
              <th scope="col" className="num">
                lines
              </th>
              <th scope="col" className="num">
                revenue
              </th>
              <th scope="col" className="num">
                files
              </th>
              <th scope="col">newest</th>
              <th scope="col">read from</th>
            </tr>
          </thead>
          <tbody>
            {r.layers.map((l) => (
              <tr key={l.layer}>
                <th scope="row">{LAYER_NAMES[l.layer]}</th>
                <td className="num">{l.error ? 'unavailable' : formatNumber(l.records)}</td>
                <td className="num">{formatNumber(l.lines)}</td>
                <td className="num">{money(l.revenue)}</td>
                <td className="num">{formatNumber(l.files)}</td>
                <td>
                  {l.newest === null
                    ? '–'
                    : `${time.dateTime(l.newest)} (${l.newestOf === 'event' ? 'event' : 'arrival'})`}
                </td>
                <td className="wrap">
                  {l.error ? <span className="error-text">{l.error.message}</span> : l.from}
                  {l.note && <span className="muted"> · {l.note}</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p role="status" aria-label="ETL backlog">
        <strong>ETL backlog: </strong>
        {r.backlog
          ? r.backlog.files
            ? `${formatNumber(r.backlog.files)} silver files, ${formatNumber(r.backlog.lines)} lines, ${formatMoney(r.backlog.revenue)} not loaded yet (${r.backlog.etlRunning ? 'an ETL run is loading them' : 'the next ETL run loads them'})`
            : 'none: the warehouse holds every silver file'
          : 'unknown: the warehouse did not answer'}
        {r.streamRunning ? '' : ' · the stream is stopped'}
      </p>
      <h3>Checks</h3>
      <ul className="recon-checks" aria-label="Checks">
        {r.checks.map((c) => (
          <Check key={c.id} c={c} />
        ))}
      </ul>
      <h3>Per partition</h3>
      <div className="grid-wrap" role="region" aria-label="Per partition" tabIndex={0}>
        <table className="grid" aria-label="Per partition">
          <thead>
            <tr>
              {['partition', 'log earliest', 'log end', 'lake checkpoint', 'bronze', 'not yet read', 'in flight'].map(
                (c) => (
                  <th key={c} scope="col" className={c === 'partition' ? undefined : 'num'}>
                    {c}
                  </th>
                ),
              )}
              <th scope="col">windows count from</th>
              <th scope="col">missing from bronze</th>
            </tr>
          </thead>
          <tbody>
            {r.partitions.map((p) => (
              <tr key={p.partition}>
                <th scope="row">{p.partition}</th>
                <td className="num">{formatNumber(p.earliest)}</td>
                <td className="num">{formatNumber(p.end)}</td>
                <td className="num">{formatNumber(p.lake)}</td>
                <td className="num">{formatNumber(p.bronze)}</td>
                <td className="num">{formatNumber(p.unread)}</td>
                <td className="num">{formatNumber(p.inFlight)}</td>
                <td>{p.windowsSince === null ? 'not counted' : `offset ${formatNumber(p.windowsSince)}`}</td>
                <td className="wrap">
                  {p.problem ??
                    (p.holes
                      .map(
                        (h) =>
                          `${formatNumber(h.from)}–${formatNumber(h.to)} (${formatNumber(h.records)}${h.retention ? ', retention' : ''})`,
                      )
                      .join(', ') ||
                      '–')}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

function Check({ c }: { c: ReconcileCheck }) {
  const fmt = (v: number) => (c.unit === 'EGP' ? formatMoney(v) : `${formatNumber(v)} ${c.unit}`);
  return (
    <li className={`recon-check state-${c.state}`} aria-label={`${c.title}: ${STATE_WORDS[c.state]}`}>
      <div>
        <span className="badge">{STATE_WORDS[c.state]}</span> <strong>{c.title}</strong>
      </div>
      {c.state !== 'unavailable' && (
        <div className="muted">
          {c.left.label} {fmt(c.left.value)} · {c.right.label} {fmt(c.right.value)}
          {c.difference ? ` · difference ${fmt(c.difference)}` : ''}
        </div>
      )}
      {c.explained.length > 0 && (
        <ul>
          {c.explained.map((e) => (
            <li key={e.kind}>
              <strong>{fmt(e.amount)}</strong>: {e.text}
            </li>
          ))}
        </ul>
      )}
      {c.unexplained !== 0 && <p className="error-text">{fmt(c.unexplained)} not explained</p>}
      {c.note && <p className={c.state === 'ok' || c.state === 'explained' ? 'muted' : 'error-text'}>{c.note}</p>}
    </li>
  );
}
