/** What `status` shows of one service: state, health and its last checks, ports, uptime, and why it stopped. */
import type Docker from 'dockerode';
import type { InfraContainerState, InfraHealth, InfraServiceStatus } from '../contract';
import type { ServiceSpec } from './composeFile';
import { lastLines } from './readiness';

export async function serviceStatus(
  docker: Docker,
  service: string,
  spec: ServiceSpec | undefined,
  c: Docker.ContainerInfo | undefined,
): Promise<InfraServiceStatus> {
  const base = {
    service,
    oneShot: spec?.oneShot ?? false,
    image: c?.Image ?? spec?.image ?? '',
    lastLines: [],
    healthChecks: [],
    history: [],
  };
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
  const container = docker.getContainer(c.Id);
  const info = await container.inspect().catch(() => null);
  const st = info?.State;
  const startedAt = st?.StartedAt && !st.StartedAt.startsWith('0001') ? Date.parse(st.StartedAt) : null;
  const bindings = info?.HostConfig.PortBindings as
    Record<string, { HostIp: string; HostPort: string }[] | null> | undefined;
  // Published ports as the engine resolved them (a random host port shows its number).
  const live = info?.NetworkSettings.Ports as Record<string, { HostIp: string; HostPort: string }[] | null> | undefined;
  const state = (st?.Status ?? c.State) as InfraContainerState;
  const exitCode = st && !st.Running && startedAt !== null ? st.ExitCode : null;
  const failing = (exitCode !== null && exitCode !== 0) || (state === 'restarting' && st?.ExitCode !== 0);
  return {
    ...base,
    image: info?.Config.Image ?? base.image,
    container: c.Names[0]?.slice(1) ?? c.Id,
    state,
    health: (st?.Health?.Status as InfraHealth | undefined) ?? 'none',
    exitCode,
    ports: Object.entries(live && Object.keys(live).length ? live : (bindings ?? {})).flatMap(([key, list]) =>
      (list ?? [])
        .filter((b) => b.HostPort && !(b.HostIp === '::' && list!.some((x) => x.HostIp === '0.0.0.0')))
        .map((b) => ({
          hostIp: b.HostIp || '0.0.0.0',
          hostPort: Number(b.HostPort),
          containerPort: parseInt(key, 10),
        })),
    ),
    startedAt,
    uptimeMs: st?.Running && startedAt ? Date.now() - startedAt : null,
    lastLines: failing ? (await lastLines(container, 5)).split(' | ') : [],
    healthChecks: (st?.Health?.Log ?? []).map((l) => ({
      at: Date.parse(l.Start),
      exitCode: l.ExitCode,
      output: l.Output.trim().slice(-400),
    })),
  };
}
