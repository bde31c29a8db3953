import { useState } from 'react';
import type { AlertKind, AlertRule } from '../../../../engine/contract';
import { useCtx, usePlace, useUi } from '../../context';
import { formatNumber, formatPercent } from '../../format';
import { setOps } from '../../store/opsState';
import { ErrorNote } from '../ErrorNote';
import { refuse } from '../quality/ThresholdEditor';

export const KIND_NAMES: Record<AlertKind, string> = {
  lag: 'Stream lag',
  quarantine_rate: 'Quarantine rate',
  etl_failed: 'ETL run failed',
  freshness: 'Data freshness',
  service_down: 'Service down',
};

/** A rule in words: "above 5% over 5 min (total_mismatch)". */
export function ruleText(r: AlertRule): string {
  switch (r.kind) {
    case 'lag':
      return `stream lag above ${formatNumber(r.threshold)} records${r.forSeconds ? ` for ${r.forSeconds} s` : ''}`;
    case 'quarantine_rate':
      return `${r.reason ?? 'any reason'} above ${formatPercent(r.threshold, 4)} of arrivals over ${r.windowMinutes} min (from ${formatNumber(r.minRecords)} records)`;
    case 'etl_failed':
      return 'an ETL run fails';
    case 'freshness':
      return `newest ${r.layer} data older than ${formatNumber(r.maxAgeMinutes)} min`;
    case 'service_down':
      return `${r.service ?? 'any service'} not answering${r.forSeconds ? ` for ${r.forSeconds} s` : ''}`;
  }
}

type Fields = Record<string, string>;
const initial = (r: AlertRule | undefined): Fields => ({
  threshold:
    r && 'threshold' in r ? String(r.kind === 'quarantine_rate' ? +(r.threshold * 100).toFixed(4) : r.threshold) : '',
  forSeconds: r && 'forSeconds' in r ? String(r.forSeconds) : '0',
  windowMinutes: r?.kind === 'quarantine_rate' ? String(r.windowMinutes) : '5',
  minRecords: r?.kind === 'quarantine_rate' ? String(r.minRecords) : '100',
  reason: r?.kind === 'quarantine_rate' ? (r.reason ?? '') : '',
  layer: r?.kind === 'freshness' ? r.layer : 'silver',
  maxAgeMinutes: r?.kind === 'freshness' ? String(r.maxAgeMinutes) : '30',
  service: r?.kind === 'service_down' ? (r.service ?? '') : '',
});
const NUMBERS: Record<AlertKind, [field: string, label: string][]> = {
  lag: [
    ['threshold', 'Lag above (records)'],
    ['forSeconds', 'For (seconds)'],
  ],
  quarantine_rate: [
    ['threshold', 'Share above (%)'],
    ['windowMinutes', 'Over (minutes)'],
    ['minRecords', 'From (records)'],
  ],
  etl_failed: [],
  freshness: [['maxAgeMinutes', 'Older than (minutes)']],
  service_down: [['forSeconds', 'For (seconds)']],
};

/** Adds or edits an alert rule; each value is checked by the Host, the wrong field marked and named. */
export function RuleForm({ rule }: { rule?: AlertRule }) {
  const { api, ui } = useCtx();
  const place = usePlace('alerts.rule');
  const reasons = useUi((s) => s.ops.quality.rules);
  const [kind, setKind] = useState<AlertKind>(rule?.kind ?? 'quarantine_rate');
  // A new rule's name follows its kind until the user types one.
  const [typed, setTyped] = useState<string | null>(rule?.name ?? null);
  const name = typed ?? KIND_NAMES[kind];
  const [f, setF] = useState<Fields>(initial(rule));
  const set = (k: string) => (e: { target: { value: string } }) => setF((x) => ({ ...x, [k]: e.target.value }));
  const bad = (k: string) => (place.error?.field === k ? true : undefined);
  const close = () => {
    place.clear();
    setOps(ui, 'alerts', { editing: null });
  };

  const save = async () => {
    const values: Record<string, number> = {};
    for (const [k, label] of NUMBERS[kind]) {
      if (!/^\s*\d+(\.\d+)?\s*$/.test(f[k])) return void place.run(refuse(k, `${label}: a number, got "${f[k]}"`));
      values[k] = kind === 'quarantine_rate' && k === 'threshold' ? Number(f[k]) / 100 : Number(f[k]);
    }
    const extra =
      kind === 'quarantine_rate'
        ? { reason: f.reason || null }
        : kind === 'freshness'
          ? { layer: f.layer }
          : kind === 'service_down'
            ? { service: f.service || null }
            : {};
    const rules = await place.run(
      api.call('alerts.saveRule', {
        rule: {
          ...(rule ? { id: rule.id } : {}),
          kind,
          name,
          enabled: rule?.enabled ?? true,
          ...values,
          ...extra,
        } as Partial<AlertRule>,
      }),
    );
    if (rules) {
      setOps(ui, 'alerts', { rules });
      close();
    }
  };

  return (
    <form
      className="rule-form"
      aria-label={rule ? `Edit rule ${rule.name}` : 'New alert rule'}
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <label>
        Kind{' '}
        <select
          value={kind}
          onChange={(e) => setKind(e.target.value as AlertKind)}
          disabled={!!rule}
          aria-label="Rule kind"
        >
          {(Object.keys(KIND_NAMES) as AlertKind[]).map((k) => (
            <option key={k} value={k}>
              {KIND_NAMES[k]}
            </option>
          ))}
        </select>
      </label>
      <label>
        Name{' '}
        <input
          value={name}
          onChange={(e) => setTyped(e.target.value)}
          aria-label="Rule name"
          aria-invalid={bad('name')}
        />
      </label>
      {NUMBERS[kind].map(([k, label]) => (
        <label key={k}>
          {label} <input className="narrow" value={f[k]} onChange={set(k)} aria-label={label} aria-invalid={bad(k)} />
        </label>
      ))}
      {kind === 'quarantine_rate' && (
        <label>
          Reason{' '}
          <select value={f.reason} onChange={set('reason')} aria-label="Rule reason" aria-invalid={bad('reason')}>
            <option value="">any</option>
            {reasons.map((r) => (
              <option key={r.code} value={r.code}>
                {r.code}
              </option>
            ))}
          </select>
        </label>
      )}
      {kind === 'freshness' && (
        <label>
          Layer{' '}
          <select value={f.layer} onChange={set('layer')} aria-label="Rule layer">
            <option value="bronze">bronze</option>
            <option value="silver">silver</option>
            <option value="warehouse">warehouse</option>
          </select>
        </label>
      )}
      {kind === 'service_down' && (
        <label>
          Service{' '}
          <select value={f.service} onChange={set('service')} aria-label="Rule service">
            <option value="">any</option>
            {['broker', 'lake', 'warehouse', 'metrics'].map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
      )}
      <button type="submit">Save rule</button>
      <button type="button" onClick={close}>
        Cancel
      </button>
      <ErrorNote error={place.error} />
    </form>
  );
}
