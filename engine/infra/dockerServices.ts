import { resolveConfig, type ConfigInput, type EngineConfig } from '../config';
import { PulseError } from '../errors';
import type { ComposeProject } from './composeFile';

/**
 * The services the compose stack provides, by ConfigInput field, and the compose services behind
 * each: `compose` must be up (healthy where checked), `jobs` (one-shots) must have finished with 0.
 */
export const DOCKER_SERVICES = {
  broker: { compose: ['kafka'], jobs: [], fields: ['kafka'] },
  lake: {
    compose: ['minio'],
    jobs: ['minio-init'],
    fields: ['s3', 's3Bucket', 's3AccessKeyId', 's3SecretAccessKey'],
  },
  warehouse: { compose: ['postgres'], jobs: [], fields: ['postgres'] },
  metrics: { compose: ['redis'], jobs: [], fields: ['redis'] },
} as const satisfies Record<string, { compose: string[]; jobs: string[]; fields: (keyof ConfigInput)[] }>;

/**
 * Where the compose stack's services answer on this machine, from the file's published ports and
 * the credentials it gives the containers (already interpolated from the environment and .env).
 */
export function dockerServices(compose: ComposeProject): ConfigInput {
  const published = (service: string, containerPort: number): string => {
    const p = compose.services[service]?.ports.find((x) => x.containerPort === containerPort && x.hostPort !== null);
    if (!p || p.hostPort === null)
      throw new PulseError(
        'config_invalid',
        `${compose.file}: ${service} does not publish port ${containerPort}, so the engine cannot reach it`,
        { field: service },
      );
    return `${p.hostIp === '0.0.0.0' || p.hostIp === '' ? '127.0.0.1' : p.hostIp}:${p.hostPort}`;
  };
  const env = (service: string) => compose.services[service]?.environment ?? {};
  const enc = encodeURIComponent;
  const minio = env('minio');
  const pg = env('postgres');
  return {
    kafka: published('kafka', 9092),
    s3: `http://${enc(minio.MINIO_ROOT_USER ?? 'minioadmin')}:${enc(minio.MINIO_ROOT_PASSWORD ?? 'minioadmin')}@${published('minio', 9000)}`,
    s3Bucket: env('minio-init').LAKE_BUCKET ?? 'lake',
    postgres: `postgres://${enc(pg.POSTGRES_USER ?? 'postgres')}:${enc(pg.POSTGRES_PASSWORD ?? '')}@${published('postgres', 5432)}/${enc(pg.POSTGRES_DB ?? pg.POSTGRES_USER ?? 'postgres')}`,
    redis: `redis://${published('redis', 6379)}`,
  };
}

/**
 * The same config with some services replaced (settings for them) or back to embedded (no
 * settings). `docker`: the compose project that provides the replaced ones (infra.useDocker).
 */
export function withServices(
  c: EngineConfig,
  services: (keyof typeof DOCKER_SERVICES)[],
  input: ConfigInput,
  docker?: string,
): EngineConfig {
  const next = resolveConfig({ dataDir: c.dataDir, topic: c.topic, partitions: c.partitions, ...input });
  const replaced = (s: keyof typeof DOCKER_SERVICES) => {
    const service = next.services[s];
    return service.mode === 'external' && docker ? { ...service, docker } : service;
  };
  return { ...c, services: { ...c.services, ...Object.fromEntries(services.map((s) => [s, replaced(s)])) } };
}
