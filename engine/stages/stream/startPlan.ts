import type { OffsetNotice, PartitionStart } from '../../contract';
import { PulseError } from '../../errors';

/** What the stream knows of one assigned partition before it reads. */
export interface PartitionFacts {
  partition: number;
  /** The first offset the lake does not hold. */
  lake: number;
  /** The lake had no marker for this partition before this start. */
  empty: boolean;
  /** Set when this start adopted the offset from an older version's consumer group. */
  adopted?: number;
  committed: number;
  earliest: number;
  end: number;
}

export interface StartPlan {
  partitions: PartitionStart[];
  /** Ranges retention removed before the lake read them: recorded in the lake as gaps. */
  gaps: { partition: number; from: number; to: number }[];
  notices: OffsetNotice[];
  summary: string;
}

const n = (x: number): string => x.toLocaleString('en-US');
const list = (parts: string[]): string => (parts.length > 4 ? `${parts.slice(0, 4).join('; ')}; …` : parts.join('; '));

/**
 * Where each partition starts, and what to tell the user: the lake's offset always, except where
 * retention removed records the lake never read (those are reported as lost, and reading starts at
 * the log's earliest). A lake ahead of the log is refused: the topic was recreated or is another
 * cluster's, and reading on would skip its new records.
 */
export function planStart(ctx: { topic: string; group: string; lake: string }, facts: PartitionFacts[]): StartPlan {
  const ahead = facts.filter((f) => f.lake > f.end);
  if (ahead.length)
    throw new PulseError(
      'offsets_conflict',
      `the lake ${ctx.lake} holds offsets the topic ${ctx.topic} does not have (${list(ahead.map((f) => `partition ${f.partition}: lake at ${n(f.lake)}, topic ends at ${n(f.end)}`))}): the topic was recreated, or this is another cluster. Point this lake at the topic it was written from, or use a new lake (another --data-dir or --s3-bucket) for this topic.`,
    );
  const partitions = facts.map((f) => ({
    partition: f.partition,
    lake: f.lake,
    committed: f.committed,
    earliest: f.earliest,
    end: f.end,
    start: Math.max(f.lake, f.earliest),
  }));
  const gaps = facts
    .filter((f) => f.lake < f.earliest)
    .map((f) => ({ partition: f.partition, from: f.lake, to: f.earliest - 1 }));
  const notices: OffsetNotice[] = [];
  const toRead = partitions.reduce((s, p) => s + Math.max(0, p.end - p.start), 0);
  if (gaps.length) {
    const lost = gaps.reduce((s, g) => s + g.to - g.from + 1, 0);
    notices.push({
      kind: 'retention_gap',
      message: `retention removed ${n(lost)} records of ${ctx.topic} before this lake read them (${list(gaps.map((g) => `partition ${g.partition} offsets ${n(g.from)}–${n(g.to)}, ${n(g.to - g.from + 1)} records`))}): the lake cannot have them, and records them as a gap. Reading on from the topic's earliest offsets. A copy of the lake that holds them is the only way back (README: "When retention removed data").`,
      ranges: gaps.map((g) => ({ ...g, records: g.to - g.from + 1 })),
    });
  }
  // A group can claim more than the log holds (a recreated topic): only what the log has counts.
  const claimed = (f: PartitionFacts) => Math.min(f.committed, f.end);
  const again = (f: PartitionFacts) => {
    const from = Math.max(f.lake, f.earliest);
    return { partition: f.partition, from, to: claimed(f) - 1, records: Math.max(0, claimed(f) - from) };
  };
  const committedSome = facts.filter((f) => f.committed > 0);
  if (facts.length && facts.every((f) => f.empty && f.adopted === undefined) && committedSome.length) {
    notices.push({
      kind: 'new_lake_group_has_commits',
      message: `this lake is new but consumer group ${ctx.group} has committed offsets on ${ctx.topic} (${list(committedSome.map((f) => `partition ${f.partition} at ${n(f.committed)}`))}): another lake used this group. The lake's offsets win: it reads the topic from its earliest offsets, ${n(toRead)} records. Leave the group setting (--group, Settings) unset to give each lake its own group.`,
      ranges: committedSome.map(again),
    });
  } else {
    const behind = facts.filter((f) => f.adopted === undefined && Math.max(f.lake, f.earliest) < claimed(f));
    if (behind.length)
      notices.push({
        kind: 'lake_behind_group',
        message: `the lake holds less of ${ctx.topic} than consumer group ${ctx.group} has committed (${list(behind.map((f) => `partition ${f.partition}: lake at ${n(f.lake)}, group at ${n(f.committed)}`))}): it was restored from an older copy, or another lake shares this group. The lake's offsets win: it reads again the ${n(behind.reduce((s, f) => s + again(f).records, 0))} records it lacks.`,
        ranges: behind.map(again),
      });
  }
  const adopted = facts.filter((f) => f.adopted !== undefined);
  if (adopted.length)
    notices.push({
      kind: 'adopted_legacy',
      message: `this lake was written before it kept its own offsets: they were taken once from the consumer group's commits (${list(adopted.map((f) => `partition ${f.partition} at ${n(f.adopted!)}`))}), and files past them removed. From now on the lake's checkpoint is the truth.`,
      ranges: adopted.map((f) => ({ partition: f.partition, from: 0, to: f.adopted! - 1, records: f.adopted! })),
    });
  const from = partitions.map((p) => `${p.partition}@${n(p.start)}`).join(' ');
  return {
    partitions,
    gaps,
    notices,
    summary: `offsets from the lake ${ctx.lake}, group ${ctx.group}: partitions ${from || '(none)'}; ${n(toRead)} records to read`,
  };
}
