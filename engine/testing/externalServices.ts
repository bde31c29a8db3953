import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { ConfigInput } from '../config';
import { testService } from './realServices';

/**
 * A pipeline's own corner of the shared test servers: a fresh Kafka topic, S3 bucket, PostgreSQL
 * database and Redis key prefix, so runs never see each other's data. The same settings as CLI
 * flags (plus the env the CLI reads the prefix from) and as config input for an in-process Host.
 */
export interface ExternalSetup {
  input: ConfigInput;
  args: string[];
  env: NodeJS.ProcessEnv;
  cleanup: () => Promise<void>;
}

export async function freshExternal(): Promise<ExternalSetup> {
  const id = randomUUID().replace(/-/g, '').slice(0, 10);
  const admin = new URL(testService('postgres'));
  const database = `rp_${id}`;
  const client = new pg.Client({ connectionString: admin.href });
  await client.connect();
  await client.query(`CREATE DATABASE ${database}`);
  await client.end();
  const dbUrl = new URL(admin.href);
  dbUrl.pathname = `/${database}`;
  const s3 = new URL(testService('s3'));
  s3.username = 'test';
  s3.password = 'test';
  const input: ConfigInput = {
    topic: `sales-${id}`,
    kafka: testService('kafka'),
    s3: s3.href.replace(/\/$/, ''),
    s3Bucket: `rp-${id}`,
    postgres: dbUrl.href,
    redis: testService('redis'),
    redisPrefix: `rp-test:${id}:`,
  };
  return {
    input,
    args: [
      '--topic',
      String(input.topic),
      '--kafka',
      String(input.kafka),
      '--s3',
      String(input.s3),
      '--s3-bucket',
      String(input.s3Bucket),
      '--postgres',
      String(input.postgres),
      '--redis',
      String(input.redis),
    ],
    env: { RETAIL_PULSE_REDIS_PREFIX: String(input.redisPrefix) },
    cleanup: async () => {
      const c = new pg.Client({ connectionString: admin.href });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
      await c.end();
    },
  };
}
