import { paths, type EngineConfig } from '../config';
import { LogBroker } from './broker/log/logBroker';
import type { Broker } from './broker/port';
import { FolderLake } from './lake/folderLake';
import type { Lake } from './lake/port';
import type { Metrics } from './metrics/port';
import type { Warehouse } from './warehouse/port';

/*
 * Opens this thread's adapter for each service the config names. The real-service clients are
 * imported on demand, so the embedded default never loads kafkajs, the AWS SDK, pg or ioredis.
 */

export async function openBroker(config: EngineConfig): Promise<Broker> {
  const s = config.services.broker;
  if (s.mode === 'embedded') return new LogBroker(paths.broker(config));
  const { KafkaBroker } = await import('./broker/kafka/kafkaBroker');
  return KafkaBroker.open({ brokers: s.brokers });
}

export async function openLake(config: EngineConfig): Promise<Lake> {
  const s = config.services.lake;
  if (s.mode === 'embedded') return new FolderLake(paths.lake(config));
  // The SDK warns on Node 20 that versions published after January 2027 will need Node 22; the
  // lockfile pins a version that runs here, so the warning would only alarm users.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { S3Lake } = await import('./lake/s3Lake');
  return S3Lake.open({
    ...s,
    forcePathStyle: true,
    scratchDir: paths.scratch(config),
    cacheDir: paths.lakeCache(config),
  });
}

/** The external metrics store; the embedded one is a single MemoryMetrics the Host owns. */
export async function openExternalMetrics(config: EngineConfig): Promise<Metrics | null> {
  const s = config.services.metrics;
  if (s.mode === 'embedded') return null;
  const { RedisMetrics } = await import('./metrics/redisMetrics');
  return RedisMetrics.open({ url: s.url, keyPrefix: s.keyPrefix });
}

export async function openWarehouse(config: EngineConfig, initSqlPath: string): Promise<Warehouse> {
  const s = config.services.warehouse;
  if (s.mode === 'embedded') {
    const fs = await import('node:fs');
    const { PgliteWarehouse } = await import('./warehouse/pgliteWarehouse');
    return PgliteWarehouse.open(paths.warehouse(config), fs.readFileSync(initSqlPath, 'utf8'));
  }
  const { PgWarehouse } = await import('./warehouse/pgWarehouse');
  return PgWarehouse.open({ url: s.url, initSqlPath, readerPassword: s.readerPassword });
}
