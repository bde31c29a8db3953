import type { InfraServiceStats } from '../../../../engine/contract';
import { memory, percent } from './format';

/** A container's CPU (share of one core, as docker stats shows it) and memory, with a bar against its limit. */
export function ResourceUse({ stats, what }: { stats: InfraServiceStats | undefined; what: 'cpu' | 'memory' }) {
  if (!stats) return <span className="muted">–</span>;
  const share =
    what === 'cpu'
      ? Math.min(1, stats.cpuPercent / 100)
      : stats.memoryLimitBytes > 0
        ? stats.memoryBytes / stats.memoryLimitBytes
        : 0;
  const text =
    what === 'cpu'
      ? percent(stats.cpuPercent)
      : `${memory(stats.memoryBytes)}${stats.memoryLimitBytes ? ` / ${memory(stats.memoryLimitBytes)}` : ''}`;
  return (
    <span className="resource">
      <span className="meter" aria-hidden="true">
        <span style={{ width: `${Math.round(share * 100)}%` }} />
      </span>
      <span className="num">{text}</span>
    </span>
  );
}
