/**
 * What Compose would create for a service: the same names and labels, so `docker compose ps` and
 * `docker compose down` see our containers, networks and volumes, and we see theirs.
 */
import crypto from 'node:crypto';
import type Docker from 'dockerode';
import type { ComposeProject, ServiceSpec } from './composeFile';

export const LABEL = {
  project: 'com.docker.compose.project',
  service: 'com.docker.compose.service',
  number: 'com.docker.compose.container-number',
  oneoff: 'com.docker.compose.oneoff',
  workingDir: 'com.docker.compose.project.working_dir',
  configFiles: 'com.docker.compose.project.config_files',
  network: 'com.docker.compose.network',
  volume: 'com.docker.compose.volume',
  /** Ours: the spec a container was made from, so a changed file recreates it (Compose's hash differs). */
  configHash: 'io.retail-pulse.config-hash',
} as const;

export const containerName = (p: ComposeProject, service: string) => `${p.name}-${service}-1`;
export const networkName = (p: ComposeProject, key: string) => `${p.name}_${key}`;
export const volumeName = (p: ComposeProject, key: string) => `${p.name}_${key}`;

export function projectFilter(p: ComposeProject, extra: string[] = []): { filters: string } {
  return { filters: JSON.stringify({ label: [`${LABEL.project}=${p.name}`, ...extra] }) };
}

export function configHash(s: ServiceSpec): string {
  return crypto.createHash('sha256').update(JSON.stringify(s)).digest('hex').slice(0, 16);
}

export function createOptions(p: ComposeProject, s: ServiceSpec): Docker.ContainerCreateOptions {
  const portKey = (port: { containerPort: number; protocol: string }) => `${port.containerPort}/${port.protocol}`;
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const port of s.ports)
    (bindings[portKey(port)] ??= []).push({ HostIp: port.hostIp, HostPort: String(port.hostPort) });
  const ns = (ms: number) => Math.round(ms * 1e6);
  const [firstNet] = s.networks;
  return {
    name: containerName(p, s.name),
    Image: s.image,
    ...(s.command ? { Cmd: s.command } : {}),
    ...(s.entrypoint ? { Entrypoint: s.entrypoint } : {}),
    Env: Object.entries(s.environment).map(([k, v]) => `${k}=${v}`),
    Labels: {
      [LABEL.project]: p.name,
      [LABEL.service]: s.name,
      [LABEL.number]: '1',
      [LABEL.oneoff]: 'False',
      [LABEL.workingDir]: p.workingDir,
      [LABEL.configFiles]: p.file,
      [LABEL.configHash]: configHash(s),
    },
    ExposedPorts: Object.fromEntries(s.ports.map((port) => [portKey(port), {}])),
    ...(s.healthcheck
      ? {
          Healthcheck: {
            Test: s.healthcheck.test,
            Interval: ns(s.healthcheck.intervalMs),
            Timeout: ns(s.healthcheck.timeoutMs),
            Retries: s.healthcheck.retries,
            StartPeriod: ns(s.healthcheck.startPeriodMs),
          },
        }
      : {}),
    HostConfig: {
      PortBindings: bindings,
      Mounts: s.mounts.map((m) => ({
        Type: m.type,
        Source: m.type === 'volume' ? volumeName(p, m.source) : m.source,
        Target: m.target,
        ReadOnly: m.readOnly,
      })),
      RestartPolicy: { Name: s.restart === 'no' ? '' : s.restart },
      NetworkMode: networkName(p, firstNet),
    },
    // API 1.41 (Debian's docker.io) takes one endpoint at create; the others are connected after.
    NetworkingConfig: {
      EndpointsConfig: { [networkName(p, firstNet)]: { Aliases: [s.name, containerName(p, s.name)] } },
    },
  };
}
