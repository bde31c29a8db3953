import { useState } from 'react';
import type { EtlRunRecord, EtlSchedule } from '../../../engine/contract';
import { ErrorNote } from '../components/ErrorNote';
import { Grid } from '../components/Grid';
import { useAct, useApp, useCtx, usePlace, useTimeFormat } from '../context';
import { formatDuration, formatNumber } from '../format';
import { useHostQuery } from '../hostQuery';

const duration = (r: EtlRunRecord) =>
  r.finished_at ? formatDuration(Date.parse(r.finished_at) - Date.parse(r.started_at)) : '–';

/** Run the ETL, watch its progress, see its history, schedule it. */
export function Etl() {
  const { api } = useCtx();
  const act = useAct();
  const time = useTimeFormat();
  const scheduleField = usePlace('etl.schedule');
  const progress = useApp((s) => s.etlProgress);
  const etl = useApp((s) => s.stages.etl);
  const [every, setEvery] = useState('15');
  // Read on mount and on every change of the ETL's state but to running: a finished run shows in the history.
  const runs = useHostQuery((host) => host.call('etl.history', { limit: 20 }), [], {
    source: 'etl',
    refreshOn: [etl.state],
    enabled: etl.state !== 'running',
  });
  const history: EtlRunRecord[] = runs.data ?? [];
  const scheduled = useHostQuery((host) => host.call('etl.schedule', {}), [], { source: 'etl' });
  const schedule: EtlSchedule = scheduled.data ?? { everyMinutes: null, nextRunAt: null };
  const setSchedule = scheduled.set;
  const refresh = () => void runs.refresh();

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
        <label>
          Every{' '}
          <input
            type="number"
            min={1}
            max={1440}
            value={every}
            onChange={(e) => setEvery(e.target.value)}
            aria-label="Schedule minutes"
            aria-invalid={scheduleField.error ? true : undefined}
            aria-describedby={scheduleField.error ? 'schedule-error' : undefined}
            className="narrow"
          />{' '}
          minutes
        </label>
        <button
          onClick={() =>
            void scheduleField
              .run(
                /^\s*-?\d+(\.\d+)?\s*$/.test(every)
                  ? api.call('etl.schedule', { everyMinutes: Number(every) })
                  : Promise.reject(new Error('the schedule needs a number of minutes from 1 to 1440')),
              )
              .then((s) => s && setSchedule(s))
          }
        >
          Set schedule
        </button>
        <button
          onClick={() =>
            void scheduleField.run(api.call('etl.schedule', { everyMinutes: null })).then((s) => s && setSchedule(s))
          }
          disabled={schedule.everyMinutes === null}
        >
          Schedule off
        </button>
        <span className="muted" role="status">
          {schedule.everyMinutes
            ? `scheduled every ${schedule.everyMinutes} min, next at ${time.time(schedule.nextRunAt ?? 0)} (${time.label})`
            : 'no schedule'}
        </span>
      </div>
      <ErrorNote error={scheduleField.error} id="schedule-error" />
      <div className="progress-block">
        <div
          role="progressbar"
          aria-label="ETL progress"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={pct}
          className="progress"
        >
          <div style={{ width: `${pct}%` }} />
        </div>
        <p className="muted">
          {progress
            ? `${progress.phase}: files ${formatNumber(progress.filesDone)}/${formatNumber(progress.filesTotal)}, rows ${formatNumber(progress.rowsDone)}/${formatNumber(progress.rowsTotal)} (${pct}%)`
            : 'not run yet in this session'}
          {etl.error && ` — ${etl.error.message}`}
        </p>
      </div>
      <h3>Run history</h3>
      <Grid
        label="ETL run history"
        result={{
          columns: ['started', 'duration', 'files', 'rows inserted', 'rows skipped', 'status', 'error'],
          rows: history.map((r) => [
            r.started_at,
            duration(r),
            r.files_loaded,
            Number(r.rows_inserted),
            Number(r.rows_skipped),
            r.status,
            r.error,
          ]),
        }}
      />
    </div>
  );
}
