import { useEffect, useState } from 'react';
import type { CompactionProgress, CompactionResult, CompactionSchedule } from '../../../engine/contract';
import { ErrorNote } from '../components/ErrorNote';
import { Grid } from '../components/Grid';
import { useAct, useCtx, usePlace, useTimeFormat } from '../context';
import { formatBytes, formatDuration, formatNumber } from '../format';

const LAYERS = ['bronze', 'silver', 'quarantine'] as const;

/**
 * The lake's compaction: run it now (or see the plan), follow its progress, set its schedule, and
 * read what the last run did per layer. Everything shown comes from the Host (compaction.status).
 */
export function CompactionPanel() {
  const { api } = useCtx();
  const act = useAct();
  const time = useTimeFormat();
  const scheduleField = usePlace('compaction.schedule');
  const [schedule, setSchedule] = useState<CompactionSchedule>({ everyMinutes: null, nextRunAt: null });
  const [progress, setProgress] = useState<CompactionProgress | null>(null);
  const [result, setResult] = useState<CompactionResult | null>(null);
  const [every, setEvery] = useState('60');

  useEffect(() => {
    void act(api.call('compaction.status', {}), 'compaction').then((s) => {
      if (!s) return;
      setSchedule(s.schedule);
      setProgress(s.running);
      setResult(s.last);
      if (s.schedule.everyMinutes) setEvery(String(s.schedule.everyMinutes));
    });
    return api.on('compaction.progress', (p) => {
      setProgress(p.phase === 'done' ? null : p);
      // A scheduled run (or another window's) finished: show what it did (a plan is not kept as the last run).
      if (p.phase === 'done')
        void act(api.call('compaction.status', {}), 'compaction').then(
          (s) => s?.last?.runId === p.runId && setResult(s.last),
        );
    });
  }, []);

  const run = (dryRun: boolean) =>
    void act(api.call('compaction.run', { dryRun }), 'compaction').then((r) => {
      setProgress(null);
      if (r) setResult(r);
    });
  const changeSchedule = (minutes: number | null | 'bad') =>
    void scheduleField
      .run(
        minutes === 'bad'
          ? Promise.reject(new Error('the schedule needs a whole number of minutes, from 1 to 10080 (a week)'))
          : api.call('compaction.schedule', { everyMinutes: minutes }),
      )
      .then((s) => s && setSchedule(s));

  const pct =
    progress && progress.bytesTotal ? Math.min(99, Math.floor((100 * progress.bytesDone) / progress.bytesTotal)) : 0;
  return (
    <section aria-label="Compaction">
      <p className="muted">
        The stream writes a small file per partition and flush: at 500 sales/s about 190 a minute. Compaction merges
        each closed hour's bronze, silver and quarantine files (10 minutes after the hour ends) into files of about 128
        MB. Readers see the small files or the merged one, never both; silver waits until the ETL has loaded it; a run
        stopped anywhere loses nothing, and the next one finishes it.
      </p>
      <div className="toolbar">
        <button onClick={() => run(false)} disabled={progress !== null}>
          Compact now
        </button>
        <button onClick={() => run(true)} disabled={progress !== null}>
          Show plan
        </button>
        <label>
          Every{' '}
          <input
            type="number"
            min={1}
            max={10080}
            value={every}
            onChange={(e) => setEvery(e.target.value)}
            aria-label="Compaction schedule minutes"
            aria-invalid={scheduleField.error ? true : undefined}
            aria-describedby={scheduleField.error ? 'compaction-schedule-error' : undefined}
            className="narrow"
          />{' '}
          minutes
        </label>
        <button onClick={() => changeSchedule(/^\s*\d+\s*$/.test(every) ? Number(every) : 'bad')}>
          Set compaction schedule
        </button>
        <button onClick={() => changeSchedule(null)} disabled={schedule.everyMinutes === null}>
          Compaction schedule off
        </button>
        <span className="muted" role="status" aria-label="Compaction schedule">
          {schedule.everyMinutes
            ? `every ${formatNumber(schedule.everyMinutes)} min, next at ${time.time(schedule.nextRunAt ?? 0)} (${time.label})`
            : 'runs only when asked'}
        </span>
      </div>
      <ErrorNote error={scheduleField.error} id="compaction-schedule-error" />
      {progress && (
        <div className="progress-block">
          <div
            role="progressbar"
            aria-label="Compaction progress"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={pct}
            className="progress"
          >
            <div style={{ width: `${pct}%` }} />
          </div>
          <p className="muted">
            {progress.phase}: {formatNumber(progress.foldersDone)} of {formatNumber(progress.foldersTotal)} hours,{' '}
            {formatNumber(progress.filesDone)} of {formatNumber(progress.filesTotal)} files,{' '}
            {formatBytes(progress.bytesDone)} of {formatBytes(progress.bytesTotal)}
            {progress.folder ? ` (${progress.folder})` : ''}
          </p>
        </div>
      )}
      {result && <CompactionSummary result={result} when={`${time.dateTime(result.startedAt)} (${time.label})`} />}
    </section>
  );
}

function CompactionSummary({ result: r, when }: { result: CompactionResult; when: string }) {
  return (
    <div role="region" aria-label={r.dryRun ? 'Compaction plan' : 'Last compaction'}>
      <p>
        <strong>{r.dryRun ? 'Plan (nothing written)' : r.status === 'succeeded' ? 'Succeeded' : 'Failed'}</strong>:
        started {when}, took {formatDuration(r.durationMs)}
        {r.error ? ` — ${r.error}` : ''}
      </p>
      <Grid
        label={r.dryRun ? 'Compaction plan by layer' : 'Compaction by layer'}
        result={{
          columns: ['layer', 'hours', 'files merged', 'into', 'size before', 'size after', 'rows'],
          rows: LAYERS.map((l) => {
            const x = r.layers[l];
            return [
              l,
              x.folders,
              x.filesIn,
              x.filesOut,
              formatBytes(x.bytesIn),
              r.dryRun ? '–' : formatBytes(x.bytesOut),
              r.dryRun ? '–' : x.rows,
            ];
          }),
        }}
      />
      <p className="muted">
        {formatNumber(r.waiting)} files wait for a later run (hour still open, not yet committed by the stream or loaded
        by the ETL).{' '}
        {!r.dryRun &&
          `${formatNumber(r.cleaned)} replaced files deleted, ${formatNumber(r.pendingCleanup)} kept until their grace period ends.`}
      </p>
      {[...r.skipped.map((s) => `${s.folder}: ${s.reason}`), ...r.notes].map((text) => (
        <p key={text} className="muted">
          {text}
        </p>
      ))}
    </div>
  );
}
