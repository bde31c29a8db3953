import { useEffect, useRef } from 'react';
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, MarkAreaComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useApp } from '../context';

echarts.use([LineChart, BarChart, GridComponent, LegendComponent, MarkAreaComponent, TooltipComponent, CanvasRenderer]);

export type ChartInstance = echarts.ECharts;

/**
 * An echarts instance in a labelled container. `attach` gets the instance once and returns a
 * disposer: it subscribes to a store and pushes option updates directly (no React render per tick).
 * `data-points` on the container counts the points drawn, for tests and the benchmark.
 */
export function Chart({
  label,
  attach,
  height = 260,
}: {
  label: string;
  attach: (chart: ChartInstance, el: HTMLElement) => () => void;
  height?: number;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const theme = useApp((s) => s.theme);
  useEffect(() => {
    const el = ref.current!;
    const chart = echarts.init(el, theme === 'dark' ? 'dark' : undefined, { renderer: 'canvas' });
    chart.setOption({ backgroundColor: 'transparent' });
    const detach = attach(chart, el);
    const resize = new ResizeObserver(() => chart.resize());
    resize.observe(el);
    return () => {
      resize.disconnect();
      detach();
      chart.dispose();
    };
  }, [attach, theme]);
  return <div ref={ref} className="chart" role="img" aria-label={label} data-points="0" style={{ height }} />;
}

export function setPoints(el: HTMLElement, n: number): void {
  el.dataset.points = String(n);
}

export { baseOption } from './chartStyle';
