/**
 * Waiting for a container to be what depends_on asks: started, healthy, or finished with exit 0.
 * When it never gets there, the error carries what the user needs: the health check's last output,
 * or the exit code and the last log lines.
 */
import type Docker from 'dockerode';
import type { DependsCondition } from './composeFile';
import { PulseError } from '../errors';
import { LogDemuxer } from './dockerEngine';

const POLL_MS = 200;

export interface WaitOptions {
  /** Checked between polls: another part of the same start failed, stop waiting. */
  aborted?: () => boolean;
  timeoutMs?: number;
}

/** How long Docker itself needs to call a container unhealthy, plus room: the longest sane wait. */
export function healthDeadlineMs(h: Docker.ContainerInspectInfo['Config']['Healthcheck'] | undefined): number {
  if (!h?.Test || h.Test[0] === 'NONE') return 60_000;
  const ms = (ns: number | undefined, fallback: number) => (ns ? ns / 1e6 : fallback);
  return ms(h.StartPeriod, 0) + (ms(h.Interval, 30_000) + ms(h.Timeout, 30_000)) * ((h.Retries || 3) + 2) + 30_000;
}

const ABORTED = Symbol('aborted wait');

/** A wait given up because another service failed: never the error to report. */
export function isAbortedWait(err: unknown): boolean {
  return typeof err === 'object' && err !== null && ABORTED in err;
}

/**
 * Waits until the container is what the condition asks: started (running, or already done),
 * healthy (its own or its image's health check), or exited with code 0. A container that exits
 * non-zero, turns unhealthy, or has no health check to wait for fails at once, with its output.
 */
export async function waitFor(
  container: Docker.Container,
  service: string,
  condition: DependsCondition,
  opts: WaitOptions = {},
): Promise<void> {
  let deadline = 0;
  for (;;) {
    if (opts.aborted?.())
      throw Object.assign(new PulseError('unhealthy', `stopped waiting for ${service}: another service failed`), {
        [ABORTED]: true,
      });
    const info = await container.inspect();
    const st = info.State;
    deadline ||=
      Date.now() +
      (opts.timeoutMs ??
        (condition === 'service_completed_successfully' ? 600_000 : healthDeadlineMs(info.Config.Healthcheck)));
    const exited = st.Status === 'exited' || st.Status === 'dead';
    const failing = exited || (st.Status === 'restarting' && st.ExitCode !== 0);
    if (condition === 'service_completed_successfully') {
      if (exited) {
        if (st.ExitCode === 0) return;
        throw new PulseError(
          'unhealthy',
          `${service} (a one-shot service) exited with code ${st.ExitCode}; last log lines: ${await lastLines(container)}`,
        );
      }
    } else if (condition === 'service_started') {
      if (st.Running || (exited && st.ExitCode === 0)) return;
      if (failing) throw exitedEarly(service, st.ExitCode, 'up', await lastLines(container));
    } else {
      if (failing) throw exitedEarly(service, st.ExitCode, 'healthy', await lastLines(container));
      if (!st.Health)
        throw new PulseError(
          'unhealthy',
          `${service} has no health check, so nothing can wait for it to be healthy: give it a healthcheck: in the compose file, or depend on it with condition: service_started`,
        );
      if (st.Health.Status === 'healthy') return;
      if (st.Health.Status === 'unhealthy') throw notHealthy(service, info);
    }
    if (Date.now() > deadline) {
      throw condition === 'service_healthy'
        ? notHealthy(service, info, true)
        : new PulseError(
            'timeout',
            `${service} did not ${condition === 'service_started' ? 'start' : 'finish'} in time; last log lines: ${await lastLines(container)}`,
          );
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

function exitedEarly(service: string, code: number, what: string, lines: string): PulseError {
  return new PulseError(
    'unhealthy',
    `${service} exited with code ${code} before it was ${what}; last log lines: ${lines}`,
  );
}

function notHealthy(service: string, info: Docker.ContainerInspectInfo, timedOut = false): PulseError {
  const log = info.State.Health?.Log ?? [];
  const last = log[log.length - 1];
  const output = last ? oneLine(last.Output) || '(no output)' : '(the check never ran)';
  const h = info.Config.Healthcheck;
  const test = (h?.Test ?? []).slice(1).join(' ');
  const what = timedOut
    ? 'was not healthy in time'
    : `is unhealthy: its health check failed ${h?.Retries || 3} times in a row`;
  return new PulseError(
    'unhealthy',
    `${service} ${what} (check: ${test}; last exit code ${last?.ExitCode ?? '?'}; last output: ${output}); see its logs with npm run infra -- logs ${service}`,
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
    const buf = await container.logs({ stdout: true, stderr: true, tail: n, follow: false });
    const text = new LogDemuxer()
      .push(Buffer.from(buf))
      .map((f) => f.data.toString('utf8'))
      .join('');
    return oneLine(text) || '(no output)';
  } catch {
    return '(logs unavailable)';
  }
}
