import fs from 'node:fs';

/** A type, not an interface: a stage status carries it as Record<string, number>. */
export type StreamCounters = {
  consumed: number;
  valid: number;
  quarantined: number;
  duplicates: number;
  late: number;
  silverLines: number;
  files: number;
  commits: number;
  lag: number;
  /**
   * Event-time lag: how far the newest event time the stream has counted trails the clock. A
   * replayed backlog shows here (minutes, hours), not in the event-to-window latency, which is
   * measured from each record's arrival in the broker.
   */
  eventLagMs: number;
  /** Partitions this member owns now. */
  partitions: number;
  metricsErrors: number;
  /** Window deltas held back while the metrics store is unreachable, applied when it is back. */
  metricsPending: number;
  /** Records retention removed before the stream read them (reported as they are found). */
  lost: number;
  /** The stream thread's memory, sampled each second: JS heap used, external (buffers), in MiB. */
  heapMb: number;
  externalMb: number;
  /** Record text held unwritten or being written (the byte cap bounds it), in MiB. */
  heldMb: number;
  /** DuckDB's memory at the last write (tables loaded, before the files are compressed), in MiB. */
  duckMb: number;
  /**
   * Where the time goes, in ms since the start: this thread's CPU; waiting on and reading from the
   * broker (poll); parsing and validating records; appending them to DuckDB's staging tables; the
   * COPYs that sort, compress and write the Parquet files (DuckDB's own threads).
   */
  cpuMs: number;
  pollMs: number;
  validateMs: number;
  appendMs: number;
  copyMs: number;
};

export function emptyStreamCounters(): StreamCounters {
  return {
    consumed: 0,
    valid: 0,
    quarantined: 0,
    duplicates: 0,
    late: 0,
    silverLines: 0,
    files: 0,
    commits: 0,
    lag: 0,
    eventLagMs: 0,
    partitions: 0,
    metricsErrors: 0,
    metricsPending: 0,
    lost: 0,
    heapMb: 0,
    externalMb: 0,
    heldMb: 0,
    duckMb: 0,
    cpuMs: 0,
    pollMs: 0,
    validateMs: 0,
    appendMs: 0,
    copyMs: 0,
  };
}

const MB = 1 << 20;

/** Samples this thread's memory into the counters (`heldChars`: record text the stream holds, 2 bytes a unit at most). */
export function sampleMemory(c: StreamCounters, heldChars: number): void {
  const m = process.memoryUsage();
  c.heapMb = Math.round(m.heapUsed / MB);
  c.externalMb = Math.round(m.external / MB);
  c.heldMb = Math.round(heldChars / MB);
  c.cpuMs = threadCpuMs();
}

/** CPU time of the calling thread (user + system), from /proc/thread-self/stat; 0 where there is none. */
export function threadCpuMs(): number {
  try {
    const stat = fs.readFileSync('/proc/thread-self/stat', 'utf8');
    // Fields after the command's closing parenthesis: state is 3rd, utime 14th, stime 15th.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / TICKS_PER_S;
  } catch {
    return 0;
  }
}

/** Linux's USER_HZ, the unit of /proc's CPU times (100 on every mainstream kernel). */
const TICKS_PER_S = 100;
