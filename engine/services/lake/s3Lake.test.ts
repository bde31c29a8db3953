import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import {
  DeleteBucketCommand,
  DeleteObjectsCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { PulseError } from '../../errors';
import { testService } from '../../testing/realServices';
import { tmpDirs } from '../../testing/tmpDirs';
import { lakeContract, putBytes } from './lake.contract';
import { MULTIPART_THRESHOLD, S3Lake } from './s3Lake';

const tmp = tmpDirs('rp-s3-lake-');
const RUN = `${Date.now().toString(36)}-${process.pid}`;
let buckets = 0;

/** moto accepts any credentials. */
const creds = { region: 'us-east-1', accessKeyId: 'test', secretAccessKey: 'test', forcePathStyle: true } as const;

function admin(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: creds.region,
    forcePathStyle: true,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
}

/** A fresh bucket per lake, emptied and removed afterwards. */
async function openFresh(): Promise<{ lake: S3Lake; bucket: string; endpoint: string; cleanup: () => Promise<void> }> {
  const endpoint = testService('s3');
  const bucket = `rp-test-${RUN}-${++buckets}`;
  const lake = await S3Lake.open({ ...creds, endpoint, bucket, scratchDir: tmp(), cacheDir: tmp() });
  const cleanup = async (): Promise<void> => {
    lake.close();
    const s3 = admin(endpoint);
    try {
      for (;;) {
        const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
        const keys = (page.Contents ?? []).map((o) => ({ Key: o.Key! }));
        if (!keys.length) break;
        await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }));
      }
      await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
    } finally {
      s3.destroy();
    }
  };
  return { lake, bucket, endpoint, cleanup };
}

lakeContract('s3 (moto)', openFresh);

describe('S3 lake', () => {
  it('creates its bucket when absent and opens an existing one; location names the bucket, never a secret', async () => {
    const { lake, bucket, endpoint, cleanup } = await openFresh();
    try {
      assert.equal(lake.location, `s3://${bucket}`);
      const s3 = admin(endpoint);
      await s3.send(new HeadBucketCommand({ Bucket: bucket }));
      s3.destroy();
      await putBytes(lake, 'k/1', Buffer.from('1'));
      const again = await S3Lake.open({ ...creds, endpoint, bucket, scratchDir: tmp(), cacheDir: tmp() });
      assert.deepEqual(
        (await again.list('k/')).map((o) => o.key),
        ['k/1'],
      );
      again.close();
    } finally {
      await cleanup();
    }
  });

  it('a file above the multipart threshold round-trips byte-exact', async () => {
    const { lake, cleanup } = await openFresh();
    try {
      const bytes = randomBytes(MULTIPART_THRESHOLD + 3 * 1024 * 1024 + 123);
      const local = await putBytes(lake, 'big/file.bin', bytes);
      assert.equal(fs.existsSync(local), false);
      assert.equal(await lake.size('big/file.bin'), bytes.length);
      assert.deepEqual(
        Buffer.from(await lake.read('big/file.bin', { start: bytes.length - 8, end: bytes.length })),
        bytes.subarray(-8),
      );
      assert.ok(Buffer.from(await lake.read('big/file.bin')).equals(bytes));
      const [cached] = await lake.localPaths(['big/file.bin']);
      assert.ok(fs.readFileSync(cached).equals(bytes));
    } finally {
      await cleanup();
    }
  });

  it('localPaths downloads once and reuses the cached copy while the object is unchanged', async () => {
    const { lake, cleanup } = await openFresh();
    try {
      await putBytes(lake, 'c/a.bin', Buffer.from('aaaa'));
      const [p] = await lake.localPaths(['c/a.bin']);
      const before = fs.statSync(p);
      await new Promise((r) => setTimeout(r, 20));
      const [again] = await lake.localPaths(['c/a.bin', 'c/a.bin']);
      assert.equal(again, p);
      assert.equal(fs.statSync(p).ino, before.ino, 'not downloaded again');
      assert.equal(fs.statSync(p).mtimeMs, before.mtimeMs);

      fs.writeFileSync(p, 'tampered'); // a damaged cached copy (size differs) is fetched again
      assert.equal(fs.readFileSync((await lake.localPaths(['c/a.bin']))[0], 'utf8'), 'aaaa');

      await lake.delete(['c/a.bin']);
      assert.equal(fs.existsSync(p), false, 'delete drops the cached copy too');
      assert.deepEqual(
        fs.readdirSync(path.dirname(p)).filter((f) => f.endsWith('.part')),
        [],
      );
    } finally {
      await cleanup();
    }
  });

  it('open() against a dead endpoint fails fast with lake_io naming the endpoint and bucket, and no secret', async () => {
    const secret = 'sEcReT-do-not-print-42';
    const started = Date.now();
    await assert.rejects(
      S3Lake.open({
        endpoint: 'http://127.0.0.1:1',
        bucket: 'rp-dead',
        region: 'us-east-1',
        accessKeyId: 'AKIDEAD',
        secretAccessKey: secret,
        forcePathStyle: true,
        scratchDir: tmp(),
        cacheDir: tmp(),
      }),
      (err: unknown) => {
        assert.ok(err instanceof PulseError);
        assert.equal(err.code, 'lake_io');
        assert.equal(err.retriable, true);
        assert.match(err.message, /http:\/\/127\.0\.0\.1:1/);
        assert.match(err.message, /rp-dead/);
        assert.ok(!JSON.stringify({ ...err.toInfo(), stack: err.stack }).includes(secret), err.message);
        return true;
      },
    );
    assert.ok(Date.now() - started < 5_000, `took ${Date.now() - started} ms`);
  });
});
