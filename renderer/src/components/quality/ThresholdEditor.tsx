import { useState } from 'react';
import type { AlertRulesView, QuarantineRateRule } from '../../../../engine/contract';
import { HostCallError } from '../../api/hostError';
import { useCtx, usePlace } from '../../context';
import { setOps } from '../../store/opsState';
import { ErrorNote } from '../ErrorNote';

/** A value the page checks before sending: refused like the Host refuses, with the field named. */
export function refuse(field: string, message: string): Promise<never> {
  return Promise.reject(new HostCallError({ code: 'config_invalid', message, retriable: false, field }));
}

const number = (text: string): number | null => (/^\s*\d+(\.\d+)?\s*$/.test(text) ? Number(text) : null);

/**
 * The threshold of one validation rule (or of any reason: code null), an alert rule of kind
 * quarantine_rate kept by the Host: above P% of the records that arrived over W minutes, once at
 * least N arrived. Every field is checked by the Host too; an error shows under the editor with
 * its field marked.
 */
export function ThresholdEditor({ code, rule }: { code: string | null; rule: QuarantineRateRule | undefined }) {
  const { api, ui } = useCtx();
  const place = usePlace(`threshold:${code ?? '*'}`);
  const [percent, setPercent] = useState(rule ? String(+(rule.threshold * 100).toFixed(4)) : '5');
  const [window, setWindow] = useState(String(rule?.windowMinutes ?? 5));
  const [min, setMin] = useState(String(rule?.minRecords ?? 100));
  const [enabled, setEnabled] = useState(rule?.enabled ?? true);
  const bad = (f: string) => (place.error?.field === f ? true : undefined);
  const id = `threshold-${code ?? 'any'}`;

  const save = async () => {
    const p = number(percent);
    const w = number(window);
    const m = number(min);
    const request =
      p === null
        ? refuse('threshold', `the threshold is a percent of the records that arrived, e.g. 5 (got "${percent}")`)
        : w === null
          ? refuse('windowMinutes', `the window is a number of minutes, e.g. 5 (got "${window}")`)
          : m === null
            ? refuse('minRecords', `the minimum is a number of records, e.g. 100 (got "${min}")`)
            : api.call('alerts.saveRule', {
                rule: {
                  ...(rule ? { id: rule.id } : {}),
                  kind: 'quarantine_rate',
                  name: rule?.name ?? (code ? `Quarantine: ${code}` : 'Quarantine rate'),
                  enabled,
                  threshold: p / 100,
                  windowMinutes: w,
                  minRecords: m,
                  reason: code,
                },
              });
    done(await place.run(request));
  };
  const done = (rules: AlertRulesView | undefined) => {
    if (!rules) return;
    setOps(ui, 'alerts', { rules });
    setOps(ui, 'quality', { editing: null });
  };
  const cancel = () => {
    place.clear();
    setOps(ui, 'quality', { editing: null });
  };
  const remove = async () => {
    if (rule) done(await place.run(api.call('alerts.deleteRule', { id: rule.id })));
  };

  return (
    <form
      className="threshold-editor"
      aria-label={`Threshold of ${code ?? 'any reason'}`}
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <label>
        Alert above{' '}
        <input
          className="narrow"
          value={percent}
          onChange={(e) => setPercent(e.target.value)}
          aria-label="Threshold percent"
          aria-invalid={bad('threshold')}
          aria-describedby={place.error ? `${id}-error` : undefined}
          autoFocus
        />
        %
      </label>
      <label>
        over{' '}
        <input
          className="narrow"
          value={window}
          onChange={(e) => setWindow(e.target.value)}
          aria-label="Window minutes"
          aria-invalid={bad('windowMinutes')}
        />{' '}
        min
      </label>
      <label>
        from{' '}
        <input
          className="narrow"
          value={min}
          onChange={(e) => setMin(e.target.value)}
          aria-label="Minimum records"
          aria-invalid={bad('minRecords')}
        />{' '}
        records
      </label>
      <label>
        <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} /> on
      </label>
      <button type="submit">Save threshold</button>
      {rule && (
        <button type="button" onClick={() => void remove()}>
          Remove threshold
        </button>
      )}
      <button type="button" onClick={cancel}>
        Cancel
      </button>
      <ErrorNote error={place.error} id={`${id}-error`} />
    </form>
  );
}
