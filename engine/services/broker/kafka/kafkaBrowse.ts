import { AssignerProtocol, type Admin } from 'kafkajs';
import type { GroupDescription } from '../port';

/** What the topic browser and the lag view ask of Kafka's admin API beyond the stages' needs. */

/** Per partition (in partition order), the first offset at or after `ms`; Kafka answers -1 past the end: the end then. */
export async function offsetsForTime(admin: Admin, topic: string, ms: number): Promise<number[]> {
  const offsets = await admin.fetchTopicOffsetsByTimestamp(topic, ms);
  return offsets.sort((a, b) => a.partition - b.partition).map((o) => Number(o.offset));
}

/** The group's state and its members with the partitions of `topic` each was assigned (DescribeGroups). */
export async function describeGroup(admin: Admin, group: string, topic: string): Promise<GroupDescription> {
  const { groups } = await admin.describeGroups([group]);
  const g = groups[0];
  if (!g) return { state: 'Dead', members: [] };
  return {
    state: g.state,
    members: g.members.map((m) => {
      // A member of another protocol (or mid-join) may carry no assignment yet.
      let partitions: number[] = [];
      try {
        const decoded = m.memberAssignment.length ? AssignerProtocol.MemberAssignment.decode(m.memberAssignment) : null;
        partitions = [...(decoded?.assignment[topic] ?? [])].sort((a, b) => a - b);
      } catch {
        partitions = [];
      }
      return { memberId: m.memberId, clientId: m.clientId, host: m.clientHost, partitions };
    }),
  };
}
