import { Fragment } from 'react';
import type { EtlRunView, EtlTrigger } from '../../../../engine/contract';
import { useAct, useApp, useCtx, usePlace, useTimeFormat, useUi } from '../../context';
import { formatDuration, formatNumber } from '../../format';
import { setOps } from '../../store/opsState';
import { ErrorNote } from '../ErrorNote';
import { Grid } from '../Grid';

const TRIGGER: Record<EtlTrigger, string> = {
  manual: 'manual',
  scheduled: 'scheduled',
  rerun: 'rerun',
  replay: 'replay',
  pipeline: 'pipeline (CLI)',
  other: 'elsewhere',
};

/** One run's log and the silver files it loaded. */
function RunDetail() {
  const time = useTimeFormat();
  const detail = useUi((s) => s.ops.etlRuns.detail);
  if (!detail) return <p className="muted">Loading…</p>;
  return (
    <div>
      {detail.log.length ? (
        <ol className="run-log" aria-label={`Log of ${detail.run.runId}`} tabIndex={0}>
          {detail.log.map((l, i) => (
            <li key={i} className={`level-${l.level}`}>
              {time.time(l.at)} {l.message}
            </li>
          ))}
        </ol>
      ) : (
        <p className="muted">No log here: this run was started by another app on this warehouse, or before run logs.</p>
      )}
      {detail.files.length ? (
        <Grid
          label={`Files loaded by ${detail.run.runId}`}
          max={200}
          result={{ columns: ['silver file', 'lines'], rows: detail.files.map((f) => [f.key, f.rows]) }}
        />
      ) : (
        <p className="muted">This run loaded no silver file.</p>
      )}
    </div>
  );
}

/** Runs, newest first: what started each, status, duration, files and lines; its log on request; rerun. */
export function RunTable() {
  const { api, ui } = useCtx();
  const act = useAct();
  const rerunPlace = usePlace('etl.rerun');
  const time = useTimeFormat();
  const { runs, selected } = useUi((s) => s.ops.etlRuns);
  const running = useApp((s) => s.stages.etl.state === 'running');

  const show = async (r: EtlRunView) => {
    if (selected === r.runId) return setOps(ui, 'etlRuns', { selected: null, detail: null });
    setOps(ui, 'etlRuns', { selected: r.runId, detail: null });
    const d = await act(api.call('etl.runLog', { runId: r.runId }), 'etl');
    if (d && ui.getState().ops.etlRuns.selected === r.runId) setOps(ui, 'etlRuns', { detail: d });
  };
  const rerun = (r: EtlRunView) => void rerunPlace.run(api.call('etl.rerun', { runId: r.runId }));

  return (
    <>
      <ErrorNote error={rerunPlace.error} />
      <div className="grid-wrap tall" tabIndex={0} role="region" aria-label="ETL run history">
        <table className="grid" aria-label="ETL run history">
          <thead>
            <tr>
              {['started', 'trigger', 'status', 'duration', 'files', 'lines inserted', 'skipped', 'error', ''].map(
                (c) => (
                  <th
                    key={c}
                    scope="col"
                    className={['duration', 'files', 'lines inserted', 'skipped'].includes(c) ? 'num' : undefined}
                  >
                    {c}
                  </th>
                ),
              )}
            </tr>
          </thead>
          <tbody>
            {runs.map((r) => (
              <Fragment key={r.runId}>
                <tr>
                  <td>{time.dateTime(r.startedAt)}</td>
                  <td>
                    {TRIGGER[r.trigger]}
                    {r.rerunOf ? (
                      <span className="muted">
                        {' '}
                        of {time.dateTime(runs.find((x) => x.runId === r.rerunOf)?.startedAt ?? null)}
                      </span>
                    ) : null}
                  </td>
                  <td className={r.status === 'failed' || r.status === 'interrupted' ? 'error-text' : undefined}>
                    {r.status}
                  </td>
                  <td className="num">{r.durationMs === null ? '–' : formatDuration(r.durationMs)}</td>
                  <td className="num">{formatNumber(r.files)}</td>
                  <td className="num">{formatNumber(r.rowsInserted)}</td>
                  <td className="num">{formatNumber(r.rowsSkipped)}</td>
                  <td title={r.error ?? ''}>{r.error}</td>
                  <td>
                    <button
                      className="link"
                      aria-expanded={selected === r.runId}
                      onClick={() => void show(r)}
                      aria-label={`Log of the run started ${time.dateTime(r.startedAt)}`}
                    >
                      Log
                    </button>{' '}
                    <button
                      className="link"
                      disabled={running}
                      onClick={() => rerun(r)}
                      aria-label={`Rerun the run started ${time.dateTime(r.startedAt)}`}
                    >
                      Rerun
                    </button>
                  </td>
                </tr>
                {selected === r.runId && (
                  <tr>
                    <td colSpan={9} className="wrap">
                      <RunDetail />
                    </td>
                  </tr>
                )}
              </Fragment>
            ))}
          </tbody>
        </table>
        <p className="muted">
          {formatNumber(runs.length)} run{runs.length === 1 ? '' : 's'} · times in {time.label}
        </p>
      </div>
    </>
  );
}
