/**
 * The compose stack on a Docker engine: up (pull, network, volumes, containers in depends_on
 * order, health), start, stop, restart, down and status. A start that fails removes what it created.
 */
import type Docker from 'dockerode';
import type { InfraProgress, InfraStatus } from '../contract';
import { PulseError } from '../errors';
import { loadCompose, type ComposeProject, type LoadOptions, type ServiceSpec } from './composeFile';
import { configHash } from './composeHash';
import { aliases, containerName, createOptions, LABEL, projectFilter } from './containerSpec';
import {
  dockerMessage,
  dockerTarget,
  isConnectionError,
  pingDocker,
  statusOf,
  unreachable,
  type DockerTarget,
} from './dockerEngine';
import { startOrder } from './plan';
import { isAbortedWait, waitFor } from './readiness';
import { serviceStatus } from './serviceStatus';
import {
  checkPorts,
  ensureImages,
  ensureNetworks,
  ensureVolumes,
  portTaken,
  rollback,
  type Created,
  type StackContext,
} from './stackResources';

export interface StackOptions extends LoadOptions {
  composeFile: string;
  onProgress?: (p: InfraProgress) => void;
}

export class Stack {
  readonly project: ComposeProject;
  readonly target: DockerTarget;
  private readonly onProgress: (p: InfraProgress) => void;

  constructor(opts: StackOptions) {
    this.project = loadCompose(opts.composeFile, opts);
    this.target = dockerTarget(opts.env);
    this.onProgress = opts.onProgress ?? (() => undefined);
  }

  get docker(): Docker {
    return this.target.docker;
  }

  /** The service (with what it depends on) or every service: created if missing, started, healthy. */
  async up(service?: string): Promise<InfraStatus> {
    await pingDocker(this.target);
    return this.bringUp(startOrder(this.project, service ? [service] : undefined));
  }

  /** Like up, but for this service alone: what it depends on must already be up. */
  async start(service?: string): Promise<InfraStatus> {
    await pingDocker(this.target);
    if (!service) return this.bringUp(startOrder(this.project));
    startOrder(this.project, [service]);
    return this.bringUp([service]);
  }

  /** Stops the service, or all of them: each after what depends on it, the rest in parallel, as Compose does. */
  async stop(service?: string): Promise<InfraStatus> {
    await pingDocker(this.target);
    const order = service ? (startOrder(this.project, [service]), [service]) : startOrder(this.project);
    const existing = await this.containers();
    const stopped = new Map<string, Promise<void>>();
    const stopOne = (svc: string): Promise<void> => {
      let p = stopped.get(svc);
      if (!p) {
        p = (async () => {
          const dependents = order.filter((o) => this.project.services[o]?.dependsOn[svc]);
          await Promise.all(dependents.map(stopOne));
          const info = existing.get(svc);
          if (!info || info.State !== 'running') return;
          this.progress('stop', `stopping ${info.Names[0]?.slice(1) ?? svc}`, svc);
          await this.api(() => this.docker.getContainer(info.Id).stop({ t: this.graceSeconds(svc) }), [304]);
        })();
        stopped.set(svc, p);
      }
      return p;
    };
    await Promise.all(order.map(stopOne));
    return this.status();
  }

  /** stop_grace_period, or Docker's (and Compose's) 10 s. */
  private graceSeconds(service: string): number {
    const ms = this.project.services[service]?.stopGracePeriodMs;
    return ms === undefined ? 10 : Math.ceil(ms / 1000);
  }

  async restart(service?: string): Promise<InfraStatus> {
    await this.stop(service);
    return this.start(service);
  }

  /** Stops (dependents first, with their grace period) and removes the project's containers and networks (Compose's too), and its volumes when asked. */
  async down(opts: { volumes?: boolean } = {}): Promise<InfraStatus> {
    await this.stop();
    const containers = await this.api(() => this.docker.listContainers({ all: true, ...projectFilter(this.project) }));
    await Promise.all(
      containers.map(async (c) => {
        this.progress('remove', `removing ${c.Names[0]?.slice(1) ?? c.Id}`, c.Labels[LABEL.service]);
        await this.api(() => this.docker.getContainer(c.Id).remove({ force: true, v: !!opts.volumes }), [404, 409]);
      }),
    );
    for (const n of await this.api(() => this.docker.listNetworks(projectFilter(this.project)))) {
      this.progress('remove', `removing network ${n.Name}`);
      await this.api(() => this.docker.getNetwork(n.Id).remove(), [404]);
    }
    if (opts.volumes) {
      const { Volumes } = await this.api(() => this.docker.listVolumes(projectFilter(this.project)));
      // The project's volumes, and the anonymous ones its containers had (kept across recreation).
      const anonymous = containers.flatMap((c) =>
        (c.Mounts ?? []).filter((m) => m.Type === 'volume' && /^[0-9a-f]{64}$/.test(m.Name ?? '')).map((m) => m.Name!),
      );
      for (const name of new Set([...(Volumes ?? []).map((v) => v.Name), ...anonymous])) {
        this.progress('remove', `removing volume ${name}`);
        await this.api(() => this.docker.getVolume(name).remove(), [404]);
      }
    }
    return this.status();
  }

  async status(): Promise<InfraStatus> {
    await pingDocker(this.target);
    const existing = await this.containers();
    const names = [...new Set([...Object.keys(this.project.services), ...existing.keys()])];
    const services = await Promise.all(
      names.map((svc) =>
        this.api(() => serviceStatus(this.docker, svc, this.project.services[svc], existing.get(svc))),
      ),
    );
    return { project: this.project.name, composeFile: this.project.file, services };
  }

  /** The project's containers by service name (ours and Compose's). */
  async containers(): Promise<Map<string, Docker.ContainerInfo>> {
    const list = await this.api(() =>
      this.docker.listContainers({ all: true, ...projectFilter(this.project, [`${LABEL.oneoff}=False`]) }),
    );
    return new Map(list.map((c) => [c.Labels[LABEL.service], c]));
  }

  private get ctx(): StackContext {
    return {
      project: this.project,
      target: this.target,
      docker: this.docker,
      progress: (step, message, service) => this.progress(step, message, service),
      emit: (p) => this.onProgress({ project: this.project.name, ...p, at: Date.now() }),
      api: (fn, ok) => this.api(fn, ok),
    };
  }

  private async bringUp(order: string[]): Promise<InfraStatus> {
    const created: Created = { containers: [], networks: [], volumes: [] };
    const began = Date.now();
    let failed = false;
    const aborted = () => failed;
    for (const w of this.project.warnings) this.progress('warning', w);
    try {
      const images = await ensureImages(this.ctx, order);
      const existing = await this.containers();
      await checkPorts(this.ctx, order, existing);
      await ensureNetworks(this.ctx, order, created);
      await ensureVolumes(this.ctx, order, created);
      const launched = new Map<string, Promise<void>>();
      const launch = (svc: string): Promise<void> => {
        let p = launched.get(svc);
        if (!p) {
          p = (async () => {
            const spec = this.project.services[svc];
            for (const [dep, { condition }] of Object.entries(spec.dependsOn)) {
              if (order.includes(dep)) await launch(dep);
              else if (!existing.has(dep))
                throw new PulseError(
                  'unhealthy',
                  `${svc} depends on ${dep}, which has no container: bring both up with npm run infra -- up ${svc}`,
                );
              if (condition !== 'service_started')
                this.progress(
                  'health',
                  `waiting for ${dep} to be ${condition === 'service_healthy' ? 'healthy' : 'finished'}`,
                  svc,
                );
              await waitFor(this.container(dep), dep, condition, { aborted });
            }
            await this.ensureRunning(spec, existing.get(svc), images.get(svc)!, created);
          })();
          p.catch(() => (failed = true));
          launched.set(svc, p);
        }
        return p;
      };
      const results = await Promise.allSettled(order.map(launch));
      // Report the cause, not a wait that was given up because of it.
      const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (rejected.length) throw (rejected.find((r) => !isAbortedWait(r.reason)) ?? rejected[0]).reason;
      // Up means usable, as Compose's --wait has it: healthy where there is a health check (the
      // file's or the image's), finished where a dependent waits for completion, running otherwise.
      // A service that keeps running is never waited on; one that already exited non-zero fails up.
      await Promise.all(
        order.map(async (svc) => {
          const spec = this.project.services[svc];
          const c = this.container(svc);
          const info = await c.inspect();
          const condition = spec.oneShot
            ? 'service_completed_successfully'
            : info.State.Health
              ? 'service_healthy'
              : 'service_started';
          await waitFor(c, svc, condition, { aborted });
          const done = (await c.inspect()).State;
          this.progress(
            'ready',
            spec.oneShot || !done.Running
              ? `${svc} finished`
              : condition === 'service_healthy'
                ? `${svc} is healthy`
                : `${svc} is running`,
            svc,
          );
        }),
      ).catch((err) => {
        failed = true;
        throw err;
      });
      // One more look at the services nobody waits for: one that died meanwhile fails up, with its output.
      for (const svc of order)
        if (!this.project.services[svc].oneShot) await waitFor(this.container(svc), svc, 'service_started');
    } catch (err) {
      await rollback(this.ctx, created);
      throw this.explain(err);
    }
    this.progress('ready', `${order.length} service(s) up in ${((Date.now() - began) / 1000).toFixed(1)} s`);
    return this.status();
  }

  private container(service: string): Docker.Container {
    return this.docker.getContainer(containerName(this.project, service));
  }

  private async ensureRunning(
    spec: ServiceSpec,
    info: Docker.ContainerInfo | undefined,
    imageId: string,
    created: Created,
  ): Promise<void> {
    const name = containerName(this.project, spec.name);
    const anonymous: Record<string, string> = {};
    // As Compose decides: a changed service (config hash) or a changed image recreates the container.
    if (info && (info.Labels[LABEL.configHash] !== configHash(spec) || info.Labels[LABEL.image] !== imageId)) {
      const why = info.Labels[LABEL.configHash] !== configHash(spec) ? 'its settings changed' : 'its image changed';
      this.progress('create', `recreating ${name}: ${why}`, spec.name);
      // Like Compose, the new container keeps the old one's anonymous volumes (their data survives).
      for (const m of info.Mounts ?? [])
        if (m.Type === 'volume' && m.Name && /^[0-9a-f]{64}$/.test(m.Name)) anonymous[m.Destination] = m.Name;
      const old = this.docker.getContainer(info.Id);
      await this.api(() => old.stop({ t: this.graceSeconds(spec.name) }), [304, 404]);
      await this.api(() => old.remove({ force: true }), [404]);
      info = undefined;
    }
    if (info?.State === 'running') return this.progress('start', `${name} is already running`, spec.name);
    let container: Docker.Container;
    if (info) container = this.docker.getContainer(info.Id);
    else {
      this.progress('create', `creating ${name}`, spec.name);
      container = await this.api(() =>
        this.docker.createContainer(createOptions(this.project, spec, imageId, anonymous)),
      );
      created.containers.push(container);
      for (const n of spec.networks.slice(1)) {
        await this.api(() =>
          this.docker
            .getNetwork(this.project.networks[n.key].name)
            .connect({ Container: container.id, EndpointConfig: { Aliases: aliases(this.project, spec, n.key) } }),
        );
      }
    }
    this.progress('start', `starting ${name}`, spec.name);
    try {
      await container.start();
    } catch (err) {
      if (statusOf(err) === 304) return;
      const msg = dockerMessage(err);
      const port =
        spec.ports.find((p) => p.hostPort !== null && msg.includes(`:${p.hostPort}`)) ??
        (/port is already allocated|address already in use/.test(msg) ? spec.ports[0] : undefined);
      if (port && /already allocated|address already in use|bind/.test(msg))
        throw portTaken(this.project, spec.name, port.hostIp || '0.0.0.0', port.hostPort ?? 0, err);
      throw err;
    }
  }

  private explain(err: unknown): unknown {
    if (err instanceof PulseError) return err;
    if (isConnectionError(err)) return unreachable(this.target, err);
    return new PulseError('docker_failed', `Docker refused: ${dockerMessage(err)}`, { cause: err });
  }

  /** A Docker API call whose connection failures become docker_unavailable; `ok` statuses are not errors. */
  private async api<T>(fn: () => Promise<T>, ok: number[] = []): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (ok.includes(statusOf(err) ?? -1)) return undefined as T;
      throw this.explain(err);
    }
  }

  private progress(step: InfraProgress['step'], message: string, service?: string): void {
    this.onProgress({ project: this.project.name, ...(service ? { service } : {}), step, message, at: Date.now() });
  }
}
