/**
 * docker-compose.yml, read the way Compose reads it for the subset this project uses: `${VAR:-default}`
 * from the process environment over a `.env` beside the file, then every field checked by name, so
 * a typo is refused before anything is created.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { PulseError } from '../errors';

export type DependsCondition = 'service_started' | 'service_healthy' | 'service_completed_successfully';
export type RestartPolicy = 'no' | 'always' | 'unless-stopped' | 'on-failure';

export interface PortSpec {
  hostIp: string;
  hostPort: number;
  containerPort: number;
  protocol: 'tcp' | 'udp';
}

export interface MountSpec {
  type: 'volume' | 'bind';
  /** The volume's key in the file, or an absolute host path. */
  source: string;
  target: string;
  readOnly: boolean;
}

export interface HealthcheckSpec {
  /** Docker's form: ['CMD', …] or ['CMD-SHELL', script]. */
  test: string[];
  intervalMs: number;
  timeoutMs: number;
  retries: number;
  startPeriodMs: number;
}

export interface ServiceSpec {
  name: string;
  image: string;
  command?: string[];
  entrypoint?: string[];
  environment: Record<string, string>;
  ports: PortSpec[];
  mounts: MountSpec[];
  healthcheck: HealthcheckSpec | null;
  dependsOn: Record<string, DependsCondition>;
  restart: RestartPolicy;
  /** Network keys in the file ('default' when the service names none). */
  networks: string[];
  /** Runs once and must exit 0: restart "no" and no health check (minio-init, metabase-init). */
  oneShot: boolean;
}

export interface ComposeProject {
  name: string;
  /** Absolute path of the compose file. */
  file: string;
  workingDir: string;
  services: Record<string, ServiceSpec>;
  networks: string[];
  volumes: string[];
}

export interface LoadOptions {
  /** Variables over the .env file; process.env when absent. */
  env?: NodeJS.ProcessEnv;
  /** Overrides the file's `name:` (tests use one project per test). */
  projectName?: string;
}

export function loadCompose(file: string, opts: LoadOptions = {}): ComposeProject {
  const abs = path.resolve(file);
  let text: string;
  try {
    text = fs.readFileSync(abs, 'utf8');
  } catch (err) {
    throw new PulseError('config_invalid', `cannot read compose file ${abs}: ${(err as Error).message}`, {
      field: 'composeFile',
      cause: err,
    });
  }
  const env = { ...readDotEnv(path.join(path.dirname(abs), '.env')), ...definedOnly(opts.env ?? process.env) };
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (err) {
    throw new PulseError('config_invalid', `${abs} is not valid YAML: ${(err as Error).message.split('\n')[0]}`, {
      field: 'composeFile',
      cause: err,
    });
  }
  return normalize(interpolate(raw, env, abs) as Record<string, unknown>, abs, opts.projectName);
}

/** KEY=VALUE lines; # comments; optional quotes. */
export function readDotEnv(file: string): Record<string, string> {
  if (!fs.existsSync(file)) return {};
  const out: Record<string, string> = {};
  for (const line of fs.readFileSync(file, 'utf8').split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!m) continue;
    let v = m[2];
    if (/^(['"]).*\1$/.test(v)) v = v.slice(1, -1);
    else v = v.replace(/\s+#.*$/, '');
    out[m[1]] = v;
  }
  return out;
}

function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

/** `$$` → `$`, `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?message}`, `${VAR?message}`. */
export function interpolateString(s: string, env: Record<string, string | undefined>, where = 'compose file'): string {
  return s.replace(
    /\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])((?:[^}])*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g,
    (_m, dollar, name, op, arg, bare) => {
      if (dollar) return '$';
      if (bare) return env[bare] ?? '';
      const v = env[name];
      const unset = v === undefined || (op?.startsWith(':') && v === '');
      if (!op) return v ?? '';
      if (op.endsWith('-')) return unset ? interpolateString(arg, env, where) : v!;
      if (unset)
        throw new PulseError('config_invalid', `${where}: ${name} must be set: ${arg || 'required variable'}`, {
          field: name,
        });
      return v!;
    },
  );
}

function interpolate(v: unknown, env: Record<string, string>, where: string): unknown {
  if (typeof v === 'string') return interpolateString(v, env, where);
  if (Array.isArray(v)) return v.map((x) => interpolate(x, env, where));
  if (v && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, interpolate(x, env, where)]));
  return v;
}

const SERVICE_KEYS = new Set([
  'image',
  'command',
  'entrypoint',
  'environment',
  'ports',
  'volumes',
  'healthcheck',
  'depends_on',
  'restart',
  'networks',
]);

function normalize(doc: Record<string, unknown>, file: string, projectName?: string): ComposeProject {
  const where = (field: string) => `${path.basename(file)}: ${field}`;
  const fail = (field: string, msg: string) => new PulseError('config_invalid', `${where(field)} ${msg}`, { field });
  if (!doc || typeof doc !== 'object') throw fail('', 'must be a mapping with services');
  const workingDir = path.dirname(file);
  // Like Compose: a name from the folder is lowercased and stripped to what a project name may hold.
  const name =
    projectName ??
    (typeof doc.name === 'string'
      ? doc.name
      : path
          .basename(workingDir)
          .toLowerCase()
          .replace(/[^a-z0-9_-]/g, ''));
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(name))
    throw fail('name', `project name ${JSON.stringify(name)} must be lowercase letters, digits, dashes or underscores`);
  const volumes = Object.keys(asMap(doc.volumes ?? {}, 'volumes', fail));
  const declaredNets = Object.keys(asMap(doc.networks ?? {}, 'networks', fail));
  const rawServices = asMap(doc.services, 'services', fail);
  if (!Object.keys(rawServices).length) throw fail('services', 'must name at least one service');
  const services: Record<string, ServiceSpec> = {};
  const usedNets = new Set<string>();
  for (const [svc, rawSpec] of Object.entries(rawServices)) {
    const f = (k: string, msg: string) => fail(`services.${svc}.${k}`, msg);
    const s = asMap(rawSpec, `services.${svc}`, fail);
    for (const k of Object.keys(s))
      if (!SERVICE_KEYS.has(k)) throw f(k, `is not supported here (supported: ${[...SERVICE_KEYS].join(', ')})`);
    if (typeof s.image !== 'string' || !s.image) throw f('image', 'must name an image');
    const restart = s.restart === undefined || s.restart === false ? 'no' : String(s.restart);
    if (!['no', 'always', 'unless-stopped', 'on-failure'].includes(restart))
      throw f('restart', `must be no, always, unless-stopped or on-failure, got ${restart}`);
    const networks =
      s.networks === undefined
        ? ['default']
        : Array.isArray(s.networks)
          ? s.networks.map(String)
          : Object.keys(asMap(s.networks, `services.${svc}.networks`, fail));
    for (const n of networks) {
      if (n !== 'default' && !declaredNets.includes(n))
        throw f('networks', `uses network ${n}, which the file does not declare under networks:`);
      usedNets.add(n);
    }
    const healthcheck = parseHealthcheck(s.healthcheck, f);
    services[svc] = {
      name: svc,
      image: s.image,
      ...(s.command !== undefined ? { command: words(s.command, f, 'command') } : {}),
      ...(s.entrypoint !== undefined ? { entrypoint: words(s.entrypoint, f, 'entrypoint') } : {}),
      environment: parseEnvironment(s.environment, f),
      ports: asList(s.ports, f, 'ports').map((p) => parsePort(p, f)),
      mounts: asList(s.volumes, f, 'volumes').map((v) => parseMount(v, workingDir, volumes, f)),
      healthcheck,
      dependsOn: parseDependsOn(s.depends_on, f),
      restart: restart as RestartPolicy,
      networks,
      oneShot: restart === 'no' && healthcheck === null,
    };
  }
  for (const s of Object.values(services)) {
    for (const dep of Object.keys(s.dependsOn))
      if (!services[dep])
        throw fail(`services.${s.name}.depends_on`, `names ${dep}, which is not a service in the file`);
  }
  return { name, file, workingDir, services, networks: [...usedNets], volumes };
}

type Fail = (field: string, msg: string) => PulseError;

function asMap(v: unknown, field: string, fail: Fail): Record<string, unknown> {
  if (v === null) return {};
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw fail(field, 'must be a mapping');
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, x ?? {}]));
}

function asList(v: unknown, fail: Fail, field: string): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' && typeof x !== 'number'))
    throw fail(field, 'must be a list of strings (the short syntax)');
  return v.map(String);
}

function words(v: unknown, fail: Fail, field: string): string[] {
  if (Array.isArray(v)) return v.map(String);
  if (typeof v === 'string') return shellWords(v);
  throw fail(field, 'must be a list or a string');
}

/** Splits like a POSIX shell does for words: spaces, single and double quotes, backslashes. */
export function shellWords(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let has = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < s.length) cur += s[++i];
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      has = true;
    } else if (c === '\\' && i + 1 < s.length) {
      cur += s[++i];
      has = true;
    } else if (/\s/.test(c)) {
      if (has || cur) out.push(cur);
      cur = '';
      has = false;
    } else cur += c;
  }
  if (has || cur) out.push(cur);
  return out;
}

function parseEnvironment(v: unknown, fail: Fail): Record<string, string> {
  if (v === undefined) return {};
  if (Array.isArray(v)) {
    return Object.fromEntries(
      v.map(String).map((e) => {
        const i = e.indexOf('=');
        return i < 0 ? [e, process.env[e] ?? ''] : [e.slice(0, i), e.slice(i + 1)];
      }),
    );
  }
  if (typeof v !== 'object' || v === null) throw fail('environment', 'must be a mapping or a list of KEY=VALUE');
  return Object.fromEntries(
    Object.entries(v).map(([k, x]) => [
      k,
      x === null || (typeof x === 'object' && !Object.keys(x as object).length) ? '' : String(x),
    ]),
  );
}

function parsePort(p: string, fail: Fail): PortSpec {
  const [spec, proto = 'tcp'] = p.split('/');
  const parts = spec.split(':');
  const num = (x: string) => (/^\d{1,5}$/.test(x) && Number(x) >= 1 && Number(x) <= 65535 ? Number(x) : NaN);
  const [hostIp, hostPort, containerPort] =
    parts.length === 3
      ? [parts[0], num(parts[1]), num(parts[2])]
      : parts.length === 2
        ? ['0.0.0.0', num(parts[0]), num(parts[1])]
        : ['0.0.0.0', num(parts[0]), num(parts[0])];
  if (!Number.isFinite(hostPort) || !Number.isFinite(containerPort) || (proto !== 'tcp' && proto !== 'udp'))
    throw fail('ports', `${JSON.stringify(p)} must be [IP:]HOST:CONTAINER[/tcp|udp] with ports from 1 to 65535`);
  return { hostIp, hostPort, containerPort, protocol: proto };
}

function parseMount(v: string, workingDir: string, volumes: string[], fail: Fail): MountSpec {
  const parts = v.split(':');
  if (parts.length < 2 || parts.length > 3 || (parts[2] !== undefined && !['ro', 'rw'].includes(parts[2])))
    throw fail('volumes', `${JSON.stringify(v)} must be SOURCE:TARGET[:ro|rw]`);
  const [source, target, mode] = parts;
  const readOnly = mode === 'ro';
  if (source.startsWith('.') || source.startsWith('/') || source.startsWith('~')) {
    return { type: 'bind', source: path.resolve(workingDir, source), target, readOnly };
  }
  if (!volumes.includes(source))
    throw fail('volumes', `uses volume ${source}, which the file does not declare under volumes:`);
  return { type: 'volume', source, target, readOnly };
}

/** Compose durations: 1h2m3s, 500ms, 1.5s, or a number of seconds. */
export function parseDuration(v: unknown, fallbackMs: number): number {
  if (v === undefined) return fallbackMs;
  if (typeof v === 'number') return v * 1000;
  const s = String(v);
  const re = /(\d+(?:\.\d+)?)(ms|us|ns|h|m|s)/gy;
  let total = 0;
  let m: RegExpExecArray | null;
  let matched = 0;
  while ((m = re.exec(s))) {
    total +=
      Number(m[1]) *
      ({ h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, ns: 0.000001 } as Record<string, number>)[m[2]];
    matched = re.lastIndex;
  }
  if (!matched || matched !== s.length) return NaN;
  return total;
}

function parseHealthcheck(v: unknown, fail: Fail): HealthcheckSpec | null {
  if (v === undefined) return null;
  const h = v as Record<string, unknown>;
  if (h.disable === true) return null;
  let test: string[];
  if (typeof h.test === 'string') test = ['CMD-SHELL', h.test];
  else if (Array.isArray(h.test) && ['CMD', 'CMD-SHELL', 'NONE'].includes(String(h.test[0]))) test = h.test.map(String);
  else throw fail('healthcheck.test', 'must be a string or a list starting with CMD, CMD-SHELL or NONE');
  if (test[0] === 'NONE') return null;
  const dur = (k: string, fallback: number) => {
    const ms = parseDuration(h[k], fallback);
    if (!Number.isFinite(ms) || ms < 0)
      throw fail(`healthcheck.${k}`, `must be a duration such as 5s or 500ms, got ${JSON.stringify(h[k])}`);
    return ms;
  };
  const retries = h.retries === undefined ? 3 : Number(h.retries);
  if (!Number.isInteger(retries) || retries < 1)
    throw fail('healthcheck.retries', `must be a whole number from 1, got ${JSON.stringify(h.retries)}`);
  return {
    test,
    intervalMs: dur('interval', 30_000),
    timeoutMs: dur('timeout', 30_000),
    retries,
    startPeriodMs: dur('start_period', 0),
  };
}

function parseDependsOn(v: unknown, fail: Fail): Record<string, DependsCondition> {
  if (v === undefined) return {};
  if (Array.isArray(v)) return Object.fromEntries(v.map((d) => [String(d), 'service_started' as const]));
  if (typeof v !== 'object' || v === null) throw fail('depends_on', 'must be a list or a mapping');
  return Object.fromEntries(
    Object.entries(v).map(([dep, c]) => {
      const cond = (c as { condition?: string } | null)?.condition ?? 'service_started';
      if (!['service_started', 'service_healthy', 'service_completed_successfully'].includes(cond))
        throw fail(
          `depends_on.${dep}`,
          `condition must be service_started, service_healthy or service_completed_successfully, got ${cond}`,
        );
      return [dep, cond as DependsCondition];
    }),
  );
}
