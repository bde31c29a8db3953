import { useCallback, useEffect, useRef, useState } from 'react';
import type { QueryPreset, QueryResult } from '../../../engine/contract';
import { baseOption, Chart, setPoints, type ChartInstance } from '../components/Chart';
import { chartColumns, downloadCsv } from '../components/csv';
import { Grid } from '../components/Grid';
import { useAct, useCtx } from '../context';
import { pushError } from '../store/appStore';

function ResultChart({ result }: { result: QueryResult }) {
  const attach = useCallback(
    (chart: ChartInstance, el: HTMLElement) => {
      const cols = chartColumns(result);
      if (cols) {
        const rows = result.rows.slice(0, 50);
        chart.setOption(
          baseOption({
            xAxis: { type: 'category', data: rows.map((r) => String(r[cols.label])), axisLabel: { rotate: 30 } },
            yAxis: { type: 'value', name: result.columns[cols.value] },
            series: [{ type: 'bar', data: rows.map((r) => Number(r[cols.value])) }],
          }),
        );
        setPoints(el, rows.length);
      }
      return () => undefined;
    },
    [result],
  );
  if (!chartColumns(result)) return null;
  return <Chart label="Chart of the query result" attach={attach} />;
}

/** Preset star-schema questions and a SQL editor: read-only, time-limited, cancellable. */
export function Warehouse() {
  const { api, app } = useCtx();
  const act = useAct();
  const [presets, setPresets] = useState<QueryPreset[]>([]);
  const [sql, setSql] = useState('SELECT count(*) AS fact_rows, round(sum(line_amount), 2) AS revenue FROM fact_sales');
  const [running, setRunning] = useState<string | null>(null);
  const [result, setResult] = useState<QueryResult | null>(null);
  const [outcome, setOutcome] = useState<string | null>(null);
  const [name, setName] = useState('query');
  /** Queries the user asked to cancel: their failure is the cancel, not an error. */
  const cancelRequested = useRef(new Set<string>());

  useEffect(() => void act(api.call('warehouse.presets', {}), 'warehouse').then((p) => p && setPresets(p)), []);

  const run = async (text: string, label: string) => {
    const queryId = `ui-${Date.now()}`;
    setRunning(queryId);
    setName(label);
    setOutcome(null);
    const started = performance.now();
    try {
      setResult(await api.call('warehouse.query', { sql: text, queryId }));
      setOutcome(`${Math.round(performance.now() - started)} ms`);
    } catch (err) {
      const e = err as { code?: string; message: string };
      if (e.code === 'cancelled' || (cancelRequested.current.has(queryId) && /cancelled/.test(e.message)))
        setOutcome('cancelled');
      else pushError(app, 'warehouse', e.message);
    } finally {
      cancelRequested.current.delete(queryId);
      setRunning((cur) => (cur === queryId ? null : cur));
    }
  };

  const cancel = (queryId: string) => {
    cancelRequested.current.add(queryId);
    void act(api.call('warehouse.cancel', { queryId }), 'warehouse');
  };

  return (
    <div className="page">
      <h2>Warehouse</h2>
      <section aria-label="Preset questions" className="presets">
        {presets.map((p) => (
          <button
            key={p.id}
            onClick={() => {
              setSql(p.sql);
              void run(p.sql, p.id);
            }}
          >
            {p.title}
          </button>
        ))}
      </section>
      <textarea
        aria-label="Warehouse SQL"
        value={sql}
        onChange={(e) => setSql(e.target.value)}
        rows={7}
        spellCheck={false}
      />
      <div className="toolbar">
        <button onClick={() => void run(sql, 'query')} disabled={running !== null}>
          Run query
        </button>
        <button onClick={() => running && cancel(running)} disabled={running === null}>
          Cancel
        </button>
        <button onClick={() => result && downloadCsv(result, `${name}.csv`)} disabled={!result}>
          Export CSV
        </button>
        {running && (
          <span className="muted" role="status">
            running…
          </span>
        )}
        {!running && outcome !== null && (
          <span className="muted" role="status">
            {outcome}
          </span>
        )}
      </div>
      <p className="muted">
        One reading statement (SELECT, WITH, VALUES, TABLE, EXPLAIN), run as a read-only role; stopped after 30 s.
      </p>
      {result && (
        <>
          <ResultChart result={result} />
          <Grid label="Query results" result={result} />
        </>
      )}
    </div>
  );
}
