import type { DockerBackedService, ServiceHealth, ServiceModes } from '../contract';
import { PulseError } from '../errors';
import { DOCKER_SERVICES, dockerServices, withServices } from '../infra/dockerServices';
import type { InfraControl } from '../infra/infraControl';
import type { ServiceBoard } from '../serviceBoard';
import type { Handlers } from './commandRouter';
import type { ServiceSet } from './serviceSet';
import type { StageSupervisor } from './stageSupervisor';

export type ServiceCommand = 'services.status' | 'settings.test' | 'infra.useDocker' | 'infra.useEmbedded';

const ALL: DockerBackedService[] = ['broker', 'lake', 'warehouse', 'metrics'];

export interface ServiceCommandDeps {
  services: ServiceSet;
  board: ServiceBoard;
  stages: StageSupervisor;
  infra: InfraControl;
  /** The services in force changed: every part that holds a connection or a worker opens on the new ones. */
  changed: () => Promise<void>;
}

/**
 * The services as the UI drives them: their health (probed again on request, a failed metrics
 * store or warehouse reopened once it answers), a connection test of unsaved settings, and the
 * switch onto the compose stack and back.
 */
export class ServiceCommands {
  constructor(private readonly deps: ServiceCommandDeps) {}

  handlers(): Handlers<ServiceCommand> {
    const { services, board } = this.deps;
    return {
      'services.status': (q) => (q.recheck ? this.recheck() : Promise.resolve(board.list())),
      'settings.test': (q) => board.test(services.config.dataDir, q.service, q.values ?? {}),
      'infra.useDocker': (q) => this.use('docker', q.services),
      'infra.useEmbedded': (q) => this.use('embedded', q.services),
    };
  }

  /** Probes every service again; a metrics store or warehouse that failed at start is opened once it answers. */
  async recheck(): Promise<ServiceHealth[]> {
    const { services, stages, board } = this.deps;
    await services.recheck({
      keepMetrics: stages.streamRunning,
      keepWarehouse: stages.etlBusy,
      beforeSwap: () => stages.endEtl(),
    });
    return board.check();
  }

  /**
   * Moves services onto the compose stack (healthy first) or back to embedded. Stages hold
   * connections to the old ones, so they must be stopped; the new warehouse and metrics open
   * before the old ones close, so a refused switch leaves everything as it was.
   */
  async use(mode: 'docker' | 'embedded', list: DockerBackedService[] = ALL): Promise<ServiceModes> {
    const { services, stages, infra } = this.deps;
    const busy = stages.board.busy();
    if (busy.length || stages.etlBusy)
      throw new PulseError(
        'stage_state',
        `stop ${busy.join(', ') || 'the ETL'} before switching services: stages keep connections to the services they started with`,
      );
    let next = withServices(services.config, list, {});
    if (mode === 'docker') {
      await infra.requireHealthy(
        list.flatMap((s) => [...DOCKER_SERVICES[s].compose]),
        list.flatMap((s): string[] => [...DOCKER_SERVICES[s].jobs]),
      );
      const project = infra.stack().project;
      next = withServices(services.config, list, dockerServices(project), project.name);
    }
    await services.switchTo(next, list, () => stages.endEtl());
    await this.deps.changed();
    void this.deps.board.check(list);
    return services.modes();
  }
}
