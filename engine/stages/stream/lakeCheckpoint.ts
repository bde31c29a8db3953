import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { PulseError } from '../../errors';
import { LAYERS, parseBatchKey } from '../../services/lake/keys';
import type { Lake } from '../../services/lake/port';
import { marker, parseMarker, partitionPrefix, rangeOf, resolveChain, type Marker } from './checkpointChain';

/** Newest ranges kept as their own markers (their file lists feed the duplicate check on restart). */
const KEEP = 32;
/** A partition with this many ranges after its base is compacted down to KEEP. */
const COMPACT_AT = 2 * KEEP;
const READS_AT_ONCE = 8;

/** What this stream knows of one partition's offsets in the lake, while it owns the partition. */
export interface PartitionCheckpoint {
  partition: number;
  /** The first offset the lake does not hold. */
  next: number;
  /** The lake never held this partition (no marker). */
  empty: boolean;
  /** Accepted ranges from offset 0 (a base first, if compacted). */
  chain: Marker[];
  /** Markers superseded by the base: removed at the next compaction (one generation late, for live copies). */
  stale: string[];
}

interface MarkerBody {
  writer: string;
  at: string;
  files?: string[];
  [detail: string]: unknown;
}

/**
 * The lake's offsets of truth, kept beside its files (see checkpointChain.ts for the layout). A flush
 * writes an intent, then its files, then a done marker: a range is in the lake exactly when its done
 * marker is. Reading the offsets is one listing of a partition's markers, a few hundred keys at most
 * however large the lake, since every COMPACT_AT ranges are folded into a base marker.
 */
export class LakeCheckpoint {
  constructor(
    private readonly lake: Lake,
    /** Who writes the markers, for the record in each one. */
    private readonly writer: string,
  ) {}

  /**
   * A partition's offsets, resolved: the files of discarded markers (a crash's uncommitted
   * range, a previous owner's late write) are removed here, before the range is read again.
   */
  async load(partition: number): Promise<PartitionCheckpoint> {
    const markers = await this.list(partition);
    const r = resolveChain(partition, markers);
    const doomed = [...r.discard, ...r.head].filter((m) => !r.kept.has(rangeOf(m)));
    await this.lake.delete((await this.filesOf(doomed)).flat());
    // A head intent stays: a previous owner may still be writing its files; the sweep removes it later.
    await this.lake.delete(r.discard.map((m) => m.key));
    return { partition, next: r.next, empty: r.empty, chain: r.chain, stale: r.stale };
  }

  /**
   * Batch files of these partitions at or past their next offset that no marker names: what a copy
   * of a running lake took beyond its checkpoint, or a crash of an older version left. One listing
   * of the three layers, so the stream does it once per start, not per rebalance.
   */
  async removeOrphans(next: ReadonlyMap<number, number>): Promise<number> {
    const files: { key: string; partition: number; first: number; last: number }[] = [];
    for (const layer of [LAYERS.bronze, LAYERS.silver, LAYERS.quarantine])
      for (const o of await this.lake.list(layer)) {
        const range = parseBatchKey(o.key);
        if (range && next.has(range.partition) && range.first >= next.get(range.partition)!)
          files.push({ key: o.key, ...range });
      }
    if (!files.length) return 0;
    // Listed after the files: a marker written meanwhile (an intent precedes its files) still counts.
    const named = new Set<string>();
    for (const p of new Set(files.map((f) => f.partition)))
      for (const m of await this.list(p)) named.add(`${p}:${rangeOf(m)}`);
    const orphans = files.filter((f) => !named.has(`${f.partition}:${rangeOf(f)}`)).map((f) => f.key);
    await this.lake.delete(orphans);
    return orphans.length;
  }

  /** Before a flush writes its files: the files it is about to write, so a crash's leftovers can be found. */
  async intent(partition: number, first: number, last: number, files: readonly string[]): Promise<string> {
    const m = marker(partition, first, last, 'intent');
    await this.write(m.key, { files: [...files] });
    return m.key;
  }

  /**
   * The range is in the lake: every file of it is durable. Returns the keys written (the done
   * marker, and a base when the partition was due for compaction).
   */
  async done(
    state: PartitionCheckpoint,
    first: number,
    last: number,
    detail: { files: readonly string[]; records: number; gaps?: [number, number][] },
  ): Promise<string[]> {
    const m = marker(state.partition, first, last, 'done');
    await this.write(m.key, { ...detail, files: [...detail.files] });
    return [m.key, ...(await this.advance(state, m))];
  }

  /** A range the log no longer has (retention removed it before the lake read it): recorded as missing. */
  async gap(state: PartitionCheckpoint, from: number, to: number, detail: string): Promise<string[]> {
    const m = marker(state.partition, from, to, 'gap');
    await this.write(m.key, { reason: 'retention', detail });
    return [m.key, ...(await this.advance(state, m))];
  }

  /**
   * A lake written by a version that kept its offsets in the consumer group: the group's committed
   * offset becomes the partition's base (files past it are then orphans, removed by removeOrphans).
   */
  async adopt(state: PartitionCheckpoint, committed: number, group: string): Promise<string[]> {
    if (committed <= 0) return [];
    const base = marker(state.partition, 0, committed - 1, 'base');
    await this.write(base.key, { adopted: { group, committed } });
    state.chain = [base];
    state.next = committed;
    return [base.key];
  }

  /**
   * Markers of this partition a previous owner wrote after this one took over at `from` (its
   * in-flight flush landing late), with their files: they cover offsets this owner reads again.
   * `mine` are the markers this owner wrote. A foreign intent's marker stays until `final`, so files
   * still on their way are found by the next sweep.
   */
  async sweep(partition: number, from: number, mine: ReadonlySet<string>, final: boolean): Promise<number> {
    const mineRanges = new Set([...mine].map((k) => parseMarker(k)).flatMap((m) => (m ? [rangeOf(m)] : [])));
    const foreign = (await this.list(partition)).filter(
      (m) => !mine.has(m.key) && (m.first >= from || (m.kind === 'base' && m.last >= from)),
    );
    if (!foreign.length) return 0;
    const files = (await this.filesOf(foreign.filter((m) => !mineRanges.has(rangeOf(m))))).flat();
    await this.lake.delete(files);
    await this.lake.delete(foreign.filter((m) => m.kind !== 'intent' || final).map((m) => m.key));
    return files.length;
  }

  /** Appends an accepted range; every COMPACT_AT ranges, the older ones become one base marker. */
  private async advance(state: PartitionCheckpoint, m: Marker): Promise<string[]> {
    state.chain.push(m);
    state.next = m.last + 1;
    state.empty = false;
    const old = state.chain[0].kind === 'base' ? state.chain[0] : null;
    const links = old ? state.chain.slice(1) : state.chain;
    if (links.length < COMPACT_AT) return [];
    const merged = links.slice(0, links.length - KEEP);
    const base = marker(state.partition, 0, merged[merged.length - 1].last, 'base');
    await this.write(base.key, { merged: merged.length, replaces: old?.key ?? null });
    // The previous generation goes now; this one at the next compaction, so a copy of the lake
    // taken while it runs still finds every marker it listed.
    await this.lake.delete(state.stale);
    state.stale = [
      ...(old ? [old.key] : []),
      ...merged.flatMap((x) => [x.key, marker(x.partition, x.first, x.last, 'intent').key]),
    ];
    state.chain = [base, ...links.slice(-KEEP)];
    return [base.key];
  }

  private async list(partition: number): Promise<Marker[]> {
    const out: Marker[] = [];
    for (const o of await this.lake.list(partitionPrefix(partition))) {
      const m = parseMarker(o.key);
      if (m && m.partition === partition) out.push(m);
    }
    return out;
  }

  /**
   * The files each marker names (none for a marker gone meanwhile). Only batch files of the
   * marker's own partition and range count: a marker never makes the stream delete anything else.
   */
  private async filesOf(markers: readonly Marker[]): Promise<string[][]> {
    const bodies: (MarkerBody | null)[] = [];
    for (let i = 0; i < markers.length; i += READS_AT_ONCE)
      bodies.push(...(await Promise.all(markers.slice(i, i + READS_AT_ONCE).map((m) => this.read(m)))));
    return bodies.map((b, i) =>
      (b?.files ?? []).filter((f) => {
        const r = typeof f === 'string' ? parseBatchKey(f) : null;
        return r?.partition === markers[i].partition && r.first === markers[i].first && r.last === markers[i].last;
      }),
    );
  }

  private async read(m: Marker): Promise<MarkerBody | null> {
    if (m.kind === 'gap' || m.kind === 'base') return null;
    try {
      return JSON.parse(Buffer.from(await this.lake.read(m.key)).toString('utf8')) as MarkerBody;
    } catch (err) {
      if (err instanceof PulseError && err.code === 'not_found') return null;
      if (err instanceof SyntaxError)
        throw new PulseError('lake_io', `checkpoint marker ${m.key} in ${this.lake.location} is not valid JSON`);
      throw err;
    }
  }

  private async write(key: string, body: Record<string, unknown>): Promise<void> {
    const local = this.lake.scratchPath(`${randomUUID()}.json`);
    const full: MarkerBody = { writer: this.writer, at: new Date().toISOString(), ...body };
    fs.writeFileSync(local, JSON.stringify(full));
    await this.lake.put(key, local);
  }
}
