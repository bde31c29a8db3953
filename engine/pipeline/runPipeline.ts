import type { FaultRates, PipelineSummary, StageStatus } from '../contract';
import type { EngineConfig } from '../config';
import { Host } from '../host';

export interface PipelineRun {
  config: EngineConfig;
  seconds: number;
  rate: number;
  seed: number;
  faults: FaultRates;
  /** Called about once a second with a line of progress for a terminal. */
  onProgress?: (line: string) => void;
}

/**
 * The main job: produce for `seconds` at `rate`, let the stream consume everything in the log,
 * load the warehouse, and report the numbers from durable state.
 */
export async function runPipeline(run: PipelineRun): Promise<PipelineSummary> {
  const host = await Host.open(run.config);
  const status = new Map<string, StageStatus>();
  host.on('stage.status', (s) => status.set(s.stage, s));
  host.on('etl.progress', (p) =>
    run.onProgress?.(`etl ${p.phase}: ${p.filesDone}/${p.filesTotal} files, ${p.rowsDone}/${p.rowsTotal} rows`),
  );
  host.on('host.error', (e) => run.onProgress?.(`${e.source} error [${e.error.code}]: ${e.error.message}`));
  // Where the stream's partitions start (the lake's offsets), and anything a user should know about them.
  const told = new Set<string>();
  host.on('stream.offsets', (o) => {
    for (const line of [o.summary, ...o.notices.map((n) => `offsets notice [${n.kind}]: ${n.message}`)])
      if (line && !told.has(line)) run.onProgress?.((told.add(line), line));
  });
  const ticker = setInterval(() => {
    const p = status.get('producer')?.counters ?? {};
    const s = status.get('stream')?.counters ?? {};
    run.onProgress?.(
      `produced ${p.transactions ?? 0} tx (${p.rate ?? 0}/s) · consumed ${s.consumed ?? 0} · lag ${s.lag ?? 0} · silver lines ${s.silverLines ?? 0} · quarantined ${s.quarantined ?? 0} · files ${s.files ?? 0}`,
    );
  }, 1000);
  try {
    await host.startStream();
    const started = performance.now();
    if (run.seconds > 0) {
      await host.startProducer({
        rate: run.rate,
        seed: run.seed,
        faults: run.faults,
        limit: Math.round(run.rate * run.seconds),
      });
      await host.producerDone();
    }
    await host.drainStream();
    const elapsedS = (performance.now() - started) / 1000;
    const consumed = (await host.call('stage.list', {})).find((s) => s.stage === 'stream')?.counters.consumed ?? 0;
    await host.stopStream();
    clearInterval(ticker);
    const etl = await host.ops.etlRuns.run('pipeline');
    if (etl.status === 'failed') throw new Error(`ETL failed: ${etl.error}`);
    return await host.summary(elapsedS > 0 ? consumed / elapsedS : 0);
  } finally {
    clearInterval(ticker);
    await host.close();
  }
}
