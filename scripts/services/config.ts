import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ServiceMeta, ServiceName } from './types';

/** Same rule as engine/testing/realServices.ts: env RETAIL_PULSE_SERVICES_DIR, else `.services/` in the repo. */
export function stateDir(): string {
  return process.env.RETAIL_PULSE_SERVICES_DIR ?? path.resolve('.services');
}

export function serviceDir(name: ServiceName): string {
  return path.join(stateDir(), name);
}

/** Downloads kept across state resets: Kafka jars, the moto venv. */
export function cacheDir(): string {
  return process.env.RETAIL_PULSE_CACHE_DIR ?? path.join(os.homedir(), '.cache', 'retail-pulse');
}

/**
 * Default ports sit apart from docker-compose.yml's (9092, 9000, 5432, 6379) so both can run at once.
 * Each is overridden by RETAIL_PULSE_<SERVICE>_PORT (and _CONTROLLER_PORT for Kafka's KRaft listener).
 */
export const DEFAULT_PORTS: Record<ServiceName, number[]> = {
  kafka: [19092, 19093],
  kafka39: [19192, 19193],
  s3: [15000],
  postgres: [15432],
  redis: [16379],
};

function envPort(variable: string, fallback: number): number {
  const raw = process.env[variable];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${variable}=${raw} is not a port`);
  return port;
}

export function portVariables(name: ServiceName): string[] {
  const key = name.toUpperCase();
  return name.startsWith('kafka')
    ? [`RETAIL_PULSE_${key}_PORT`, `RETAIL_PULSE_${key}_CONTROLLER_PORT`]
    : [`RETAIL_PULSE_${key}_PORT`];
}

/** Ports for a service: the ones it runs (or last ran) on, else the environment's, else the defaults. */
export function configuredPorts(name: ServiceName): number[] {
  const remembered = readMeta(name)?.ports;
  if (remembered) return remembered;
  return portVariables(name).map((v, i) => envPort(v, DEFAULT_PORTS[name][i]));
}

export function readMeta(name: ServiceName): ServiceMeta | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(serviceDir(name), 'service.json'), 'utf8')) as ServiceMeta;
  } catch {
    return undefined;
  }
}

export function writeMeta(name: ServiceName, meta: ServiceMeta): void {
  const file = path.join(serviceDir(name), 'service.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(meta, null, 2));
  fs.renameSync(`${file}.tmp`, file);
}

export function updateMeta(name: ServiceName, patch: Partial<ServiceMeta>): ServiceMeta {
  const meta = { ...readMeta(name), ...patch };
  writeMeta(name, meta);
  return meta;
}
