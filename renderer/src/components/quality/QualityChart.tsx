import { useCallback } from 'react';
import type { QualityStats } from '../../../../engine/contract';
import { useCtx, useTimeFormat, type TimeFormat } from '../../context';
import { formatNumber, formatPercent } from '../../format';
import { setOps } from '../../store/opsState';
import { Chart, setPoints, type ChartInstance } from '../Chart';
import { baseOption, categoryAxis, PALETTE, valueAxis } from '../chartStyle';

/** Quarantined records per reason (stacked bars) and the share of arrivals quarantined (line), per bucket. */
export function qualityOption(s: QualityStats, time: TimeFormat) {
  const label = (t: number) =>
    s.bucketMs >= 86_400_000
      ? time.dateTime(t).slice(0, 10)
      : s.bucketMs >= 3_600_000
        ? time.dateTime(t).slice(5, 16)
        : time.minute(t);
  const reasons = Object.keys(s.totals.byReason).sort();
  const series: Record<string, unknown>[] = reasons.map((reason, i) => ({
    name: reason,
    type: 'bar',
    stack: 'quarantined',
    color: PALETTE[i % PALETTE.length],
    data: s.buckets.map((b) => b.byReason[reason] ?? 0),
  }));
  series.push({
    name: 'share quarantined',
    type: 'line',
    yAxisIndex: 1,
    showSymbol: s.buckets.length < 40,
    color: '#8b98a5',
    data: s.buckets.map((b) => (b.records ? b.quarantined / b.records : null)),
    tooltip: { valueFormatter: (v: number | null) => formatPercent(v) },
  });
  return {
    option: baseOption({
      grid: { left: 64, right: 64, top: 56, bottom: 32 },
      legend: { type: 'scroll', top: 0 },
      xAxis: categoryAxis(s.buckets.map((b) => label(b.start))),
      yAxis: [
        valueAxis('Quarantined'),
        valueAxis('Share', {
          axisLabel: { formatter: (v: number) => formatPercent(v, 0) },
          splitLine: { show: false },
        }),
      ],
      tooltip: { trigger: 'axis', valueFormatter: (v: number) => formatNumber(v) },
      series,
    }),
    points: s.buckets.length * (reasons.length + 1),
  };
}

/**
 * The chart of the page's range, pushed into echarts from the store (no React render per update).
 * A click on a bar shows that bucket's records of that reason below.
 */
export function QualityChart() {
  const { ui } = useCtx();
  const time = useTimeFormat();
  const attach = useCallback(
    (chart: ChartInstance, el: HTMLElement) => {
      let shown: QualityStats | null = null;
      const draw = () => {
        const s = ui.getState().ops.quality.stats;
        if (!s || s === shown) return;
        shown = s;
        const { option, points } = qualityOption(s, time);
        chart.setOption(option, { notMerge: true });
        setPoints(el, points);
      };
      chart.on('click', (p: { seriesType?: string; seriesName?: string; dataIndex?: number }) => {
        const s = ui.getState().ops.quality.stats;
        const b = s?.buckets[p.dataIndex ?? -1];
        if (!s || !b || p.seriesType !== 'bar') return;
        const filter = { reason: p.seriesName ?? '', from: b.start, to: b.start + s.bucketMs, state: '' as const };
        setOps(ui, 'quality', { filter });
        document.getElementById('quarantine-records')?.scrollIntoView();
      });
      draw();
      return ui.subscribe(draw);
    },
    [time, ui],
  );
  return (
    <Chart label="Quarantined records per reason and the share of arrivals quarantined" attach={attach} height={280} />
  );
}
