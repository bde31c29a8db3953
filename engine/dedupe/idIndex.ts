import type { DuckDBConnection } from '@duckdb/node-api';
import { parseBatchKey } from '../services/lake/keys';
import type { Lake } from '../services/lake/port';
import { Bloom } from './bloom';
import { forEachSilverId, presentInSilver, silverKeys } from './silverIds';

/** The owner of ids a quarantine replay accepts (partitions are 0 and up). */
export const REPLAY_OWNER = -1;

/**
 * "Has this transaction been accepted before?", across the whole history, with bounded memory:
 * - pending: ids accepted here and not yet in a durable silver file (exact; as big as the records
 *   the stream holds unwritten anyway), so two copies in flight at once are caught, on any partition;
 * - a fixed-size Bloom filter of every id in silver (built from the lake at start, fed with each id
 *   accepted here and, every few seconds, with silver files other workers wrote): "certainly new"
 *   for almost every sale, at no cost;
 * - an exact check against silver for the few the filter cannot clear (true duplicates, false positives).
 * Where it stops being exact: two copies of one transaction on partitions owned by different stream
 * workers (other processes or machines), both read before either worker's silver file for it is
 * written and absorbed by the other (a flush interval plus a refresh interval, ~15 s).
 */
export class IdIndex {
  private readonly pending = new Map<string, number>();
  /** Per partition, the last offset of silver files already in the filter; replay files by key. */
  private readonly absorbed = new Map<number, number>();
  private readonly absorbedOther = new Set<string>();
  /** confirm() and refresh() share one DuckDB connection: one at a time. */
  private busy: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly lake: Lake,
    private readonly duck: DuckDBConnection,
    private readonly bloom: Bloom,
  ) {}

  /** Reads every id in silver into the filter. `duck`: a connection of its own (it runs beside the writer). */
  static async open(lake: Lake, duck: DuckDBConnection, bloomBits?: number): Promise<IdIndex> {
    const index = new IdIndex(lake, duck, new Bloom(bloomBits));
    await index.refresh();
    return index;
  }

  isPending(id: string): boolean {
    return this.pending.has(id);
  }

  /** False when the filter is sure silver does not hold `id`. */
  mightBeDurable(id: string): boolean {
    return this.bloom.mightHave(id);
  }

  /** Of `ids`, those silver holds (exact), in the files `trusted` keeps (all when absent). */
  confirm(ids: readonly string[], trusted?: (key: string) => boolean): Promise<Set<string>> {
    return this.serial(async () => {
      const keys = await silverKeys(this.lake);
      return presentInSilver(this.lake, this.duck, ids, trusted ? keys.filter(trusted) : keys);
    });
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.busy.then(work);
    this.busy = run.catch(() => undefined);
    return run;
  }

  /** Takes `id` for `owner` unless someone has it pending; the caller has checked silver (confirm). */
  claim(owner: number, id: string): boolean {
    if (this.pending.has(id)) return false;
    this.pending.set(id, owner);
    this.bloom.add(id);
    return true;
  }

  /** These ids are in durable silver files now. */
  settled(ids: Iterable<string>): void {
    for (const id of ids) this.pending.delete(id);
  }

  /** What `owner` had pending will not be written (a revoked partition, a failed replay). */
  drop(owner: number): void {
    for (const [id, o] of this.pending) if (o === owner) this.pending.delete(id);
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /** Feeds the filter with silver files written since the last call (by any worker, or a replay). */
  refresh(): Promise<number> {
    return this.serial(() => this.absorb());
  }

  private async absorb(): Promise<number> {
    const fresh: string[] = [];
    const reach = new Map<number, number>();
    for (const key of await silverKeys(this.lake)) {
      const range = parseBatchKey(key);
      if (!range) {
        if (!this.absorbedOther.has(key)) fresh.push(key);
      } else if (range.last > (this.absorbed.get(range.partition) ?? -1)) {
        fresh.push(key);
        reach.set(range.partition, Math.max(reach.get(range.partition) ?? -1, range.last));
      }
    }
    let n = 0;
    await forEachSilverId(this.lake, this.duck, fresh, (id) => {
      this.bloom.add(id);
      n++;
    });
    for (const key of fresh) if (!parseBatchKey(key)) this.absorbedOther.add(key);
    for (const [p, last] of reach) this.absorbed.set(p, Math.max(this.absorbed.get(p) ?? -1, last));
    return n;
  }
}
