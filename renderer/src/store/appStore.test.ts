import { describe, expect, it } from 'vitest';
import type { MetricsSnapshot } from '../../../engine/contract';
import { applySnapshot, applyStatus, createAppStore, createLiveStore, LIVE_HISTORY } from './appStore';

const snap = (at: number, transactions: number): MetricsSnapshot => ({
  windows: [],
  transactions,
  revenue: 0,
  lateRecords: 0,
  latencyMs: { p50: 5, p99: 20 },
  at,
  names: { stores: {}, products: {} },
});

describe('app store', () => {
  it('keeps each stage status and derives per-second rates from consecutive counters', () => {
    const app = createAppStore();
    applyStatus(app, { stage: 'stream', state: 'running', counters: { consumed: 100 }, error: null, updatedAt: 1000 });
    applyStatus(app, { stage: 'stream', state: 'running', counters: { consumed: 1100 }, error: null, updatedAt: 3000 });
    expect(app.getState().stages.stream.counters.consumed).toBe(1100);
    expect(app.getState().stages.stream.rates.consumed).toBe(500);
    applyStatus(app, { stage: 'stream', state: 'stopped', counters: { consumed: 1100 }, error: null, updatedAt: 4000 });
    expect(app.getState().stages.stream.rates.consumed).toBe(0);
  });
});

describe('live store', () => {
  it('turns totals into transactions per second and caps the history', () => {
    const live = createLiveStore();
    applySnapshot(live, snap(0, 0));
    applySnapshot(live, snap(2000, 600));
    expect(live.getState().samples.map((s) => s.tps)).toEqual([0, 300]);
    for (let i = 0; i < LIVE_HISTORY + 50; i++) applySnapshot(live, snap(4000 + i * 1000, 600 + i));
    expect(live.getState().samples).toHaveLength(LIVE_HISTORY);
  });

  it("uses the Host's interval figures: rate, latency and late events of the last second, not since the start", () => {
    const live = createLiveStore();
    applySnapshot(live, {
      ...snap(1000, 5000),
      lateRecords: 900,
      latencyMs: { p50: 4000, p99: 9000 },
      interval: { ms: 500, transactions: 250, lateRecords: 3, latencyMs: { p50: 12, p99: 40 } },
    });
    expect(live.getState().samples[0]).toEqual({ at: 1000, tps: 500, p50: 12, p99: 40, late: 6 });
  });

  it('notifies subscribers without any React involved (charts push from here)', () => {
    const live = createLiveStore();
    const seen: number[] = [];
    live.subscribe((s) => seen.push(s.snapshot?.transactions ?? -1));
    applySnapshot(live, snap(0, 7));
    expect(seen).toEqual([7]);
  });
});
