import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { PulseError } from '../errors';
import type { Lake } from '../services/lake/port';
import { logKey, logPrefixFor, parseLogKey, type Covered } from './compactionKeys';

/** A file a compaction replaced: one of the stream's batch files, or an earlier compacted file. */
export interface CompactionSource {
  key: string;
  rows: number;
  bytes: number;
}

/** A batch file whose rows a compacted file holds (through earlier compactions too): its lineage. */
export interface CompactionLeaf extends Covered {
  key: string;
  rows: number;
}

/** One committed compaction of an hour folder: `output` replaces exactly `sources`. */
export interface CompactionEntry {
  seq: number;
  folder: string;
  output: string;
  rows: number;
  bytes: number;
  sources: CompactionSource[];
  leaves: CompactionLeaf[];
  writer: string;
  at: string;
  atMs: number;
}

/** Entries are immutable once created: read once per process and lake, by key. */
const cache = new WeakMap<Lake, Map<string, CompactionEntry>>();

/**
 * The committed compactions of the folders under `prefix`, in sequence order per folder. One
 * listing of the log under that prefix (a few entries an hour folder), each entry read once.
 */
export async function readLog(lake: Lake, prefix: string): Promise<CompactionEntry[]> {
  let known = cache.get(lake);
  if (!known) cache.set(lake, (known = new Map()));
  const keys = (await lake.list(logPrefixFor(prefix))).map((o) => o.key).filter((k) => parseLogKey(k));
  const missing = keys.filter((k) => !known.has(k));
  for (let i = 0; i < missing.length; i += 16)
    await Promise.all(
      missing.slice(i, i + 16).map(async (key) => {
        const entry = await readEntry(lake, key);
        if (entry) known.set(key, entry);
      }),
    );
  return keys
    .flatMap((k) => known.get(k) ?? [])
    .sort((a, b) => (a.folder < b.folder ? -1 : a.folder > b.folder ? 1 : a.seq - b.seq));
}

async function readEntry(lake: Lake, key: string): Promise<CompactionEntry | null> {
  let text: string;
  try {
    text = Buffer.from(await lake.read(key)).toString('utf8');
  } catch (err) {
    if (err instanceof PulseError && err.code === 'not_found') return null;
    throw err;
  }
  const where = parseLogKey(key)!;
  try {
    const e = JSON.parse(text) as CompactionEntry;
    if (e.seq !== where.seq || e.folder !== where.folder || typeof e.output !== 'string' || !Array.isArray(e.sources))
      throw new Error('fields do not match its key');
    return e;
  } catch (err) {
    // A broken entry cannot be guessed over: which files it replaced decides what readers count.
    throw new PulseError(
      'lake_io',
      `compaction log entry ${key} in ${lake.location} is not readable (${(err as Error).message}): restore it from a copy of the lake's _compaction/ folder; while it is broken the lake's readers stop here rather than count its files twice`,
    );
  }
}

/** Commits a compaction: true when this call created the folder's entry `seq`, false when another compactor did. */
export async function createEntry(lake: Lake, entry: CompactionEntry): Promise<boolean> {
  const local = lake.scratchPath(`${randomUUID()}.json`);
  fs.writeFileSync(local, JSON.stringify(entry));
  const created = await lake.create(logKey(entry.folder, entry.seq), local);
  if (created) {
    let known = cache.get(lake);
    if (!known) cache.set(lake, (known = new Map()));
    known.set(logKey(entry.folder, entry.seq), entry);
  }
  return created;
}
