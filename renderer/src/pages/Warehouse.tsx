import type { EditorView } from '@codemirror/view';
import { useRef } from 'react';
import type { QueryPreset } from '../../../engine/contract';
import { downloadCsv } from '../components/csv';
import { ErrorNote } from '../components/ErrorNote';
import { Grid } from '../components/Grid';
import { ChartPicker, defaultChart, ResultChart } from '../components/ResultChart';
import { useAct, useCtx, usePlace, useUi } from '../context';
import { formatDuration } from '../format';
import { useHostQuery } from '../hostQuery';
import { PAGE_SIZE } from '../store/pageState';
import { setWarehouse } from '../store/uiStore';
import { errorInfo } from '../api/hostError';
import { PinChart } from '../components/sqlLab/PinChart';
import { insertAtCursor } from '../components/sqlLab/cursor';
import { SqlEditor } from '../components/sqlLab/LazySqlEditor';
import { SqlLabSide } from '../components/sqlLab/SqlLabSide';
import { useSqlLabLists } from '../components/sqlLab/useSqlLabLists';
import { setSqlLab } from '../store/sqlLabState';

const LAB_LISTS = ['saved', 'history'] as const;
// Clock reads for run(), an event handler: kept out of the component so its render stays pure.
const newQueryId = () => `ui-${Date.now()}`;
const clock = () => performance.now();

/**
 * Preset star-schema questions and the SQL lab: a CodeMirror editor completing the reader's schema
 * (Ctrl+Enter runs), read-only, time-limited, cancellable; the schema, saved queries and history
 * beside it; a result's chart can be pinned to the Dashboard. Results come a page at a time and
 * live in the store, so they are still here after visiting another page.
 */
export function Warehouse() {
  const { api, ui } = useCtx();
  const act = useAct();
  const editor = usePlace('warehouse.editor');
  const { presets, sql, ran, result, elapsedMs, cancelled, running, chart } = useUi((s) => s.warehouse);
  const schema = useUi((s) => s.sqlLab.schema);
  const view = useRef<EditorView | null>(null);
  useSqlLabLists(LAB_LISTS);

  // Read once into the store (they outlive the page): the presets, and the schema the editor completes.
  useHostQuery((host) => host.call('warehouse.presets', {}), [], {
    source: 'warehouse',
    enabled: presets.length === 0,
    onData: (p) => setWarehouse(ui, { presets: p }),
  });
  useHostQuery((host) => host.call('warehouse.schema', {}), [], {
    source: 'schema',
    enabled: !schema,
    onData: (s) => setSqlLab(ui, { schema: s }),
  });

  /** A new run (not another page of the last one) is kept in the lab's history. */
  const run = async (text: string, label: string, offset = 0, preset?: QueryPreset, paging = false) => {
    const queryId = newQueryId();
    const samePage = ran?.sql === text && ran.label === label;
    setWarehouse(ui, { running: queryId, cancelled: false });
    const started = clock();
    let stopped = false;
    const r = await editor.run(
      api
        .call('warehouse.query', { sql: text, queryId, limit: PAGE_SIZE, offset, history: !paging })
        .catch((err: unknown) => {
          // A query the user cancelled is not an error: the page says "cancelled".
          if (errorInfo(err).code !== 'cancelled') throw err;
          stopped = true;
          return null;
        }),
    );
    // A newer query started meanwhile: this answer is stale.
    if (ui.getState().warehouse.running !== queryId && ui.getState().warehouse.running !== null) return;
    if (!r) {
      // A failed query leaves no result behind that looks like its answer.
      setWarehouse(ui, { running: null, result: null, ran: null, elapsedMs: null, cancelled: stopped });
      return;
    }
    const money = preset?.money ?? (samePage ? ran?.money : undefined);
    setWarehouse(ui, {
      running: null,
      result: r,
      elapsedMs: clock() - started,
      cancelled: false,
      ran: { sql: text, label, money, offset },
      chart: preset ? (preset.chart ?? defaultChart(r)) : samePage && chart ? chart : defaultChart(r),
    });
  };

  return (
    <div className="page">
      <h2>Warehouse</h2>
      <section aria-label="Preset questions" className="presets">
        {presets.map((p) => (
          <button
            key={p.id}
            onClick={() => {
              setWarehouse(ui, { sql: p.sql });
              void run(p.sql, p.id, 0, p);
            }}
          >
            {p.title}
          </button>
        ))}
      </section>
      <div className="lab-cols">
        <div className="lab-main">
          <SqlEditor
            label="Warehouse SQL"
            value={sql}
            onChange={(text) => setWarehouse(ui, { sql: text })}
            onRun={() => {
              const w = ui.getState().warehouse;
              if (w.running === null) void run(w.sql, 'query');
            }}
            schema={schema}
            invalid={!!editor.error}
            describedBy={editor.error ? 'warehouse-sql-error' : undefined}
            viewRef={(v) => (view.current = v)}
          />
          <ErrorNote error={editor.error} id="warehouse-sql-error" />
          <div className="toolbar">
            <button onClick={() => void run(sql, 'query')} disabled={running !== null} title="Ctrl+Enter">
              Run query
            </button>
            <button
              onClick={() =>
                running &&
                void act(api.call('warehouse.cancel', { queryId: running }), 'warehouse').then(() =>
                  setWarehouse(ui, { running: null }),
                )
              }
              disabled={running === null}
            >
              Cancel
            </button>
            <button onClick={() => result && downloadCsv(result, `${ran?.label ?? 'query'}.csv`)} disabled={!result}>
              Export CSV (this page)
            </button>
            {running && (
              <span className="muted" role="status">
                running…
              </span>
            )}
            {!running && elapsedMs !== null && (
              <span className="muted" role="status">
                {formatDuration(elapsedMs)}
              </span>
            )}
            {!running && cancelled && (
              <span className="muted" role="status">
                cancelled
              </span>
            )}
          </div>
          <p className="muted">
            One reading statement (SELECT, WITH, VALUES, TABLE, EXPLAIN), run as a read-only role and stopped after 30
            s; Ctrl+Enter runs it, Ctrl+Space completes. Results come {PAGE_SIZE.toLocaleString('en-US')} rows at a
            time.
          </p>
        </div>
        <SqlLabSide
          sql={sql}
          open={(text) => {
            setWarehouse(ui, { sql: text });
            view.current?.focus();
          }}
          insert={(text) => insertAtCursor(view.current, text)}
        />
      </div>
      {result && ran && (
        <>
          <ChartPicker result={result} spec={chart} onChange={(c) => setWarehouse(ui, { chart: c })} />
          {chart && <ResultChart result={result} spec={chart} money={ran.money} />}
          {chart && (
            <PinChart
              key={`${ran.sql}-${ran.label}`}
              sql={ran.sql}
              chart={chart}
              money={ran.money}
              defaultTitle={presets.find((p) => p.id === ran.label)?.title ?? `${chart.y.join(', ')} by ${chart.x}`}
            />
          )}
          {(result.more || ran.offset > 0) && (
            <div className="toolbar" role="group" aria-label="Result pages">
              <button
                onClick={() => void run(ran.sql, ran.label, Math.max(0, ran.offset - PAGE_SIZE), undefined, true)}
                disabled={running !== null || ran.offset === 0}
              >
                Previous page
              </button>
              <button
                onClick={() => void run(ran.sql, ran.label, ran.offset + PAGE_SIZE, undefined, true)}
                disabled={running !== null || !result.more}
              >
                Next page
              </button>
            </div>
          )}
          <Grid label="Query results" result={result} money={ran.money} />
        </>
      )}
    </div>
  );
}
