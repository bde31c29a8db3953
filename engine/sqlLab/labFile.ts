import fs from 'node:fs';
import path from 'node:path';
import type { SqlLabList } from '../contract';
import { PulseError } from '../errors';
import { writeFileAtomic } from '../util/fsx';

const VERSION = 1;

/**
 * One list the SQL lab keeps for the user (history, saved queries, pinned charts) in a JSON file of
 * the data dir, so both shells and the next start see it. Every change is written whole and
 * atomically before it counts; a file that cannot be read is never overwritten: it is moved aside
 * with its name said, and the list starts empty.
 */
export class LabFile<T> {
  private items: T[] | null = null;
  private problem: string | null = null;

  constructor(
    readonly file: string,
    /** Returns the item typed, or throws saying what is wrong with it. */
    private readonly check: (value: unknown, index: number) => T,
    /** What the list is, for messages: "saved queries". */
    private readonly what: string,
  ) {}

  list(): SqlLabList<T> {
    return { items: [...this.load()], problem: this.problem };
  }

  /** Applies a change and writes it; the list in memory changes only once the file holds it. */
  update(change: (items: readonly T[]) => T[]): SqlLabList<T> {
    const next = change(this.load());
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      writeFileAtomic(this.file, `${JSON.stringify({ version: VERSION, items: next }, null, 1)}\n`);
    } catch (cause) {
      throw new PulseError(
        'internal',
        `cannot save the ${this.what} to ${this.file}: ${(cause as Error).message}; nothing was changed`,
        { cause },
      );
    }
    this.items = next;
    return this.list();
  }

  private load(): T[] {
    if (this.items) return this.items;
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return (this.items = []);
      throw new PulseError('internal', `cannot read the ${this.what} from ${this.file}: ${(err as Error).message}`);
    }
    try {
      this.items = this.parse(text);
    } catch (err) {
      const kept = `${this.file}.unreadable-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      fs.renameSync(this.file, kept);
      this.problem = `the ${this.what} in ${this.file} could not be read (${(err as Error).message}); the file was kept as ${kept} and the list starts empty`;
      this.items = [];
    }
    return this.items;
  }

  private parse(text: string): T[] {
    const doc = JSON.parse(text) as unknown;
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new Error('not a JSON object');
    const { version, items } = doc as { version?: unknown; items?: unknown };
    if (version !== VERSION) throw new Error(`version ${JSON.stringify(version)}, expected ${VERSION}`);
    if (!Array.isArray(items)) throw new Error('"items" is not a list');
    return items.map((v, i) => this.check(v, i));
  }
}
