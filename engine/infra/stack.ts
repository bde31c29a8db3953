/**
 * The compose stack on a Docker engine: up (pull, network, volumes, containers in depends_on
 * order, health), start, stop, restart, down and status. A start that fails removes what it created.
 */
import net from 'node:net';
import type Docker from 'dockerode';
import type { InfraContainerState, InfraProgress, InfraServiceStatus, InfraStatus } from '../contract';
import { PulseError } from '../errors';
import { loadCompose, type ComposeProject, type LoadOptions, type ServiceSpec } from './composeFile';
import {
  configHash,
  containerName,
  createOptions,
  LABEL,
  networkName,
  projectFilter,
  volumeName,
} from './containerSpec';
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

export interface StackOptions extends LoadOptions {
  composeFile: string;
  onProgress?: (p: InfraProgress) => void;
}

interface Created {
  containers: Docker.Container[];
  networks: string[];
  volumes: string[];
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

  async stop(service?: string): Promise<InfraStatus> {
    await pingDocker(this.target);
    const order = service ? (startOrder(this.project, [service]), [service]) : startOrder(this.project).reverse();
    const existing = await this.containers();
    for (const svc of order) {
      const info = existing.get(svc);
      if (!info || info.State !== 'running') continue;
      this.progress('stop', `stopping ${info.Names[0]?.slice(1) ?? svc}`, svc);
      await this.api(() => this.docker.getContainer(info.Id).stop({ t: 10 }), [304]);
    }
    return this.status();
  }

  async restart(service?: string): Promise<InfraStatus> {
    await this.stop(service);
    return this.start(service);
  }

  /** Removes the project's containers and networks (Compose's too), and its volumes when asked. */
  async down(opts: { volumes?: boolean } = {}): Promise<InfraStatus> {
    await pingDocker(this.target);
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
      for (const v of Volumes ?? []) {
        this.progress('remove', `removing volume ${v.Name}`);
        await this.api(() => this.docker.getVolume(v.Name).remove(), [404]);
      }
    }
    return this.status();
  }

  async status(): Promise<InfraStatus> {
    await pingDocker(this.target);
    const existing = await this.containers();
    const names = [...new Set([...Object.keys(this.project.services), ...existing.keys()])];
    const services = await Promise.all(
      names.map(async (svc): Promise<InfraServiceStatus> => {
        const spec = this.project.services[svc];
        const c = existing.get(svc);
        const base = { service: svc, oneShot: spec?.oneShot ?? false, image: c?.Image ?? spec?.image ?? '' };
        if (!c)
          return {
            ...base,
            container: null,
            state: 'missing',
            health: 'none',
            exitCode: null,
            ports: [],
            startedAt: null,
            uptimeMs: null,
          };
        const info = await this.api(() => this.docker.getContainer(c.Id).inspect(), [404]).catch(() => null);
        const st = info?.State;
        const startedAt = st?.StartedAt && !st.StartedAt.startsWith('0001') ? Date.parse(st.StartedAt) : null;
        const bindings = info?.HostConfig.PortBindings as
          Record<string, { HostIp: string; HostPort: string }[] | null> | undefined;
        return {
          ...base,
          image: info?.Config.Image ?? base.image,
          container: c.Names[0]?.slice(1) ?? c.Id,
          state: (st?.Status ?? c.State) as InfraContainerState,
          health: (st?.Health?.Status as InfraServiceStatus['health'] | undefined) ?? 'none',
          exitCode: st && !st.Running && startedAt !== null ? st.ExitCode : null,
          ports: Object.entries(bindings ?? {}).flatMap(([key, list]) =>
            (list ?? []).map((b) => ({
              hostIp: b.HostIp || '0.0.0.0',
              hostPort: Number(b.HostPort),
              containerPort: parseInt(key, 10),
            })),
          ),
          startedAt,
          uptimeMs: st?.Running && startedAt ? Date.now() - startedAt : null,
        };
      }),
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

  private async bringUp(order: string[]): Promise<InfraStatus> {
    const created: Created = { containers: [], networks: [], volumes: [] };
    const began = Date.now();
    let failed = false;
    try {
      await this.ensureImages(order);
      const existing = await this.containers();
      await this.checkPorts(order, existing);
      await this.ensureNetworks(order, created);
      await this.ensureVolumes(order, created);
      const launched = new Map<string, Promise<void>>();
      const launch = (svc: string): Promise<void> => {
        let p = launched.get(svc);
        if (!p) {
          p = (async () => {
            const spec = this.project.services[svc];
            for (const [dep, condition] of Object.entries(spec.dependsOn)) {
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
              await waitFor(
                this.docker.getContainer(containerName(this.project, dep)),
                this.project.services[dep],
                condition,
                { aborted: () => failed },
              );
            }
            await this.ensureRunning(spec, existing.get(svc), created);
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
      // Up means usable: every service healthy (those with a check) and every one-shot done.
      await Promise.all(
        order.map(async (svc) => {
          const spec = this.project.services[svc];
          const c = this.docker.getContainer(containerName(this.project, svc));
          if (spec.oneShot) await waitFor(c, spec, 'service_completed_successfully', { aborted: () => failed });
          else if (spec.healthcheck) await waitFor(c, spec, 'service_healthy', { aborted: () => failed });
          this.progress(
            'ready',
            spec.oneShot ? `${svc} finished` : spec.healthcheck ? `${svc} is healthy` : `${svc} is running`,
            svc,
          );
        }),
      ).catch((err) => {
        failed = true;
        throw err;
      });
    } catch (err) {
      await this.rollback(created);
      throw this.explain(err);
    }
    this.progress('ready', `${order.length} service(s) up in ${((Date.now() - began) / 1000).toFixed(1)} s`);
    return this.status();
  }

  private async ensureImages(order: string[]): Promise<void> {
    const images = new Map<string, string>();
    for (const svc of order)
      if (!images.has(this.project.services[svc].image)) images.set(this.project.services[svc].image, svc);
    for (const [image, svc] of images) {
      try {
        await this.docker.getImage(image).inspect();
        continue;
      } catch (err) {
        if (statusOf(err) !== 404) throw err;
      }
      this.progress('pull', `pulling ${image}`, svc);
      try {
        await this.pull(image, svc);
      } catch (err) {
        if (isConnectionError(err)) throw err;
        throw new PulseError(
          'image_missing',
          `image ${image} (service ${svc}) is not on this machine and could not be pulled (${dockerMessage(err).split('\n')[0]}): run "docker pull ${image}" where a registry is reachable, or "docker load -i FILE.tar" from a saved copy, then try again`,
          { cause: err, retriable: true },
        );
      }
    }
  }

  private async pull(image: string, service: string): Promise<void> {
    const stream = await this.docker.pull(image);
    await new Promise<void>((resolve, reject) => {
      this.docker.modem.followProgress(
        stream,
        (err: Error | null) => (err ? reject(err) : resolve()),
        (e: {
          status?: string;
          id?: string;
          error?: string;
          progressDetail?: { current?: number; total?: number };
        }) => {
          if (e.error) return;
          this.onProgress({
            project: this.project.name,
            service,
            step: 'pull',
            message: `${image}: ${e.id ? `${e.id} ` : ''}${e.status ?? ''}`.trim(),
            at: Date.now(),
            ...(e.id ? { layer: e.id } : {}),
            ...(e.progressDetail?.total
              ? { current: e.progressDetail.current ?? 0, total: e.progressDetail.total }
              : {}),
          });
        },
      );
    });
  }

  /** A published port someone else holds fails now, with the port and service named, not half-way. */
  private async checkPorts(order: string[], existing: Map<string, Docker.ContainerInfo>): Promise<void> {
    if (!this.target.local) return;
    for (const svc of order) {
      if (existing.get(svc)?.State === 'running') continue;
      for (const p of this.project.services[svc].ports) {
        if (p.protocol !== 'tcp') continue;
        const free = await new Promise<boolean>((resolve) => {
          const server = net.createServer();
          server.once('error', () => resolve(false));
          server.listen(
            { host: p.hostIp === '0.0.0.0' ? undefined : p.hostIp, port: p.hostPort, exclusive: true },
            () => server.close(() => resolve(true)),
          );
        });
        if (!free) throw portTaken(this.project, svc, p.hostIp, p.hostPort);
      }
    }
  }

  private async ensureNetworks(order: string[], created: Created): Promise<void> {
    const needed = new Set(order.flatMap((svc) => this.project.services[svc].networks));
    for (const key of needed) {
      const name = networkName(this.project, key);
      const found = await this.api(() => this.docker.listNetworks({ filters: JSON.stringify({ name: [name] }) }));
      if (found.some((n) => n.Name === name)) continue;
      this.progress('network', `creating network ${name}`);
      await this.api(() =>
        this.docker.createNetwork({
          Name: name,
          Driver: 'bridge',
          CheckDuplicate: true,
          Labels: { [LABEL.project]: this.project.name, [LABEL.network]: key },
        }),
      );
      created.networks.push(name);
    }
  }

  private async ensureVolumes(order: string[], created: Created): Promise<void> {
    const needed = new Set(
      order.flatMap((svc) => this.project.services[svc].mounts.filter((m) => m.type === 'volume').map((m) => m.source)),
    );
    for (const key of needed) {
      const name = volumeName(this.project, key);
      try {
        await this.docker.getVolume(name).inspect();
        continue;
      } catch (err) {
        if (statusOf(err) !== 404) throw err;
      }
      this.progress('volume', `creating volume ${name}`);
      await this.api(() =>
        this.docker.createVolume({ Name: name, Labels: { [LABEL.project]: this.project.name, [LABEL.volume]: key } }),
      );
      created.volumes.push(name);
    }
  }

  private async ensureRunning(
    spec: ServiceSpec,
    info: Docker.ContainerInfo | undefined,
    created: Created,
  ): Promise<void> {
    const name = containerName(this.project, spec.name);
    const hash = info?.Labels[LABEL.configHash];
    if (info && hash && hash !== configHash(spec)) {
      this.progress('create', `recreating ${name}: its settings changed`, spec.name);
      const id = info.Id;
      await this.api(() => this.docker.getContainer(id).remove({ force: true }), [404]);
      info = undefined;
    }
    if (info?.State === 'running') return this.progress('start', `${name} is already running`, spec.name);
    let container: Docker.Container;
    if (info) container = this.docker.getContainer(info.Id);
    else {
      this.progress('create', `creating ${name}`, spec.name);
      container = await this.api(() => this.docker.createContainer(createOptions(this.project, spec)));
      created.containers.push(container);
      for (const key of spec.networks.slice(1)) {
        await this.api(() =>
          this.docker
            .getNetwork(networkName(this.project, key))
            .connect({ Container: container.id, EndpointConfig: { Aliases: [spec.name, name] } }),
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
        spec.ports.find((p) => msg.includes(`:${p.hostPort}`)) ??
        (/port is already allocated|address already in use/.test(msg) ? spec.ports[0] : undefined);
      if (port && /already allocated|address already in use|bind/.test(msg))
        throw portTaken(this.project, spec.name, port.hostIp, port.hostPort, err);
      throw err;
    }
  }

  /** Removes, newest first, what this attempt created; what was there before stays. */
  private async rollback(created: Created): Promise<void> {
    if (!created.containers.length && !created.networks.length && !created.volumes.length) return;
    this.progress('rollback', 'the start failed: removing what it created');
    for (const c of created.containers.reverse()) await c.remove({ force: true, v: true }).catch(() => undefined);
    for (const n of created.networks)
      await this.docker
        .getNetwork(n)
        .remove()
        .catch(() => undefined);
    for (const v of created.volumes)
      await this.docker
        .getVolume(v)
        .remove()
        .catch(() => undefined);
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

function portTaken(p: ComposeProject, service: string, hostIp: string, hostPort: number, cause?: unknown): PulseError {
  return new PulseError(
    'port_taken',
    `port ${hostIp}:${hostPort} for service ${service} is already in use by another program: stop that program, or publish ${service} on another port (in ${p.file} or its .env), then try again`,
    { field: service, cause, retriable: true },
  );
}
