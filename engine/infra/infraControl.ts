/**
 * What the Host delegates the infra.* commands to: one stack operation at a time, followed logs
 * batched into infra.log events, and container stats every 2 s while someone listens.
 */
import type { Commands, Events, InfraLogLine, InfraStatus } from '../contract';
import { PulseError } from '../errors';
import { followLogs, readLogs, readStats } from './serviceLogs';
import { HealthHistory } from './healthHistory';
import { waitFor } from './readiness';
import { Stack } from './stack';

type InfraEvent = 'infra.progress' | 'infra.log' | 'infra.stats';
type InfraCommand =
  'infra.status' | 'infra.up' | 'infra.down' | 'infra.start' | 'infra.stop' | 'infra.restart' | 'infra.logs';

export interface InfraControlOptions {
  composeFile: string;
  projectName?: string;
  env?: NodeJS.ProcessEnv;
  emit: <K extends InfraEvent>(name: K, payload: Events[K]) => void;
  /** Whether anyone listens to an event (stats are sampled only then). */
  wants: (name: InfraEvent) => boolean;
}

const STATS_MS = 2000;
const LOG_BATCH_MS = 100;

export class InfraControl {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly follows = new Map<string, () => void>();
  private pendingLines: InfraLogLine[] = [];
  private logTimer: NodeJS.Timeout | null = null;
  private readonly statsTimer: NodeJS.Timeout;
  private sampling = false;
  private readonly history = new HealthHistory();

  constructor(private readonly opts: InfraControlOptions) {
    this.statsTimer = setInterval(() => void this.sampleStats(), STATS_MS);
    this.statsTimer.unref();
  }

  /** The compose file read again for each operation, so an edited .env applies at the next up. */
  stack(): Stack {
    return new Stack({
      composeFile: this.opts.composeFile,
      projectName: this.opts.projectName,
      env: this.opts.env,
      onProgress: (p) => this.opts.emit('infra.progress', p),
    });
  }

  handlers(): { [C in InfraCommand]: (req: Commands[C]['req']) => Promise<Commands[C]['res']> } {
    const seen = (p: Promise<InfraStatus>) => p.then((st) => this.history.record(st));
    return {
      'infra.status': () => seen(this.stack().status()),
      'infra.up': (q) => seen(this.exclusive((s) => s.up(q.service))),
      'infra.down': (q) =>
        seen(
          this.exclusive((s) => {
            this.unfollowAll();
            return s.down({ volumes: q.volumes });
          }),
        ),
      'infra.start': (q) => seen(this.exclusive((s) => s.start(q.service))),
      'infra.stop': (q) => seen(this.exclusive((s) => s.stop(q.service))),
      'infra.restart': (q) => seen(this.exclusive((s) => s.restart(q.service))),
      'infra.logs': async (q) => {
        const stack = this.stack();
        const lines = await readLogs(stack, q.service, { tail: q.tail, since: q.since });
        if (q.follow === true && !this.follows.has(q.service)) {
          this.follows.set(
            q.service,
            await followLogs(stack, q.service, { since: Date.now() }, (l) => this.queueLines(l)),
          );
        } else if (q.follow === false) {
          this.follows.get(q.service)?.();
          this.follows.delete(q.service);
        }
        return { lines };
      },
    };
  }

  /**
   * Throws unless every named service runs (healthy when it has a check) and every named job (a
   * one-shot such as minio-init) has finished with code 0; a job still running is waited for.
   */
  async requireHealthy(services: string[], jobs: string[] = []): Promise<InfraStatus> {
    const stack = this.stack();
    for (const job of jobs) {
      if (!stack.project.services[job])
        throw new PulseError('not_found', `${this.opts.composeFile} has no service ${job}`);
      const info = (await stack.containers()).get(job);
      if (info?.State === 'running')
        await waitFor(stack.docker.getContainer(info.Id), job, 'service_completed_successfully', {
          timeoutMs: 120_000,
        });
    }
    const status = await stack.status();
    for (const name of [...services, ...jobs]) {
      const s = status.services.find((x) => x.service === name);
      if (!s) throw new PulseError('not_found', `${this.opts.composeFile} has no service ${name}`);
      const ok = jobs.includes(name)
        ? s.state === 'exited' && s.exitCode === 0
        : s.state === 'running' && (s.health === 'healthy' || s.health === 'none');
      if (!ok)
        throw new PulseError(
          'unhealthy',
          `${name} is ${s.state === 'missing' ? 'not created' : s.state}${s.exitCode ? ` (exit code ${s.exitCode})` : ''}${s.health !== 'none' ? ` (${s.health})` : ''}: bring the stack up first (npm run infra -- up, or Start on the Infrastructure page)`,
        );
    }
    return status;
  }

  close(): void {
    clearInterval(this.statsTimer);
    this.unfollowAll();
    if (this.logTimer) clearTimeout(this.logTimer);
  }

  private exclusive<T>(fn: (s: Stack) => Promise<T>): Promise<T> {
    const run = this.queue.then(() => fn(this.stack()));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private unfollowAll(): void {
    for (const stop of this.follows.values()) stop();
    this.follows.clear();
  }

  private queueLines(lines: InfraLogLine[]): void {
    this.pendingLines.push(...lines);
    this.logTimer ??= setTimeout(() => {
      this.logTimer = null;
      const batch = this.pendingLines;
      this.pendingLines = [];
      this.opts.emit('infra.log', { lines: batch });
    }, LOG_BATCH_MS);
  }

  private async sampleStats(): Promise<void> {
    if (this.sampling || !this.opts.wants('infra.stats')) return;
    this.sampling = true;
    try {
      this.opts.emit('infra.stats', { at: Date.now(), services: await readStats(this.stack()) });
    } catch {
      // Docker gone: status and the next command say so; stats just pause.
    } finally {
      this.sampling = false;
    }
  }
}
