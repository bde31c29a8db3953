import { useEffect, useState } from 'react';
import type { CompactionProgress, CompactionResult, CompactionSchedule } from '../../../engine/contract';
import { ErrorNote } from '../components/ErrorNote';
import { Grid } from '../components/Grid';
import { useAct, useCtx, usePlace, useTimeFormat } from '../context';
import { useHostQuery } from '../hostQuery';
import { formatBytes, formatDuration, formatNumber } from '../format';
import { ProgressBar } from '../components/ProgressBar';

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
  const [every, setEvery] = useState('60');
  const status = useHostQuery((host) => host.call('compaction.status', {}), [], {
    source: 'compaction',
    onData: (s) => s.schedule.everyMinutes && setEvery(String(s.schedule.everyMinutes)),
  });
  // Progress as the Host pushes it; a plan is the page's own (compaction.status keeps only real runs).
  const [progress, setProgress] = useState<CompactionProgress | null>(null);
  const [plan, setPlan] = useState<CompactionResult | null>(null);
  const { refresh } = status;

  useEffect(
    () =>
      api.on('compaction.progress', (p) => {
        setProgress(p.phase === 'done' ? null : p);
        // A run (scheduled, this window's or another's) finished: read what it did.
        if (p.phase === 'done') void refresh();
      }),
    [api, refresh],
  );

  const schedule: CompactionSchedule = status.data?.schedule ?? { everyMinutes: null, nextRunAt: null };
  const running = progress ?? status.data?.running ?? null;
  const result = plan ?? status.data?.last ?? null;
  const run = (dryRun: boolean) =>
    void act(api.call('compaction.run', { dryRun }), 'compaction').then((r) => {
      setProgress(null);
      setPlan(r?.dryRun ? r : null);
      // The run's answer is what compaction.status now says of the last run.
      if (r && !r.dryRun && status.data) status.set({ ...status.data, running: null, last: r });
    });
  const changeSchedule = (minutes: number | null | 'bad') =>
    void scheduleField
      .run(
        minutes === 'bad'
          ? Promise.reject(new Error('the schedule needs a whole number of minutes, from 1 to 10080 (a week)'))
          : api.call('compaction.schedule', { everyMinutes: minutes }),
      )
      .then((s) => s && status.data && status.set({ ...status.data, schedule: s }));

  const pct =
    running && running.bytesTotal ? Math.min(99, Math.floor((100 * running.bytesDone) / running.bytesTotal)) : 0;
  return (
    <section aria-label="Compaction">
      <p className="muted">
        The stream writes a small file per partition and flush: at 500 sales/s about 190 a minute. Compaction merges
        each closed hour's bronze, silver and quarantine files (10 minutes after the hour ends) into files of about 128
        MB. Readers see the small files or the merged one, never both; silver waits until the ETL has loaded it; a run
        stopped anywhere loses nothing, and the next one finishes it.
      </p>
      <div className="toolbar">
        <button onClick={() => run(false)} disabled={running !== null}>
          Compact now
        </button>
        <button onClick={() => run(true)} disabled={running !== null}>
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
      {running && (
        <div className="progress-block">
          <ProgressBar label="Compaction progress" percent={pct} />
          <p className="muted">
            {running.phase}: {formatNumber(running.foldersDone)} of {formatNumber(running.foldersTotal)} hours,{' '}
            {formatNumber(running.filesDone)} of {formatNumber(running.filesTotal)} files,{' '}
            {formatBytes(running.bytesDone)} of {formatBytes(running.bytesTotal)}
            {running.folder ? ` (${running.folder})` : ''}
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
