import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateSale, type ValidSale } from '../model/validate';
import { openDuck } from '../services/lake/duck';
import { FolderLake } from '../services/lake/folderLake';
import { LakeWriter, PartitionBuffer } from '../stages/stream/lakeWriter';
import { tmpDirs } from '../testing/tmpDirs';
import { Bloom } from './bloom';
import { IdIndex, REPLAY_OWNER } from './idIndex';

const tmp = tmpDirs('rp-ids-');
const NOW = Date.now();

async function writeSilver(lake: FolderLake, partition: number, first: number, ids: string[]): Promise<void> {
  const buf = new PartitionBuffer(partition);
  ids.forEach((id, i) => {
    const value = JSON.stringify({
      transaction_id: id,
      timestamp_utc: new Date(NOW).toISOString(),
      store_id: 1,
      customer_id: 'c',
      products: [{ product_id: 101, quantity: 1, unit_price: 5 }],
      total_amount: 5,
    });
    const rec = { partition, offset: first + i, timestamp: NOW, key: '1', value };
    buf.addRaw(rec);
    buf.addSale(rec, validateSale(value, NOW) as ValidSale, NOW);
  });
  await (await LakeWriter.create(await openDuck(), lake)).flush(buf);
}

describe('transaction id index', () => {
  it('a Bloom filter never forgets an id and rarely imagines one', () => {
    const bloom = new Bloom(1 << 20);
    for (let i = 0; i < 100_000; i++) bloom.add(`id-${i}`);
    for (let i = 0; i < 100_000; i++) assert.ok(bloom.mightHave(`id-${i}`));
    let imagined = 0;
    for (let i = 0; i < 100_000; i++) if (bloom.mightHave(`other-${i}`)) imagined++;
    assert.ok(imagined < 1000, `${imagined} false positives in 100,000`);
  });

  it('knows the ids in silver, those pending here, and those written later by others', async () => {
    const lake = new FolderLake(tmp());
    await writeSilver(lake, 0, 0, ['a', 'b']);
    const ids = await IdIndex.open(lake, await openDuck(), 1 << 16);
    assert.ok(ids.mightBeDurable('a') && ids.mightBeDurable('b'));
    assert.deepEqual([...(await ids.confirm(['a', 'x', 'b', 'a']))].sort(), ['a', 'b']);

    // Pending: the first claim wins, on any partition, until it is written or dropped.
    assert.ok(ids.claim(1, 'c'));
    assert.ok(!ids.claim(2, 'c'));
    assert.ok(!ids.claim(REPLAY_OWNER, 'c'));
    ids.drop(1);
    assert.ok(ids.claim(REPLAY_OWNER, 'c'), 'a revoked partition gives its unwritten ids back');
    ids.settled(['c']);
    assert.equal(ids.pendingCount, 0);

    // Another worker writes partition 3: the next refresh puts its ids in the filter.
    await writeSilver(lake, 3, 10, ['d']);
    assert.deepEqual([...(await ids.confirm(['d']))], ['d'], 'the exact check reads the lake as it is now');
    assert.equal(await ids.refresh(), 1);
    assert.ok(ids.mightBeDurable('d'));
    assert.equal(await ids.refresh(), 0, 'a file is read once');
    // A file this member must not trust (a previous owner's late write) is left out of the exact check.
    assert.deepEqual([...(await ids.confirm(['d'], (key) => !key.includes('/3-10-10.')))], []);
  });
});
