/**
 * A compose file read the way Docker Compose v2 reads it: `${VAR}` from the process environment
 * over a `.env` beside the file, the project name (-p, COMPOSE_PROJECT_NAME, `name:`, the folder),
 * profiles (COMPOSE_PROFILES), user networks and volumes, then every service checked by field.
 * What Compose ignores (`version:`) or does not know is a warning; a broken file is refused.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { PulseError } from '../errors';
import { parseService, type ServiceSpec } from './composeService';
import { interpolate, readDotEnv } from './dotEnv';

export type {
  BuildSpec,
  Dependency,
  DependsCondition,
  HealthcheckSpec,
  MountSpec,
  PortSpec,
  RestartPolicy,
  ServiceNetwork,
  ServiceSpec,
} from './composeService';
export { interpolateString, readDotEnv } from './dotEnv';
export { parseDuration, shellWords } from './composeValues';

export interface NetworkSpec {
  key: string;
  /** The network's name on the engine: `<project>_<key>`, or `name:`. */
  name: string;
  external: boolean;
  driver: string;
  /** The top-level entry as written (for Compose's network hash), interpolated. */
  raw: Record<string, unknown>;
}

export interface VolumeSpec {
  key: string;
  name: string;
  external: boolean;
  driver: string;
}

export interface ComposeProject {
  name: string;
  /** Absolute path of the compose file. */
  file: string;
  workingDir: string;
  /** The enabled services (profiles applied), in file order. */
  services: Record<string, ServiceSpec>;
  /** Services left out because none of their profiles is active. */
  disabled: string[];
  networks: Record<string, NetworkSpec>;
  volumes: Record<string, VolumeSpec>;
  /** Things Compose would also only warn about: an obsolete `version:`, keys it does not know. */
  warnings: string[];
}

export interface LoadOptions {
  /** Variables over the .env file; process.env when absent. */
  env?: NodeJS.ProcessEnv;
  /** Overrides the file's `name:` (tests use one project per test), like `docker compose -p`. */
  projectName?: string;
  /** Active profiles; COMPOSE_PROFILES when absent. */
  profiles?: string[];
}

const TOP_KEYS = new Set([
  'version',
  'name',
  'services',
  'networks',
  'volumes',
  'configs',
  'secrets',
  'include',
  'models',
]);

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
    raw = parse(text, { merge: true, maxAliasCount: 1000 });
  } catch (err) {
    throw new PulseError('config_invalid', `${abs} is not valid YAML: ${(err as Error).message.split('\n')[0]}`, {
      field: 'composeFile',
      cause: err,
    });
  }
  return normalize(interpolate(raw, env, abs) as Record<string, unknown>, abs, env, opts);
}

function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

/** Like Compose: lowercase, and only what a project name may hold. */
export function normalizeProjectName(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9_-]/g, '');
}

function normalize(
  doc: Record<string, unknown>,
  file: string,
  env: Record<string, string>,
  opts: LoadOptions,
): ComposeProject {
  const base = path.basename(file);
  const fail = (field: string, msg: string) =>
    new PulseError('config_invalid', `${base}: ${field ? `${field} ` : ''}${msg}`, { field: field || 'composeFile' });
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw fail('', 'must be a mapping with services');
  const warnings: string[] = [];
  if (doc.version !== undefined) warnings.push(`${base}: the attribute \`version\` is obsolete, it will be ignored`);
  for (const k of Object.keys(doc))
    if (!TOP_KEYS.has(k) && !k.startsWith('x-')) warnings.push(`${base}: ${k} is not a Compose key: ignored`);
  if (doc.include !== undefined) throw fail('include', 'is not supported here: merge the files into one');
  const workingDir = path.dirname(file);
  const name =
    opts.projectName ??
    env.COMPOSE_PROJECT_NAME ??
    (typeof doc.name === 'string' && doc.name ? doc.name : normalizeProjectName(path.basename(workingDir)));
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(name))
    throw fail('name', `project name ${JSON.stringify(name)} must be lowercase letters, digits, dashes or underscores`);

  const volumes = Object.fromEntries(
    Object.entries(asMap(doc.volumes, 'volumes', fail)).map(([key, v]) => {
      const c = asMap(v, `volumes.${key}`, fail);
      const external = isExternal(c.external);
      const spec: VolumeSpec = {
        key,
        name: typeof c.name === 'string' ? c.name : external ? key : `${name}_${key}`,
        external,
        driver: typeof c.driver === 'string' ? c.driver : 'local',
      };
      return [key, spec];
    }),
  );
  const networks = Object.fromEntries(
    Object.entries(asMap(doc.networks, 'networks', fail)).map(([key, v]) => {
      const c = asMap(v, `networks.${key}`, fail);
      const external = isExternal(c.external);
      const spec: NetworkSpec = {
        key,
        name: typeof c.name === 'string' ? c.name : external ? key : `${name}_${key}`,
        external,
        driver: typeof c.driver === 'string' ? c.driver : 'bridge',
        raw: c,
      };
      return [key, spec];
    }),
  );

  const rawServices = asMap(doc.services, 'services', fail);
  if (!Object.keys(rawServices).length) throw fail('services', 'must name at least one service');
  const all: Record<string, ServiceSpec> = {};
  for (const [svc, rawSpec] of Object.entries(rawServices)) {
    if (!/^[a-zA-Z0-9._-]+$/.test(svc)) throw fail(`services.${svc}`, 'is not a valid service name');
    all[svc] = parseService(svc, asMap(rawSpec, `services.${svc}`, fail), {
      project: name,
      workingDir,
      env,
      volumes: Object.keys(volumes),
      networks: Object.keys(networks),
      fail,
      warn: (m) => warnings.push(`${base}: ${m}`),
    });
  }

  const active = new Set(
    opts.profiles ??
      (env.COMPOSE_PROFILES ?? '')
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean),
  );
  const enabled = (s: ServiceSpec) => !s.profiles.length || active.has('*') || s.profiles.some((p) => active.has(p));
  const services = Object.fromEntries(Object.entries(all).filter(([, s]) => enabled(s)));
  const disabled = Object.keys(all).filter((s) => !services[s]);
  for (const s of Object.values(services)) {
    for (const [dep, d] of Object.entries(s.dependsOn)) {
      if (!all[dep]) {
        if (!d.required) continue;
        throw fail(`services.${s.name}.depends_on`, `names ${dep}, which is not a service in the file`);
      }
      if (!services[dep] && d.required)
        throw fail(
          `services.${s.name}.depends_on`,
          `names ${dep}, which is only enabled with profile ${all[dep].profiles.join(' or ')}: set COMPOSE_PROFILES=${all[dep].profiles[0]}`,
        );
      if (services[dep] && d.condition === 'service_completed_successfully') services[dep].oneShot = true;
    }
  }
  // Drop optional dependencies that are absent, so plans only see services that exist.
  for (const s of Object.values(services))
    for (const dep of Object.keys(s.dependsOn)) if (!services[dep]) delete s.dependsOn[dep];
  const containerNames = new Map<string, string>();
  for (const s of Object.values(services)) {
    if (!s.containerName) continue;
    const other = containerNames.get(s.containerName);
    if (other)
      throw fail(
        `services.${s.name}.container_name`,
        `${s.containerName} is already the container_name of ${other}: each container needs its own name`,
      );
    containerNames.set(s.containerName, s.name);
  }
  // The implicit default network, for services that name none.
  if (Object.values(services).some((s) => s.networks.some((n) => n.key === 'default')) && !networks.default)
    networks.default = { key: 'default', name: `${name}_default`, external: false, driver: 'bridge', raw: {} };
  return { name, file, workingDir, services, disabled, networks, volumes, warnings };
}

function isExternal(v: unknown): boolean {
  return v === true || (typeof v === 'object' && v !== null);
}

function asMap(v: unknown, field: string, fail: (field: string, msg: string) => PulseError): Record<string, unknown> {
  if (v === null || v === undefined) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw fail(field, 'must be a mapping');
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, x ?? null]));
}
