import { AlertCenter, type AlertCommand } from './alerts/alertCenter';
import { quietCheck } from './alerts/serviceWatch';
import type { EngineConfig } from './config';
import type { Commands, EtlResult, EventName, Events, HostApi } from './contract';
import { EtlRuns, type EtlRunsCommand } from './etlRuns/etlRuns';
import { QualityCommands, type QualityCommand } from './quality/qualityCommands';
import type { ServiceBoard } from './serviceBoard';
import type { WarehouseCalls } from './services/warehouse/port';

/** What the operator views need from the Host. */
export interface OperatorHost {
  config: () => EngineConfig;
  warehouse: () => WarehouseCalls;
  /** The Host's one ETL path. */
  runEtl: () => Promise<EtlResult>;
  on: HostApi['on'];
  emit: <K extends EventName>(name: K, payload: Events[K]) => void;
  services: ServiceBoard;
  /** Evaluate the alert rules on a timer (a UI's Host); otherwise on events and alerts.check only. */
  watch: boolean;
}

type OperatorCommand = QualityCommand | EtlRunsCommand | AlertCommand;

/**
 * The operator views, wired once: data quality (rules, arrivals and refusals over time, a quarantined
 * record in full), ETL runs like an orchestrator shows them (trigger, log, files, rerun, a schedule
 * that survives a restart) and alerts (rules, the alert centre, the notification event).
 */
export class OperatorViews {
  readonly quality: QualityCommands;
  readonly etlRuns: EtlRuns;
  readonly alerts: AlertCenter;

  constructor(h: OperatorHost) {
    this.quality = new QualityCommands({ config: h.config, on: h.on });
    this.etlRuns = new EtlRuns({
      dataDir: h.config().dataDir,
      runEtl: h.runEtl,
      warehouse: h.warehouse,
      on: h.on,
      emit: (run) => h.emit('etl.run', run),
    });
    this.alerts = new AlertCenter({
      dataDir: h.config().dataDir,
      on: h.on,
      emit: (name, payload) => h.emit(name, payload),
      window: (minutes) => this.quality.window(minutes),
      newest: (layer) => (layer === 'warehouse' ? h.warehouse().newestLoad() : this.quality.newest(layer)),
      lastEtl: async () => (await this.etlRuns.runs(20)).find((r) => r.status !== 'running') ?? null,
      services: () => h.services.list(),
      probe: () => quietCheck(h.services, h.config),
      everyMs: h.watch ? 15_000 : 0,
    });
  }

  handlers(): { [C in OperatorCommand]: (req: Commands[C]['req']) => Promise<Commands[C]['res']> } {
    return { ...this.quality.handlers(), ...this.etlRuns.handlers(), ...this.alerts.handlers() };
  }

  /** The Host moved to other services. */
  async servicesChanged(): Promise<void> {
    await this.quality.servicesChanged();
  }

  async close(): Promise<void> {
    await this.alerts.close();
    this.etlRuns.close();
    await this.quality.close();
  }
}
