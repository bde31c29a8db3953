import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import { resolveConfig } from './config';
import { configForTest, loadStartupConfig, readSettings, saveSettings, settingsFile, settingsView } from './settings';
import { tmpDirs } from './testing/tmpDirs';

const tmp = tmpDirs('rp-settings-');

describe('settings saved from the Settings page', () => {
  it('"four" partitions is refused with the field named, and nothing is saved', () => {
    const dir = tmp();
    const config = resolveConfig({ dataDir: dir });
    saveSettings(config, { topic: 'sales_a' });
    assert.throws(() => saveSettings(config, { partitions: 'four', topic: 'sales_b' }), {
      code: 'config_invalid',
      field: 'partitions',
      message: /whole number from 1 to 256, got "four"/,
    });
    assert.deepEqual(readSettings(dir), { topic: 'sales_a' });
    saveSettings(config, { partitions: ' 8 ' });
    assert.equal(readSettings(dir).partitions, 8);
    assert.throws(() => saveSettings(config, { partitions: '2.5' }), { field: 'partitions' });
    assert.throws(() => saveSettings(config, { partitions: 0 }), { field: 'partitions' });
  });

  it('an unreachable Redis is a valid setting (Test connection says whether it answers)', () => {
    const dir = tmp();
    saveSettings(resolveConfig({ dataDir: dir }), { redis: 'redis://127.0.0.1:1' });
    assert.equal(readSettings(dir).redis, 'redis://127.0.0.1:1');
  });

  it('configForTest overlays form values on the saved settings, keeps masked secrets, saves nothing', () => {
    const dir = tmp();
    const config = resolveConfig({ dataDir: dir });
    saveSettings(config, { redis: 'redis://:s3cret@127.0.0.1:6379' });
    const masked = settingsView(config).values.redis as string;
    assert.ok(!masked.includes('s3cret'));
    const tried = configForTest(dir, { redis: masked, redisPrefix: 'x:' });
    assert.deepEqual(tried.services.metrics, {
      mode: 'external',
      url: 'redis://:s3cret@127.0.0.1:6379',
      keyPrefix: 'x:',
    });
    assert.throws(() => configForTest(dir, { kafka: 'localhost' }), { field: 'kafka' });
    assert.equal(readSettings(dir).redisPrefix, undefined);
  });
});

describe('the config an app starts with', () => {
  it('a saved setting that cannot be used is left out and reported, so the app still starts', () => {
    const dir = tmp();
    fs.writeFileSync(
      settingsFile(dir),
      JSON.stringify({ partitions: 'four', redis: 'not a url', topic: 'shop_sales', kafka: '127.0.0.1:9092' }),
    );
    const { config, problems } = loadStartupConfig(dir, {});
    assert.equal(config.partitions, 4);
    assert.equal(config.topic, 'shop_sales');
    assert.equal(config.services.metrics.mode, 'embedded');
    assert.equal(config.services.broker.mode, 'external');
    assert.deepEqual(problems.map((p) => p.field).sort(), ['partitions', 'redis']);
    assert.match(problems[0].message, /^saved setting not used: /);
  });

  it('an unreadable settings file starts on the defaults and says so', () => {
    const dir = tmp();
    fs.writeFileSync(settingsFile(dir), '{ not json');
    const { config, problems } = loadStartupConfig(dir, {});
    assert.equal(config.services.broker.mode, 'embedded');
    assert.match(problems[0].message, /settings\.json cannot be read/);
  });

  it('the environment still wins over the saved settings, and a bad environment value is refused', () => {
    const dir = tmp();
    fs.writeFileSync(settingsFile(dir), JSON.stringify({ topic: 'saved_topic' }));
    assert.equal(loadStartupConfig(dir, { RETAIL_PULSE_TOPIC: 'env_topic' }).config.topic, 'env_topic');
    assert.throws(() => loadStartupConfig(dir, { RETAIL_PULSE_PARTITIONS: '0' }), { field: 'partitions' });
  });
});
