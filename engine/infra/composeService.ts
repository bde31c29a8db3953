/**
 * One service of a compose file: every key real files use, read into what the stack runs; Compose
 * keys this project does not run are refused by name, keys Compose does not know are warnings.
 */
import fs from 'node:fs';
import path from 'node:path';
import { readDotEnv } from './dotEnv';
import {
  parseBytes,
  parseDuration,
  parseMount,
  parsePorts,
  shellWords,
  type Fail,
  type MountSpec,
  type PortSpec,
} from './composeValues';

export type { MountSpec, PortSpec } from './composeValues';
export type DependsCondition = 'service_started' | 'service_healthy' | 'service_completed_successfully';
export type RestartPolicy = 'no' | 'always' | 'unless-stopped' | 'on-failure';

export interface HealthcheckSpec {
  /** Docker's form: ['CMD', …], ['CMD-SHELL', script], or ['NONE'] (disabled, also the image's own). */
  test: string[];
  /** `disable: true` in the file (Docker gets ['NONE']). */
  disable?: boolean;
  intervalMs?: number;
  timeoutMs?: number;
  retries?: number;
  startPeriodMs?: number;
  startIntervalMs?: number;
}

export interface BuildSpec {
  /** Absolute folder sent to the daemon. */
  context: string;
  /** Relative to the context. */
  dockerfile: string;
  args: Record<string, string>;
  target?: string;
}

export interface Dependency {
  condition: DependsCondition;
  /** false: start even when that service is not in the file or not enabled. */
  required: boolean;
  restart: boolean;
}

export interface ServiceNetwork {
  key: string;
  aliases: string[];
}

export interface ServiceSpec {
  name: string;
  /** The image run: `image:`, or `<project>-<service>` for a build without one. */
  image: string;
  /** image: as written; absent for a build without one (Compose's hash sees it so). */
  imageAsWritten?: string;
  build?: BuildSpec;
  pullPolicy: 'missing' | 'always' | 'never' | 'build';
  containerName?: string;
  command?: string[];
  entrypoint?: string[];
  /** env_file entries, then environment: (null: named without a value and unset here, so not passed). */
  environment: Record<string, string | null>;
  ports: PortSpec[];
  expose: string[];
  mounts: MountSpec[];
  /** null: none in the file (the image's own, if any, applies). */
  healthcheck: HealthcheckSpec | null;
  dependsOn: Record<string, Dependency>;
  restart: RestartPolicy;
  /** restart: as written (on-failure:3), absent when the file has none: Compose's hash sees it so. */
  restartAsWritten?: string;
  networks: ServiceNetwork[];
  labels: Record<string, string>;
  profiles: string[];
  extraHosts: string[];
  workingDir?: string;
  user?: string;
  hostname?: string;
  tty: boolean;
  stdinOpen: boolean;
  init?: boolean;
  stopGracePeriodMs?: number;
  stopSignal?: string;
  limits: { nanoCpus?: number; memoryBytes?: number; pids?: number };
  /** Runs to completion: another service waits for it with condition service_completed_successfully. */
  oneShot: boolean;
}

export interface ServiceContext {
  project: string;
  workingDir: string;
  env: Record<string, string>;
  volumes: string[];
  networks: string[];
  fail: Fail;
  warn: (msg: string) => void;
}

/** What this project runs; each is read below and kept in the hash model. */
const SUPPORTED = new Set([
  'image', 'build', 'container_name', 'command', 'entrypoint', 'environment', 'env_file', 'networks',
  'volumes', 'ports', 'expose', 'restart', 'labels', 'profiles', 'extra_hosts', 'working_dir', 'user',
  'healthcheck', 'deploy', 'depends_on', 'hostname', 'tty', 'stdin_open', 'init', 'stop_grace_period',
  'stop_signal', 'pull_policy',
]); // prettier-ignore

/** The rest of the Compose specification's service keys: refused by name rather than ignored. */
const SPEC_ONLY = new Set([
  'annotations', 'attach', 'develop', 'blkio_config', 'cap_add', 'cap_drop', 'cgroup_parent', 'cgroup',
  'cpu_count', 'cpu_percent', 'cpu_period', 'cpu_quota', 'cpu_rt_period', 'cpu_rt_runtime', 'cpus', 'cpuset',
  'cpu_shares', 'configs', 'credential_spec', 'device_cgroup_rules', 'devices', 'dns', 'dns_opt', 'dns_search',
  'domainname', 'extends', 'external_links', 'group_add', 'gpus', 'ipc', 'isolation', 'label_file', 'links',
  'logging', 'mem_limit', 'mem_reservation', 'memswap_limit', 'mem_swappiness', 'mac_address', 'models',
  'network_mode', 'oom_kill_disable', 'oom_score_adj', 'pid', 'pids_limit', 'platform', 'privileged',
  'provider', 'read_only', 'runtime', 'scale', 'secrets', 'security_opt', 'shm_size', 'storage_opt', 'sysctls',
  'tmpfs', 'ulimits', 'use_api_socket', 'userns_mode', 'uts', 'volumes_from', 'post_start', 'pre_stop',
]); // prettier-ignore

export function parseService(name: string, s: Record<string, unknown>, ctx: ServiceContext): ServiceSpec {
  const f: Fail = (k, msg) => ctx.fail(`services.${name}.${k}`, msg);
  for (const k of Object.keys(s)) {
    if (SUPPORTED.has(k) || k.startsWith('x-')) continue;
    if (SPEC_ONLY.has(k))
      throw f(k, `is a Compose key Retail Pulse does not run; remove it, or run this file with docker compose`);
    ctx.warn(`services.${name}.${k} is not a Compose key: ignored`);
  }
  const build = s.build === undefined ? undefined : parseBuild(s.build, ctx, f);
  if ((typeof s.image !== 'string' || !s.image) && !build) throw f('image', 'must name an image, or give build:');
  const image = typeof s.image === 'string' && s.image ? s.image : `${ctx.project}-${name}`;
  const restart = s.restart === undefined || s.restart === false ? 'no' : String(s.restart);
  if (!/^(no|always|unless-stopped|on-failure(:\d+)?)$/.test(restart))
    throw f('restart', `must be no, always, unless-stopped or on-failure, got ${restart}`);
  const pullPolicy = String(s.pull_policy ?? 'missing').replace('if_not_present', 'missing');
  if (!['missing', 'always', 'never', 'build'].includes(pullPolicy))
    throw f('pull_policy', `must be missing, always, never or build, got ${pullPolicy}`);
  const environment = { ...envFiles(s.env_file, ctx, f), ...parseEnvironment(s.environment, ctx.env, f) };
  const networks = parseNetworks(s.networks, ctx, f);
  const healthcheck = parseHealthcheck(s.healthcheck, f);
  const deploy = parseDeploy(s.deploy, f);
  const spec: ServiceSpec = {
    name,
    image,
    ...(typeof s.image === 'string' && s.image ? { imageAsWritten: s.image } : {}),
    ...(build ? { build } : {}),
    pullPolicy: pullPolicy as ServiceSpec['pullPolicy'],
    ...(s.container_name !== undefined ? { containerName: String(s.container_name) } : {}),
    ...(s.command !== undefined && s.command !== null ? { command: words(s.command, f, 'command') } : {}),
    ...(s.entrypoint !== undefined && s.entrypoint !== null ? { entrypoint: words(s.entrypoint, f, 'entrypoint') } : {}),
    environment,
    ports: list(s.ports, f, 'ports').flatMap((p) => parsePorts(p, f)),
    expose: list(s.expose, f, 'expose').map(String),
    mounts: list(s.volumes, f, 'volumes').map((v) => parseMount(v, ctx.workingDir, ctx.volumes, f)),
    healthcheck,
    dependsOn: parseDependsOn(s.depends_on, f),
    restart: restart.replace(/:\d+$/, '') as RestartPolicy,
    ...(s.restart !== undefined ? { restartAsWritten: s.restart === false ? 'no' : String(s.restart) } : {}),
    networks,
    labels: stringMap(s.labels, f, 'labels'),
    profiles: list(s.profiles, f, 'profiles').map(String),
    extraHosts: extraHosts(s.extra_hosts, f),
    ...(s.working_dir !== undefined ? { workingDir: String(s.working_dir) } : {}),
    ...(s.user !== undefined ? { user: String(s.user) } : {}),
    ...(s.hostname !== undefined ? { hostname: String(s.hostname) } : {}),
    tty: s.tty === true,
    stdinOpen: s.stdin_open === true,
    ...(typeof s.init === 'boolean' ? { init: s.init } : {}),
    ...(s.stop_grace_period !== undefined ? { stopGracePeriodMs: duration(s.stop_grace_period, f, 'stop_grace_period') } : {}),
    ...(s.stop_signal !== undefined ? { stopSignal: String(s.stop_signal) } : {}),
    limits: deploy.limits,
    oneShot: false,
  }; // prettier-ignore
  if (spec.containerName !== undefined && !/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(spec.containerName))
    throw f('container_name', `${JSON.stringify(spec.containerName)} is not a valid container name`);
  return spec;
}

function parseBuild(v: unknown, ctx: ServiceContext, f: Fail): BuildSpec {
  const b: Record<string, unknown> = typeof v === 'string' ? { context: v } : (v as Record<string, unknown>);
  if (!b || typeof b !== 'object') throw f('build', 'must be a folder or a mapping with context');
  for (const k of Object.keys(b))
    if (!['context', 'dockerfile', 'args', 'target'].includes(k) && !k.startsWith('x-'))
      throw f(`build.${k}`, 'is not supported here (supported: context, dockerfile, args, target)');
  const context = path.resolve(ctx.workingDir, String(b.context ?? '.'));
  if (/^[a-z]+:\/\//.test(String(b.context ?? ''))) throw f('build.context', 'must be a local folder (no URL)');
  if (!fs.existsSync(context) || !fs.statSync(context).isDirectory())
    throw f('build.context', `${context} is not a folder`);
  const dockerfile = String(b.dockerfile ?? 'Dockerfile');
  if (!fs.existsSync(path.resolve(context, dockerfile)))
    throw f('build.dockerfile', `${path.resolve(context, dockerfile)} does not exist`);
  const args = Object.fromEntries(
    Object.entries(parseEnvironment(b.args, ctx.env, f)).filter((e): e is [string, string] => e[1] !== null),
  );
  return { context, dockerfile, args, ...(b.target !== undefined ? { target: String(b.target) } : {}) };
}

function list(v: unknown, f: Fail, field: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw f(field, 'must be a list');
  return v;
}

function words(v: unknown, f: Fail, field: string): string[] {
  if (Array.isArray(v)) return v.map(String);
  if (typeof v === 'string') return shellWords(v);
  throw f(field, 'must be a list or a string');
}

function duration(v: unknown, f: Fail, field: string): number {
  const ms = parseDuration(v, 0);
  if (!Number.isFinite(ms) || ms < 0)
    throw f(field, `must be a duration such as 5s or 500ms, got ${JSON.stringify(v)}`);
  return ms;
}

function scalar(x: unknown): string {
  return typeof x === 'boolean' || typeof x === 'number' ? String(x) : String(x ?? '');
}

function stringMap(v: unknown, f: Fail, field: string): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (Array.isArray(v))
    return Object.fromEntries(
      v.map(String).map((e) => (e.includes('=') ? [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)] : [e, ''])),
    );
  if (typeof v !== 'object') throw f(field, 'must be a mapping or a list of KEY=VALUE');
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, x === null ? '' : scalar(x)]));
}

/** KEY=VALUE list or mapping; a KEY alone takes the value from the environment, or is left out. */
function parseEnvironment(v: unknown, env: Record<string, string>, f: Fail): Record<string, string | null> {
  if (v === undefined || v === null) return {};
  if (Array.isArray(v))
    return Object.fromEntries(
      v.map(String).map((e) => {
        const i = e.indexOf('=');
        return i < 0 ? [e, env[e] ?? null] : [e.slice(0, i), e.slice(i + 1)];
      }),
    );
  if (typeof v !== 'object') throw f('environment', 'must be a mapping or a list of KEY=VALUE');
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, x === null ? (env[k] ?? null) : scalar(x)]));
}

function envFiles(v: unknown, ctx: ServiceContext, f: Fail): Record<string, string> {
  if (v === undefined || v === null) return {};
  const entries = (Array.isArray(v) ? v : [v]).map((e) =>
    typeof e === 'string' ? { path: e, required: true } : (e as { path?: string; required?: boolean }),
  );
  const out: Record<string, string> = {};
  for (const e of entries) {
    if (typeof e?.path !== 'string') throw f('env_file', 'entries must be a path or {path, required}');
    const file = path.resolve(ctx.workingDir, e.path);
    if (!fs.existsSync(file)) {
      if (e.required === false) continue;
      throw f('env_file', `${file} does not exist (mark it required: false if it is optional)`);
    }
    Object.assign(out, readDotEnv(file));
  }
  return out;
}

function parseNetworks(v: unknown, ctx: ServiceContext, f: Fail): ServiceNetwork[] {
  const entries: [string, unknown][] =
    v === undefined || v === null
      ? [['default', null]]
      : Array.isArray(v)
        ? v.map((n) => [String(n), null])
        : typeof v === 'object'
          ? Object.entries(v)
          : (() => {
              throw f('networks', 'must be a list or a mapping');
            })();
  return entries.map(([key, cfg]) => {
    if (key !== 'default' && !ctx.networks.includes(key))
      throw f('networks', `uses network ${key}, which the file does not declare under the top-level networks:`);
    const c = (cfg ?? {}) as Record<string, unknown>;
    for (const k of Object.keys(c))
      if (k !== 'aliases') throw f(`networks.${key}.${k}`, 'is not supported here (supported: aliases)');
    return { key, aliases: list(c.aliases, f, `networks.${key}.aliases`).map(String) };
  });
}

function extraHosts(v: unknown, f: Fail): string[] {
  const pairs: [string, string][] =
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.entries(v).flatMap(([h, ip]) =>
          (Array.isArray(ip) ? ip : [ip]).map((x): [string, string] => [h, String(x)]),
        )
      : list(v, f, 'extra_hosts').map((e) => {
          const m = /^([^=:]+)[=:](.+)$/.exec(String(e));
          if (!m) throw f('extra_hosts', `${JSON.stringify(e)} must be HOST:IP or HOST=IP`);
          return [m[1], m[2].replace(/^\[(.*)\]$/, '$1')];
        });
  return pairs.map(([h, ip]) => `${h}:${ip}`);
}

function parseHealthcheck(v: unknown, f: Fail): HealthcheckSpec | null {
  if (v === undefined || v === null) return null;
  const h = v as Record<string, unknown>;
  if (h.disable === true) return { test: ['NONE'], disable: true };
  let test: string[];
  if (typeof h.test === 'string') test = ['CMD-SHELL', h.test];
  else if (Array.isArray(h.test) && ['CMD', 'CMD-SHELL', 'NONE'].includes(String(h.test[0]))) test = h.test.map(String);
  else throw f('healthcheck.test', 'must be a string or a list starting with CMD, CMD-SHELL or NONE');
  const out: HealthcheckSpec = { test };
  const dur = (k: string, key: 'intervalMs' | 'timeoutMs' | 'startPeriodMs' | 'startIntervalMs') => {
    if (h[k] !== undefined) out[key] = duration(h[k], f, `healthcheck.${k}`);
  };
  dur('interval', 'intervalMs');
  dur('timeout', 'timeoutMs');
  dur('start_period', 'startPeriodMs');
  dur('start_interval', 'startIntervalMs');
  if (h.retries !== undefined) {
    const retries = Number(h.retries);
    if (!Number.isInteger(retries) || retries < 1)
      throw f('healthcheck.retries', `must be a whole number from 1, got ${JSON.stringify(h.retries)}`);
    out.retries = retries;
  }
  return out;
}

function parseDeploy(v: unknown, f: Fail): { limits: ServiceSpec['limits'] } {
  if (v === undefined || v === null) return { limits: {} };
  const d = v as Record<string, unknown>;
  for (const k of Object.keys(d))
    if (k !== 'resources') throw f(`deploy.${k}`, 'is not supported here (supported: resources.limits)');
  const r = (d.resources ?? {}) as Record<string, unknown>;
  for (const k of Object.keys(r))
    if (k !== 'limits') throw f(`deploy.resources.${k}`, 'is not supported here (supported: limits)');
  const l = (r.limits ?? {}) as Record<string, unknown>;
  const limits: ServiceSpec['limits'] = {};
  for (const [k, x] of Object.entries(l)) {
    if (k === 'cpus') limits.nanoCpus = Number(x);
    else if (k === 'memory') limits.memoryBytes = parseBytes(x);
    else if (k === 'pids') limits.pids = Number(x);
    else throw f(`deploy.resources.limits.${k}`, 'is not supported here (supported: cpus, memory, pids)');
    if (!Number.isFinite(Object.values(limits).at(-1)) || Number(Object.values(limits).at(-1)) <= 0)
      throw f(`deploy.resources.limits.${k}`, `must be a positive amount, got ${JSON.stringify(x)}`);
  }
  return { limits };
}

function parseDependsOn(v: unknown, f: Fail): Record<string, Dependency> {
  if (v === undefined || v === null) return {};
  const plain = { condition: 'service_started' as const, required: true, restart: false };
  if (Array.isArray(v)) return Object.fromEntries(v.map((d) => [String(d), { ...plain }]));
  if (typeof v !== 'object') throw f('depends_on', 'must be a list or a mapping');
  return Object.fromEntries(
    Object.entries(v).map(([dep, c]) => {
      const o = (c ?? {}) as { condition?: string; required?: boolean; restart?: boolean };
      const cond = o.condition ?? 'service_started';
      if (!['service_started', 'service_healthy', 'service_completed_successfully'].includes(cond))
        throw f(
          `depends_on.${dep}`,
          `condition must be service_started, service_healthy or service_completed_successfully, got ${cond}`,
        );
      return [
        dep,
        { condition: cond as DependsCondition, required: o.required !== false, restart: o.restart === true },
      ];
    }),
  );
}
