import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeShutdown } from './shutdown';

test('shutdown asks about running containers before stopping the Host, once however often it is called', async () => {
  const steps: string[] = [];
  const shutdown = makeShutdown({
    closeHost: async () => void steps.push('host closed'),
    runningContainers: async () => ['kafka'],
    askStopContainers: async (names) => (steps.push(`asked ${names.join()}`), true),
    stopContainers: async () => void steps.push('containers stopped'),
  });
  await Promise.all([shutdown(), shutdown()]);
  assert.deepEqual(steps, ['asked kafka', 'containers stopped', 'host closed']);
});

test('shutdown leaves containers running when the user says so, and still stops the workers', async () => {
  const steps: string[] = [];
  await makeShutdown({
    closeHost: async () => void steps.push('host closed'),
    runningContainers: async () => ['postgres'],
    askStopContainers: async () => false,
    stopContainers: async () => void steps.push('stopped'),
  })();
  assert.deepEqual(steps, ['host closed']);
});
