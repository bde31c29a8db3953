import fs from 'node:fs';
import path from 'node:path';
import { brokerService, invalid, lakeService, metricsService, warehouseService } from './configServices';
import type { ServiceModes } from './contract';
import { PulseError } from './errors';
import { SALES_TOPIC } from './model/sale';
import { redactUrl } from './util/redact';

/**
 * Where each service lives: `embedded` needs no server (on-disk log, lake folder, PGlite, memory);
 * `external` names a real Kafka, S3, PostgreSQL or Redis; one the compose stack provides
 * (infra.useDocker) is external with `docker` set to the stack's project.
 */
export type ServiceMode = 'embedded' | 'external';

/** On an external service: the compose project that provides it (infra.useDocker), absent for a server of the user's. */
interface FromDocker {
  docker?: string;
}
export type BrokerService = { mode: 'embedded' } | ({ mode: 'external'; brokers: string[] } & FromDocker);
export type LakeService =
  | { mode: 'embedded' }
  | ({
      mode: 'external';
      endpoint: string;
      bucket: string;
      region: string;
      accessKeyId?: string;
      secretAccessKey?: string;
    } & FromDocker);
export type WarehouseService =
  | { mode: 'embedded' }
  | ({
      mode: 'external';
      url: string;
      /** the editor's reader login (pgReader.ts) */ readerPassword?: string;
    } & FromDocker);
export type MetricsService = { mode: 'embedded' } | ({ mode: 'external'; url: string; keyPrefix: string } & FromDocker);

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

/** Where each service lives, as the UI says it: embedded, external, or docker (the compose stack's). */
export function serviceModes(c: EngineConfig): ServiceModes {
  const mode = (s: { mode: ServiceMode; docker?: string }) => (s.mode === 'external' && s.docker ? 'docker' : s.mode);
  const { broker, lake, warehouse, metrics } = c.services;
  return { broker: mode(broker), lake: mode(lake), warehouse: mode(warehouse), metrics: mode(metrics) };
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
