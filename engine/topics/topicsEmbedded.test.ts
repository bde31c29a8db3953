import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveConfig } from '../config';
import type { TopicReadRequest } from '../contract';
import { Host } from '../host';
import { tmpDirs } from '../testing/tmpDirs';
import { topicsScenario } from './topics.scenario';

const tmp = tmpDirs('rp-topics-');

describe('Topics page on the embedded log', () => {
  topicsScenario('embedded log', async () => resolveConfig({ dataDir: tmp() }));

  it('refuses a hand-written message while the producer holds the log, and bad requests by field', async () => {
    const host = await Host.open(resolveConfig({ dataDir: tmp() }), { waitForWarehouse: false });
    try {
      await host.call('stage.start', { stage: 'producer', settings: { rate: 100 } });
      await assert.rejects(host.call('topics.produce', { value: '{}' }), /one writer at a time.*stop it/);
      await host.call('stage.stop', { stage: 'producer' });
      const sent = await host.call('topics.produce', { value: 'not json {' });
      assert.deepEqual([sent.key, sent.offset !== null], ['', true], 'not JSON: sent as it is, with an empty key');
      const bad: [TopicReadRequest, string][] = [
        [{ offset: 3 }, 'partition'],
        [{ partition: 9 }, 'partition'],
        [{ partition: -1 }, 'partition'],
        [{ limit: 0 }, 'limit'],
        [{ limit: 501 }, 'limit'],
        [{ cursor: [1, 2] }, 'cursor'],
        [{ time: 5, offset: 1, partition: 0 }, 'time'],
        [{ direction: 'sideways' as 'after' }, 'direction'],
      ];
      for (const [req, field] of bad)
        await assert.rejects(host.call('topics.read', req), { code: 'config_invalid', field }, JSON.stringify(req));
      await assert.rejects(host.call('topics.produce', { value: 'x'.repeat(300_000) }), { field: 'value' });
      await assert.rejects(host.call('topics.search', { transactionId: 'x'.repeat(201) }), { field: 'transactionId' });
    } finally {
      await host.close();
    }
  });
});
