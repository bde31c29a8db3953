import { Fragment, useEffect, useState } from 'react';
import type { QuarantineQuery, QuarantineRecordView, ReplayResult } from '../../../../engine/contract';
import { useAct, useCtx, usePlace, useTimeFormat, useUi } from '../../context';
import { formatBytes, formatMoney, formatNumber } from '../../format';
import { RANGES, setOps, type QuarantineFilterState } from '../../store/opsState';
import { setLake } from '../../store/uiStore';
import { ErrorNote } from '../ErrorNote';

/** The raw value as it came, pretty-printed when it is JSON (a malformed one exactly as it is). */
export function prettyRaw(raw: string): string {
  try {
    return JSON.stringify(JSON.parse(raw), null, 2);
  } catch {
    return raw;
  }
}

function RecordDetail({ r }: { r: QuarantineRecordView }) {
  const time = useTimeFormat();
  return (
    <div className="record-detail">
      <p className="muted">
        {formatBytes(r.bytes)} · key {r.key ?? 'none'} · arrived {time.dateTime(r.brokerTime)} · catalog{' '}
        {r.catalogVersion ?? '–'} · in <code>{r.file}</code>
      </p>
      <pre className="raw-record" tabIndex={0} aria-label={`Raw record ${r.partition}@${r.offset}`}>
        {prettyRaw(r.raw)}
      </pre>
    </div>
  );
}

const toQuery = (f: QuarantineFilterState): QuarantineQuery => ({
  ...(f.reason ? { reason: f.reason } : {}),
  ...(f.from !== null ? { from: new Date(f.from).toISOString() } : {}),
  ...(f.to !== null ? { to: new Date(f.to).toISOString() } : {}),
  ...(f.state ? { state: f.state } : {}),
});

/**
 * Quarantined records by reason and arrival time, each one's raw value whole on request, and a
 * replay of the open ones that match (the same replay as Lake → Quarantine records).
 */
export function QuarantineRecords({ onReplayed }: { onReplayed: () => void }) {
  const { api, ui } = useCtx();
  const act = useAct();
  const recordPlace = usePlace('quality.record');
  const time = useTimeFormat();
  const q = useUi((s) => s.ops.quality);
  const { filter, listing, open, record } = q;
  const [replay, setReplay] = useState<ReplayResult | null>(null);
  const [busy, setBusy] = useState(false);

  const load = () =>
    act(api.call('quarantine.list', { ...toQuery(filter), limit: 200 }), 'quarantine').then(
      (l) => l && setOps(ui, 'quality', { listing: l }),
    );
  useEffect(() => void load(), [filter]);

  const set = (patch: Partial<QuarantineFilterState>) => setOps(ui, 'quality', { filter: { ...filter, ...patch } });
  const toggle = async (partition: number, offset: number) => {
    const key = `${partition}@${offset}`;
    if (open === key) return setOps(ui, 'quality', { open: null, record: null });
    setOps(ui, 'quality', { open: key, record: null });
    const r = await recordPlace.run(api.call('quarantine.record', { partition, offset }));
    if (r && ui.getState().ops.quality.open === key) setOps(ui, 'quality', { record: r });
  };
  const runReplay = async () => {
    setBusy(true);
    // A replay takes open records only: the state filter is for the list.
    const r = await act(api.call('quarantine.replay', toQuery({ ...filter, state: '' })), 'quarantine replay');
    setBusy(false);
    if (r) setReplay(r);
    await load();
    onReplayed();
  };
  const range = filter.from !== null && filter.to !== null;
  const inPageRange = range && filter.to! - filter.from! === RANGES[q.range];

  return (
    <section aria-labelledby="quarantine-records">
      <h3 id="quarantine-records">Quarantined records</h3>
      <div className="toolbar">
        <label>
          Reason{' '}
          <select
            value={filter.reason}
            onChange={(e) => set({ reason: e.target.value })}
            aria-label="Quarantine reason"
          >
            <option value="">any</option>
            {q.rules.map((r) => (
              <option key={r.code} value={r.code}>
                {r.code}
              </option>
            ))}
          </select>
        </label>
        <label>
          Arrived{' '}
          <select
            aria-label="Arrived"
            value={!range ? 'any' : inPageRange ? 'page' : 'bucket'}
            onChange={(e) =>
              e.target.value === 'any'
                ? set({ from: null, to: null })
                : set({ from: Date.now() - RANGES[q.range], to: Date.now() + 60_000 })
            }
          >
            <option value="any">any time</option>
            <option value="page">in the last {q.range}</option>
            {range && !inPageRange && (
              <option value="bucket">
                {time.dateTime(filter.from)} to {time.minute(filter.to!)}
              </option>
            )}
          </select>
        </label>
        <label>
          State{' '}
          <select
            value={filter.state}
            onChange={(e) => set({ state: e.target.value as QuarantineFilterState['state'] })}
            aria-label="Quarantine state"
          >
            <option value="">any</option>
            <option value="open">open</option>
            <option value="replayed">replayed</option>
          </select>
        </label>
        <button onClick={() => void load()}>Refresh records</button>
        <button onClick={() => void runReplay()} disabled={busy || !listing?.open}>
          {busy ? 'Replaying…' : 'Replay the open ones'}
        </button>
        <a href="#/lake" onClick={() => setLake(ui, { tab: 'quarantine' })}>
          Lake → Quarantine records
        </a>
      </div>
      {replay && (
        <p role="status">
          Replay {replay.replayId}: {formatNumber(replay.candidates)} validated again; {formatNumber(replay.toSilver)}{' '}
          to silver ({formatNumber(replay.lines)} lines, {formatMoney(replay.revenue)}),{' '}
          {formatNumber(replay.stillQuarantined)} with a new reason, {formatNumber(replay.unchanged)} unchanged.
        </p>
      )}
      {listing && (
        <p className="muted">
          {formatNumber(listing.matching)} match
          {listing.matching > listing.rows.length ? `; the first ${formatNumber(listing.rows.length)} are shown` : ''}.
          Times in {time.label}.
        </p>
      )}
      <ErrorNote error={recordPlace.error} />
      <div className="grid-wrap tall" role="region" aria-label="Quarantined records" tabIndex={0}>
        <table className="grid" aria-label="Quarantined records">
          <thead>
            <tr>
              {['arrived', 'partition@offset', 'transaction', 'reason', 'was', 'state', 'detail', ''].map((c) => (
                <th key={c} scope="col">
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {listing?.rows.map((r) => {
              const key = `${r.partition}@${r.offset}`;
              return (
                <Fragment key={key}>
                  <tr>
                    <td>{time.dateTime(r.brokerTime)}</td>
                    <td>{key}</td>
                    <td>{r.transactionId ?? '–'}</td>
                    <td>{r.reason ?? '–'}</td>
                    <td>{r.reason === r.originalReason ? '' : r.originalReason}</td>
                    <td>{r.state}</td>
                    <td title={r.detail ?? ''}>{r.detail}</td>
                    <td>
                      <button
                        className="link"
                        aria-expanded={open === key}
                        aria-label={`${open === key ? 'Hide' : 'Show'} raw record ${key}`}
                        onClick={() => void toggle(r.partition, r.offset)}
                      >
                        {open === key ? 'Hide' : 'Raw'}
                      </button>
                    </td>
                  </tr>
                  {open === key && (
                    <tr>
                      <td colSpan={8} className="wrap">
                        {record ? <RecordDetail r={record} /> : <span className="muted">Loading…</span>}
                      </td>
                    </tr>
                  )}
                </Fragment>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
