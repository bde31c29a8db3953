import { useCallback, useEffect } from 'react';
import { useStore } from 'zustand';
import type { MetricsSnapshot } from '../../../engine/contract';
import { Chart, setPoints, type ChartInstance } from '../components/Chart';
import { baseOption, categoryAxis, PALETTE, valueAxis } from '../components/chartStyle';
import { ErrorNote } from '../components/ErrorNote';
import { timeFormat, useCtx, usePlace, useTimeFormat, type TimeFormat } from '../context';
import { formatMoney } from '../format';
import { applySnapshot, type LiveState } from '../store/appStore';

type Built = { option: Record<string, unknown>; points: number };
const UTC = timeFormat('UTC');

/** A store keeps its colour whichever stores have sales in the window. */
export const storeColour = (id: string) => PALETTE[(Math.max(1, Number(id)) - 1) % PALETTE.length];

/** Option builders from the live store: pure, so they are tested without a browser. */
export function revenuePerStore(s: MetricsSnapshot, time: TimeFormat = UTC): Built & { inProgress: string | null } {
  const stores = [...new Set(s.windows.flatMap((w) => Object.keys(w.byStore)))].sort((a, b) => Number(a) - Number(b));
  const x = s.windows.map((w) => time.minute(w.start));
  // The minute still being filled is not a drop in revenue: it is marked as in progress.
  const open = s.windows.length > 0 && s.windows[s.windows.length - 1].end > s.at ? x[x.length - 1] : null;
  const series = stores.map((id, i) => ({
    name: s.names?.stores[id] ?? `Store ${id}`,
    type: 'line',
    color: storeColour(id),
    showSymbol: s.windows.length < 3,
    data: s.windows.map((w) => (w.byStore[id]?.revenueCents ?? 0) / 100),
    ...(i === 0 && open
      ? {
          markArea: {
            silent: true,
            itemStyle: { color: 'rgba(128,128,128,0.16)' },
            label: { show: true, position: 'top', distance: 4, formatter: 'in progress', color: '#8b98a5' },
            data: [[{ xAxis: open }, { xAxis: open }]],
          },
        }
      : {}),
  }));
  return {
    option: {
      grid: { left: 64, right: 20, top: 64, bottom: 32 },
      xAxis: categoryAxis(x),
      yAxis: valueAxis('Revenue (EGP)'),
      legend: { type: 'scroll', top: 0 },
      tooltip: { trigger: 'axis', valueFormatter: (v: number) => formatMoney(v) },
      series,
    },
    points: series.reduce((n, x) => n + x.data.length, 0),
    inProgress: open,
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

export function topProducts(s: MetricsSnapshot): Built {
  const top = summed(s, (w) =>
    Object.fromEntries(Object.entries(w.byProduct).map(([k, v]) => [k, v.revenueCents / 100])),
  )
    .slice(0, 10)
    .reverse();
  return {
    option: {
      // Names take the room they need on the left (cut past 150 px); values are compact and skip when crowded.
      grid: { left: 8, right: 24, top: 12, bottom: 40, outerBoundsMode: 'same', outerBoundsContain: 'axisLabel' },
      xAxis: valueAxis('Revenue (EGP)', { nameGap: 26, splitNumber: 4 }),
      yAxis: categoryAxis(
        top.map(([k]) => s.names?.products[k] ?? `#${k}`),
        { axisLabel: { interval: 0, width: 150, overflow: 'truncate' } },
      ),
      tooltip: { trigger: 'axis', valueFormatter: (v: number) => formatMoney(v) },
      series: [{ type: 'bar', data: top.map(([, v]) => v) }],
    },
    points: top.length,
  };
}

export function revenueByCategory(s: MetricsSnapshot): Built {
  const cats = summed(s, (w) => Object.fromEntries(Object.entries(w.byCategory).map(([k, v]) => [k, v / 100])));
  return {
    option: {
      grid: { left: 64, right: 20, top: 16, bottom: 56 },
      xAxis: categoryAxis(
        cats.map(([k]) => k),
        { axisLabel: { interval: 0, rotate: 30 } },
      ),
      yAxis: valueAxis('Revenue (EGP)'),
      tooltip: { trigger: 'axis', valueFormatter: (v: number) => formatMoney(v) },
      series: [{ type: 'bar', data: cats.map(([, v]) => v), colorBy: 'data' }],
    },
    points: cats.length,
  };
}

export function sampleChart(
  live: LiveState,
  axis: string,
  series: { name: string; pick: (x: LiveState['samples'][number]) => number | null }[],
  time: TimeFormat = UTC,
): Built {
  const x = live.samples.map((p) => time.time(p.at));
  return {
    option: {
      grid: { left: 64, right: 20, top: 36, bottom: 32 },
      xAxis: categoryAxis(x),
      yAxis: valueAxis(axis),
      legend: { top: 0 },
      series: series.map((s) => ({ name: s.name, type: 'line', showSymbol: false, data: live.samples.map(s.pick) })),
    },
    points: x.length * series.length,
  };
}

/** Subscribes one chart to the live store; every tick goes straight into echarts. */
function useLive(build: (live: LiveState, time: TimeFormat) => Built | null) {
  const { live } = useCtx();
  const time = useTimeFormat();
  return useCallback(
    (chart: ChartInstance, el: HTMLElement) => {
      let first = true;
      const push = (state: LiveState) => {
        const built = build(state, time);
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
    [live, build, time],
  );
}

const buildStore = (l: LiveState, t: TimeFormat) => (l.snapshot ? revenuePerStore(l.snapshot, t) : null);
const buildProducts = (l: LiveState) => (l.snapshot ? topProducts(l.snapshot) : null);
const buildCategories = (l: LiveState) => (l.snapshot ? revenueByCategory(l.snapshot) : null);
const buildTps = (l: LiveState, t: TimeFormat) =>
  sampleChart(l, 'transactions/s', [{ name: 'transactions/s', pick: (p) => Math.round(p.tps) }], t);
const buildLatency = (l: LiveState, t: TimeFormat) =>
  sampleChart(
    l,
    'ms',
    [
      { name: 'p50 ms (this second)', pick: (p) => p.p50 },
      { name: 'p99 ms (this second)', pick: (p) => p.p99 },
    ],
    t,
  );
const buildLate = (l: LiveState, t: TimeFormat) =>
  sampleChart(l, 'events/s', [{ name: 'late events/s', pick: (p) => p.late }], t);

/** Why the charts are empty, when they are: nothing produced yet, windows lost with a restart, or no metrics store. */
function EmptyState() {
  const { api, live } = useCtx();
  const { run, error } = usePlace('live.metrics');
  const windows = useStore(live, (s) => s.snapshot?.windows.length ?? 0);
  useEffect(() => {
    void run(api.call('metrics.snapshot', { minutes: 15 })).then((m) => m && applySnapshot(live, m));
  }, []);
  if (error)
    return (
      <div className="notice" role="status">
        <ErrorNote error={error} />
        <a href="#/settings">Check the metrics store in Settings</a>
      </div>
    );
  if (windows > 0) return null;
  return (
    <p className="notice" role="status">
      No sales in the last 15 minutes of event time yet. Start the producer and the stream on the{' '}
      <a href="#/pipeline">Pipeline</a> page. The embedded metrics store keeps its windows in memory, so after a restart
      they start empty: the lake and the warehouse still hold every sale.
    </p>
  );
}

export function Live() {
  const time = useTimeFormat();
  const store = useLive(buildStore);
  const tps = useLive(buildTps);
  const products = useLive(buildProducts);
  const categories = useLive(buildCategories);
  const latency = useLive(buildLatency);
  const late = useLive(buildLate);
  return (
    <div className="page">
      <h2>Live</h2>
      <p className="muted">
        1-minute event-time windows of the last 15 minutes, pushed every second; latency and late events per second.
        Times in {time.label}.
      </p>
      <EmptyState />
      <div className="charts">
        <figure className="wide">
          <figcaption>Revenue per store per minute</figcaption>
          <Chart label="Revenue per store per minute" attach={store} height={320} />
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
          <figcaption>Event latency per second</figcaption>
          <Chart label="Event-to-window latency" attach={latency} />
        </figure>
        <figure>
          <figcaption>Late events per second</figcaption>
          <Chart label="Late events" attach={late} />
        </figure>
      </div>
    </div>
  );
}
