// The design card's path, end to end on the real Docker engine: the Host brings the stack up
// (Kafka, an S3 server, PostgreSQL, Redis in containers built here), switches the pipeline onto it,
// runs producer, stream and ETL with faults on, and Kafka's container is stopped and started again
// mid-stream. Every number must reconcile: nothing lost, nothing doubled.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ensureInfraImages, type InfraImages } from '../../scripts/infraImages';
import { resolveConfig } from '../config';
import type { PipelineSummary, StageStatus } from '../contract';
import { Host } from '../host';
import { assertReconciles } from '../pipeline/pipelineHarness';
import { tmpDirs } from '../testing/tmpDirs';
import { freePort, leftovers, PIPELINE_COMPOSE, removeProject } from './testing/testStack';

const tmp = tmpDirs('rp-docker-pipeline-');
const project = `rp-pipe-${process.pid}`;
let images: InfraImages;
const saved = { ...process.env };
before(async () => {
  images = await ensureInfraImages();
});
after(() => {
  removeProject(project);
  process.env = saved;
});

async function until<T>(what: string, get: () => Promise<T | undefined>, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await get();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe('the pipeline on the compose stack the Host starts', { timeout: 900_000 }, () => {
  it('ups the stack, runs producer → Kafka → stream → lake/Redis → ETL → PostgreSQL through a Kafka restart, and downs', async () => {
    Object.assign(process.env, {
      KAFKA_IMAGE: images.kafka,
      S3_IMAGE: images.s3,
      POSTGRES_IMAGE: images.postgres,
      REDIS_IMAGE: images.redis,
      KAFKA_PORT: String(await freePort()),
      MINIO_PORT: String(await freePort()),
      POSTGRES_PORT: String(await freePort()),
      REDIS_PORT: String(await freePort()),
    });
    const host = await Host.open(resolveConfig({ dataDir: tmp() }), {
      composeFile: PIPELINE_COMPOSE,
      projectName: project,
    });
    try {
      const up = await host.call('infra.up', {});
      const by = Object.fromEntries(up.services.map((s) => [s.service, s]));
      for (const s of ['kafka', 'minio', 'postgres', 'redis']) assert.equal(by[s].health, 'healthy', s);
      assert.deepEqual([by['minio-init'].state, by['minio-init'].exitCode], ['exited', 0]);

      assert.deepEqual(await host.call('infra.useDocker', {}), {
        broker: 'docker',
        lake: 'docker',
        warehouse: 'docker',
        metrics: 'docker',
      });
      assert.equal(host.config.services.broker.mode, 'external');

      await host.call('stage.start', { stage: 'stream' });
      await host.call('stage.start', {
        stage: 'producer',
        settings: { rate: 1500, seed: 7, faults: { malformed: 0.02, invalid: 0.02, late: 0.03, duplicate: 0.02 } },
      });
      const stream = async () => (await host.call('stage.list', {})).find((s) => s.stage === 'stream')!;
      await until(
        'the stream to write lake files',
        async () => ((await stream()).counters.files ?? 0) > 0 || undefined,
        120_000,
      );

      // Kafka's container stopped mid-stream and started again, with its volume.
      const stopped = await host.call('infra.stop', { service: 'kafka' });
      assert.equal(stopped.services.find((s) => s.service === 'kafka')!.state, 'exited');
      await new Promise((r) => setTimeout(r, 3000));
      const restarted = await host.call('infra.start', { service: 'kafka' });
      assert.equal(restarted.services.find((s) => s.service === 'kafka')!.health, 'healthy');
      const kafka = restarted.services.find((s) => s.service === 'kafka')!;
      assert.deepEqual(
        kafka.history.map((h) => h.state),
        ['running', 'exited', 'running'],
        'the Host saw Kafka go down and come back',
      );

      await until(
        'the producer to send more after the restart',
        async () => {
          const p = (await host.call('stage.list', {})).find((s) => s.stage === 'producer') as StageStatus;
          return (p.counters.transactions ?? 0) > 15_000 || undefined;
        },
        120_000,
      );
      await host.call('stage.stop', { stage: 'producer' });
      // The stream catches up with everything in the topic before it is stopped.
      let summary: PipelineSummary = await host.call('pipeline.summary', {});
      summary = await until(
        'the stream to consume every record',
        async () => {
          const s = await host.call('pipeline.summary', {});
          return s.bronze.records === s.produced.records ? s : undefined;
        },
        180_000,
      );
      await host.call('stage.stop', { stage: 'stream' });
      const etl = await host.call('etl.run', {});
      assert.equal(etl.status, 'succeeded', JSON.stringify(etl));
      summary = await host.call('pipeline.summary', {});
      assertReconciles(summary);
      assert.ok(summary.produced.records > 15_000, `${summary.produced.records} records`);
      for (const reason of ['malformed_json', 'duplicate_transaction'])
        assert.ok((summary.quarantine.by_reason[reason] ?? 0) > 0, `quarantine has ${reason}`);
      assert.ok(
        Math.abs(summary.windows.revenue + summary.windows.late_revenue - summary.silver.revenue) <= 0.01,
        'the Redis windows in the container saw all revenue, on time or late',
      );
      assert.equal((await host.call('etl.run', {})).rowsInserted, 0, 'a second ETL run loads nothing');

      await host.call('infra.useEmbedded', {});
      const down = await host.call('infra.down', { volumes: true });
      assert.ok(down.services.every((s) => s.state === 'missing'));
      assert.deepEqual(leftovers(project), []);
    } finally {
      await host.close();
    }
  });
});
