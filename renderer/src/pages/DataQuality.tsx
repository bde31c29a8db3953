import { useEffect } from 'react';
import { QualityChart } from '../components/quality/QualityChart';
import { QuarantineRecords } from '../components/quality/QuarantineRecords';
import { RuleTable } from '../components/quality/RuleTable';
import { useAct, useCtx, useTimeFormat, useUi } from '../context';
import { formatNumber, formatPercent } from '../format';
import { RANGES, setOps, type RangeKey } from '../store/opsState';
import '../ops.css';

const RANGE_NAMES: Record<RangeKey, string> = { '1h': '1 hour', '6h': '6 hours', '24h': '24 hours', '7d': '7 days' };

/**
 * Data quality: every validation rule with its reason code, the records each refused over time and
 * their share of arrivals (from the lake: bronze and quarantine), the stream's last minute, each
 * rule's threshold (an alert), and the quarantined records behind a number, raw and whole.
 */
export function DataQuality() {
  const { api, ui } = useCtx();
  const act = useAct();
  const time = useTimeFormat();
  const q = useUi((s) => s.ops.quality);
  const { stats } = q;

  const refresh = (range: RangeKey = ui.getState().ops.quality.range) => {
    const to = Date.now();
    void act(api.call('quality.stats', { from: to - RANGES[range], to: to + 1 }), 'quality').then(
      (s) => s && ui.getState().ops.quality.range === range && setOps(ui, 'quality', { stats: s }),
    );
  };
  useEffect(() => {
    void act(api.call('quality.rules', {}), 'quality').then((rules) => rules && setOps(ui, 'quality', { rules }));
    void act(api.call('alerts.rules', {}), 'quality').then((rules) => rules && setOps(ui, 'alerts', { rules }));
    refresh();
  }, []);

  const t = stats?.totals;
  const live = stats?.live;
  return (
    <div className="page">
      <h2>Data quality</h2>
      <div className="toolbar">
        <div role="radiogroup" aria-label="Range" className="tabs">
          {(Object.keys(RANGES) as RangeKey[]).map((r) => (
            <button
              key={r}
              role="radio"
              aria-checked={q.range === r}
              onClick={() => {
                setOps(ui, 'quality', { range: r });
                refresh(r);
              }}
            >
              Last {RANGE_NAMES[r]}
            </button>
          ))}
        </div>
        <button onClick={() => refresh()}>Refresh</button>
      </div>
      {stats && t && (
        <p role="status" aria-label="Quality summary">
          {formatNumber(t.records)} records arrived from {time.dateTime(stats.from)} to {time.minute(stats.to)},{' '}
          {formatNumber(t.quarantined)} quarantined ({formatPercent(t.records ? t.quarantined / t.records : null)}). All
          time: {formatNumber(stats.allTime.records)} arrived, {formatNumber(stats.allTime.quarantined)} quarantined.{' '}
          {live?.running
            ? `Stream now: ${formatNumber(live.quarantined)} of ${formatNumber(live.consumed)} quarantined over the last ${Math.round(live.windowMs / 1000)} s (${formatPercent(live.rate)}).`
            : 'The stream is not running.'}{' '}
          Times in {time.label}.
        </p>
      )}
      <figure className="panel">
        <figcaption>
          Quarantined per reason, per {stats ? formatBucket(stats.bucketMs) : 'bucket'} of arrival time; a bar shows its
          records below
        </figcaption>
        <QualityChart />
      </figure>
      <h3>Validation rules</h3>
      <p className="muted">
        A record is judged by these rules in this order; the first it breaks names the reason it is quarantined with.
        Counts are of the range above, by the reason each record got when it arrived. A threshold is an alert (see{' '}
        <a href="#/alerts">Alerts</a>).
      </p>
      <RuleTable />
      <QuarantineRecords onReplayed={() => refresh()} />
    </div>
  );
}

function formatBucket(ms: number): string {
  if (ms >= 86_400_000) return 'day';
  if (ms >= 3_600_000) return 'hour';
  return ms === 60_000 ? 'minute' : `${ms / 60_000} minutes`;
}
