// The infra.* contract through the Host, as the Infrastructure page uses it, on the real Docker engine.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { resolveConfig } from '../config';
import type { Events } from '../contract';
import { PulseError } from '../errors';
import { Host } from '../host';
import { tmpDirs } from '../testing/tmpDirs';
import { ensureTestImage } from './testing/testImage';
import { freePort, leftovers, removeProject, TEST_COMPOSE } from './testing/testStack';

const tmp = tmpDirs('rp-host-infra-');
const project = `rp-host-${process.pid}`;
after(() => removeProject(project));

async function until<T>(get: () => T | undefined, ms = 8000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('Host infra commands and events', () => {
  it('ups, streams progress, logs and stats, refuses a docker switch it cannot make, and downs', async () => {
    ensureTestImage();
    process.env.APP_PORT = String(await freePort());
    const host = await Host.open(resolveConfig({ dataDir: tmp() }), {
      composeFile: TEST_COMPOSE,
      projectName: project,
    });
    try {
      const progress: Events['infra.progress'][] = [];
      const logs: Events['infra.log'][] = [];
      const stats: Events['infra.stats'][] = [];
      host.on('infra.progress', (p) => progress.push(p));
      host.on('infra.log', (l) => logs.push(l));

      const up = await host.call('infra.up', { service: 'db' });
      assert.deepEqual(
        up.services.map((s) => [s.service, s.state]),
        [
          ['db', 'running'],
          ['init', 'missing'],
          ['app', 'missing'],
        ],
      );
      assert.ok(progress.some((p) => p.step === 'ready' && p.service === 'db'));

      const { lines } = await host.call('infra.logs', { service: 'db', tail: 2, follow: true });
      assert.equal(lines.length, 2);
      await until(() => logs.find((l) => l.lines.some((x) => x.line.startsWith('tick'))));
      await host.call('infra.logs', { service: 'db', tail: 0, follow: false });

      const stop = host.on('infra.stats', (s) => stats.push(s));
      const sample = await until(() => stats.find((s) => s.services.length > 0), 10_000);
      stop();
      assert.equal(sample.services[0].service, 'db');

      await assert.rejects(
        host.call('infra.logs', { service: 'nope' }),
        (e: PulseError) => e.code === 'not_found' && /no service nope/.test(e.message),
      );
      // The test stack has no Kafka: the switch is refused by name, and nothing changes.
      await assert.rejects(
        host.call('infra.useDocker', { services: ['broker'] }),
        (e: PulseError) => e.code === 'not_found' && /no service kafka/.test(e.message),
      );
      assert.deepEqual(await host.call('infra.useEmbedded', {}), {
        broker: 'embedded',
        lake: 'embedded',
        warehouse: 'embedded',
        metrics: 'embedded',
      });

      const down = await host.call('infra.down', { volumes: true });
      assert.ok(down.services.every((s) => s.state === 'missing'));
      assert.deepEqual(leftovers(project), []);
    } finally {
      await host.close();
      delete process.env.APP_PORT;
    }
  });
});
