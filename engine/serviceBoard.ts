import type { EngineConfig } from './config';
import { describeConfig } from './config';
import type { ConnectionTest, ServiceHealth, ServiceKind, ServiceModes, SettingKey } from './contract';
import { toErrorInfo, type ErrorInfo } from './errors';
import { probeService } from './services/probe';
import { configForTest } from './settings';

export const SERVICE_KINDS: readonly ServiceKind[] = ['broker', 'lake', 'warehouse', 'metrics'];

/** The settings that choose each service: where the Settings page sends a user to fix it. */
export const SERVICE_SETTINGS: Record<ServiceKind, SettingKey[]> = {
  broker: ['kafka', 'topic', 'partitions'],
  lake: ['s3', 's3Bucket', 's3Region', 's3AccessKeyId', 's3SecretAccessKey'],
  warehouse: ['postgres'],
  metrics: ['redis', 'redisPrefix'],
};

export interface ServiceBoardDeps {
  config: () => EngineConfig;
  modes: () => ServiceModes;
  emit: (list: ServiceHealth[]) => void;
  probe?: typeof probeService;
}

/**
 * Whether each service answers, as the UI shows it: the Host reports what it saw while opening
 * (the metrics store, the warehouse worker), probes the others in the background, and probes all
 * again on request. A failed service never stops the app: it is shown with its error and the
 * settings that fix it.
 */
export class ServiceBoard {
  private readonly health = new Map<ServiceKind, ServiceHealth>();
  private readonly probe: typeof probeService;

  constructor(private readonly deps: ServiceBoardDeps) {
    this.probe = deps.probe ?? probeService;
    for (const s of SERVICE_KINDS) this.health.set(s, this.entry(s, 'checking', null));
  }

  list(): ServiceHealth[] {
    return SERVICE_KINDS.map((s) => ({ ...this.health.get(s)! }));
  }

  get(service: ServiceKind): ServiceHealth {
    return { ...this.health.get(service)! };
  }

  /** What the Host saw of a service while using it: null when it answered. */
  report(service: ServiceKind, error: unknown): void {
    this.health.set(service, this.entry(service, error ? 'failed' : 'ok', error ? toErrorInfo(error) : null));
    this.deps.emit(this.list());
  }

  /** Probes these services now (all by default) with the config in force. */
  async check(services: readonly ServiceKind[] = SERVICE_KINDS): Promise<ServiceHealth[]> {
    for (const s of services) this.health.set(s, { ...this.health.get(s)!, state: 'checking' });
    this.deps.emit(this.list());
    await Promise.all(
      services.map((s) =>
        this.probe(s, this.deps.config()).then(
          () => this.report(s, null),
          (err: unknown) => this.report(s, err),
        ),
      ),
    );
    return this.list();
  }

  /** settings.test: the saved settings overlaid by `values`, validated, then the one service tried. */
  async test(
    dataDir: string,
    service: ServiceKind,
    values: Partial<Record<SettingKey, string | number | null>>,
  ): Promise<ConnectionTest> {
    const started = Date.now();
    let target = '';
    let error: ErrorInfo | null = null;
    try {
      const config = configForTest(dataDir, values);
      target = describeConfig(config)[service];
      await this.probe(service, config);
    } catch (err) {
      error = toErrorInfo(err);
    }
    return { service, ok: error === null, target, ms: Date.now() - started, error };
  }

  private entry(service: ServiceKind, state: ServiceHealth['state'], error: ErrorInfo | null): ServiceHealth {
    return {
      service,
      mode: this.deps.modes()[service],
      target: describeConfig(this.deps.config())[service],
      state,
      error,
      settings: SERVICE_SETTINGS[service],
      checkedAt: Date.now(),
    };
  }
}
