import { createStore } from 'zustand/vanilla';
import type {
  EtlProgress,
  HostApi,
  MetricsRange,
  MetricsSnapshot,
  StageName,
  StageStatus,
} from '../../../engine/contract';

export type Theme = 'dark' | 'light';

export interface StageView extends StageStatus {
  /** Per-second rates of the counters, from the last two updates. */
  rates: Record<string, number>;
}

export interface AppState {
  stages: Record<StageName, StageView>;
  etlProgress: EtlProgress | null;
  theme: Theme;
  connected: boolean;
}

const stopped = (stage: StageName): StageView => ({
  stage,
  state: 'stopped',
  counters: {},
  error: null,
  updatedAt: 0,
  rates: {},
});

/** UI state fed by contract events (stage slice, ETL slice, theme); errors live where they happen (uiStore). */
export function createAppStore(theme: Theme = 'dark') {
  return createStore<AppState>()(() => ({
    stages: { producer: stopped('producer'), stream: stopped('stream'), etl: stopped('etl') },
    etlProgress: null,
    theme,
    connected: false,
  }));
}
export type AppStore = ReturnType<typeof createAppStore>;

export function applyStatus(store: AppStore, s: StageStatus): void {
  const prev = store.getState().stages[s.stage];
  const dt = (s.updatedAt - prev.updatedAt) / 1000;
  const rates: Record<string, number> = { ...prev.rates };
  if (prev.updatedAt > 0 && dt > 0.2) {
    for (const [k, v] of Object.entries(s.counters))
      if (typeof prev.counters[k] === 'number') rates[k] = Math.max(0, (v - prev.counters[k]) / dt);
  }
  if (s.state !== 'running') for (const k of Object.keys(rates)) rates[k] = 0;
  store.setState((st) => ({ stages: { ...st.stages, [s.stage]: { ...s, rates } } }));
}

/**
 * Live metrics outside React: charts subscribe and push into echarts directly, so a tick re-renders
 * nothing. Keeps a history of per-tick figures (rates, latency, late events) for the time charts:
 * each of the interval since the previous tick, not since the start.
 */
export interface LiveSample {
  at: number;
  tps: number;
  p50: number | null;
  p99: number | null;
  /** Late events per second over this interval. */
  late: number;
}
export interface LiveState {
  snapshot: MetricsSnapshot | null;
  samples: LiveSample[];
  /** The Live page's time range (metrics.range), merged with the ticks for the newest minutes. */
  range: MetricsRange | null;
}
export const LIVE_HISTORY = 600;

export function createLiveStore() {
  return createStore<LiveState>()(() => ({ snapshot: null, samples: [], range: null }));
}
export type LiveStore = ReturnType<typeof createLiveStore>;

export function applySnapshot(store: LiveStore, s: MetricsSnapshot): void {
  const { snapshot: prev, samples } = store.getState();
  const i = s.interval;
  let sample: LiveSample;
  if (i && i.ms > 0) {
    const perSecond = 1000 / i.ms;
    sample = {
      at: s.at,
      tps: i.transactions * perSecond,
      p50: i.latencyMs.p50,
      p99: i.latencyMs.p99,
      late: i.lateRecords * perSecond,
    };
  } else {
    // No interval yet (the first tick): differences of the totals where there are two snapshots.
    const dt = prev ? (s.at - prev.at) / 1000 : 0;
    const tps = prev && dt > 0 ? Math.max(0, (s.transactions - prev.transactions) / dt) : 0;
    const late = prev && dt > 0 ? Math.max(0, s.lateRecords - prev.lateRecords) / dt : 0;
    sample = { at: s.at, tps, p50: null, p99: null, late };
  }
  const next = [...samples, sample];
  store.setState({ snapshot: s, samples: next.length > LIVE_HISTORY ? next.slice(-LIVE_HISTORY) : next });
}

/** Subscribes the stores to the Host's events; returns the disposer. */
export function bindHost(api: HostApi, app: AppStore, live: LiveStore): () => void {
  const offs = [
    api.on('stage.status', (s) => applyStatus(app, s)),
    api.on('etl.progress', (p) => app.setState({ etlProgress: p })),
    api.on('metrics.tick', (m) => applySnapshot(live, m)),
  ];
  void api.call('stage.list', {}).then(
    (list) => {
      app.setState({ connected: true });
      for (const s of list) applyStatus(app, s);
    },
    () => undefined,
  );
  void api.call('metrics.snapshot', { minutes: 15 }).then(
    (m) => applySnapshot(live, m),
    () => undefined,
  );
  return () => offs.forEach((off) => off());
}
