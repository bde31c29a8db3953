/**
 * node --import tsx engine/stages/stream/lakeCheckpoint.bench.ts [flushes-per-partition]
 * What reading a lake's offsets costs on S3 (the test moto server) once the lake holds thousands of
 * batch files: the checkpoint (one listing of each partition's markers, what every start and
 * rebalance reads now) against a listing of the three layers (what every assignment read before,
 * and what a start's search for strays still reads once). Medians of 3; peak RSS printed.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { S3Lake } from '../../services/lake/s3Lake';
import { batchFileKey, LAYERS } from '../../services/lake/keys';
import { testService } from '../../testing/realServices';
import { LakeCheckpoint } from './lakeCheckpoint';

const FLUSHES = Number(process.argv[2] ?? 1000);
const PARTITIONS = 4;
const PER_FLUSH = 100;

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-ckpt-bench-'));
  const url = new URL(testService('s3'));
  const lake = await S3Lake.open({
    endpoint: url.origin,
    bucket: `rp-bench-${randomUUID().slice(0, 8)}`,
    accessKeyId: 'test',
    secretAccessKey: 'test',
    forcePathStyle: true,
    scratchDir: path.join(scratch, 's'),
    cacheDir: path.join(scratch, 'c'),
  });
  const put = async (key: string) => {
    const local = lake.scratchPath(`${randomUUID()}.bin`);
    fs.writeFileSync(local, 'x');
    await lake.put(key, local);
  };
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: PARTITIONS }, async (_, p) => {
      const checkpoint = new LakeCheckpoint(lake, 'bench');
      const state = await checkpoint.load(p);
      for (let i = 0; i < FLUSHES; i++) {
        const [first, last] = [i * PER_FLUSH, i * PER_FLUSH + PER_FLUSH - 1];
        const hour = `2026-01-${String(1 + Math.floor(i / 720)).padStart(2, '0')}/${String(Math.floor(i / 30) % 24).padStart(2, '0')}`;
        const files = [batchFileKey('bronze', hour, p, first, last), batchFileKey('silver', hour, p, first, last)];
        await checkpoint.intent(p, first, last, files);
        await Promise.all(files.map(put));
        await checkpoint.done(state, first, last, { files, records: PER_FLUSH });
      }
    }),
  );
  const built = (performance.now() - t0) / 1000;
  const files = (await lake.list(LAYERS.bronze)).length + (await lake.list(LAYERS.silver)).length;
  const markers = (await lake.list('_checkpoint/offsets/')).length;
  const reader = new LakeCheckpoint(lake, 'bench');
  const load: number[] = [];
  const layers: number[] = [];
  for (let k = 0; k < 3; k++) {
    load.push(await timed(() => Promise.all(Array.from({ length: PARTITIONS }, (_, p) => reader.load(p)))));
    layers.push(
      await timed(async () => {
        for (const l of [LAYERS.bronze, LAYERS.silver, LAYERS.quarantine]) await lake.list(l);
      }),
    );
  }
  console.log(
    JSON.stringify({
      partitions: PARTITIONS,
      flushesPerPartition: FLUSHES,
      batchFiles: files,
      markers,
      buildSeconds: Math.round(built),
      checkpointLoadMs: Math.round(median(load)),
      layerListingMs: Math.round(median(layers)),
      peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    }),
  );
  await lake.delete((await lake.list('')).map((o) => o.key));
  lake.close();
  fs.rmSync(scratch, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
