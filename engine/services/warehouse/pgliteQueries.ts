import fs from 'node:fs';
import path from 'node:path';
import { PulseError } from '../../errors';
import { cancelledError, type EditorQueries } from './editorQueries';
import type { QueryResult } from './port';
import { checkReadingSql } from './readingSql';

/** How many writes the embedded warehouse has taken, and whether an ETL run is loading it. */
export interface WriteState {
  writes: number;
  loading: boolean;
}

/** What the embedded warehouse gives the editor: its write state and consistent copies of its files. */
export interface SnapshotSource {
  current(): WriteState;
  /** Copies the warehouse's files to `into`; resolves with the write state they hold. */
  snapshot(into: string): Promise<WriteState>;
}

/** A reader worker (worker.ts role 'warehouse-reader'): PGlite on one snapshot, as the reader role. */
export interface ReaderWorker {
  query(sql: string, params: unknown[]): Promise<QueryResult>;
  /** Ends the thread at once, whatever it is running. */
  terminate(): Promise<void>;
  /** Called once when the thread has ended, on purpose or not. */
  onExit(listener: () => void): void;
}

export interface PgliteQueriesOptions {
  /** Folder for the snapshots; emptied on start and on close. */
  dir: string;
  /** Starts a reader worker on a snapshot folder and resolves once it is open. */
  spawn: (snapshotDir: string) => Promise<ReaderWorker>;
  /** Longest a query may run before its worker is ended; 30 s unless given. */
  statementTimeoutMs?: number;
  /** An idle reader worker is ended after this long, to give its memory back; 5 minutes unless given. */
  idleMs?: number;
}

interface Job {
  id: string;
  sql: string;
  params: unknown[];
  stop: 'cancel' | 'timeout' | null;
  /** The parser's verdict (readingSql.ts), before any snapshot or reader is spent on the query. */
  checked: Promise<void>;
  resolve: (r: QueryResult) => void;
  reject: (e: unknown) => void;
  outcome: Promise<boolean>;
}

/**
 * The editor's queries on PGlite. PGlite holds its thread for a whole query and has no way to
 * interrupt one, and the warehouse worker's PGlite is also the one the ETL loads through: so
 * queries run in a reader worker on a snapshot of the data directory, one at a time, and Cancel
 * (or the statement timeout) ends that worker: the query stops at once and the ETL never notices.
 * A snapshot is taken when the warehouse has changed since the last one, except while an ETL run
 * is open (the editor then reads the warehouse as it was before the run, not half-loaded).
 */
export class PgliteQueries implements EditorQueries {
  private readonly queue: Job[] = [];
  private pumping = false;
  private snap: { dir: string; writes: number } | null = null;
  private reader: { dir: string; worker: ReaderWorker } | null = null;
  private running: Job | null = null;
  private idle: NodeJS.Timeout | null = null;
  private seq = 0;
  private closed = false;
  private readonly timeoutMs: number;

  constructor(
    private readonly source: SnapshotSource,
    private readonly opts: PgliteQueriesOptions,
  ) {
    this.timeoutMs = opts.statementTimeoutMs ?? 30_000;
    fs.rmSync(opts.dir, { recursive: true, force: true });
  }

  queryWithId(id: string, sql: string, params: unknown[] = []): Promise<QueryResult> {
    if (this.closed) return Promise.reject(new PulseError('stage_state', 'the warehouse is closing'));
    let resolve!: (r: QueryResult) => void;
    let reject!: (e: unknown) => void;
    const result = new Promise<QueryResult>((res, rej) => ((resolve = res), (reject = rej)));
    const job: Job = {
      id,
      sql,
      params,
      stop: null,
      checked: checkReadingSql(sql),
      resolve,
      reject,
      outcome: result.then(
        () => false,
        () => job.stop === 'cancel',
      ),
    };
    // Refused text is answered at once, not after the queries ahead of it (the reader checks it again).
    job.checked.catch((err: unknown) => {
      if (this.queue[0] === job) return; // the pump is on it and reports it
      this.remove(job);
      job.reject(err);
    });
    this.queue.push(job);
    void this.pump();
    return result;
  }

  async cancel(id: string): Promise<boolean> {
    const job = this.queue.find((j) => j.id === id);
    if (!job) return false;
    job.stop = 'cancel';
    if (this.running === job) await this.endReader();
    else {
      // Still waiting (for its turn, a snapshot or a reader): it never starts.
      if (job !== this.queue[0]) this.remove(job);
      job.reject(cancelledError('before it started'));
    }
    return job.outcome;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) {
      job.stop = 'cancel';
      job.reject(new PulseError('stage_state', 'the warehouse is closing'));
    }
    await this.endReader();
    fs.rmSync(this.opts.dir, { recursive: true, force: true });
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length && !this.closed) {
        const job = this.queue[0];
        if (this.idle) clearTimeout(this.idle);
        try {
          await job.checked;
          job.resolve(await this.run(job));
        } catch (err) {
          job.reject(job.stop === 'cancel' ? cancelledError() : err);
        }
        this.remove(job);
      }
    } finally {
      this.pumping = false;
    }
    if (this.closed) return;
    this.idle = setTimeout(() => void this.endReader(), this.opts.idleMs ?? 5 * 60_000);
    this.idle.unref();
  }

  private remove(job: Job): void {
    const i = this.queue.indexOf(job);
    if (i >= 0) this.queue.splice(i, 1);
  }

  private async run(job: Job): Promise<QueryResult> {
    const worker = await this.readerOn(await this.currentSnapshot());
    if (job.stop) throw cancelledError('before it started');
    this.running = job;
    const timer = setTimeout(() => {
      job.stop ??= 'timeout';
      void this.endReader();
    }, this.timeoutMs);
    try {
      return await worker.query(job.sql, job.params);
    } catch (err) {
      if (job.stop === 'timeout')
        throw new PulseError(
          'timeout',
          `the query ran past the ${this.timeoutMs} ms statement timeout and was stopped`,
        );
      throw err;
    } finally {
      clearTimeout(timer);
      this.running = null;
    }
  }

  /** The snapshot to read: a new one when the warehouse changed, unless an ETL run is open. */
  private async currentSnapshot(): Promise<string> {
    const s = this.snap;
    const now = this.source.current();
    if (s && (s.writes === now.writes || now.loading)) return s.dir;
    const dir = path.join(this.opts.dir, `snapshot-${++this.seq}`);
    const { writes } = await this.source.snapshot(dir);
    this.snap = { dir, writes };
    return dir;
  }

  private async readerOn(dir: string): Promise<ReaderWorker> {
    if (this.reader?.dir === dir) return this.reader.worker;
    await this.endReader();
    // Older snapshots have no reader left on them.
    for (const old of fs.existsSync(this.opts.dir) ? fs.readdirSync(this.opts.dir) : [])
      if (path.join(this.opts.dir, old) !== dir)
        fs.rmSync(path.join(this.opts.dir, old), { recursive: true, force: true });
    let worker: ReaderWorker;
    try {
      worker = await this.opts.spawn(dir);
    } catch (err) {
      // A snapshot PGlite cannot open is not used again: the next query copies a new one.
      this.snap = null;
      fs.rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    if (this.closed) {
      await worker.terminate();
      throw new PulseError('stage_state', 'the warehouse is closing');
    }
    this.reader = { dir, worker };
    worker.onExit(() => {
      if (this.reader?.worker === worker) this.reader = null;
    });
    return worker;
  }

  private async endReader(): Promise<void> {
    const r = this.reader;
    this.reader = null;
    await r?.worker.terminate();
  }
}
