import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { it } from 'node:test';
import type { ProducedMessage, TopicLag, TopicPage, TopicSearchResult } from '../contract';
import { tmpDirs } from '../testing/tmpDirs';

const tmp = tmpDirs('rp-topic-cli-');

/** `npm run topic -- …` as a user runs it: exit code, stdout, stderr. */
function topic(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'engine/cli.ts', 'topic', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, out, err })));
}

it('npm run topic: produce by hand, read it back, search it, see the lag; bad flags named', async () => {
  const dir = tmp();
  const sale = JSON.stringify({ transaction_id: 'cli-tx-1', store_id: 7, products: [] });
  const sent = await topic(['produce', sale, '--data-dir', dir, '--json']);
  assert.equal(sent.code, 0, sent.err);
  const produced = JSON.parse(sent.out) as ProducedMessage;
  assert.deepEqual([produced.key, produced.offset], ['7', 0]);

  const read = await topic([
    'read',
    '--partition',
    String(produced.partition),
    '--offset',
    '0',
    '--data-dir',
    dir,
    '--json',
  ]);
  const page = JSON.parse(read.out) as TopicPage;
  assert.deepEqual(
    page.messages.map((m) => [m.key, m.value]),
    [['7', sale]],
  );
  const pretty = await topic(['read', '--data-dir', dir, '--pretty']);
  assert.match(pretty.out, /\n {2}"transaction_id": "cli-tx-1",\n/, 'the value indented');

  const found = JSON.parse((await topic(['search', 'cli-tx-1', '--data-dir', dir, '--json'])).out) as TopicSearchResult;
  assert.deepEqual(
    found.hits.map((h) => [h.place, h.partition, h.offset]),
    [['log', produced.partition, 0]],
  );
  const lag = JSON.parse((await topic(['lag', '--data-dir', dir, '--json'])).out) as TopicLag;
  assert.equal(lag.partitions[produced.partition].lakeLag, 1);
  assert.match((await topic(['lag', '--data-dir', dir])).out, /the stream trusts the lake's offsets/);

  const bad = await topic(['read', '--offset', '2', '--data-dir', dir]);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /an offset is within one partition: choose the partition too \(field: partition\)/);
  assert.match(
    (await topic(['read', '--time', 'yesterday', '--data-dir', dir])).err,
    /--time yesterday: an ISO-8601 time/,
  );
  assert.equal((await topic(['search', '--data-dir', dir])).code, 2);
});
