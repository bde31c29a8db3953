/** A service's logs (tail, since, follow) split into lines, and its CPU and memory use. */
import { Readable } from 'node:stream';
import type Docker from 'dockerode';
import type { InfraLogLine, InfraServiceStats } from '../contract';
import { PulseError } from '../errors';
import { LogDemuxer } from './dockerEngine';
import { LABEL } from './containerSpec';
import type { Stack } from './stack';

export interface LogQuery {
  tail?: number;
  /** Epoch ms: only lines from then on. */
  since?: number;
}

async function containerOf(stack: Stack, service: string): Promise<Docker.Container> {
  if (!stack.project.services[service] && !(await stack.containers()).has(service)) {
    throw new PulseError(
      'not_found',
      `no service ${service} in ${stack.project.file} (services: ${Object.keys(stack.project.services).join(', ')})`,
      { field: 'service' },
    );
  }
  const info = (await stack.containers()).get(service);
  if (!info)
    throw new PulseError('not_found', `${service} has no container: start it with npm run infra -- up ${service}`, {
      field: 'service',
    });
  return stack.docker.getContainer(info.Id);
}

/** Turns demultiplexed frames into whole lines, keeping each stream's unfinished line for later. */
class LineSplitter {
  private readonly demux = new LogDemuxer();
  private readonly partial = { stdout: '', stderr: '' };

  constructor(private readonly service: string) {}

  push(chunk: Buffer): InfraLogLine[] {
    const out: InfraLogLine[] = [];
    for (const f of this.demux.push(chunk)) {
      const text = this.partial[f.stream] + f.data.toString('utf8');
      const parts = text.split('\n');
      this.partial[f.stream] = parts.pop() ?? '';
      for (const p of parts) out.push(this.line(f.stream, p));
    }
    return out;
  }

  flush(): InfraLogLine[] {
    const out = (['stdout', 'stderr'] as const)
      .filter((s) => this.partial[s])
      .map((s) => this.line(s, this.partial[s]));
    this.partial.stdout = this.partial.stderr = '';
    return out;
  }

  private line(stream: 'stdout' | 'stderr', raw: string): InfraLogLine {
    // With timestamps on, Docker starts each line with an RFC 3339 time and a space.
    const i = raw.indexOf(' ');
    return {
      service: this.service,
      stream,
      time: i > 0 ? raw.slice(0, i) : '',
      line: (i > 0 ? raw.slice(i + 1) : raw).replace(/\r$/, ''),
    };
  }
}

function logOptions(q: LogQuery): { stdout: true; stderr: true; timestamps: true; tail?: number; since?: number } {
  return {
    stdout: true,
    stderr: true,
    timestamps: true,
    ...(q.tail !== undefined ? { tail: q.tail } : {}),
    ...(q.since !== undefined ? { since: Math.floor(q.since / 1000) } : {}),
  };
}

export async function readLogs(stack: Stack, service: string, q: LogQuery = {}): Promise<InfraLogLine[]> {
  const container = await containerOf(stack, service);
  const buf = await container.logs({ ...logOptions({ tail: 100, ...q }), follow: false });
  const split = new LineSplitter(service);
  return [...split.push(Buffer.from(buf)), ...split.flush()];
}

/** Follows a service's logs; returns a function that stops following. */
export async function followLogs(
  stack: Stack,
  service: string,
  q: LogQuery,
  onLines: (lines: InfraLogLine[]) => void,
): Promise<() => void> {
  const container = await containerOf(stack, service);
  const stream = await container.logs({ ...logOptions({ tail: 0, ...q }), follow: true });
  const split = new LineSplitter(service);
  stream.on('data', (chunk: Buffer) => {
    const lines = split.push(chunk);
    if (lines.length) onLines(lines);
  });
  stream.on('error', () => undefined);
  // docker-modem hands back the HTTP response, a Readable (its types say only ReadableStream).
  return () => void (stream instanceof Readable && stream.destroy());
}

/** One sample per running container; CPU as Docker computes it (share of all CPUs × their number). */
export async function readStats(stack: Stack): Promise<InfraServiceStats[]> {
  const running = [...(await stack.containers()).values()].filter((c) => c.State === 'running');
  const samples = await Promise.all(
    running.map(async (c) => {
      try {
        const s = (await stack.docker.getContainer(c.Id).stats({ stream: false })) as Docker.ContainerStats;
        const cpuDelta = s.cpu_stats.cpu_usage.total_usage - (s.precpu_stats.cpu_usage?.total_usage ?? 0);
        const sysDelta = (s.cpu_stats.system_cpu_usage ?? 0) - (s.precpu_stats.system_cpu_usage ?? 0);
        const cpus = s.cpu_stats.online_cpus || s.cpu_stats.cpu_usage.percpu_usage?.length || 1;
        const mem = s.memory_stats as { usage?: number; limit?: number; stats?: Record<string, number> };
        const cache = mem.stats?.inactive_file ?? mem.stats?.total_inactive_file ?? mem.stats?.cache ?? 0;
        return {
          service: c.Labels[LABEL.service],
          cpuPercent: sysDelta > 0 && cpuDelta >= 0 ? (cpuDelta / sysDelta) * cpus * 100 : 0,
          memoryBytes: Math.max(0, (mem.usage ?? 0) - cache),
          memoryLimitBytes: mem.limit ?? 0,
        };
      } catch {
        return null;
      }
    }),
  );
  return samples.filter((s): s is InfraServiceStats => s !== null);
}
