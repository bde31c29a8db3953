import type { AlertRuleState, QuarantineRateRule } from '../../../../engine/contract';
import { useCtx, useUi } from '../../context';
import { formatNumber, formatPercent } from '../../format';
import { setOps } from '../../store/opsState';
import { ThresholdEditor } from './ThresholdEditor';

const STATE_TEXT: Record<AlertRuleState['state'], string> = {
  ok: 'ok',
  firing: 'above',
  pending: 'above (waiting)',
  no_data: 'too few records',
  disabled: 'off',
};

export function thresholdText(r: QuarantineRateRule): string {
  return `above ${formatPercent(r.threshold, 4)} over ${formatNumber(r.windowMinutes)} min, from ${formatNumber(r.minRecords)} records`;
}

/** One rule's threshold cell: what it is, whether it holds now, and the button that edits it. */
function Threshold({ code, label }: { code: string | null; label: string }) {
  const { ui } = useCtx();
  const rules = useUi((s) => s.ops.alerts.rules);
  const editing = useUi((s) => s.ops.quality.editing) === (code ?? '*');
  const rule = rules?.rules.find((r): r is QuarantineRateRule => r.kind === 'quarantine_rate' && r.reason === code);
  const state = rule && rules?.states.find((s) => s.ruleId === rule.id);
  if (editing) return <ThresholdEditor code={code} rule={rule} />;
  return (
    <span className="threshold">
      {rule ? (
        <>
          <span>{thresholdText(rule)}</span>
          {state && (
            <span className={`badge alert-state-${state.state}`} title={state.summary}>
              {!rule.enabled ? 'off' : state.checkedAt === 0 ? 'not checked yet' : STATE_TEXT[state.state]}
            </span>
          )}
        </>
      ) : (
        <span className="muted">none</span>
      )}{' '}
      <button
        className="link"
        onClick={() => setOps(ui, 'quality', { editing: code ?? '*' })}
        aria-label={`${rule ? 'Edit' : 'Set'} the threshold of ${label}`}
      >
        {rule ? 'Edit' : 'Set'}
      </button>
    </span>
  );
}

/**
 * Every validation rule with its reason code and what it checks; records it refused in the page's
 * range and their share of the records that arrived, all time, and open now; its threshold.
 */
export function RuleTable() {
  const { ui } = useCtx();
  const q = useUi((s) => s.ops.quality);
  const open = q.listing?.byReason ?? {};
  const t = q.stats?.totals;
  const show = (reason: string) => {
    setOps(ui, 'quality', { filter: { reason, from: null, to: null, state: '' } });
    document.getElementById('quarantine-records')?.scrollIntoView();
  };
  return (
    <>
      <p>
        Any reason: <Threshold code={null} label="any reason" />
      </p>
      <div className="grid-wrap whole" role="region" aria-label="Validation rules" tabIndex={0}>
        <table className="grid rule-table" aria-label="Validation rules">
          <thead>
            <tr>
              <th scope="col">reason code</th>
              <th scope="col">rule</th>
              <th scope="col" className="num">
                refused
              </th>
              <th scope="col" className="num">
                share
              </th>
              <th scope="col" className="num">
                all time
              </th>
              <th scope="col" className="num">
                open now
              </th>
              <th scope="col">threshold</th>
            </tr>
          </thead>
          <tbody>
            {q.rules.map((r) => {
              const n = t?.byReason[r.code] ?? 0;
              return (
                <tr key={r.code}>
                  <td>
                    <code>{r.code}</code>
                  </td>
                  <td className="wrap">
                    <strong>{r.title}</strong> <span className="muted">({r.group})</span>
                    <br />
                    <span className="muted">{r.description}</span>
                  </td>
                  <td className="num">
                    {n > 0 ? (
                      <button className="link" onClick={() => show(r.code)} aria-label={`Show the ${r.code} records`}>
                        {formatNumber(n)}
                      </button>
                    ) : (
                      formatNumber(n)
                    )}
                  </td>
                  <td className="num">{t?.records ? formatPercent(n / t.records) : '–'}</td>
                  <td className="num">{formatNumber(q.stats?.allTime.byReason[r.code] ?? 0)}</td>
                  <td className="num">{formatNumber(open[r.code] ?? 0)}</td>
                  <td className="wrap">
                    <Threshold code={r.code} label={r.code} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </>
  );
}
