import type { MessagePort } from 'node:worker_threads';
import type { EventName, Events, StageName, StageStatus } from '../contract';
import { toErrorInfo, type ErrorInfo } from '../errors';
import type { WorkerInit } from '../workers/protocol';
import { WorkerHandle } from '../workers/workerHandle';

/**
 * Each stage's status as the UI sees it (state, counters, last error), and the start of a stage's
 * worker thread: a failure to start or a crash marks the stage failed with its error, and the
 * stage's errors are reported as host.error events.
 */
export class StageBoard {
  private readonly statuses = new Map<StageName, StageStatus>();

  constructor(private readonly emit: <K extends EventName>(name: K, payload: Events[K]) => void) {
    for (const stage of ['producer', 'stream', 'etl'] as const)
      this.statuses.set(stage, { stage, state: 'stopped', counters: {}, error: null, updatedAt: Date.now() });
  }

  list(): StageStatus[] {
    return [...this.statuses.values()];
  }

  get(stage: StageName): StageStatus {
    return this.statuses.get(stage)!;
  }

  /** Stages a service switch would pull the services from under. */
  busy(): StageName[] {
    return this.list()
      .filter((s) => s.state === 'running' || s.state === 'starting' || s.state === 'stopping')
      .map((s) => s.stage);
  }

  async spawn<R extends StageName>(
    stage: R,
    init: WorkerInit<R>,
    transfer: MessagePort[] = [],
  ): Promise<WorkerHandle<R>> {
    this.setState(stage, 'starting');
    try {
      const handle = await WorkerHandle.spawn<R>(init, transfer);
      handle.on('error', (error) => this.emit('host.error', { source: stage, error }));
      handle.onExit((_code, error) => {
        if (error && this.get(stage).state !== 'stopping') this.fail(stage, error);
      });
      return handle;
    } catch (err) {
      this.fail(stage, toErrorInfo(err));
      throw err;
    }
  }

  setState(stage: StageName, state: StageStatus['state'], counters?: Record<string, number>): StageStatus {
    const prev = this.get(stage);
    return this.publish({
      stage,
      state,
      counters: counters ?? prev.counters,
      error: state === 'failed' ? prev.error : null,
      updatedAt: Date.now(),
    });
  }

  setCounters(stage: StageName, counters: Record<string, number>): void {
    this.publish({ ...this.get(stage), counters, updatedAt: Date.now() });
  }

  /** A worker's periodic push: one that crossed the stop must not bring back a running stage's counters (and rate). */
  pushed(stage: StageName, counters: Record<string, number>): void {
    if (this.get(stage).state !== 'stopped') this.setCounters(stage, counters);
  }

  fail(stage: StageName, error: ErrorInfo): void {
    this.publish({ ...this.get(stage), state: 'failed', error, updatedAt: Date.now() });
    this.emit('host.error', { source: stage, error });
  }

  private publish(next: StageStatus): StageStatus {
    this.statuses.set(next.stage, next);
    this.emit('stage.status', next);
    return next;
  }
}
