import type {
  Alert,
  AlertList,
  AlertRulesView,
  EtlRunDetail,
  EtlRunView,
  EtlScheduleView,
  HostApi,
  QualityStats,
  QuarantineListing,
  QuarantineRecordView,
  ValidationRule,
} from '../../../engine/contract';
import type { UiStore } from './uiStore';

/**
 * The operator views' page state (Data quality, ETL runs, Alerts), kept in the ui store so it
 * survives navigation, and the alerts fed from the Host's events for the header's count.
 */

export const RANGES = { '1h': 3_600_000, '6h': 6 * 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000 } as const;
export type RangeKey = keyof typeof RANGES;

export interface QuarantineFilterState {
  reason: string;
  /** Epoch ms of arrival, or null for no bound. */
  from: number | null;
  to: number | null;
  state: '' | 'open' | 'replayed';
}

export interface QualityPageState {
  range: RangeKey;
  rules: ValidationRule[];
  stats: QualityStats | null;
  filter: QuarantineFilterState;
  listing: QuarantineListing | null;
  /** "partition@offset" of the record shown whole, and that record. */
  open: string | null;
  record: QuarantineRecordView | null;
  /** The rule whose threshold is being edited ('*' for any reason). */
  editing: string | null;
}

export interface EtlPageState {
  runs: EtlRunView[];
  schedule: EtlScheduleView | null;
  /** What the user typed in the schedule field (the schedule in force until they set it). */
  scheduleText: string | null;
  selected: string | null;
  detail: EtlRunDetail | null;
}

export interface AlertsState {
  list: AlertList | null;
  rules: AlertRulesView | null;
  /** The rule being edited ('new' for a new one). */
  editing: string | null;
}

export interface OpsState {
  quality: QualityPageState;
  etlRuns: EtlPageState;
  alerts: AlertsState;
}

export function initialOps(): OpsState {
  return {
    quality: {
      range: '1h',
      rules: [],
      stats: null,
      filter: { reason: '', from: null, to: null, state: '' },
      listing: null,
      open: null,
      record: null,
      editing: null,
    },
    etlRuns: { runs: [], schedule: null, scheduleText: null, selected: null, detail: null },
    alerts: { list: null, rules: null, editing: null },
  };
}

type Slice = keyof OpsState;
export function setOps<K extends Slice>(ui: UiStore, slice: K, patch: Partial<OpsState[K]>): void {
  ui.setState((s) => ({ ops: { ...s.ops, [slice]: { ...s.ops[slice], ...patch } } }));
}

/** The browser's notifications (web mode); in Electron the main process shows them. */
export function notifyInBrowser(a: Alert): void {
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  const n = new Notification(`Retail Pulse: ${a.name}`, { body: a.message, tag: a.id });
  n.onclick = () => {
    window.focus();
    location.hash = '#/alerts';
  };
}

/** Keeps the alert list (and the header's count) current, and notifies in web mode. */
export function bindOps(api: HostApi, ui: UiStore, opts: { electron: boolean }): () => void {
  const readList = () =>
    void api.call('alerts.list', {}).then(
      (list) => setOps(ui, 'alerts', { list }),
      () => undefined,
    );
  const offs = [
    api.on('alerts.changed', (e) => {
      if (e.part === 'alerts') readList();
      else
        void api.call('alerts.rules', {}).then(
          (rules) => setOps(ui, 'alerts', { rules }),
          () => undefined,
        );
    }),
    api.on('alerts.fired', (a) => {
      if (!opts.electron) notifyInBrowser(a);
    }),
    api.on('etl.run', (run) => {
      const { runs, selected } = ui.getState().ops.etlRuns;
      const next = runs.some((r) => r.runId === run.runId)
        ? runs.map((r) => (r.runId === run.runId ? run : r))
        : [run, ...runs];
      setOps(ui, 'etlRuns', { runs: next });
      if (selected === run.runId && run.status !== 'running')
        void api.call('etl.runLog', { runId: run.runId }).then(
          (detail) => setOps(ui, 'etlRuns', { detail }),
          () => undefined,
        );
    }),
  ];
  readList();
  return () => offs.forEach((off) => off());
}
