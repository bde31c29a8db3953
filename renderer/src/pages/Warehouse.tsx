import { useCallback, useEffect, useState } from 'react';
import type { QueryPreset, QueryResult } from '../../../engine/contract';
import { baseOption, Chart, setPoints, type ChartInstance } from '../components/Chart';
import { chartColumns, downloadCsv } from '../components/csv';
import { Grid } from '../components/Grid';
import { useAct, useCtx } from '../context';

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
  const { api } = useCtx();
  const act = useAct();
  const [presets, setPresets] = useState<QueryPreset[]>([]);
  const [sql, setSql] = useState('SELECT count(*) AS fact_rows, round(sum(line_amount), 2) AS revenue FROM fact_sales');
  const [running, setRunning] = useState<string | null>(null);
  const [result, setResult] = useState<QueryResult | null>(null);
  const [elapsed, setElapsed] = useState<number | null>(null);
  const [name, setName] = useState('query');

  useEffect(() => void act(api.call('warehouse.presets', {}), 'warehouse').then((p) => p && setPresets(p)), []);

  const run = async (text: string, label: string) => {
    const queryId = `ui-${Date.now()}`;
    setRunning(queryId);
    setName(label);
    const started = performance.now();
    const r = await act(api.call('warehouse.query', { sql: text, queryId }), 'warehouse');
    setRunning((cur) => (cur === queryId ? null : cur));
    if (r) {
      setResult(r);
      setElapsed(performance.now() - started);
    }
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
        <button
          onClick={() =>
            running &&
            void act(api.call('warehouse.cancel', { queryId: running }), 'warehouse').then(() => setRunning(null))
          }
          disabled={running === null}
        >
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
        {!running && elapsed !== null && (
          <span className="muted" role="status">
            {Math.round(elapsed)} ms
          </span>
        )}
      </div>
      <p className="muted">Read-only transaction; PostgreSQL also stops a statement after its timeout.</p>
      {result && (
        <>
          <ResultChart result={result} />
          <Grid label="Query results" result={result} />
        </>
      )}
    </div>
  );
}
