import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { LakeOffsets, OffsetNotice } from '../../contract';
import type { Broker } from '../../services/broker/port';
import { groupForLake, lakeIdentity, type LakeIdentity } from '../../services/lake/lakeIdentity';
import type { Lake } from '../../services/lake/port';
import { LakeCheckpoint, type PartitionCheckpoint } from './lakeCheckpoint';
import { planStart } from './startPlan';

/** The one group every stream joined before lakes kept their own offsets. */
export const LEGACY_GROUP = 'retail-pulse-stream';

/** How long after taking a partition the stream looks for a previous owner's late write. */
const SWEEP_MS = 60_000;

/** This member's claim on a partition: where it started, its offsets in the lake, the markers written under it. */
export interface Claim {
  partition: number;
  /** The lake's offset it started from. */
  start: number;
  since: number;
  checkpoint: PartitionCheckpoint;
  written: Set<string>;
  /** Still looking for a previous owner's late write (see commit). */
  sweeping: boolean;
}

/** A flushed range whose files are durable. */
export interface Flushed {
  claim: Claim;
  first: number;
  last: number;
  files: readonly string[];
  records: number;
  gaps: [number, number][];
}

export interface StreamOffsetsDeps {
  broker: Broker;
  lake: Lake;
  topic: string;
  /** The group setting; absent, the group is derived from the lake's id. */
  group?: string;
  onReport?: (report: LakeOffsets) => void;
}

/**
 * Where the stream's partitions start: the lake's checkpoint, never the consumer group. At each
 * assignment it resolves the assigned partitions' markers (removing a crash's leftovers), adopts
 * an older version's group offsets once, records what retention removed before the lake read it,
 * and reports all of it (CLI, Pipeline page).
 */
export class StreamOffsets {
  readonly checkpoint: LakeCheckpoint;
  private identity: LakeIdentity | null = null;
  private orphansChecked = false;
  private last: LakeOffsets | null = null;

  constructor(private readonly deps: StreamOffsetsDeps) {
    this.checkpoint = new LakeCheckpoint(deps.lake, `${os.hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`);
  }

  /** Reads (or creates) the lake's identity; returns the consumer group to join. */
  async open(): Promise<string> {
    this.identity = await lakeIdentity(this.deps.lake);
    return this.group;
  }

  get group(): string {
    return this.deps.group ?? groupForLake(this.identity!.id);
  }

  async assign(committed: ReadonlyMap<number, number>): Promise<Map<number, Claim>> {
    const { broker, lake, topic } = this.deps;
    const partitions = [...committed.keys()].sort((a, b) => a - b);
    const states = await Promise.all(partitions.map((p) => this.checkpoint.load(p)));
    const since = Date.now();
    const taken = new Map(
      states.map((s): [number, Claim] => [
        s.partition,
        { partition: s.partition, start: s.next, since, checkpoint: s, written: new Set(), sweeping: true },
      ]),
    );
    const adopted = new Map<number, number>();
    const unmarked = states.filter((s) => s.empty);
    if (this.identity!.legacy && unmarked.length) {
      const group = this.deps.group ?? LEGACY_GROUP;
      const commits = await broker.committedOffsets(group, topic);
      for (const s of unmarked) {
        const committedThere = commits[s.partition] ?? 0;
        // Nothing committed: nothing to adopt; the partition is read from its start (strays removed below).
        if (committedThere <= 0) continue;
        for (const k of await this.checkpoint.adopt(s, committedThere, group)) taken.get(s.partition)!.written.add(k);
        adopted.set(s.partition, committedThere);
      }
    }
    if (states.length && (!this.orphansChecked || adopted.size)) {
      await this.checkpoint.removeOrphans(new Map(states.map((s) => [s.partition, s.next])));
      this.orphansChecked = true;
    }
    const [earliest, end] = await Promise.all([broker.earliestOffsets(topic), broker.endOffsets(topic)]);
    const plan = planStart(
      { topic, group: this.group, lake: lake.location },
      states.map((s) => ({
        partition: s.partition,
        lake: s.next,
        empty: s.empty,
        adopted: adopted.get(s.partition),
        committed: committed.get(s.partition) ?? 0,
        earliest: earliest[s.partition] ?? 0,
        end: end[s.partition] ?? 0,
      })),
    );
    for (const g of plan.gaps) {
      const t = taken.get(g.partition)!;
      const why = `the log of ${topic} started at ${g.to + 1} when the lake needed ${g.from}`;
      for (const k of await this.checkpoint.gap(t.checkpoint, g.from, g.to, why)) t.written.add(k);
    }
    for (const p of plan.partitions) taken.get(p.partition)!.start = p.start;
    this.publish({ partitions: plan.partitions, notices: plan.notices, summary: plan.summary });
    return taken;
  }

  /** Before a flush writes its files: an intent naming them. */
  async intent(claim: Claim, first: number, last: number, files: readonly string[]): Promise<void> {
    claim.written.add(await this.checkpoint.intent(claim.partition, first, last, files));
  }

  /**
   * Marks each flushed range done in the lake. For a while after taking a partition, then looks for
   * a previous owner's write that was in flight when the partition moved here and landed after this
   * member read the lake's offsets: its markers and files go, or its records would be in twice.
   */
  async commit(flushed: readonly Flushed[]): Promise<void> {
    for (const { claim, first, last, files, records, gaps } of flushed) {
      const detail = { files, records, ...(gaps.length ? { gaps } : {}) };
      for (const k of await this.checkpoint.done(claim.checkpoint, first, last, detail)) claim.written.add(k);
    }
    for (const { claim } of flushed) {
      if (!claim.sweeping) continue;
      const final = Date.now() - claim.since > SWEEP_MS;
      await this.checkpoint.sweep(claim.partition, claim.start, claim.written, final);
      if (final) claim.sweeping = false;
    }
  }

  /** Retention removed records while the stream was reading (it fell that far behind): reported at once. */
  lost(partition: number, from: number, to: number): void {
    const records = to - from + 1;
    const notice: OffsetNotice = {
      kind: 'retention_gap',
      message: `retention removed ${records.toLocaleString('en-US')} records of ${this.deps.topic} (partition ${partition} offsets ${from.toLocaleString('en-US')}–${to.toLocaleString('en-US')}) before the stream read them: it fell further behind than the topic keeps records. The lake records them as a gap.`,
      ranges: [{ partition, from, to, records }],
    };
    const prev = this.last;
    this.publish({
      partitions: prev?.partitions ?? [],
      notices: [...(prev?.notices ?? []), notice],
      summary: prev?.summary ?? '',
    });
  }

  private publish(part: Pick<LakeOffsets, 'partitions' | 'notices' | 'summary'>): void {
    this.last = {
      lakeId: this.identity?.id ?? null,
      lake: this.deps.lake.location,
      group: this.group,
      groupFrom: this.deps.group ? 'setting' : 'lake',
      topic: this.deps.topic,
      ...part,
      at: Date.now(),
    };
    this.deps.onReport?.(this.last);
  }
}
