import fs from 'node:fs';
import { Worker, type MessagePort } from 'node:worker_threads';
import { PulseError, fromErrorInfo, type ErrorInfo } from '../errors';
import type { WorkerApi, WorkerEvents, WorkerInit, WorkerRole } from './protocol';
import { connect, type Client, type On, type Remote } from './rpc';

/** From sources (tsx) the worker starts through a bootstrap that registers tsx; a build ships worker.js. */
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const ENTRY = FROM_SOURCE
  ? new URL('./tsBootstrap.mjs', import.meta.url)
  : firstExisting(['./worker.js', '../worker.js']);

/** A bundler may put this module in a chunk folder below the worker entry. */
function firstExisting(candidates: string[]): URL {
  const urls = candidates.map((c) => new URL(c, import.meta.url));
  return urls.find((u) => fs.existsSync(u)) ?? urls[0];
}
const SOURCE_ENTRY = new URL('./worker.ts', import.meta.url).href;

/** The Host's side of one engine worker thread of role R: typed calls and events, and how it ended. */
/**
 * The stream worker's JS heap is capped: what it holds is bounded in bytes (its flushBytes cap, the
 * Kafka consumer's fetch and queue sizes), but under a fast backlog V8 would otherwise let garbage
 * pile up to half a gigabyte before collecting it (a 1 M-sale drain peaked at 576 MB of heap).
 * With the cap it collects sooner (151 MB peak on the same drain, same speed). The cap keeps a
 * wide margin over the live set: a worker past it dies, and DuckDB's addon then aborts the whole
 * process (seen once at 256 MB with Kafka's 64 MB fetches, since cut to 16 MB).
 */
const STREAM_HEAP = { maxOldGenerationSizeMb: 384 };

export class WorkerHandle<R extends WorkerRole> {
  private exitListeners = new Set<(code: number, error: ErrorInfo | null) => void>();
  private lastError: ErrorInfo | null = null;
  private ending = false;

  private constructor(
    readonly role: R,
    private readonly worker: Worker,
    private readonly client: Client<WorkerApi<R>, WorkerEvents<R>>,
  ) {
    const keep = (e: ErrorInfo) => (this.lastError = e);
    client.on('fatal', keep);
    client.on('error', keep);
    worker.on('error', (err) => {
      this.lastError = { code: 'stage_failed', message: `${role} worker crashed: ${err.message}`, retriable: false };
    });
    worker.on('exit', (code) => {
      const error =
        code === 0 || this.ending
          ? null
          : (this.lastError ?? {
              code: 'stage_failed' as const,
              message: `${role} worker exited with code ${code}`,
              retriable: false,
            });
      client.failAll(error ?? { code: 'stage_state', message: `${role} worker has stopped`, retriable: false });
      for (const l of this.exitListeners) l(code, error);
    });
  }

  /** Starts a worker and resolves once it is ready, or rejects with the reason it could not start. */
  static async spawn<R extends WorkerRole>(
    init: WorkerInit<R>,
    transfer: MessagePort[] = [],
  ): Promise<WorkerHandle<R>> {
    const { handle, ready } = WorkerHandle.start(init, transfer);
    await ready;
    return handle;
  }

  /**
   * Starts a worker and hands it back at once. Calls made before it is ready wait in its port's
   * queue; `ready` says when it is (or why it could not start: pending calls fail with that too).
   */
  static start<R extends WorkerRole>(
    init: WorkerInit<R>,
    transfer: MessagePort[] = [],
  ): { handle: WorkerHandle<R>; ready: Promise<void> } {
    const worker = new Worker(ENTRY, {
      workerData: FROM_SOURCE ? { ...init, entry: SOURCE_ENTRY } : init,
      transferList: transfer,
      name: `retail-pulse-${init.role}`,
      ...(init.role === 'stream' ? { resourceLimits: STREAM_HEAP } : {}),
    });
    const client = connect<WorkerApi<R>, WorkerEvents<R>>(worker);
    const handle = new WorkerHandle(init.role, worker, client);
    const ready = new Promise<void>((resolve, reject) => {
      const offs = [
        client.on('ready', () => {
          offs.forEach((off) => off());
          resolve();
        }),
        client.on('fatal', (error) => {
          offs.forEach((off) => off());
          reject(fromErrorInfo(error));
        }),
      ];
      let crash = '';
      worker.once('error', (err) => (crash = `: ${err.message}`));
      worker.once('exit', (code) =>
        reject(new PulseError('stage_failed', `${init.role} worker exited with code ${code} while starting${crash}`)),
      );
    });
    ready.catch(() => undefined); // a caller that does not wait still sees failures through calls and onExit
    return { handle, ready };
  }

  get api(): Remote<WorkerApi<R>> {
    return this.client.api;
  }

  /** Listens for one of the role's events (workers/protocol.ts). */
  readonly on: On<WorkerEvents<R>> = (name, listener) => this.client.on(name, listener);

  onExit(listener: (code: number, error: ErrorInfo | null) => void): () => void {
    this.exitListeners.add(listener);
    return () => this.exitListeners.delete(listener);
  }

  /** Hands a port to the worker's `method` (a call that takes a port: it is transferred, not copied). */
  postPort(method: keyof WorkerApi<R> & string, port: MessagePort): void {
    this.worker.postMessage({ rpc: 'call', id: -1, method, args: [port] }, [port]);
  }

  /** Ends the thread on purpose: its exit is then not reported as a failure. */
  async terminate(): Promise<void> {
    this.ending = true;
    await this.worker.terminate();
  }
}
