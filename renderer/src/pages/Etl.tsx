import { useEffect } from 'react';
import { RunTable } from '../components/etl/RunTable';
import { RunTrend } from '../components/etl/RunTrend';
import { ScheduleEditor } from '../components/etl/ScheduleEditor';
import { useAct, useApp, useCtx } from '../context';
import { formatNumber } from '../format';
import { setOps } from '../store/opsState';
import '../ops.css';
import { ProgressBar } from '../components/ProgressBar';

/**
 * ETL runs as an orchestrator shows them: run now, the schedule (kept across restarts), the running
 * run's progress, each run's trigger, duration trend, log and files, and rerun.
 */
export function Etl() {
  const { api, ui } = useCtx();
  const act = useAct();
  const progress = useApp((s) => s.etlProgress);
  const etl = useApp((s) => s.stages.etl);

  const refresh = () =>
    void act(api.call('etl.runs', { limit: 100 }), 'etl').then((runs) => runs && setOps(ui, 'etlRuns', { runs }));
  useEffect(() => {
    refresh();
    void act(api.call('etl.schedule', {}), 'etl').then((schedule) => schedule && setOps(ui, 'etlRuns', { schedule }));
  }, []);
  useEffect(() => {
    if (etl.state !== 'running') refresh();
  }, [etl.state]);

  const total = progress ? Math.max(progress.rowsTotal, 1) : 1;
  const pct = progress
    ? progress.phase === 'done'
      ? 100
      : Math.min(99, Math.floor((progress.rowsDone / total) * 100))
    : 0;

  return (
    <div className="page">
      <h2>ETL</h2>
      <div className="toolbar">
        <button
          onClick={() => void act(api.call('etl.run', {}), 'etl').then(refresh)}
          disabled={etl.state === 'running'}
        >
          Run ETL
        </button>
      </div>
      <ScheduleEditor />
      <div className="progress-block">
        <ProgressBar label="ETL progress" percent={pct} />
        <p className="muted">
          {progress && progress.phase === 'done' && progress.filesTotal === 0
            ? 'done: no silver file was waiting to load'
            : progress
              ? `${progress.phase}: files ${formatNumber(progress.filesDone)}/${formatNumber(progress.filesTotal)}, rows ${formatNumber(progress.rowsDone)}/${formatNumber(progress.rowsTotal)} (${pct}%)`
              : 'not run yet in this session'}
          {etl.error && ` — ${etl.error.message}`}
        </p>
      </div>
      <figure className="panel">
        <figcaption>Duration of each run (green succeeded, red failed) and the lines it inserted</figcaption>
        <RunTrend />
      </figure>
      <h3>Run history</h3>
      <p className="muted">
        A rerun loads what is not loaded yet: a failed run's files load, a run that succeeded loads nothing twice.
      </p>
      <RunTable />
    </div>
  );
}
