import type {
  ErrorInfo,
  PinnedChart,
  QueryResult,
  SavedQuery,
  SqlHistoryEntry,
  SqlLabList,
  WarehouseSchema,
} from '../../../engine/contract';
import type { UiStore } from './uiStore';

export type SqlLabSide = 'schema' | 'saved' | 'history';

/** The SQL lab's lists as the Host keeps them, and which one the side panel shows. */
export interface SqlLabState {
  schema: WarehouseSchema | null;
  saved: SqlLabList<SavedQuery> | null;
  history: SqlLabList<SqlHistoryEntry> | null;
  side: SqlLabSide;
}

/** A pinned chart's last refresh: kept while the app runs, so the Dashboard shows it at once when visited again. */
export interface TileState {
  /** The last result that came back (kept when a later refresh fails, and said to be older). */
  result: QueryResult | null;
  /** Epoch ms of that result. */
  okAt: number | null;
  /** Epoch ms of the last answer, a result or an error. */
  refreshedAt: number | null;
  /** The last refresh's error; null when it succeeded. */
  error: ErrorInfo | null;
  running: boolean;
}

export interface DashboardState {
  pins: SqlLabList<PinnedChart> | null;
  tiles: Record<string, TileState>;
}

export function initialSqlLab(): SqlLabState {
  return { schema: null, saved: null, history: null, side: 'schema' };
}

export function initialDashboard(): DashboardState {
  return { pins: null, tiles: {} };
}

export const NO_TILE: TileState = { result: null, okAt: null, refreshedAt: null, error: null, running: false };

export function setSqlLab(ui: UiStore, patch: Partial<SqlLabState>): void {
  ui.setState((s) => ({ sqlLab: { ...s.sqlLab, ...patch } }));
}

export function setDashboard(ui: UiStore, patch: Partial<DashboardState>): void {
  ui.setState((s) => ({ dashboard: { ...s.dashboard, ...patch } }));
}

export function setTile(ui: UiStore, id: string, patch: Partial<TileState>): void {
  ui.setState((s) => ({
    dashboard: {
      ...s.dashboard,
      tiles: { ...s.dashboard.tiles, [id]: { ...(s.dashboard.tiles[id] ?? NO_TILE), ...patch } },
    },
  }));
}

/** The refresh intervals the Dashboard offers (the Host takes any whole number from 10 s to 24 h). */
export const REFRESH_CHOICES: [number, string][] = [
  [10, 'every 10 s'],
  [30, 'every 30 s'],
  [60, 'every minute'],
  [300, 'every 5 minutes'],
  [900, 'every 15 minutes'],
  [3600, 'every hour'],
];
