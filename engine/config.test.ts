import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { describeConfig, loadConfig, resolveConfig } from './config';
import { PulseError } from './errors';
import { tmpDirs } from './testing/tmpDirs';

const tmp = tmpDirs('rp-config-');

function refused(fn: () => unknown, field: string): PulseError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof PulseError, String(err));
    assert.equal(err.code, 'config_invalid');
    assert.equal(err.field, field, err.message);
    return err;
  }
  assert.fail(`expected ${field} to be refused`);
}

describe('engine config', () => {
  it('runs every service embedded by default', () => {
    const c = resolveConfig({ dataDir: tmp() });
    assert.deepEqual(
      Object.values(c.services).map((s) => s.mode),
      ['embedded', 'embedded', 'embedded', 'embedded'],
    );
    assert.equal(c.partitions, 4);
  });

  it('takes real services from their URLs, with S3 credentials from the URL or their own settings', () => {
    const c = resolveConfig({
      dataDir: tmp(),
      kafka: '127.0.0.1:9092, kafka-2:9092',
      s3: 'http://minio:secret@127.0.0.1:9000',
      s3Bucket: 'lake',
      postgres: 'postgres://retail_user:retail_password@127.0.0.1:5432/retail',
      redis: 'redis://:pw@127.0.0.1:6379/0',
    });
    assert.deepEqual(c.services.broker, { mode: 'external', brokers: ['127.0.0.1:9092', 'kafka-2:9092'] });
    assert.deepEqual(c.services.lake, {
      mode: 'external',
      endpoint: 'http://127.0.0.1:9000',
      bucket: 'lake',
      region: 'us-east-1',
      accessKeyId: 'minio',
      secretAccessKey: 'secret',
    });
    assert.equal(c.services.warehouse.mode, 'external');
    assert.deepEqual(c.services.metrics, {
      mode: 'external',
      url: 'redis://:pw@127.0.0.1:6379/0',
      keyPrefix: 'retail-pulse:',
    });
  });

  it('refuses each wrong setting and names its field', () => {
    const dataDir = tmp();
    refused(() => resolveConfig({ dataDir, kafka: 'localhost' }), 'kafka');
    refused(() => resolveConfig({ dataDir, kafka: 'localhost:99999' }), 'kafka');
    refused(() => resolveConfig({ dataDir, s3: 'ftp://x:1', s3Bucket: 'lake' }), 's3');
    refused(() => resolveConfig({ dataDir, s3: 'http://127.0.0.1:9000' }), 's3Bucket');
    refused(() => resolveConfig({ dataDir, s3: 'http://127.0.0.1:9000', s3Bucket: 'Bad_Bucket' }), 's3Bucket');
    refused(() => resolveConfig({ dataDir, s3Bucket: 'lake' }), 's3Bucket');
    refused(() => resolveConfig({ dataDir, postgres: 'mysql://u:p@h/db' }), 'postgres');
    refused(() => resolveConfig({ dataDir, postgres: 'postgres://u:p@h:5432' }), 'postgres');
    refused(() => resolveConfig({ dataDir, redis: 'http://127.0.0.1:6379' }), 'redis');
    refused(() => resolveConfig({ dataDir, partitions: 0 }), 'partitions');
  });

  it("takes the consumer group from a flag, the environment or the file, and leaves it to the lake's id when unset", () => {
    const dir = tmp();
    assert.equal(resolveConfig({ dataDir: dir }).group, undefined, "unset: the lake's own");
    assert.equal(loadConfig({ dataDir: dir }, { RETAIL_PULSE_GROUP: 'team-a.sales' }).group, 'team-a.sales');
    const file = path.join(dir, 'with-group.json');
    fs.writeFileSync(file, JSON.stringify({ group: 'from-file' }));
    assert.equal(loadConfig({ config: file, dataDir: dir }, {}).group, 'from-file');
    assert.equal(loadConfig({ config: file, dataDir: dir, group: 'from-flag' }, {}).group, 'from-flag');
    for (const bad of ['', 'two words', 'x'.repeat(201), 'drop;table', 42]) {
      const err = refused(() => resolveConfig({ dataDir: dir, group: bad }), 'group');
      assert.match(err.message, /group must be a consumer group name .* leave it unset to use the lake's own group/);
    }
    assert.match(describeConfig(resolveConfig({ dataDir: dir })).group, /the lake's own/);
  });

  it('never shows a password in its messages or its description', () => {
    const err = refused(() => resolveConfig({ dataDir: tmp(), postgres: 'postgres://u:hunter2@h:5432' }), 'postgres');
    assert.ok(!err.message.includes('hunter2'), err.message);
    const c = resolveConfig({
      dataDir: tmp(),
      s3: 'http://k:hunter2@h:9000',
      s3Bucket: 'lake',
      postgres: 'postgres://u:hunter2@h:5432/db',
      redis: 'redis://:hunter2@h:6379',
    });
    const text = JSON.stringify(describeConfig(c));
    assert.ok(!text.includes('hunter2'), text);
    assert.match(text, /postgres postgres:\/\/u:\*\*\*@h:5432\/db/);
  });

  it('layers flags over environment over the config file, and refuses unknown file keys', () => {
    const dir = tmp();
    const file = path.join(dir, 'retail-pulse.json');
    fs.writeFileSync(file, JSON.stringify({ kafka: 'file:9092', redis: 'redis://file:6379', partitions: 8 }));
    const c = loadConfig(
      { config: file, kafka: 'flag:9092', dataDir: dir },
      { RETAIL_PULSE_KAFKA: 'env:9092', RETAIL_PULSE_REDIS: 'redis://env:6379' },
    );
    assert.deepEqual(c.services.broker, { mode: 'external', brokers: ['flag:9092'] });
    assert.equal(c.services.metrics.mode === 'external' && c.services.metrics.url, 'redis://env:6379');
    assert.equal(c.partitions, 8);
    fs.writeFileSync(file, JSON.stringify({ kafak: 'x:1' }));
    refused(() => loadConfig({ config: file, dataDir: dir }, {}), 'kafak');
    assert.equal(
      loadConfig({ kafka: 'embedded', dataDir: dir }, { RETAIL_PULSE_KAFKA: 'env:9092' }).services.broker.mode,
      'embedded',
      'a flag can force embedded',
    );
  });
});
