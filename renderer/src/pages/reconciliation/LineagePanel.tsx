import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useStore } from 'zustand';
import type { Lineage, LineageSale } from '../../../../engine/contract';
import { ErrorNote } from '../../components/ErrorNote';
import { useCtx, usePlace, useTimeFormat, useUi, type TimeFormat } from '../../context';
import { formatDuration, formatMoney, formatNumber, parseDateTime } from '../../format';
import { setReconcile } from '../../store/reconcileState';

const NO_NAMES: Record<string, string> = {};

/** A raw record as it came, pretty-printed when it is JSON (a malformed one is shown as it is). */
function pretty(value: string): string {
  try {
    return JSON.stringify(JSON.parse(value), null, 2);
  } catch {
    return value;
  }
}

/**
 * Lineage: a store and a minute (from a point on a Live chart, or typed here) down to its sales in
 * silver and the raw record of each in bronze (partition, offset, the file that holds it).
 */
export function LineagePanel() {
  const { api, live, ui } = useCtx();
  const time = useTimeFormat();
  const page = useUi((s) => s.reconcile);
  const place = usePlace('reconcile.lineage');
  const { run } = place;
  const names = useStore(live, (s) => s.range?.names.stores ?? s.snapshot?.names.stores ?? NO_NAMES);
  const [store, setStore] = useState(page.trace ? String(page.trace.storeId) : '');
  const [minute, setMinute] = useState(page.trace ? time.dateTime(page.trace.minute).slice(0, 16) : '');
  // A new trace (from the Live page) fills the form, during render as React advises, not in an effect.
  const [formFor, setFormFor] = useState(page.trace);
  if (page.trace !== formFor) {
    setFormFor(page.trace);
    if (page.trace) {
      setStore(String(page.trace.storeId));
      setMinute(time.dateTime(page.trace.minute).slice(0, 16));
    }
  }

  const trace = useCallback(
    (storeId: number, at: number) => {
      const current = ui.getState().reconcile.trace;
      const same = current?.storeId === storeId && current.minute === at;
      setReconcile(ui, { ...(same ? {} : { trace: { storeId, minute: at } }), tracing: true });
      void run(api.call('lineage.minute', { storeId, minute: at, limit: 50 })).then((lineage) =>
        setReconcile(ui, { tracing: false, ...(lineage ? { lineage, open: [] } : {}) }),
      );
    },
    [api, ui, run],
  );
  // A trace asked for from the Live page (or kept from before) that has no answer yet: read it.
  useEffect(() => {
    const { trace: t, lineage: l, tracing } = ui.getState().reconcile;
    if (t && !tracing && (!l || l.storeId !== t.storeId || l.minute !== t.minute)) trace(t.storeId, t.minute);
  }, [page.trace, ui, trace]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const at = parseDateTime(minute, time.zone);
    const id = Number(store);
    if (store.trim() === '' || !Number.isInteger(id) || id < 0)
      return void place.run(Promise.reject(new Error('choose a store')));
    if (at === null)
      return void place.run(
        Promise.reject(new Error(`type the minute as YYYY-MM-DD HH:MM in ${time.label}, e.g. 2026-03-01 10:15`)),
      );
    trace(id, at - (at % 60_000));
  };
  const stores = Object.entries(names).sort((a, b) => Number(a[0]) - Number(b[0]));
  return (
    <section aria-labelledby="lineage-title">
      <h3 id="lineage-title">Lineage</h3>
      <form className="toolbar" onSubmit={submit} aria-label="Trace a store's minute">
        <label>
          Store{' '}
          {stores.length ? (
            <select aria-label="Lineage store" value={store} onChange={(e) => setStore(e.target.value)}>
              <option value="">choose…</option>
              {stores.map(([id, name]) => (
                <option key={id} value={id}>
                  {name}
                </option>
              ))}
            </select>
          ) : (
            <input
              aria-label="Lineage store"
              className="narrow"
              inputMode="numeric"
              value={store}
              onChange={(e) => setStore(e.target.value)}
            />
          )}
        </label>
        <label>
          Minute ({time.label}){' '}
          <input
            aria-label="Lineage minute"
            placeholder="YYYY-MM-DD HH:MM"
            value={minute}
            onChange={(e) => setMinute(e.target.value)}
            aria-invalid={place.error ? true : undefined}
            aria-describedby={place.error ? 'lineage-error' : undefined}
          />
        </label>
        <button type="submit" disabled={page.tracing}>
          {page.tracing ? 'Tracing…' : 'Trace'}
        </button>
      </form>
      <ErrorNote error={place.error} id="lineage-error" />
      {page.lineage && <LineageResult l={page.lineage} time={time} />}
    </section>
  );
}

function LineageResult({ l, time }: { l: Lineage; time: TimeFormat }) {
  const { ui } = useCtx();
  const open = useUi((s) => s.reconcile.open);
  const toggle = (id: string) =>
    setReconcile(ui, { open: open.includes(id) ? open.filter((x) => x !== id) : [...open, id] });
  return (
    <div aria-label="Lineage result" role="region">
      <p role="status" aria-label="Lineage summary">
        <strong>{l.storeName ?? `Store ${l.storeId}`}</strong>, {time.dateTime(l.minute).slice(0, 16)}: silver holds{' '}
        {formatNumber(l.silver.sales)} sales, {formatNumber(l.silver.lines)} lines, {formatMoney(l.silver.revenue)} in{' '}
        {formatNumber(l.silver.files)} file{l.silver.files === 1 ? '' : 's'}; the live window{' '}
        {l.window
          ? `counted ${formatNumber(l.window.transactions)} sales, ${formatMoney(l.window.revenue)}`
          : 'holds nothing for it'}
        . Traced in {formatDuration(l.tookMs)}.
      </p>
      {l.notes.map((n) => (
        <p key={n} className="muted">
          {n}
        </p>
      ))}
      {l.sales.length > 0 && (
        <div className="grid-wrap" role="region" aria-label="Sales and their records" tabIndex={0}>
          <table className="grid lineage">
            <thead>
              <tr>
                <th scope="col">event time</th>
                <th scope="col">transaction</th>
                <th scope="col" className="num">
                  total
                </th>
                <th scope="col" className="num">
                  lines
                </th>
                <th scope="col">came by</th>
                <th scope="col" className="num">
                  partition
                </th>
                <th scope="col" className="num">
                  offset
                </th>
                <th scope="col">records</th>
              </tr>
            </thead>
            <tbody>
              {l.sales.flatMap((s) => {
                const id = `${s.partition}:${s.offset}`;
                const shown = open.includes(id);
                return [
                  <tr key={id}>
                    <td>{time.dateTime(s.eventTime)}</td>
                    <td>{s.transactionId}</td>
                    <td className="num">{formatMoney(s.total)}</td>
                    <td className="num">{formatNumber(s.lines.length)}</td>
                    <td>{s.origin}</td>
                    <td className="num">{formatNumber(s.partition)}</td>
                    <td className="num">{formatNumber(s.offset)}</td>
                    <td>
                      <button
                        className="link"
                        aria-expanded={shown}
                        aria-controls={`records-${id}`}
                        onClick={() => toggle(id)}
                      >
                        {shown ? 'Hide' : 'Show'} records of {s.transactionId.slice(0, 8)}
                      </button>
                    </td>
                  </tr>,
                  ...(shown
                    ? [
                        <tr key={`${id}-records`} id={`records-${id}`}>
                          <td colSpan={8}>
                            <Records s={s} time={time} />
                          </td>
                        </tr>,
                      ]
                    : []),
                ];
              })}
            </tbody>
          </table>
          <p className="muted">
            {formatNumber(l.sales.length)} of {formatNumber(l.silver.sales)} sales shown, oldest first
            {l.more ? ' (the CLI takes --limit up to 500)' : ''}
          </p>
        </div>
      )}
    </div>
  );
}

function Records({ s, time }: { s: LineageSale; time: TimeFormat }) {
  return (
    <div className="lineage-records">
      <p>
        <strong>Silver</strong> {s.silverFile}, written {time.dateTime(s.ingestedAt)}:
      </p>
      <ul>
        {s.lines.map((x) => (
          <li key={x.lineNo}>
            line {x.lineNo}: {formatNumber(x.quantity)} × {x.productName} ({x.category}) at {formatMoney(x.unitPrice)} ={' '}
            {formatMoney(x.amount)}
          </li>
        ))}
      </ul>
      {s.bronze ? (
        <>
          <p>
            <strong>Bronze</strong> {s.bronze.file}, partition {s.partition} offset {formatNumber(s.offset)}, key{' '}
            {s.bronze.key ?? '(none)'}, arrived {time.dateTime(s.bronze.brokerTime)}:
          </p>
          <pre className="raw-record">{pretty(s.bronze.value)}</pre>
        </>
      ) : (
        <p className="error-text">
          bronze no longer holds partition {s.partition} offset {s.offset}
        </p>
      )}
    </div>
  );
}
