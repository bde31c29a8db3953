/**
 * Waiting for a container to be what depends_on asks: started, healthy, or finished with exit 0.
 * When it never gets there, the error carries what the user needs: the health check's last output,
 * or the exit code and the last log lines.
 */
import type Docker from 'dockerode';
import type { DependsCondition, ServiceSpec } from './composeFile';
import { PulseError } from '../errors';
import { LogDemuxer } from './dockerEngine';

const POLL_MS = 200;

export interface WaitOptions {
  /** Checked between polls: another part of the same start failed, stop waiting. */
  aborted?: () => boolean;
  timeoutMs?: number;
}

/** How long Docker itself needs to call a service unhealthy, plus room: the longest sane wait. */
export function healthDeadlineMs(s: ServiceSpec): number {
  const h = s.healthcheck;
  if (!h) return 60_000;
  return h.startPeriodMs + (h.intervalMs + h.timeoutMs) * (h.retries + 2) + 30_000;
}

const ABORTED = Symbol('aborted wait');

/** A wait given up because another service failed: never the error to report. */
export function isAbortedWait(err: unknown): boolean {
  return typeof err === 'object' && err !== null && ABORTED in err;
}

export async function waitFor(
  container: Docker.Container,
  spec: ServiceSpec,
  condition: DependsCondition,
  opts: WaitOptions = {},
): Promise<void> {
  const deadline =
    Date.now() +
    (opts.timeoutMs ?? (condition === 'service_completed_successfully' ? 600_000 : healthDeadlineMs(spec)));
  for (;;) {
    if (opts.aborted?.())
      throw Object.assign(new PulseError('unhealthy', `stopped waiting for ${spec.name}: another service failed`), {
        [ABORTED]: true,
      });
    const info = await container.inspect();
    const st = info.State;
    if (condition === 'service_completed_successfully') {
      if (st.Status === 'exited' || st.Status === 'dead') {
        if (st.ExitCode === 0) return;
        throw new PulseError(
          'unhealthy',
          `${spec.name} (a one-shot service) exited with code ${st.ExitCode}; last log lines: ${await lastLines(container)}`,
        );
      }
    } else {
      if (st.Status === 'exited' || st.Status === 'dead') {
        throw new PulseError(
          'unhealthy',
          `${spec.name} exited with code ${st.ExitCode} before it was ${condition === 'service_healthy' ? 'healthy' : 'up'}; last log lines: ${await lastLines(container)}`,
        );
      }
      if (condition === 'service_started' || !spec.healthcheck) {
        if (st.Running) return;
      } else {
        const health = st.Health?.Status;
        if (health === 'healthy') return;
        if (health === 'unhealthy') throw notHealthy(spec, info);
      }
    }
    if (Date.now() > deadline) {
      throw condition === 'service_healthy'
        ? notHealthy(spec, info, true)
        : new PulseError(
            'timeout',
            `${spec.name} did not ${condition === 'service_started' ? 'start' : 'finish'} in time; last log lines: ${await lastLines(container)}`,
          );
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

function notHealthy(spec: ServiceSpec, info: Docker.ContainerInspectInfo, timedOut = false): PulseError {
  const log = info.State.Health?.Log ?? [];
  const last = log[log.length - 1];
  const output = last ? oneLine(last.Output) || '(no output)' : '(the check never ran)';
  const test = spec.healthcheck!.test.slice(1).join(' ');
  const what = timedOut
    ? 'was not healthy in time'
    : `is unhealthy: its health check failed ${spec.healthcheck!.retries} times in a row`;
  return new PulseError(
    'unhealthy',
    `${spec.name} ${what} (check: ${test}; last exit code ${last?.ExitCode ?? '?'}; last output: ${output}); see its logs with npm run infra -- logs ${spec.name}`,
    { retriable: true },
  );
}

function oneLine(s: string, max = 400): string {
  const t = s.trim().split(/\r?\n/).filter(Boolean).join(' | ');
  return t.length > max ? `…${t.slice(-max)}` : t;
}

/** The container's last lines of output, on one line, for error messages. */
export async function lastLines(container: Docker.Container, n = 5): Promise<string> {
  try {
    const buf = (await container.logs({ stdout: true, stderr: true, tail: n, follow: false })) as unknown as Buffer;
    const text = new LogDemuxer()
      .push(Buffer.from(buf))
      .map((f) => f.data.toString('utf8'))
      .join('');
    return oneLine(text) || '(no output)';
  } catch {
    return '(logs unavailable)';
  }
}
