import { useCallback } from 'react';
import type { EtlRunView } from '../../../../engine/contract';
import { useCtx, useTimeFormat, type TimeFormat } from '../../context';
import { formatDuration, formatNumber } from '../../format';
import { Chart, setPoints, type ChartInstance } from '../Chart';
import { baseOption, categoryAxis, valueAxis } from '../chartStyle';

const STATUS_COLOUR: Record<EtlRunView['status'], string> = {
  succeeded: '#59a14f',
  failed: '#e15759',
  interrupted: '#f28e2b',
  running: '#4e79a7',
};

/** Duration of each finished run (bars, coloured by status) and the lines it inserted (line), oldest first. */
export function trendOption(runs: EtlRunView[], time: TimeFormat) {
  const done = runs.filter((r) => r.durationMs !== null).reverse();
  return {
    option: baseOption({
      grid: { left: 64, right: 64, top: 36, bottom: 32 },
      legend: { top: 0, data: ['duration', 'lines inserted'] },
      xAxis: categoryAxis(done.map((r) => time.dateTime(r.startedAt).slice(5, 19))),
      yAxis: [valueAxis('Duration (s)'), valueAxis('Lines', { splitLine: { show: false } })],
      tooltip: { trigger: 'axis' },
      series: [
        {
          name: 'duration',
          type: 'bar',
          data: done.map((r) => ({ value: (r.durationMs ?? 0) / 1000, itemStyle: { color: STATUS_COLOUR[r.status] } })),
          tooltip: { valueFormatter: (v: number) => formatDuration(v * 1000) },
        },
        {
          name: 'lines inserted',
          type: 'line',
          yAxisIndex: 1,
          color: '#8b98a5',
          data: done.map((r) => r.rowsInserted),
          tooltip: { valueFormatter: (v: number) => formatNumber(v) },
        },
      ],
    }),
    points: done.length * 2,
  };
}

/** The duration trend of the runs listed, pushed into echarts from the store. */
export function RunTrend() {
  const { ui } = useCtx();
  const time = useTimeFormat();
  const attach = useCallback(
    (chart: ChartInstance, el: HTMLElement) => {
      let shown: EtlRunView[] | null = null;
      const draw = () => {
        const runs = ui.getState().ops.etlRuns.runs;
        if (runs === shown) return;
        shown = runs;
        const { option, points } = trendOption(runs, time);
        chart.setOption(option, { notMerge: true });
        setPoints(el, points);
      };
      draw();
      return ui.subscribe(draw);
    },
    [time, ui],
  );
  return <Chart label="Duration and lines of each ETL run" attach={attach} height={220} />;
}
