import { useState } from 'react';
import { useCtx, usePlace, useTimeFormat, useUi } from '../../context';
import { setOps } from '../../store/opsState';
import { ErrorNote } from '../ErrorNote';
import { refuse } from '../quality/ThresholdEditor';

const PRESETS = ['*/15 * * * *', 'hourly', 'daily at 02:00', 'weekdays at 06:30', '@daily'];

/**
 * The ETL's schedule as the Host keeps it (across restarts): every N minutes, or a cron expression
 * or words ("every 15 minutes", "daily at 02:30") read in the app's time zone. Reads the schedule in
 * force; sends only what the user sets.
 */
export function ScheduleEditor() {
  const { api, ui } = useCtx();
  const time = useTimeFormat();
  const place = usePlace('etl.schedule');
  const { schedule, scheduleText } = useUi((s) => s.ops.etlRuns);
  const [mode, setMode] = useState<'every' | 'cron'>(schedule?.cron ? 'cron' : 'every');
  const [every, setEvery] = useState(String(schedule?.everyMinutes ?? 15));
  // The schedule in force arrives after the first render (and changes when set elsewhere): show it,
  // adjusted while rendering (React's way for state that follows a prop), not in an effect.
  const [shown, setShown] = useState(schedule);
  if (schedule !== shown) {
    setShown(schedule);
    if (schedule?.cron) setMode('cron');
    else if (schedule?.everyMinutes) {
      setMode('every');
      setEvery(String(schedule.everyMinutes));
    }
  }
  const text = scheduleText ?? schedule?.cron ?? '*/15 * * * *';
  const apply = (p: Promise<typeof schedule>) =>
    void place.run(p).then((s) => s && setOps(ui, 'etlRuns', { schedule: s, scheduleText: null }));

  const set = () =>
    apply(
      mode === 'every'
        ? /^\s*-?\d+(\.\d+)?\s*$/.test(every)
          ? api.call('etl.schedule', { everyMinutes: Number(every) })
          : refuse('everyMinutes', 'the schedule needs a number of minutes from 1 to 1440')
        : api.call('etl.schedule', { cron: text, timeZone: time.zone }),
    );
  const invalid = (f: string) => (place.error && (place.error.field ?? f) === f ? true : undefined);

  return (
    <div className="toolbar" role="group" aria-label="ETL schedule">
      <select value={mode} onChange={(e) => setMode(e.target.value as 'every' | 'cron')} aria-label="Schedule kind">
        <option value="every">Every N minutes</option>
        <option value="cron">Cron or words</option>
      </select>
      {mode === 'every' ? (
        <label>
          Every{' '}
          <input
            type="number"
            min={1}
            max={1440}
            value={every}
            onChange={(e) => setEvery(e.target.value)}
            aria-label="Schedule minutes"
            aria-invalid={invalid('everyMinutes')}
            aria-describedby={place.error ? 'schedule-error' : undefined}
            className="narrow"
          />{' '}
          minutes
        </label>
      ) : (
        <label>
          Schedule{' '}
          <input
            value={text}
            list="schedule-presets"
            onChange={(e) => setOps(ui, 'etlRuns', { scheduleText: e.target.value })}
            aria-label="Schedule expression"
            aria-invalid={invalid('cron')}
            aria-describedby={place.error ? 'schedule-error' : undefined}
            placeholder="*/15 * * * *"
          />
          <datalist id="schedule-presets">
            {PRESETS.map((p) => (
              <option key={p} value={p} />
            ))}
          </datalist>{' '}
          <span className="muted">in {time.label}</span>
        </label>
      )}
      <button onClick={set}>Set schedule</button>
      <button
        onClick={() => apply(api.call('etl.schedule', { cron: null }))}
        disabled={!schedule || (schedule.everyMinutes === null && schedule.cron === null)}
      >
        Schedule off
      </button>
      <span className="muted" role="status" aria-label="Schedule in force">
        {schedule?.description
          ? `Scheduled ${schedule.description}${schedule.timeZone ? ` in ${schedule.timeZone}` : ''}; next run ${
              schedule.nextRunAt ? time.dateTime(schedule.nextRunAt) : '–'
            }${schedule.lastRunAt ? `, last ${time.dateTime(schedule.lastRunAt)}` : ''}; times in ${time.label}. Kept across restarts.`
          : 'No schedule.'}
      </span>
      <ErrorNote error={place.error} id="schedule-error" />
      {schedule?.problem && <ErrorNote error={{ message: schedule.problem }} />}
    </div>
  );
}
