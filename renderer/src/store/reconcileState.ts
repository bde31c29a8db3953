import type { Lineage, ReconciliationReport } from '../../../engine/contract';
import type { UiStore } from './uiStore';

/** The Live page's choices: the time range, whether it follows the Host, one store or all. */
export interface LiveViewState {
  /** 15 to 1,440. */
  minutes: number;
  autoRefresh: boolean;
  /** A store id, or null for all stores. */
  store: string | null;
  /** Bumped by "Refresh now" while auto-refresh is off: the charts take the Host's latest once. */
  refreshTick: number;
  /** When the charts last took the Host's figures while auto-refresh is off (epoch ms). */
  pausedAt: number | null;
}

export const RANGES: [minutes: number, label: string][] = [
  [15, '15 min'],
  [60, '1 h'],
  [180, '3 h'],
  [360, '6 h'],
  [720, '12 h'],
  [1440, '24 h'],
];

export function initialLiveView(): LiveViewState {
  return { minutes: 15, autoRefresh: true, store: null, refreshTick: 0, pausedAt: null };
}

/** The Reconciliation page's last report and lineage, kept while the app runs. */
export interface ReconcilePageState {
  report: ReconciliationReport | null;
  /** The store and minute to trace (from a Live chart's point, or the form). */
  trace: { storeId: number; minute: number } | null;
  lineage: Lineage | null;
  tracing: boolean;
  /** Sales whose records are shown (partition:offset). */
  open: string[];
}

export function initialReconcile(): ReconcilePageState {
  return { report: null, trace: null, lineage: null, tracing: false, open: [] };
}

export function setLiveView(ui: UiStore, patch: Partial<LiveViewState>): void {
  ui.setState((s) => ({ liveView: { ...s.liveView, ...patch } }));
}

export function setReconcile(ui: UiStore, patch: Partial<ReconcilePageState>): void {
  ui.setState((s) => ({ reconcile: { ...s.reconcile, ...patch } }));
}
