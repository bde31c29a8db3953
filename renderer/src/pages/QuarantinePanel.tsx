import { useState } from 'react';
import type { QuarantineListing, QuarantineQuery, ReplayResult } from '../../../engine/contract';
import { Grid } from '../components/Grid';
import { useAct, useCtx } from '../context';
import { useHostQuery } from '../hostQuery';

const count = (n: number) => n.toLocaleString('en-US');
const money = (n: number) => n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

const clean = (q: QuarantineQuery): QuarantineQuery =>
  Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined && v !== '')) as QuarantineQuery;

/** Quarantined records with their latest reason and where replays took them; replay by reason and time. */
export function QuarantinePanel() {
  const { api } = useCtx();
  const act = useAct();
  const [filter, setFilter] = useState<QuarantineQuery>({});
  const [replay, setReplay] = useState<ReplayResult | null>(null);
  const [busy, setBusy] = useState(false);

  // The filter the list was asked with: it applies when the user says so (Show), not at each keystroke.
  const [shown, setShown] = useState<QuarantineQuery>({});
  const query = (): QuarantineQuery => clean(filter);
  const listed = useHostQuery((host) => host.call('quarantine.list', { ...clean(shown), limit: 500 }), [shown], {
    source: 'quarantine',
  });
  const listing: QuarantineListing | null = listed.data ?? null;

  const runReplay = async () => {
    setBusy(true);
    // A replay takes open records only: the state filter is for the list.
    const open = { ...query(), state: undefined };
    const r = await act(api.call('quarantine.replay', open), 'quarantine replay');
    setBusy(false);
    if (r) setReplay(r);
    setShown({ ...filter }); // read again, with the filter the replay took
  };
  const set = (k: keyof QuarantineQuery) => (e: { target: { value: string } }) =>
    setFilter((f) => ({ ...f, [k]: e.target.value }));

  return (
    <section aria-label="Quarantine">
      {listing && (
        <p>
          {count(listing.total)} quarantined: {count(listing.open)} open
          {Object.keys(listing.byReason).length > 0 &&
            ` (${Object.entries(listing.byReason)
              .map(([r, n]) => `${r} ${count(n)}`)
              .join(', ')})`}
          , {count(listing.replayed)} replayed into silver.
        </p>
      )}
      <div className="toolbar">
        <label>
          Reason{' '}
          <select value={filter.reason ?? ''} onChange={set('reason')} aria-label="Quarantine reason">
            <option value="">any</option>
            {Object.keys(listing?.byReason ?? {}).map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
        <label>
          Arrived from{' '}
          <input value={filter.from ?? ''} onChange={set('from')} placeholder="2026-11-29T07:00Z" aria-label="From" />
        </label>
        <label>
          to <input value={filter.to ?? ''} onChange={set('to')} placeholder="(now)" aria-label="To" />
        </label>
        <label>
          State{' '}
          <select value={filter.state ?? ''} onChange={set('state')} aria-label="Quarantine state">
            <option value="">any</option>
            <option value="open">open</option>
            <option value="replayed">replayed</option>
          </select>
        </label>
        <button onClick={() => setShown({ ...filter })}>Show</button>
        <button onClick={() => void runReplay()} disabled={busy || !listing?.open}>
          {busy ? 'Replaying…' : 'Replay open records'}
        </button>
      </div>
      <p className="muted">
        A replay validates the open records that match again, with today's rules and the catalog in force: the now-valid
        go to silver and the warehouse once, keeping their event time and offset; the rest stay with their new reason.
      </p>
      {replay && (
        <p role="status">
          Replay {replay.replayId}: {count(replay.candidates)} validated again; {count(replay.toSilver)} to silver (
          {count(replay.lines)} lines, {money(replay.revenue)} EGP), {count(replay.stillQuarantined)} with a new reason,{' '}
          {count(replay.unchanged)} unchanged.
          {replay.etl && ` ETL ${replay.etl.status}: ${count(replay.etl.rowsInserted)} rows into the warehouse.`}
        </p>
      )}
      {listing ? (
        <Grid
          label="Quarantine records"
          result={{
            columns: [
              'arrived',
              'partition@offset',
              'transaction',
              'state',
              'reason',
              'was',
              'replayed at',
              'went to',
              'detail',
            ],
            rows: listing.rows.map((r) => [
              new Date(r.brokerTime).toLocaleString(),
              `${r.partition}@${r.offset}`,
              r.transactionId,
              r.state,
              r.reason,
              r.reason === r.originalReason ? null : r.originalReason,
              r.replayedAt && new Date(r.replayedAt).toLocaleString(),
              r.wentTo && r.wentTo.replace(/^silver\/sales_lines\//, ''),
              r.detail,
            ]),
          }}
        />
      ) : (
        <p className="muted">Loading…</p>
      )}
      {listing && listing.matching > listing.rows.length && (
        <p className="muted">
          {count(listing.matching)} match; the first {count(listing.rows.length)} are shown.
        </p>
      )}
    </section>
  );
}
