import { PulseError } from './errors';
import type { BrokerService, ConfigInput, LakeService, MetricsService, WarehouseService } from './config';
import { redactUrl } from './util/redact';

/*
 * Each service's settings, read from loose input (flags, environment, a config file, the Settings
 * page) and refused by field when wrong: absent or "embedded" keeps the embedded default.
 */

function isEmbedded(v: unknown): boolean {
  return v === undefined || v === null || v === 'embedded';
}

export function brokerService(input: ConfigInput): BrokerService {
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

export function lakeService(input: ConfigInput): LakeService {
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

export function warehouseService(input: ConfigInput): WarehouseService {
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

export function metricsService(input: ConfigInput): MetricsService {
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

export function invalid(field: string, message: string): PulseError {
  return new PulseError('config_invalid', message, { field });
}
