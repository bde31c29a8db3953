import { createStore } from 'zustand/vanilla';
import type {
  ErrorInfo,
  HostApi,
  LakeCounts,
  ProducerSettings,
  ServiceHealth,
  StageName,
} from '../../../engine/contract';
import { errorInfo } from '../api/hostError';
import type { ZoneChoice } from '../format';
import { initialLake, initialWarehouse, type LakePageState, type WarehousePageState } from './pageState';
import { initialDashboard, initialSqlLab, type DashboardState, type SqlLabState } from './sqlLabState';
import { initialOps, type OpsState } from './opsState';
import { initialLiveView, initialReconcile, type LiveViewState, type ReconcilePageState } from './reconcileState';
import { initialTopics, type TopicsPageState } from './topicsState';

/**
 * What the pages show beyond the stage statuses (appStore): the state in force read from the Host
 * (producer settings, service health, durable lake counts), each page's own state so it survives
 * navigation (warehouse, lake), errors kept where they happened, and the time zone in use.
 */

/** An error and the place it belongs to: "page:<id>:<source>" (the page's error area), or a field or editor. */
export interface PlaceError extends ErrorInfo {
  source: string;
  at: number;
}

export interface UiState {
  producer: ProducerSettings | null;
  services: ServiceHealth[];
  lakeCounts: LakeCounts | null;
  /** The last non-fatal error each stage reported (host.error), shown on its Pipeline node. */
  stageErrors: Partial<Record<StageName, PlaceError>>;
  errors: Record<string, PlaceError>;
  zone: ZoneChoice;
  warehouse: WarehousePageState;
  lake: LakePageState;
  sqlLab: SqlLabState;
  dashboard: DashboardState;
  /** Data quality, ETL runs, alerts (opsState.ts). */
  ops: OpsState;
  liveView: LiveViewState;
  reconcile: ReconcilePageState;
  topics: TopicsPageState;
}

export function createUiStore(zone: ZoneChoice = 'local') {
  return createStore<UiState>()(() => ({
    producer: null,
    services: [],
    lakeCounts: null,
    stageErrors: {},
    errors: {},
    zone,
    warehouse: initialWarehouse(),
    lake: initialLake(),
    sqlLab: initialSqlLab(),
    dashboard: initialDashboard(),
    ops: initialOps(),
    liveView: initialLiveView(),
    reconcile: initialReconcile(),
    topics: initialTopics(),
  }));
}
export type UiStore = ReturnType<typeof createUiStore>;

export function reportError(ui: UiStore, place: string, source: string, err: unknown): void {
  const info = errorInfo(err);
  ui.setState((s) => ({ errors: { ...s.errors, [place]: { ...info, source, at: Date.now() } } }));
}

export function clearError(ui: UiStore, place: string): void {
  if (!ui.getState().errors[place]) return;
  ui.setState((s) => {
    const errors = { ...s.errors };
    delete errors[place];
    return { errors };
  });
}

/** Errors of one page's error area, oldest first. */
export function pageErrors(s: Pick<UiState, 'errors'>, page: string): [string, PlaceError][] {
  return Object.entries(s.errors)
    .filter(([place]) => place.startsWith(`page:${page}:`))
    .sort((a, b) => a[1].at - b[1].at);
}

export function setWarehouse(ui: UiStore, patch: Partial<WarehousePageState>): void {
  ui.setState((s) => ({ warehouse: { ...s.warehouse, ...patch } }));
}

export function setLake(ui: UiStore, patch: Partial<LakePageState>): void {
  ui.setState((s) => ({ lake: { ...s.lake, ...patch } }));
}

/** Where a Host-reported error belongs: a stage's node, or the page of the service it is about. */
const HOST_ERROR_PLACE: Record<string, string> = { warehouse: 'page:warehouse:warehouse' };

/** Feeds the store from the Host: the settings and health in force now, then every change. */
export function bindUi(api: HostApi, ui: UiStore): () => void {
  const offs = [
    api.on('producer.settings', (producer) => ui.setState({ producer })),
    api.on('services.status', (services) => ui.setState({ services })),
    api.on('host.error', (e) => {
      const err = { ...e.error, source: e.source, at: Date.now() };
      if (e.source === 'producer' || e.source === 'stream' || e.source === 'etl')
        ui.setState((s) => ({ stageErrors: { ...s.stageErrors, [e.source]: err } }));
      else reportError(ui, HOST_ERROR_PLACE[e.source] ?? `page:pipeline:${e.source}`, e.source, e.error);
    }),
  ];
  void api.call('producer.settings', {}).then(
    (producer) => ui.setState({ producer }),
    (err: unknown) => reportError(ui, 'page:pipeline:producer', 'producer', err),
  );
  void api.call('services.status', {}).then(
    (services) => ui.setState({ services }),
    () => undefined,
  );
  return () => offs.forEach((off) => off());
}
