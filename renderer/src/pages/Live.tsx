import { useCallback } from 'react';
import { useStore } from 'zustand';
import type { MetricsSnapshot } from '../../../engine/contract';
import { Chart, setPoints, type ChartInstance } from '../components/Chart';
import { baseOption, categoryAxis, PALETTE, valueAxis } from '../components/chartStyle';
import { ErrorNote } from '../components/ErrorNote';
import { timeFormat, useApp, useCtx, usePlace, useTimeFormat, useUi, type TimeFormat } from '../context';
import { formatMoney } from '../format';
import { useHostQuery } from '../hostQuery';
import { applySnapshot, type LiveState } from '../store/appStore';
import { RANGES, setReconcile, type LiveViewState } from '../store/reconcileState';
import { LiveControls } from './LiveControls';
import { breakdownSnapshot, eventLagText, rangeFor, silverUntil, viewSnapshot } from './liveView';

type Built = { option: Record<string, unknown>; points: number };
const UTC = timeFormat('UTC');

/** A store keeps its colour whichever stores have sales in the window. */
export const storeColour = (id: string) => PALETTE[(Math.max(1, Number(id)) - 1) % PALETTE.length];

/** Option builders from the live store: pure, so they are tested without a browser. */
export function revenuePerStore(
  s: MetricsSnapshot,
  time: TimeFormat = UTC,
  /** Minutes before this were read from silver (the live windows hold none of them): shaded and said. */
  silverBefore: number | null = null,
): Built & { inProgress: string | null } {
  const stores = [...new Set(s.windows.flatMap((w) => Object.keys(w.byStore)))].sort((a, b) => Number(a) - Number(b));
  const x = s.windows.map((w) => time.minute(w.start));
  // The minute still being filled is not a drop in revenue: it is marked as in progress.
  const open = s.windows.length > 0 && s.windows[s.windows.length - 1].end > s.at ? x[x.length - 1] : null;
  const lastSilver = silverBefore === null ? -1 : s.windows.findLastIndex((w) => w.start < silverBefore);
  const label = (formatter: string) => ({
    show: true,
    position: 'top',
    distance: 4,
    formatter,
    color: '#8b98a5',
  });
  const areas = [
    ...(lastSilver >= 0 ? [[{ xAxis: x[0], label: label('from silver') }, { xAxis: x[lastSilver] }]] : []),
    ...(open ? [[{ xAxis: open, label: label('in progress') }, { xAxis: open }]] : []),
  ];
  const series = stores.map((id, i) => ({
    id,
    name: s.names?.stores[id] ?? `Store ${id}`,
    type: 'line',
    color: storeColour(id),
    showSymbol: s.windows.length < 3,
    data: s.windows.map((w) => (w.byStore[id]?.revenueCents ?? 0) / 100),
    ...(i === 0 && areas.length
      ? { markArea: { silent: true, itemStyle: { color: 'rgba(128,128,128,0.16)' }, data: areas } }
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

type Build = (live: LiveState, time: TimeFormat, view: LiveViewState) => Built | null;

/**
 * Subscribes one chart to the live store and the page's view (range, store, auto-refresh); every
 * tick goes straight into echarts. With auto-refresh off the chart keeps the figures it had (the
 * range it reads changes only when the user asks), until "Refresh now".
 */
function useLive(build: Build, onChart?: (chart: ChartInstance, shown: () => LiveState) => () => void) {
  const { live, ui } = useCtx();
  const time = useTimeFormat();
  return useCallback(
    (chart: ChartInstance, el: HTMLElement) => {
      let first = true;
      let frozen: { tick: number; state: LiveState } | null = null;
      let last: { state: LiveState; view: LiveViewState } | null = null;
      const shown = (): LiveState => {
        const view = ui.getState().liveView;
        const state = live.getState();
        if (view.autoRefresh) {
          frozen = null;
          return state;
        }
        if (!frozen || frozen.tick !== view.refreshTick) frozen = { tick: view.refreshTick, state };
        return { ...frozen.state, range: state.range };
      };
      const push = () => {
        const view = ui.getState().liveView;
        const state = shown();
        if (last && last.view === view && sameState(last.state, state)) return;
        last = { state, view };
        const built = build(state, time, view);
        if (!built) return;
        chart.setOption(first ? baseOption(built.option) : built.option, {
          replaceMerge: ['series'],
          lazyUpdate: true,
        });
        first = false;
        setPoints(el, built.points);
      };
      push();
      const offs = [live.subscribe(push), ui.subscribe((s, prev) => s.liveView !== prev.liveView && push())];
      const detach = onChart?.(chart, shown);
      return () => {
        offs.forEach((off) => off());
        detach?.();
      };
    },
    [live, ui, build, time, onChart],
  );
}

const sameState = (a: LiveState, b: LiveState) =>
  a.snapshot === b.snapshot && a.samples === b.samples && a.range === b.range;

const buildStore: Build = (l, t, v) => {
  const s = viewSnapshot(l, v);
  return s ? revenuePerStore(s, t, silverUntil(rangeFor(l.range, v))) : null;
};
const buildProducts: Build = (l, _t, v) => {
  const s = breakdownSnapshot(l, v);
  return s ? topProducts(s) : null;
};
const buildCategories: Build = (l, _t, v) => {
  const s = breakdownSnapshot(l, v);
  return s ? revenueByCategory(s) : null;
};
const buildTps: Build = (l, t) =>
  sampleChart(l, 'transactions/s', [{ name: 'transactions/s', pick: (p) => Math.round(p.tps) }], t);
const buildLatency: Build = (l, t) =>
  sampleChart(
    l,
    'ms',
    [
      { name: 'p50 ms (this second)', pick: (p) => p.p50 },
      { name: 'p99 ms (this second)', pick: (p) => p.p99 },
    ],
    t,
  );
const buildLate: Build = (l, t) => sampleChart(l, 'events/s', [{ name: 'late events/s', pick: (p) => p.late }], t);

/** The store and minute under a click on the revenue chart: the minute's column, the store whose line is nearest. */
export function pointAt(s: MetricsSnapshot, index: number, value: number): { storeId: number; minute: number } | null {
  const w = s.windows[Math.round(index)];
  if (!w) return null;
  const stores = Object.entries(w.byStore);
  if (!stores.length) return null;
  const [store] = stores.reduce((a, b) =>
    Math.abs(b[1].revenueCents / 100 - value) < Math.abs(a[1].revenueCents / 100 - value) ? b : a,
  );
  return { storeId: Number(store), minute: w.start };
}

/** Why the charts are empty, when they are: nothing produced yet, windows lost with a restart, or no metrics store. */
function EmptyState() {
  const { live } = useCtx();
  const { error } = usePlace('live.metrics');
  const view = useUi((s) => s.liveView);
  const windows = useStore(live, (s) => viewSnapshot(s, view)?.windows.length ?? 0);
  useHostQuery((host) => host.call('metrics.snapshot', { minutes: 15 }), [], {
    place: 'live.metrics',
    onData: (m) => applySnapshot(live, m),
  });
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
      No sales in the last {RANGES.find(([m]) => m === view.minutes)?.[1] ?? `${view.minutes} min`} of event time
      {view.store === null ? '' : ' for this store'} yet. Start the producer and the stream on the{' '}
      <a href="#/pipeline">Pipeline</a> page. Minutes the live windows do not hold are read from silver.
    </p>
  );
}

export function Live() {
  const { ui } = useCtx();
  const time = useTimeFormat();
  const view = useUi((s) => s.liveView);
  // A click on the revenue chart traces that store's minute on the Reconciliation page.
  const traceClicks = useCallback(
    (chart: ChartInstance, shown: () => LiveState) => {
      const zr = chart.getZr();
      const onClick = (e: { offsetX: number; offsetY: number }) => {
        const s = viewSnapshot(shown(), ui.getState().liveView);
        const pt = [e.offsetX, e.offsetY];
        if (!s || !chart.containPixel('grid', pt)) return;
        const [index, value] = chart.convertFromPixel('grid', pt) as number[];
        const point = pointAt(s, index, value);
        if (!point) return;
        setReconcile(ui, { trace: point, lineage: null, open: [] });
        location.hash = '#/reconciliation';
      };
      zr.on('click', onClick);
      return () => zr.off('click', onClick);
    },
    [ui],
  );
  const store = useLive(buildStore, traceClicks);
  const tps = useLive(buildTps);
  const products = useLive(buildProducts);
  const categories = useLive(buildCategories);
  const latency = useLive(buildLatency);
  const late = useLive(buildLate);
  const range = RANGES.find(([m]) => m === view.minutes)?.[1] ?? `${view.minutes} min`;
  const eventLag = useApp((s) =>
    eventLagText(s.stages.stream.state === 'running', s.stages.stream.counters.eventLagMs),
  );
  const filtered = view.store !== null;
  return (
    <div className="page">
      <h2>Live</h2>
      <p className="muted">
        1-minute event-time windows of the last {range}, pushed every second; latency and late events per second. Times
        in {time.label}. Click a minute on the revenue chart to trace a store's sales to silver and bronze (or use the{' '}
        <a href="#/reconciliation">Reconciliation</a> page).
      </p>
      <LiveControls />
      <EmptyState />
      <div className="charts">
        <figure className="wide">
          <figcaption>Revenue per store per minute</figcaption>
          <Chart label="Revenue per store per minute" attach={store} height={320} />
        </figure>
        <figure>
          <figcaption>Transactions per second{filtered ? ' (all stores)' : ''}</figcaption>
          <Chart label="Transactions per second" attach={tps} />
        </figure>
        <figure>
          <figcaption>Top products{filtered ? ' (this store, from silver)' : ''}</figcaption>
          <Chart label="Top products by revenue" attach={products} />
        </figure>
        <figure>
          <figcaption>Revenue by category{filtered ? ' (this store, from silver)' : ''}</figcaption>
          <Chart label="Revenue by category" attach={categories} />
        </figure>
        <figure>
          <figcaption>
            Event-to-window latency per second, from broker arrival{filtered ? ' (all stores)' : ''}
          </figcaption>
          <Chart label="Event-to-window latency" attach={latency} />
          {eventLag && <p className="muted">{eventLag}</p>}
        </figure>
        <figure>
          <figcaption>Late events per second{filtered ? ' (all stores)' : ''}</figcaption>
          <Chart label="Late events" attach={late} />
        </figure>
      </div>
    </div>
  );
}
