import { loadConfig, type EngineConfig } from './config';

/** Flags that choose services, shared by every command that opens the engine. */
export const SERVICE_FLAGS = {
  'data-dir': { type: 'string' },
  config: { type: 'string' },
  partitions: { type: 'string' },
  topic: { type: 'string' },
  group: { type: 'string' },
  kafka: { type: 'string' },
  s3: { type: 'string' },
  's3-bucket': { type: 'string' },
  's3-region': { type: 'string' },
  postgres: { type: 'string' },
  redis: { type: 'string' },
  catalog: { type: 'string' },
} as const;

/** The engine config from parsed service flags, the environment and the config file. */
export function configFromFlags(values: Record<string, unknown>): EngineConfig {
  const partitions = values.partitions === undefined ? undefined : Number(values.partitions);
  return loadConfig({
    config: values.config,
    dataDir: values['data-dir'],
    partitions,
    topic: values.topic,
    group: values.group,
    kafka: values.kafka,
    s3: values.s3,
    s3Bucket: values['s3-bucket'],
    s3Region: values['s3-region'],
    postgres: values.postgres,
    redis: values.redis,
    catalog: values.catalog,
  });
}
