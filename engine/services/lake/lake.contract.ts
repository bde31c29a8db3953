import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import { PulseError, type ErrorCode } from '../../errors';
import { openDuck, sqlList, sqlString } from './duck';
import { previewRows, readFooter } from './footer';
import { batchFileKey, goldFileKey, LAYERS } from './keys';
import type { Lake } from './port';

export type OpenLake = () => Promise<{ lake: Lake; cleanup: () => Promise<void> }>;

/**
 * What the stages rely on from any lake, run against every adapter: the folder lake and S3 must
 * behave the same for the stream writer, the ETL, the summary and the lake browser.
 */
export function lakeContract(label: string, open: OpenLake): void {
  /** Each test gets an empty lake of its own. */
  const withLake = (fn: (lake: Lake) => Promise<void>) => async () => {
    const { lake, cleanup } = await open();
    try {
      await fn(lake);
    } finally {
      await cleanup();
    }
  };

  describe(`lake contract: ${label}`, () => {
    it(
      'put moves a local file to a key; list, size and read (whole, a range, the last bytes) see it',
      withLake(async (lake) => {
        const bytes = randomBytes(10_000);
        const local = await putBytes(lake, 'a/b/one.bin', bytes);
        assert.equal(fs.existsSync(local), false, 'put() moves the file: the scratch copy is gone');

        const listed = await lake.list('a/');
        assert.deepEqual(
          listed.map((o) => [o.key, o.size]),
          [['a/b/one.bin', 10_000]],
        );
        assert.ok(Math.abs(listed[0].modifiedMs - Date.now()) < 120_000, 'modifiedMs is the write time in epoch ms');
        assert.equal(await lake.size('a/b/one.bin'), 10_000);
        assert.deepEqual(Buffer.from(await lake.read('a/b/one.bin')), bytes);
        assert.deepEqual(
          Buffer.from(await lake.read('a/b/one.bin', { start: 100, end: 356 })),
          bytes.subarray(100, 356),
        );
        assert.deepEqual(
          Buffer.from(await lake.read('a/b/one.bin', { start: 9_992, end: 10_000 })),
          bytes.subarray(9_992),
          'the last 8 bytes (parquet footer length and magic)',
        );
        assert.deepEqual(
          Buffer.from(await lake.read('a/b/one.bin', { start: 9_990, end: 20_000 })),
          bytes.subarray(9_990),
          'a range past the end is cut short',
        );
        assert.equal((await lake.read('a/b/one.bin', { start: 5, end: 5 })).length, 0);
        assert.equal(
          (await lake.read('a/b/one.bin', { start: 10_000, end: 10_008 })).length,
          0,
          'a range wholly past the end is empty',
        );
      }),
    );

    it(
      'put replaces an existing key',
      withLake(async (lake) => {
        await putBytes(lake, 'r/x.bin', Buffer.from('first version, longer'));
        await putBytes(lake, 'r/x.bin', Buffer.from('second'));
        assert.deepEqual(
          (await lake.list('r/')).map((o) => [o.key, o.size]),
          [['r/x.bin', 6]],
        );
        assert.equal(await lake.size('r/x.bin'), 6);
        assert.equal(Buffer.from(await lake.read('r/x.bin')).toString(), 'second');
      }),
    );

    it(
      'create writes a key only when it is absent: of writers racing for one key exactly one wins, whole',
      withLake(async (lake) => {
        const scratch = (text: string) => {
          const local = lake.scratchPath(`${randomUUID()}.tmp`);
          fs.writeFileSync(local, text);
          return local;
        };
        const first = scratch('first');
        assert.equal(await lake.create('c/id.json', first), true);
        assert.equal(fs.existsSync(first), false, 'the scratch file is gone');
        const second = scratch('second, longer');
        assert.equal(await lake.create('c/id.json', second), false, 'an existing key is not replaced');
        assert.equal(fs.existsSync(second), false, 'the losing scratch file is removed too');
        assert.equal(Buffer.from(await lake.read('c/id.json')).toString(), 'first');

        const racers = Array.from({ length: 8 }, (_, i) => `racer ${i}`);
        const won = await Promise.all(racers.map((text) => lake.create('c/race.json', scratch(text))));
        assert.equal(won.filter(Boolean).length, 1, 'one winner');
        assert.equal(Buffer.from(await lake.read('c/race.json')).toString(), racers[won.indexOf(true)]);
      }),
    );

    it(
      'list returns only the prefix asked for, sorted, even a partial name, and pages past 1000 keys',
      withLake(async (lake) => {
        await Promise.all(['p/ab/1', 'p/abc', 'p/b/2', 'q/1', 'p/ab/0'].map((k) => putBytes(lake, k, Buffer.from(k))));
        assert.deepEqual(
          (await lake.list('p/ab/')).map((o) => o.key),
          ['p/ab/0', 'p/ab/1'],
        );
        assert.deepEqual(
          (await lake.list('p/ab')).map((o) => o.key),
          ['p/ab/0', 'p/ab/1', 'p/abc'],
        );
        assert.deepEqual(
          (await lake.list('p/')).map((o) => o.key),
          ['p/ab/0', 'p/ab/1', 'p/abc', 'p/b/2'],
        );
        assert.deepEqual(
          (await lake.list('')).map((o) => o.key),
          ['p/ab/0', 'p/ab/1', 'p/abc', 'p/b/2', 'q/1'],
        );
        assert.deepEqual(await lake.list('nothing/here/'), []);

        const many = Array.from({ length: 1_100 }, (_, i) => `m/${String(i).padStart(4, '0')}.bin`);
        await eachLimited(many, 32, (k) => putBytes(lake, k, Buffer.from('x')));
        const listed = await lake.list('m/');
        assert.equal(listed.length, 1_100);
        assert.deepEqual(
          listed.map((o) => o.key),
          many,
        );

        await lake.delete(many);
        assert.deepEqual(await lake.list('m/'), [], 'delete() clears more than 1000 keys');
      }),
    );

    it(
      'listPrefixes gives the sub-folders of the Hive-style layout, only where objects are',
      withLake(async (lake) => {
        const keys = [
          batchFileKey('silver', '2026-03-01/09', 0, 0, 9),
          batchFileKey('silver', '2026-03-01/10', 1, 10, 19),
          batchFileKey('silver', '2026-03-01/10', 0, 10, 19),
          batchFileKey('silver', '2026-03-02/00', 0, 20, 29),
          batchFileKey('bronze', '2026-03-01/09', 0, 0, 9),
          goldFileKey('2026-03-01'),
        ];
        await Promise.all(keys.map((k) => putBytes(lake, k, Buffer.from(k))));

        assert.deepEqual(await lake.listPrefixes(''), ['bronze/', 'gold/', 'silver/']);
        assert.deepEqual(await lake.listPrefixes('silver/'), [LAYERS.silver]);
        assert.deepEqual(await lake.listPrefixes(LAYERS.silver), [
          `${LAYERS.silver}date=2026-03-01/`,
          `${LAYERS.silver}date=2026-03-02/`,
        ]);
        assert.deepEqual(await lake.listPrefixes(`${LAYERS.silver}date=2026-03-01/`), [
          `${LAYERS.silver}date=2026-03-01/hour=09/`,
          `${LAYERS.silver}date=2026-03-01/hour=10/`,
        ]);
        assert.deepEqual(
          await lake.listPrefixes(`${LAYERS.silver}date=2026-03-0`),
          [`${LAYERS.silver}date=2026-03-01/`, `${LAYERS.silver}date=2026-03-02/`],
          'a partial name matches like S3',
        );
        assert.deepEqual(
          await lake.listPrefixes(`${LAYERS.silver}date=2026-03-01/hour=10/`),
          [],
          'a folder of files has no sub-folders',
        );
        assert.deepEqual(await lake.listPrefixes('missing/'), []);

        await lake.delete([keys[3]]);
        assert.deepEqual(
          await lake.listPrefixes(LAYERS.silver),
          [`${LAYERS.silver}date=2026-03-01/`],
          'a folder whose objects are all deleted is gone',
        );
      }),
    );

    it(
      'delete removes keys, and keys that do not exist are fine',
      withLake(async (lake) => {
        await putBytes(lake, 'd/1', Buffer.from('1'));
        await putBytes(lake, 'd/2', Buffer.from('2'));
        await lake.delete(['d/1', 'd/never-was', 'elsewhere/nope']);
        await lake.delete([]);
        assert.deepEqual(
          (await lake.list('d/')).map((o) => o.key),
          ['d/2'],
        );
        await rejectsWith(lake.read('d/1'), 'not_found');
      }),
    );

    it(
      'localPaths gives readable files with the same bytes, fresh after a key is replaced',
      withLake(async (lake) => {
        const v1 = randomBytes(4_000);
        await putBytes(lake, 'l/f1.bin', v1);
        await putBytes(lake, 'l/sub/f2.bin', Buffer.from('two'));
        const [p1, p2] = await lake.localPaths(['l/f1.bin', 'l/sub/f2.bin']);
        assert.deepEqual(fs.readFileSync(p1), v1);
        assert.equal(fs.readFileSync(p2, 'utf8'), 'two');
        assert.deepEqual(
          fs.readFileSync((await lake.localPaths(['l/f1.bin']))[0]),
          v1,
          'asking again gives the same bytes',
        );

        const v2 = randomBytes(4_000); // same size: only the content tells the versions apart
        await putBytes(lake, 'l/f1.bin', v2);
        assert.deepEqual(fs.readFileSync((await lake.localPaths(['l/f1.bin']))[0]), v2);
        assert.deepEqual(await lake.localPaths([]), []);
      }),
    );

    it(
      'a Parquet file written by DuckDB is previewed through range reads and read by DuckDB from localPaths',
      withLake(async (lake) => {
        const duck = await openDuck();
        try {
          const key = batchFileKey('silver', '2026-03-01/09', 3, 100, 299_999);
          const scratch = lake.scratchPath(`${randomUUID()}.parquet`);
          await duck.run(`COPY (SELECT range::INTEGER AS source_offset, 'txn-' || range AS transaction_id, (range % 97) * 1.5 AS line_amount
            FROM range(300000)) TO ${sqlString(scratch)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 100000)`);
          const bytes = fs.statSync(scratch).size;
          await lake.put(key, scratch);

          const footer = await readFooter(lake, key);
          assert.equal(footer.bytes, bytes);
          assert.equal(footer.rows, 300_000);
          assert.equal(footer.rowGroups, 3);
          assert.deepEqual(footer.offsets, { partition: 3, first: 100, last: 299_999 });
          const offset = footer.columns.find((c) => c.name === 'source_offset')!;
          assert.deepEqual([offset.min, offset.max], [0, 299_999]);
          const rows = await previewRows(lake, key, 3);
          assert.deepEqual(rows, [
            { source_offset: 0, transaction_id: 'txn-0', line_amount: 0 },
            { source_offset: 1, transaction_id: 'txn-1', line_amount: 1.5 },
            { source_offset: 2, transaction_id: 'txn-2', line_amount: 3 },
          ]);

          const local = await lake.localPaths([key]);
          const reader = await duck.runAndReadAll(
            `SELECT count(*)::INTEGER AS n, sum(source_offset)::BIGINT AS s FROM read_parquet(${sqlList(local)})`,
          );
          assert.deepEqual(reader.getRowObjectsJS(), [{ n: 300_000, s: 44_999_850_000n }]);
        } finally {
          duck.closeSync();
        }
      }),
    );

    it(
      "a missing key is PulseError 'not_found' for size, read and localPaths; a key climbing out or hidden is refused",
      withLake(async (lake) => {
        await putBytes(lake, 'here/x', Buffer.from('x'));
        await rejectsWith(lake.size('here/y'), 'not_found');
        await rejectsWith(lake.read('here/y'), 'not_found');
        await rejectsWith(lake.read('here/y', { start: 0, end: 4 }), 'not_found');
        await rejectsWith(lake.localPaths(['here/x', 'here/y']), 'not_found');
        await rejectsWith(lake.size('here'), 'not_found', 'a folder is not an object');
        // One rule for both lakes: nothing outside the tree, nothing hidden (scratch files, caches).
        for (const key of ['../outside', 'a/../../b', '/etc/passwd', '.scratch/x', 'a\\..\\b', ''])
          await rejectsWith(lake.read(key), 'config_invalid', JSON.stringify(key));
        await rejectsWith(lake.delete(['here/x', '../outside']), 'config_invalid');
        assert.equal(await lake.size('here/x'), 1, 'a refused delete removes nothing');
      }),
    );
  });
}

/** Writes bytes to a scratch file and puts it at key, as the writers do; returns the scratch path. */
export async function putBytes(lake: Lake, key: string, bytes: Uint8Array): Promise<string> {
  const local = lake.scratchPath(`${randomUUID()}.tmp`);
  fs.writeFileSync(local, bytes);
  await lake.put(key, local);
  return local;
}

export async function rejectsWith(p: Promise<unknown>, code: ErrorCode, message?: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof PulseError, `a PulseError, not ${String(err)}`);
    assert.equal(err.code, code, `${message ?? ''} ${err.message}`.trim());
    return true;
  });
}

async function eachLimited<T>(items: readonly T[], limit: number, run: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await run(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
