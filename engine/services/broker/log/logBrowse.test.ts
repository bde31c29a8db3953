import assert from 'node:assert/strict';
import { it } from 'node:test';
import { tmpDirs } from '../../../testing/tmpDirs';
import { browseContract } from '../browse.contract';
import { LogBroker } from './logBroker';

const tmp = tmpDirs('rp-log-browse-');

browseContract('embedded log', async () => new LogBroker(tmp()));

it('embedded log: a time lookup survives a reopen (append times are read back from the batch headers)', async () => {
  const dir = tmp();
  const writer = new LogBroker(dir);
  await writer.ensureTopic('t', 1);
  const producer = await writer.producer('t');
  await producer.send([{ key: 'a', value: '1' }]);
  const between = Date.now();
  while (Date.now() <= between) await new Promise((r) => setTimeout(r, 1));
  await producer.send([{ key: 'b', value: '2' }]);
  await producer.close();
  await writer.close();
  const reader = new LogBroker(dir);
  assert.deepEqual(await reader.offsetsForTime('t', between + 1), [1]);
  assert.equal(await reader.describeGroup(), null, 'the embedded log keeps no group membership');
  await assert.rejects(reader.read('t', 3, 0, 10), /partitions 0 to 0, not 3/);
  await reader.close();
});
