/**
 * What Compose v2 would create for a service: the same names and labels (config hash included), so
 * `docker compose ps|up|down` see our containers, networks and volumes as theirs, and we see theirs.
 */
import type Docker from 'dockerode';
import type { ComposeProject, ServiceSpec } from './composeFile';
import { configHash } from './composeHash';

export const LABEL = {
  project: 'com.docker.compose.project',
  service: 'com.docker.compose.service',
  number: 'com.docker.compose.container-number',
  oneoff: 'com.docker.compose.oneoff',
  workingDir: 'com.docker.compose.project.working_dir',
  configFiles: 'com.docker.compose.project.config_files',
  configHash: 'com.docker.compose.config-hash',
  /** The image's ID when the container was made: a rebuilt or pulled image recreates it. */
  image: 'com.docker.compose.image',
  dependsOn: 'com.docker.compose.depends_on',
  version: 'com.docker.compose.version',
  network: 'com.docker.compose.network',
  volume: 'com.docker.compose.volume',
} as const;

/** The Compose release whose rules (labels, hash) these follow; written where Compose writes its version. */
export const COMPOSE_RULES_VERSION = '2.40.3';

export const containerName = (p: ComposeProject, service: string) =>
  p.services[service]?.containerName ?? `${p.name}-${service}-1`;

export function projectFilter(p: ComposeProject, extra: string[] = []): { filters: string } {
  return { filters: JSON.stringify({ label: [`${LABEL.project}=${p.name}`, ...extra] }) };
}

export function containerLabels(p: ComposeProject, s: ServiceSpec, imageId: string): Record<string, string> {
  return {
    ...s.labels,
    [LABEL.project]: p.name,
    [LABEL.service]: s.name,
    [LABEL.number]: '1',
    [LABEL.oneoff]: 'False',
    [LABEL.workingDir]: p.workingDir,
    [LABEL.configFiles]: p.file,
    [LABEL.configHash]: configHash(s),
    [LABEL.image]: imageId,
    [LABEL.dependsOn]: Object.entries(s.dependsOn)
      .map(([dep, d]) => `${dep}:${d.condition}:${d.restart}`)
      .join(','),
    [LABEL.version]: COMPOSE_RULES_VERSION,
  };
}

/** The aliases a service answers to on each of its networks. */
export function aliases(p: ComposeProject, s: ServiceSpec, key: string): string[] {
  return [s.name, containerName(p, s.name), ...(s.networks.find((n) => n.key === key)?.aliases ?? [])];
}

/** `anonymous`: volumes by target to reuse for the file's anonymous volumes (a recreated container's). */
export function createOptions(
  p: ComposeProject,
  s: ServiceSpec,
  imageId: string,
  anonymous: Record<string, string> = {},
): Docker.ContainerCreateOptions {
  const portKey = (port: { containerPort: number; protocol: string }) => `${port.containerPort}/${port.protocol}`;
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const port of s.ports)
    (bindings[portKey(port)] ??= []).push({
      HostIp: port.hostIp,
      HostPort: port.hostPort === null ? '' : String(port.hostPort),
    });
  const exposed = [...s.ports.map(portKey), ...s.expose.map((e) => (e.includes('/') ? e : `${e}/tcp`))];
  const ns = (ms: number | undefined) => (ms === undefined ? undefined : Math.round(ms * 1e6));
  const h = s.healthcheck;
  const [first] = s.networks;
  const net = (key: string) => p.networks[key].name;
  return {
    name: containerName(p, s.name),
    Image: s.image,
    ...(s.command ? { Cmd: s.command } : {}),
    ...(s.entrypoint ? { Entrypoint: s.entrypoint } : {}),
    Env: Object.entries(s.environment)
      .filter((e): e is [string, string] => e[1] !== null)
      .map(([k, v]) => `${k}=${v}`),
    Labels: containerLabels(p, s, imageId),
    ExposedPorts: Object.fromEntries(exposed.map((k) => [k, {}])),
    ...(h
      ? {
          Healthcheck: {
            Test: h.test,
            Interval: ns(h.intervalMs),
            Timeout: ns(h.timeoutMs),
            Retries: h.retries,
            StartPeriod: ns(h.startPeriodMs),
          },
        }
      : {}),
    ...(s.hostname ? { Hostname: s.hostname } : {}),
    ...(s.user ? { User: s.user } : {}),
    ...(s.workingDir ? { WorkingDir: s.workingDir } : {}),
    ...(s.stopSignal ? { StopSignal: s.stopSignal } : {}),
    ...(s.stopGracePeriodMs !== undefined ? { StopTimeout: Math.ceil(s.stopGracePeriodMs / 1000) } : {}),
    Tty: s.tty,
    OpenStdin: s.stdinOpen,
    HostConfig: {
      PortBindings: bindings,
      // Short-syntax binds go through Binds, so the daemon makes a missing host folder, as with Compose.
      Binds: s.mounts
        .filter((m) => m.type === 'bind' && m.createHostPath)
        .map((m) => `${m.source}:${m.target}${m.readOnly ? ':ro' : ''}`),
      Mounts: s.mounts
        .filter((m) => !(m.type === 'bind' && m.createHostPath))
        .map((m) => ({
          Type: m.type,
          // An anonymous volume has no source (the daemon names it), unless it is kept from before.
          Source:
            m.type === 'volume'
              ? m.source
                ? p.volumes[m.source].name
                : (anonymous[m.target] ?? '')
              : m.type === 'bind'
                ? m.source
                : '',
          Target: m.target,
          ReadOnly: m.readOnly,
          ...(m.noCopy
            ? { VolumeOptions: { NoCopy: true, Labels: {}, DriverConfig: { Name: 'local', Options: {} } } }
            : {}),
        })),
      RestartPolicy: {
        Name: s.restart === 'no' ? '' : s.restart,
        ...(s.restartAsWritten?.startsWith('on-failure:')
          ? { MaximumRetryCount: Number(s.restartAsWritten.split(':')[1]) }
          : {}),
      },
      NetworkMode: net(first.key),
      ExtraHosts: s.extraHosts,
      ...(s.init !== undefined ? { Init: s.init } : {}),
      ...(s.limits.nanoCpus ? { NanoCpus: Math.round(s.limits.nanoCpus * 1e9) } : {}),
      ...(s.limits.memoryBytes ? { Memory: s.limits.memoryBytes } : {}),
      ...(s.limits.pids ? { PidsLimit: s.limits.pids } : {}),
    },
    // API 1.41 (Debian's docker.io) takes one endpoint at create; the others are connected after.
    NetworkingConfig: { EndpointsConfig: { [net(first.key)]: { Aliases: aliases(p, s, first.key) } } },
  };
}
