import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import {
  CreateBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type ListObjectsV2CommandOutput,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { PulseError } from '../../errors';
import { eachLimited } from '../../util/eachLimited';
import { checkLakeKey } from './keys';
import { isRetriable, S3Errors, statusOf } from './s3Errors';
import type { Lake, LakeObject } from './port';

export interface S3LakeOptions {
  /** S3-compatible endpoint URL (MinIO, moto, …); AWS S3 itself when absent. */
  endpoint?: string;
  bucket: string;
  region?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  forcePathStyle?: boolean;
  /** Local folder where writers (DuckDB) create files before put(). */
  scratchDir: string;
  /** Local folder of downloaded objects that DuckDB reads (see localPaths). */
  cacheDir: string;
}

/**
 * Files at least this big go up in parts: parallel, and a failed part is retried alone. Below it a
 * single PUT from memory, which the SDK can retry as a whole (a stream body cannot be replayed).
 */
export const MULTIPART_THRESHOLD = 16 * 1024 * 1024;
const PART_SIZE = 8 * 1024 * 1024;
const PART_QUEUE = 4;
const DELETE_BATCH = 1000;
const DOWNLOADS_AT_ONCE = 8;
/** Cached copies' ETags live beside the cache, in a tree no lake key can reach (keys never start with '.'). */
const ETAG_DIR = '.etag';

/**
 * The lake in an S3 bucket: same keys as the folder lake. DuckDB cannot read S3 itself here, so
 * localPaths() keeps a download cache, refreshed when an object's size or ETag changes.
 */
export class S3Lake implements Lake {
  readonly kind = 's3' as const;
  readonly location: string;
  private readonly downloads = new Map<string, Promise<void>>();
  private readonly errors: S3Errors;

  private constructor(
    private readonly client: S3Client,
    private readonly opts: S3LakeOptions,
  ) {
    this.location = `s3://${opts.bucket}`;
    this.errors = new S3Errors(opts, this.location);
  }

  /** Connects, checks the bucket and creates it when absent. */
  static async open(opts: S3LakeOptions): Promise<S3Lake> {
    fs.mkdirSync(opts.scratchDir, { recursive: true });
    fs.mkdirSync(opts.cacheDir, { recursive: true });
    const custom = opts.endpoint !== undefined && opts.endpoint !== '';
    const client = new S3Client({
      endpoint: custom ? opts.endpoint : undefined,
      region: opts.region ?? 'us-east-1',
      forcePathStyle: opts.forcePathStyle,
      credentials:
        opts.accessKeyId && opts.secretAccessKey
          ? { accessKeyId: opts.accessKeyId, secretAccessKey: opts.secretAccessKey }
          : undefined,
      // A dead endpoint fails in seconds (3 attempts), yet a slow large transfer is not cut off: only an idle socket is.
      maxAttempts: 3,
      requestHandler: { connectionTimeout: 3000, socketTimeout: 60_000 },
      // S3-compatible servers (MinIO, Ceph, R2, moto) lag behind AWS's default CRC32 checksums on every request.
      ...(custom
        ? { requestChecksumCalculation: 'WHEN_REQUIRED' as const, responseChecksumValidation: 'WHEN_REQUIRED' as const }
        : {}),
    });
    const lake = new S3Lake(client, opts);
    try {
      await lake.ensureBucket();
    } catch (err) {
      client.destroy();
      throw err;
    }
    return lake;
  }

  /** Closes the client's connections. */
  close(): void {
    this.client.destroy();
  }

  scratchPath(name: string): string {
    return path.join(this.opts.scratchDir, name);
  }

  async put(key: string, localFile: string): Promise<void> {
    checkLakeKey(key);
    try {
      const bytes = fs.statSync(localFile).size;
      if (bytes >= MULTIPART_THRESHOLD) {
        const upload = new Upload({
          client: this.client,
          params: { Bucket: this.opts.bucket, Key: key, Body: fs.createReadStream(localFile) },
          partSize: PART_SIZE,
          queueSize: PART_QUEUE,
        });
        await upload.done();
      } else {
        await this.client.send(
          new PutObjectCommand({
            Bucket: this.opts.bucket,
            Key: key,
            Body: fs.readFileSync(localFile),
            ContentLength: bytes,
          }),
        );
      }
    } catch (err) {
      // The local file stays: a retried put() needs it.
      throw this.errors.fail(`cannot upload ${key} to`, err);
    }
    fs.rmSync(localFile, { force: true });
  }

  async create(key: string, localFile: string): Promise<boolean> {
    checkLakeKey(key);
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.opts.bucket,
          Key: key,
          Body: fs.readFileSync(localFile),
          IfNoneMatch: '*',
        }),
      );
    } catch (err) {
      // 412: the key exists. 409: another conditional write to it is in flight (AWS), and it will win.
      if (statusOf(err) === 412 || statusOf(err) === 409) {
        fs.rmSync(localFile, { force: true });
        return false;
      }
      throw this.errors.fail(`cannot create ${key} in`, err);
    }
    fs.rmSync(localFile, { force: true });
    return true;
  }

  async list(prefix: string): Promise<LakeObject[]> {
    const out: LakeObject[] = [];
    await this.eachPage(prefix, false, (page) => {
      for (const o of page.Contents ?? []) {
        if (o.Key !== undefined)
          out.push({ key: o.Key, size: o.Size ?? 0, modifiedMs: o.LastModified?.getTime() ?? 0 });
      }
    });
    return out.sort((a, b) => compareKeys(a.key, b.key));
  }

  async listPrefixes(prefix: string): Promise<string[]> {
    const out: string[] = [];
    await this.eachPage(prefix, true, (page) => {
      for (const p of page.CommonPrefixes ?? []) if (p.Prefix !== undefined) out.push(p.Prefix);
    });
    return out.sort(compareKeys);
  }

  async size(key: string): Promise<number> {
    checkLakeKey(key);
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.opts.bucket, Key: key }));
      return head.ContentLength ?? 0;
    } catch (err) {
      throw this.errors.fail(`cannot read the size of ${key} in`, err, key);
    }
  }

  async read(key: string, range?: { start: number; end: number }): Promise<Uint8Array> {
    checkLakeKey(key);
    if (range && range.end <= range.start) {
      await this.size(key); // an empty range of a missing object is still not_found
      return new Uint8Array(0);
    }
    try {
      const got = await this.client.send(
        new GetObjectCommand({
          Bucket: this.opts.bucket,
          Key: key,
          Range: range ? `bytes=${range.start}-${range.end - 1}` : undefined,
        }),
      );
      return got.Body ? await got.Body.transformToByteArray() : new Uint8Array(0);
    } catch (err) {
      // A range that starts past the end: the folder lake reads no bytes there, so does this.
      if (range && statusOf(err) === 416) return new Uint8Array(0);
      throw this.errors.fail(`cannot read ${key} in`, err, key);
    }
  }

  async delete(keys: readonly string[]): Promise<void> {
    keys.forEach(checkLakeKey);
    for (let i = 0; i < keys.length; i += DELETE_BATCH) {
      const batch = keys.slice(i, i + DELETE_BATCH);
      let errors: { Key?: string; Code?: string; Message?: string }[] = [];
      try {
        const res = await this.client.send(
          new DeleteObjectsCommand({
            Bucket: this.opts.bucket,
            Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
          }),
        );
        errors = res.Errors ?? [];
      } catch (err) {
        throw this.errors.fail(`cannot delete ${batch.length} objects (from ${batch[0]}) in`, err);
      }
      const failed = errors.filter((e) => e.Code !== 'NoSuchKey');
      if (failed.length) {
        const e = failed[0];
        throw new PulseError(
          'lake_io',
          `cannot delete ${e.Key} (and ${failed.length - 1} more) in ${this.location}: ${e.Code ?? ''} ${e.Message ?? ''}`.trim(),
          {
            retriable: e.Code === 'InternalError' || e.Code === 'SlowDown',
          },
        );
      }
    }
    for (const key of keys) {
      fs.rmSync(this.cachePath(key), { force: true });
      fs.rmSync(this.etagPath(key), { force: true });
    }
  }

  async localPaths(keys: readonly string[]): Promise<string[]> {
    keys.forEach(checkLakeKey);
    const remote = await this.remoteMeta(keys);
    const stale = keys.filter((key) => {
      const meta = remote.get(key);
      if (!meta) throw new PulseError('not_found', `lake object ${key} does not exist in ${this.location}`);
      return !this.cached(key, meta);
    });
    await eachLimited([...new Set(stale)], DOWNLOADS_AT_ONCE, (key) => this.download(key));
    return keys.map((k) => this.cachePath(k));
  }

  private async ensureBucket(): Promise<void> {
    const Bucket = this.opts.bucket;
    const where = `bucket ${Bucket} at ${this.errors.endpointName()}`;
    try {
      await this.client.send(new HeadBucketCommand({ Bucket }));
      return;
    } catch (err) {
      const status = statusOf(err);
      if (status !== 404) throw this.errors.openError(where, err);
    }
    try {
      const region = this.opts.region ?? 'us-east-1';
      await this.client.send(
        new CreateBucketCommand({
          Bucket,
          CreateBucketConfiguration: region === 'us-east-1' ? undefined : { LocationConstraint: region as never },
        }),
      );
    } catch (err) {
      if ((err as Error).name === 'BucketAlreadyOwnedByYou') return;
      throw new PulseError(
        'lake_io',
        `cannot create ${where}: ${this.errors.describe(err)}. Create the bucket yourself, or use credentials allowed to create it.`,
        {
          cause: err,
          retriable: isRetriable(err),
        },
      );
    }
  }

  /** Pages of ListObjectsV2 under prefix, 1000 keys at most per page. */
  private async eachPage(
    prefix: string,
    byFolder: boolean,
    onPage: (page: ListObjectsV2CommandOutput) => void,
  ): Promise<void> {
    let token: string | undefined;
    do {
      let page: ListObjectsV2CommandOutput;
      try {
        page = await this.client.send(
          new ListObjectsV2Command({
            Bucket: this.opts.bucket,
            Prefix: prefix,
            Delimiter: byFolder ? '/' : undefined,
            ContinuationToken: token,
          }),
        );
      } catch (err) {
        throw this.errors.fail(`cannot list ${prefix || '(root)'} in`, err);
      }
      onPage(page);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  /** Size and ETag of each key, one listing per folder rather than a HEAD per key. */
  private async remoteMeta(keys: readonly string[]): Promise<Map<string, { size: number; etag: string }>> {
    const wanted = new Set(keys);
    const folders = [...new Set(keys.map((k) => k.slice(0, k.lastIndexOf('/') + 1)))];
    const meta = new Map<string, { size: number; etag: string }>();
    await eachLimited(folders, DOWNLOADS_AT_ONCE, (folder) =>
      this.eachPage(folder, true, (page) => {
        for (const o of page.Contents ?? []) {
          if (o.Key !== undefined && wanted.has(o.Key)) meta.set(o.Key, { size: o.Size ?? 0, etag: o.ETag ?? '' });
        }
      }),
    );
    return meta;
  }

  private cached(key: string, meta: { size: number; etag: string }): boolean {
    try {
      return (
        fs.statSync(this.cachePath(key)).size === meta.size &&
        meta.etag !== '' &&
        fs.readFileSync(this.etagPath(key), 'utf8') === meta.etag
      );
    } catch {
      return false;
    }
  }

  /** One download per key at a time; the file appears complete under its name (renamed), then its ETag. */
  private download(key: string): Promise<void> {
    let running = this.downloads.get(key);
    if (!running) {
      running = this.fetchToCache(key).finally(() => this.downloads.delete(key));
      this.downloads.set(key, running);
    }
    return running;
  }

  private async fetchToCache(key: string): Promise<void> {
    const target = this.cachePath(key);
    const etagFile = this.etagPath(key);
    const tmp = `${target}.${randomUUID()}.part`;
    try {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.mkdirSync(path.dirname(etagFile), { recursive: true });
      const got = await this.client.send(new GetObjectCommand({ Bucket: this.opts.bucket, Key: key }));
      await pipeline(got.Body as Readable, fs.createWriteStream(tmp));
      // The ETag of the bytes actually fetched (the object may have changed since it was listed).
      fs.rmSync(etagFile, { force: true });
      fs.renameSync(tmp, target);
      if (got.ETag) fs.writeFileSync(etagFile, got.ETag);
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      throw err instanceof PulseError ? err : this.errors.fail(`cannot download ${key} from`, err, key);
    }
  }

  private cachePath(key: string): string {
    return path.join(this.opts.cacheDir, ...key.split('/'));
  }

  private etagPath(key: string): string {
    return path.join(this.opts.cacheDir, ETAG_DIR, ...key.split('/'));
  }
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
