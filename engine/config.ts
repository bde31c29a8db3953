import fs from 'node:fs';
import path from 'node:path';
import { PulseError } from './errors';
import type { ComposeProject } from './infra/composeFile';
import { SALES_TOPIC } from './model/sale';
import { redactUrl } from './util/redact';

/**
 * Where each service lives: `embedded` needs no server (on-disk log, lake folder, PGlite, memory);
 * `external` names a real Kafka, S3, PostgreSQL or Redis.
 */
export type ServiceMode = 'embedded' | 'external';

export type BrokerService = { mode: 'embedded' } | { mode: 'external'; brokers: string[] };
export type LakeService =
  | { mode: 'embedded' }
  | {
      mode: 'external';
      endpoint: string;
      bucket: string;
      region: string;
      accessKeyId?: string;
      secretAccessKey?: string;
    };
export type WarehouseService =
  | { mode: 'embedded' }
  | { mode: 'external'; url: string; /** the editor's reader login (pgReader.ts) */ readerPassword?: string };
export type MetricsService = { mode: 'embedded' } | { mode: 'external'; url: string; keyPrefix: string };

export interface EngineConfig {
  /** Root of what this machine keeps: embedded services' data, scratch files, caches, the lock. */
  dataDir: string;
  /** The Kafka topic (or embedded log) point-of-sale events go to. */
  topic: string;
  /** Its partitions when the engine creates it. */
  partitions: number;
  /** The stream's consumer group; absent, one derived from the lake's id (each lake its own). */
  group?: string;
  services: { broker: BrokerService; lake: LakeService; warehouse: WarehouseService; metrics: MetricsService };
  /** A catalog to put in force at start (JSON file, or a folder with stores.csv and products.csv). */
  catalog?: string;
}

/**
 * Loose settings as a config file, environment variables or CLI flags give them. A service value
 * of 'embedded' (or absent) keeps the embedded default.
 */
export interface ConfigInput {
  dataDir?: unknown;
  topic?: unknown;
  partitions?: unknown;
  /** Consumer group of the stream (default: derived from the lake's id). */
  group?: unknown;
  /** host:port[,host:port…] */
  kafka?: unknown;
  /** http(s)://[key:secret@]host:port */
  s3?: unknown;
  s3Bucket?: unknown;
  s3Region?: unknown;
  s3AccessKeyId?: unknown;
  s3SecretAccessKey?: unknown;
  /** postgres://user:password@host:port/db */
  postgres?: unknown;
  /** Password of retail_pulse_reader, the login warehouse-editor queries run as (derived when absent). */
  postgresReaderPassword?: unknown;
  /** redis://[:password@]host:port[/db] */
  redis?: unknown;
  redisPrefix?: unknown;
  /** Catalog path: a JSON file, or a folder holding stores.csv and products.csv. */
  catalog?: unknown;
}

export const DEFAULT_PARTITIONS = 4;

export function defaultDataDir(): string {
  return process.env.RETAIL_PULSE_DATA_DIR ?? path.resolve('.data');
}

/** Environment variables, by ConfigInput field. */
export const CONFIG_ENV: Record<keyof ConfigInput, string> = {
  dataDir: 'RETAIL_PULSE_DATA_DIR',
  topic: 'RETAIL_PULSE_TOPIC',
  partitions: 'RETAIL_PULSE_PARTITIONS',
  group: 'RETAIL_PULSE_GROUP',
  kafka: 'RETAIL_PULSE_KAFKA',
  s3: 'RETAIL_PULSE_S3',
  s3Bucket: 'RETAIL_PULSE_S3_BUCKET',
  s3Region: 'RETAIL_PULSE_S3_REGION',
  s3AccessKeyId: 'AWS_ACCESS_KEY_ID',
  s3SecretAccessKey: 'AWS_SECRET_ACCESS_KEY',
  postgres: 'RETAIL_PULSE_POSTGRES',
  postgresReaderPassword: 'RETAIL_PULSE_POSTGRES_READER_PASSWORD',
  redis: 'RETAIL_PULSE_REDIS',
  redisPrefix: 'RETAIL_PULSE_REDIS_PREFIX',
  catalog: 'RETAIL_PULSE_CATALOG',
};

/** Settings from the environment (only those set). */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ConfigInput {
  const out: Record<string, unknown> = {};
  for (const [field, name] of Object.entries(CONFIG_ENV)) {
    const v = env[name];
    if (v !== undefined && v !== '') out[field] = field === 'partitions' ? Number(v) : v;
  }
  return out as ConfigInput;
}

/** Settings from a JSON config file; unknown keys are refused, so a typo does not go unnoticed. */
export function configFromFile(file: string): ConfigInput {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new PulseError('config_invalid', `cannot read config file ${file}: ${(err as Error).message}`, {
      field: 'config',
    });
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new PulseError('config_invalid', `config file ${file} must hold a JSON object`, { field: 'config' });
  for (const key of Object.keys(parsed)) {
    if (!(key in CONFIG_ENV))
      throw new PulseError(
        'config_invalid',
        `config file ${file}: unknown setting "${key}" (known: ${Object.keys(CONFIG_ENV).join(', ')})`,
        { field: key },
      );
  }
  return parsed as ConfigInput;
}

/**
 * The settings in force: CLI flags over environment over config file over defaults. The file is
 * `--config`, else RETAIL_PULSE_CONFIG, else none.
 */
export function loadConfig(
  flags: ConfigInput & { config?: unknown } = {},
  env: NodeJS.ProcessEnv = process.env,
): EngineConfig {
  const file = flags.config ?? env.RETAIL_PULSE_CONFIG;
  if (file !== undefined && typeof file !== 'string')
    throw new PulseError('config_invalid', 'config must be a file path', { field: 'config' });
  const fromFile = file ? configFromFile(file) : {};
  const defined = (o: object) =>
    Object.fromEntries(Object.entries(o).filter(([k, v]) => v !== undefined && k !== 'config'));
  return resolveConfig({ ...defined(fromFile), ...defined(configFromEnv(env)), ...defined(flags) });
}

/** Builds a config from loose input, refusing any wrong setting by name. */
export function resolveConfig(input: ConfigInput = {}): EngineConfig {
  const dataDir = input.dataDir ?? defaultDataDir();
  if (typeof dataDir !== 'string' || dataDir.trim() === '') throw invalid('dataDir', 'dataDir must be a folder path');
  const partitions = input.partitions ?? DEFAULT_PARTITIONS;
  if (typeof partitions !== 'number' || !Number.isInteger(partitions) || partitions < 1 || partitions > 256) {
    throw invalid(
      'partitions',
      `partitions must be a whole number from 1 to 256, got ${typeof partitions === 'string' ? JSON.stringify(partitions) : String(partitions)}`,
    );
  }
  const topic = input.topic ?? SALES_TOPIC;
  if (typeof topic !== 'string' || !/^[A-Za-z0-9._-]{1,200}$/.test(topic))
    throw invalid(
      'topic',
      `topic must be 1 to 200 letters, digits, dots, underscores or hyphens, got ${JSON.stringify(topic)}`,
    );
  const group = input.group;
  if (group !== undefined && (typeof group !== 'string' || !/^[A-Za-z0-9._-]{1,200}$/.test(group)))
    throw invalid(
      'group',
      `group must be a consumer group name of 1 to 200 letters, digits, dots, underscores or hyphens, got ${JSON.stringify(group)}; leave it unset to use the lake's own group`,
    );
  const config: EngineConfig = {
    dataDir: path.resolve(dataDir),
    topic,
    partitions,
    ...(group === undefined ? {} : { group }),
    services: {
      broker: brokerService(input),
      lake: lakeService(input),
      warehouse: warehouseService(input),
      metrics: metricsService(input),
    },
  };
  if (input.catalog !== undefined && input.catalog !== null && input.catalog !== '') {
    if (typeof input.catalog !== 'string')
      throw invalid(
        'catalog',
        'catalog must be the path of a JSON file or of a folder with stores.csv and products.csv',
      );
    config.catalog = path.resolve(input.catalog);
  }
  return config;
}

function isEmbedded(v: unknown): boolean {
  return v === undefined || v === null || v === 'embedded';
}

function brokerService(input: ConfigInput): BrokerService {
  const v = input.kafka;
  if (isEmbedded(v)) return { mode: 'embedded' };
  const list =
    typeof v === 'string'
      ? v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : Array.isArray(v)
        ? v
        : null;
  if (!list?.length)
    throw invalid('kafka', `kafka must be host:port[,host:port…] or "embedded", got ${JSON.stringify(v)}`);
  for (const b of list) {
    const m = typeof b === 'string' ? /^([A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\]):(\d{1,5})$/.exec(b) : null;
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535)
      throw invalid('kafka', `kafka broker "${String(b)}" must be host:port with a port from 1 to 65535`);
  }
  return { mode: 'external', brokers: list as string[] };
}

function lakeService(input: ConfigInput): LakeService {
  const v = input.s3;
  if (isEmbedded(v)) {
    if (input.s3Bucket !== undefined)
      throw invalid('s3Bucket', 's3Bucket is set but s3 is not: give the S3 endpoint too (--s3 http://host:port)');
    return { mode: 'embedded' };
  }
  const url = parseUrl(v, 's3', ['http:', 'https:'], 'an http(s) URL such as http://127.0.0.1:9000');
  const bucket = input.s3Bucket;
  if (typeof bucket !== 'string' || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    throw invalid(
      's3Bucket',
      `s3Bucket must be a bucket name (3 to 63 lowercase letters, digits, dots, hyphens), got ${JSON.stringify(bucket ?? null)}`,
    );
  }
  const region = input.s3Region ?? 'us-east-1';
  if (typeof region !== 'string' || !/^[a-z0-9-]+$/.test(region))
    throw invalid('s3Region', `s3Region must be a region name like us-east-1, got ${JSON.stringify(region)}`);
  // Credentials may come in the URL's user part, or as their own settings.
  const accessKeyId =
    str(input.s3AccessKeyId, 's3AccessKeyId') ?? (url.username ? decodeURIComponent(url.username) : undefined);
  const secretAccessKey =
    str(input.s3SecretAccessKey, 's3SecretAccessKey') ?? (url.password ? decodeURIComponent(url.password) : undefined);
  url.username = '';
  url.password = '';
  const lake: LakeService = { mode: 'external', endpoint: url.origin, bucket, region };
  if (accessKeyId !== undefined) lake.accessKeyId = accessKeyId;
  if (secretAccessKey !== undefined) lake.secretAccessKey = secretAccessKey;
  return lake;
}

function warehouseService(input: ConfigInput): WarehouseService {
  const readerPassword = str(input.postgresReaderPassword, 'postgresReaderPassword');
  if (isEmbedded(input.postgres)) {
    if (readerPassword !== undefined)
      throw invalid('postgresReaderPassword', 'postgresReaderPassword is set but postgres is not: give the server too');
    return { mode: 'embedded' };
  }
  const url = parseUrl(
    input.postgres,
    'postgres',
    ['postgres:', 'postgresql:'],
    'postgres://user:password@host:port/database',
  );
  if (!url.pathname || url.pathname === '/')
    throw invalid(
      'postgres',
      `postgres URL ${redactUrl(url.href)} must name a database, e.g. postgres://user:password@host:5432/retail_pulse`,
    );
  return readerPassword === undefined
    ? { mode: 'external', url: url.href }
    : { mode: 'external', url: url.href, readerPassword };
}

function metricsService(input: ConfigInput): MetricsService {
  if (isEmbedded(input.redis)) return { mode: 'embedded' };
  const url = parseUrl(input.redis, 'redis', ['redis:', 'rediss:'], 'redis://[:password@]host:port');
  const prefix = input.redisPrefix ?? 'retail-pulse:';
  if (typeof prefix !== 'string' || prefix === '' || /\s/.test(prefix))
    throw invalid(
      'redisPrefix',
      `redisPrefix must be a non-empty key prefix without spaces, got ${JSON.stringify(prefix)}`,
    );
  return { mode: 'external', url: url.href, keyPrefix: prefix };
}

function parseUrl(v: unknown, field: string, protocols: string[], example: string): URL {
  let url: URL | null = null;
  try {
    url = typeof v === 'string' ? new URL(v) : null;
  } catch {
    url = null;
  }
  if (!url || !protocols.includes(url.protocol) || !url.hostname) {
    throw invalid(
      field,
      `${field} must be ${example} or "embedded", got ${typeof v === 'string' ? JSON.stringify(redactUrl(v)) : String(v)}`,
    );
  }
  if (url.port && (Number(url.port) < 1 || Number(url.port) > 65535))
    throw invalid(field, `${field} port must be from 1 to 65535`);
  return url;
}

function str(v: unknown, field: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v === '') throw invalid(field, `${field} must be a non-empty string`);
  return v;
}

function invalid(field: string, message: string): PulseError {
  return new PulseError('config_invalid', message, { field });
}

/** What the config says, safe to print: no password, no secret key. */
export function describeConfig(c: EngineConfig): Record<string, string> {
  const s = c.services;
  return {
    dataDir: c.dataDir,
    group: c.group ?? "the lake's own (from its id)",
    broker: s.broker.mode === 'embedded' ? 'embedded log' : `kafka ${s.broker.brokers.join(',')}`,
    lake: s.lake.mode === 'embedded' ? 'embedded folder' : `s3 ${s.lake.endpoint} bucket ${s.lake.bucket}`,
    warehouse: s.warehouse.mode === 'embedded' ? 'embedded PGlite' : `postgres ${redactUrl(s.warehouse.url)}`,
    metrics: s.metrics.mode === 'embedded' ? 'embedded memory' : `redis ${redactUrl(s.metrics.url)}`,
  };
}

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

/** The same config with some services replaced (settings for them) or back to embedded (no settings). */
export function withServices(
  c: EngineConfig,
  services: (keyof typeof DOCKER_SERVICES)[],
  input: ConfigInput,
): EngineConfig {
  const next = resolveConfig({ dataDir: c.dataDir, topic: c.topic, partitions: c.partitions, ...input });
  return { ...c, services: { ...c.services, ...Object.fromEntries(services.map((s) => [s, next.services[s]])) } };
}

export const paths = {
  broker: (c: EngineConfig) => path.join(c.dataDir, 'broker'),
  lake: (c: EngineConfig) => path.join(c.dataDir, 'lake'),
  warehouse: (c: EngineConfig) => path.join(c.dataDir, 'warehouse'),
  /** Copies of the embedded warehouse that the query editor reads (pgliteQueries.ts). */
  warehouseSnapshots: (c: EngineConfig) => path.join(c.dataDir, 'warehouse-snapshots'),
  /** Where S3 mode writes Parquet before upload, and caches objects for DuckDB. */
  scratch: (c: EngineConfig) => path.join(c.dataDir, 'scratch'),
  lakeCache: (c: EngineConfig) => path.join(c.dataDir, 'cache', 'lake'),
  lock: (c: EngineConfig) => path.join(c.dataDir, 'retail-pulse.lock'),
};
