import { useCallback } from 'react';
import type { MetricsSnapshot } from '../../../engine/contract';
import { baseOption, Chart, setPoints, type ChartInstance } from '../components/Chart';
import { useCtx } from '../context';
import type { LiveState } from '../store/appStore';

const minute = (ms: number) => new Date(ms).toISOString().slice(11, 16);
const hhmmss = (ms: number) => new Date(ms).toISOString().slice(11, 19);

/** Option builders from the live store: pure, so they are tested without a browser. */
export function revenuePerStore(s: MetricsSnapshot) {
  const stores = [...new Set(s.windows.flatMap((w) => Object.keys(w.byStore)))].sort((a, b) => Number(a) - Number(b));
  const x = s.windows.map((w) => minute(w.start));
  const series = stores.map((id) => ({
    name: s.names?.stores[id] ?? `Store ${id}`,
    type: 'line',
    showSymbol: s.windows.length < 3,
    data: s.windows.map((w) => (w.byStore[id]?.revenueCents ?? 0) / 100),
  }));
  return {
    option: {
      xAxis: { type: 'category', data: x },
      yAxis: { type: 'value', name: 'EGP' },
      legend: { type: 'scroll', top: 0 },
      series,
    },
    points: series.reduce((n, x) => n + x.data.length, 0),
  };
}

function summed(
  s: MetricsSnapshot,
  pick: (w: MetricsSnapshot['windows'][number]) => Record<string, number>,
): [string, number][] {
  const total = new Map<string, number>();
  for (const w of s.windows) for (const [k, v] of Object.entries(pick(w))) total.set(k, (total.get(k) ?? 0) + v);
  return [...total.entries()].sort((a, b) => b[1] - a[1]);
}

export function topProducts(s: MetricsSnapshot) {
  const top = summed(s, (w) =>
    Object.fromEntries(Object.entries(w.byProduct).map(([k, v]) => [k, v.revenueCents / 100])),
  )
    .slice(0, 10)
    .reverse();
  return {
    option: {
      xAxis: { type: 'value', name: 'EGP' },
      yAxis: { type: 'category', data: top.map(([k]) => s.names?.products[k] ?? `#${k}`) },
      series: [{ type: 'bar', data: top.map(([, v]) => v) }],
    },
    points: top.length,
  };
}

export function revenueByCategory(s: MetricsSnapshot) {
  const cats = summed(s, (w) => Object.fromEntries(Object.entries(w.byCategory).map(([k, v]) => [k, v / 100])));
  return {
    option: {
      xAxis: { type: 'category', data: cats.map(([k]) => k), axisLabel: { interval: 0, rotate: 30 } },
      yAxis: { type: 'value', name: 'EGP' },
      series: [{ type: 'bar', data: cats.map(([, v]) => v) }],
    },
    points: cats.length,
  };
}

function sampleChart(
  live: LiveState,
  series: { name: string; pick: (x: LiveState['samples'][number]) => number | null }[],
) {
  const x = live.samples.map((p) => hhmmss(p.at));
  return {
    option: {
      xAxis: { type: 'category', data: x },
      yAxis: { type: 'value' },
      legend: { top: 0 },
      series: series.map((s) => ({ name: s.name, type: 'line', showSymbol: false, data: live.samples.map(s.pick) })),
    },
    points: x.length * series.length,
  };
}

/** Subscribes one chart to the live store; every tick goes straight into echarts. */
function useLive(build: (live: LiveState) => { option: Record<string, unknown>; points: number } | null) {
  const { live } = useCtx();
  return useCallback(
    (chart: ChartInstance, el: HTMLElement) => {
      let first = true;
      const push = (state: LiveState) => {
        const built = build(state);
        if (!built) return;
        chart.setOption(first ? baseOption(built.option) : built.option, {
          replaceMerge: ['series'],
          lazyUpdate: true,
        });
        first = false;
        setPoints(el, built.points);
      };
      push(live.getState());
      return live.subscribe(push);
    },
    [live, build],
  );
}

const bySnapshot =
  (f: (s: MetricsSnapshot) => { option: Record<string, unknown>; points: number }) => (l: LiveState) =>
    l.snapshot ? f(l.snapshot) : null;
const buildStore = bySnapshot(revenuePerStore);
const buildProducts = bySnapshot(topProducts);
const buildCategories = bySnapshot(revenueByCategory);
const buildTps = (l: LiveState) => sampleChart(l, [{ name: 'transactions/s', pick: (p) => Math.round(p.tps) }]);
const buildLatency = (l: LiveState) =>
  sampleChart(l, [
    { name: 'p50 ms', pick: (p) => p.p50 },
    { name: 'p99 ms', pick: (p) => p.p99 },
  ]);
const buildLate = (l: LiveState) => sampleChart(l, [{ name: 'late events (total)', pick: (p) => p.late }]);

export function Live() {
  const store = useLive(buildStore);
  const tps = useLive(buildTps);
  const products = useLive(buildProducts);
  const categories = useLive(buildCategories);
  const latency = useLive(buildLatency);
  const late = useLive(buildLate);
  return (
    <div className="page">
      <h2>Live</h2>
      <p className="muted">1-minute event-time windows of the last 15 minutes, pushed every second.</p>
      <div className="charts">
        <figure className="wide">
          <figcaption>Revenue per store per minute</figcaption>
          <Chart label="Revenue per store per minute" attach={store} height={300} />
        </figure>
        <figure>
          <figcaption>Transactions per second</figcaption>
          <Chart label="Transactions per second" attach={tps} />
        </figure>
        <figure>
          <figcaption>Top products</figcaption>
          <Chart label="Top products by revenue" attach={products} />
        </figure>
        <figure>
          <figcaption>Revenue by category</figcaption>
          <Chart label="Revenue by category" attach={categories} />
        </figure>
        <figure>
          <figcaption>Event latency</figcaption>
          <Chart label="Event-to-window latency" attach={latency} />
        </figure>
        <figure>
          <figcaption>Late events</figcaption>
          <Chart label="Late events" attach={late} />
        </figure>
      </div>
    </div>
  );
}
