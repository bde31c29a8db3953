/**
 * What a stack needs before its containers: images (found, pulled or built), published ports that
 * are free, networks and volumes (created with Compose's labels, or external ones checked). Each
 * thing this attempt creates is recorded, so a failed start removes exactly that.
 */
import net from 'node:net';
import type Docker from 'dockerode';
import type { InfraProgress } from '../contract';
import { PulseError } from '../errors';
import type { ComposeProject } from './composeFile';
import { COMPOSE_RULES_VERSION, LABEL } from './containerSpec';
import { dockerMessage, isConnectionError, statusOf, type DockerTarget } from './dockerEngine';
import { buildImage } from './imageBuild';

export interface StackContext {
  project: ComposeProject;
  target: DockerTarget;
  docker: Docker;
  progress: (step: InfraProgress['step'], message: string, service?: string) => void;
  emit: (p: Omit<InfraProgress, 'project' | 'at'>) => void;
  /** A Docker API call whose failures become PulseErrors; `ok` statuses are not errors. */
  api: <T>(fn: () => Promise<T>, ok?: number[]) => Promise<T>;
}

export interface Created {
  containers: Docker.Container[];
  networks: string[];
  volumes: string[];
}

/** Every service's image on the engine (pulled or built when missing); returns each service's image ID. */
export async function ensureImages(ctx: StackContext, order: string[]): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  const byImage = new Map<string, string>();
  for (const svc of order) {
    const spec = ctx.project.services[svc];
    let id = byImage.get(spec.image) ?? (await imageId(ctx.docker, spec.image));
    if (spec.build && (!id || spec.pullPolicy === 'build')) {
      await buildImage(ctx.docker, ctx.project.name, spec, ctx.emit);
      id = await imageId(ctx.docker, spec.image);
    } else if (!id) {
      if (spec.pullPolicy === 'never')
        throw new PulseError(
          'image_missing',
          `image ${spec.image} (service ${svc}) is not on this machine and its pull_policy is never: build or load it first`,
        );
      ctx.progress('pull', `pulling ${spec.image}`, svc);
      try {
        await pull(ctx, spec.image, svc);
      } catch (err) {
        if (isConnectionError(err)) throw err;
        throw new PulseError(
          'image_missing',
          `image ${spec.image} (service ${svc}) is not on this machine and could not be pulled (${dockerMessage(err).split('\n')[0]}): run "docker pull ${spec.image}" where a registry is reachable, or "docker load -i FILE.tar" from a saved copy, then try again`,
          { cause: err, retriable: true },
        );
      }
      id = await imageId(ctx.docker, spec.image);
    }
    if (!id) throw new PulseError('image_missing', `image ${spec.image} (service ${svc}) is still missing`);
    byImage.set(spec.image, id);
    ids.set(svc, id);
  }
  return ids;
}

async function imageId(docker: Docker, image: string): Promise<string | null> {
  try {
    return (await docker.getImage(image).inspect()).Id;
  } catch (err) {
    if (statusOf(err) === 404) return null;
    throw err;
  }
}

async function pull(ctx: StackContext, image: string, service: string): Promise<void> {
  const stream = await ctx.docker.pull(image);
  await new Promise<void>((resolve, reject) => {
    ctx.docker.modem.followProgress(
      stream,
      (err: Error | null) => (err ? reject(err) : resolve()),
      (e: { status?: string; id?: string; error?: string; progressDetail?: { current?: number; total?: number } }) => {
        if (e.error) return;
        ctx.emit({
          service,
          step: 'pull',
          message: `${image}: ${e.id ? `${e.id} ` : ''}${e.status ?? ''}`.trim(),
          ...(e.id ? { layer: e.id } : {}),
          ...(e.progressDetail?.total ? { current: e.progressDetail.current ?? 0, total: e.progressDetail.total } : {}),
        });
      },
    );
  });
}

/** A published port someone else holds fails now, with the port and service named, not half-way. */
export async function checkPorts(
  ctx: StackContext,
  order: string[],
  existing: Map<string, Docker.ContainerInfo>,
): Promise<void> {
  if (!ctx.target.local) return;
  for (const svc of order) {
    if (existing.get(svc)?.State === 'running') continue;
    for (const p of ctx.project.services[svc].ports) {
      if (p.protocol !== 'tcp' || p.hostPort === null) continue;
      const host = p.hostIp === '' || p.hostIp === '0.0.0.0' ? undefined : p.hostIp;
      const free = await new Promise<boolean>((resolve) => {
        const server = net.createServer();
        server.once('error', () => resolve(false));
        server.listen({ host, port: p.hostPort!, exclusive: true }, () => server.close(() => resolve(true)));
      });
      if (!free) throw portTaken(ctx.project, svc, p.hostIp || '0.0.0.0', p.hostPort);
    }
  }
}

export function portTaken(
  p: ComposeProject,
  service: string,
  hostIp: string,
  hostPort: number,
  cause?: unknown,
): PulseError {
  return new PulseError(
    'port_taken',
    `port ${hostIp}:${hostPort} for service ${service} is already in use by another program: stop that program, or publish ${service} on another port (in ${p.file} or its .env), then try again`,
    { field: service, cause, retriable: true },
  );
}

export async function ensureNetworks(ctx: StackContext, order: string[], created: Created): Promise<void> {
  const needed = new Set(order.flatMap((svc) => ctx.project.services[svc].networks.map((n) => n.key)));
  for (const key of needed) {
    const spec = ctx.project.networks[key];
    const found = await ctx.api(() => ctx.docker.listNetworks({ filters: JSON.stringify({ name: [spec.name] }) }));
    if (found.some((n) => n.Name === spec.name)) continue;
    if (spec.external)
      throw new PulseError(
        'not_found',
        `network ${spec.name} is declared external but does not exist: create it with docker network create ${spec.name}`,
      );
    ctx.progress('network', `creating network ${spec.name}`);
    await ctx.api(() =>
      ctx.docker.createNetwork({
        Name: spec.name,
        Driver: spec.driver,
        CheckDuplicate: true,
        Labels: {
          [LABEL.project]: ctx.project.name,
          [LABEL.network]: key,
          [LABEL.version]: COMPOSE_RULES_VERSION,
        },
      }),
    );
    created.networks.push(spec.name);
  }
}

export async function ensureVolumes(ctx: StackContext, order: string[], created: Created): Promise<void> {
  const needed = new Set(
    order.flatMap((svc) =>
      ctx.project.services[svc].mounts.filter((m) => m.type === 'volume' && m.source).map((m) => m.source),
    ),
  );
  for (const key of needed) {
    const spec = ctx.project.volumes[key];
    try {
      await ctx.docker.getVolume(spec.name).inspect();
      continue;
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
    }
    if (spec.external)
      throw new PulseError(
        'not_found',
        `volume ${spec.name} is declared external but does not exist: create it with docker volume create ${spec.name}`,
      );
    ctx.progress('volume', `creating volume ${spec.name}`);
    await ctx.api(() =>
      ctx.docker.createVolume({
        Name: spec.name,
        Driver: spec.driver,
        Labels: { [LABEL.project]: ctx.project.name, [LABEL.volume]: key, [LABEL.version]: COMPOSE_RULES_VERSION },
      }),
    );
    created.volumes.push(spec.name);
  }
}

/** Removes, newest first, what this attempt created; what was there before stays. */
export async function rollback(ctx: StackContext, created: Created): Promise<void> {
  if (!created.containers.length && !created.networks.length && !created.volumes.length) return;
  ctx.progress('rollback', 'the start failed: removing what it created');
  for (const c of created.containers.reverse()) await c.remove({ force: true, v: true }).catch(() => undefined);
  for (const n of created.networks)
    await ctx.docker
      .getNetwork(n)
      .remove()
      .catch(() => undefined);
  for (const v of created.volumes)
    await ctx.docker
      .getVolume(v)
      .remove()
      .catch(() => undefined);
}
