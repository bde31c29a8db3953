import type { WorkerInit, WorkerRole } from './protocol';
import { WorkerHandle } from './workerHandle';

/**
 * A worker started on first use and kept for the next calls (DuckDB over the lake, quarantine,
 * the summary's counts); started again after it ended, and ended by close() (the Host closing, or
 * switching services: the next use starts one on the new ones).
 */
export class LazyWorker<R extends WorkerRole> {
  private handle: Promise<WorkerHandle<R>> | null = null;

  constructor(private readonly init: () => WorkerInit<R>) {}

  get(): Promise<WorkerHandle<R>> {
    if (!this.handle) {
      const spawned = WorkerHandle.spawn(this.init());
      this.handle = spawned;
      const forget = () => {
        if (this.handle === spawned) this.handle = null;
      };
      spawned.then((h) => h.onExit(forget), forget);
    }
    return this.handle;
  }

  async close(): Promise<void> {
    const h = await this.handle?.catch(() => null);
    this.handle = null;
    await h?.terminate();
  }
}
