import fs from 'node:fs';
import path from 'node:path';
import type { MessagePort } from 'node:worker_threads';
import type { EngineConfig } from '../config';
import type { Commands, EventName, Events } from '../contract';
import { PulseError, toErrorInfo } from '../errors';
import { writeFileAtomic } from '../util/fsx';
import { WorkerHandle } from '../workers/workerHandle';
import type { CompactionProgress, CompactionResult, CompactionSchedule } from '../compactionContract';

export type CompactionCommand = 'compaction.run' | 'compaction.status' | 'compaction.schedule';

export interface CompactionDeps {
  config: () => EngineConfig;
  /** A port to the warehouse worker (its manifest says which silver files the ETL has loaded). */
  attachWarehouse: () => MessagePort;
  emit: <K extends EventName>(name: K, payload: Events[K]) => void;
}

const MAX_MINUTES = 7 * 24 * 60;
const MAX_TARGET_MB = 4096;

/** The schedule is a setting of the data dir: kept in `<data dir>/compaction.json`, in force from the next start too. */
export const scheduleFile = (dataDir: string): string => path.join(dataDir, 'compaction.json');

/**
 * Compaction in the app: run now (the Lake page's button, `npm run compact`), on a schedule (a
 * setting kept in the data dir), one run at a time, in a worker of its own so the Host's thread and
 * the stream never wait for DuckDB; progress as events.
 */
export class CompactionCommands {
  private worker: Promise<WorkerHandle<'compaction'>> | null = null;
  private running: Promise<CompactionResult> | null = null;
  private progress: CompactionProgress | null = null;
  private last: CompactionResult | null = null;
  private timer: { everyMinutes: number; handle: NodeJS.Timeout; next: number } | null = null;

  constructor(private readonly deps: CompactionDeps) {
    const saved = readSchedule(deps.config().dataDir);
    if (saved) this.startTimer(saved);
  }

  handlers(): { [C in CompactionCommand]: (req: Commands[C]['req']) => Promise<Commands[C]['res']> } {
    return {
      'compaction.run': (q) => this.run(q),
      'compaction.status': async () => ({ schedule: this.schedule(), running: this.progress, last: this.last }),
      'compaction.schedule': async (q) =>
        q.everyMinutes === undefined ? this.schedule() : this.setSchedule(q.everyMinutes),
    };
  }

  /** One run at a time: asking while one runs gets that run's result. */
  run(q: Commands['compaction.run']['req'] = {}): Promise<CompactionResult> {
    if (q.targetMb !== undefined && !(Number.isFinite(q.targetMb) && q.targetMb >= 1 && q.targetMb <= MAX_TARGET_MB))
      return Promise.reject(
        new PulseError('config_invalid', `targetMb must be from 1 to ${MAX_TARGET_MB} MB, got ${q.targetMb}`, {
          field: 'targetMb',
        }),
      );
    if (this.running) return this.running;
    const run = (async () => {
      const worker = await this.openWorker();
      const result = await worker.api.run({
        dryRun: q.dryRun ?? false,
        ...(q.targetMb !== undefined ? { targetBytes: Math.round(q.targetMb * 1024 * 1024) } : {}),
      });
      if (!result.dryRun) this.last = result;
      // 'done' once the result is in compaction.status, so a page that hears it reads the new one.
      if (this.progress) this.deps.emit('compaction.progress', { ...this.progress, phase: 'done', folder: null });
      return result;
    })().finally(() => {
      this.running = null;
      this.progress = null;
    });
    this.running = run;
    return run;
  }

  schedule(): CompactionSchedule {
    return { everyMinutes: this.timer?.everyMinutes ?? null, nextRunAt: this.timer?.next ?? null };
  }

  setSchedule(everyMinutes: number | null): CompactionSchedule {
    if (everyMinutes !== null && (!Number.isInteger(everyMinutes) || everyMinutes < 1 || everyMinutes > MAX_MINUTES))
      throw new PulseError(
        'config_invalid',
        `the compaction schedule must be a whole number of minutes from 1 to ${MAX_MINUTES} (a week), or off; got ${everyMinutes}`,
        { field: 'everyMinutes' },
      );
    const file = scheduleFile(this.deps.config().dataDir);
    writeFileAtomic(file, JSON.stringify({ everyMinutes }, null, 2));
    this.stopTimer();
    if (everyMinutes !== null) this.startTimer(everyMinutes);
    return this.schedule();
  }

  /** The Host moved to other services: the next run opens them. */
  async servicesChanged(): Promise<void> {
    await this.running?.catch(() => undefined);
    await this.closeWorker();
  }

  async close(): Promise<void> {
    this.stopTimer();
    // A run cut short here loses nothing (see compactor.ts); the next one finishes it.
    await this.closeWorker();
  }

  private startTimer(everyMinutes: number): void {
    const ms = everyMinutes * 60_000;
    const handle = setInterval(() => {
      if (this.timer) this.timer.next = Date.now() + ms;
      // A failed run is in its result (compaction.status), and the schedule goes on.
      void this.run().catch((err: unknown) =>
        this.deps.emit('host.error', {
          source: 'compaction',
          error: toErrorInfo(err),
        }),
      );
    }, ms);
    handle.unref();
    this.timer = { everyMinutes, handle, next: Date.now() + ms };
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer.handle);
    this.timer = null;
  }

  private openWorker(): Promise<WorkerHandle<'compaction'>> {
    if (!this.worker) {
      const port = this.deps.attachWarehouse();
      const spawned = WorkerHandle.spawn({ role: 'compaction', config: this.deps.config(), warehousePort: port }, [
        port,
      ]);
      this.worker = spawned;
      spawned.then(
        (h) => {
          h.on('progress', (p) => {
            this.progress = p;
            if (p.phase !== 'done') this.deps.emit('compaction.progress', p);
          });
          h.onExit(() => (this.worker = null));
        },
        () => (this.worker = null),
      );
    }
    return this.worker;
  }

  private async closeWorker(): Promise<void> {
    const worker = await this.worker?.catch(() => null);
    this.worker = null;
    await worker?.terminate();
  }
}

function readSchedule(dataDir: string): number | null {
  try {
    const v = (JSON.parse(fs.readFileSync(scheduleFile(dataDir), 'utf8')) as { everyMinutes?: unknown }).everyMinutes;
    return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= MAX_MINUTES ? v : null;
  } catch {
    return null;
  }
}
