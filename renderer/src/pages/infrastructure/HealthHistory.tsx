import type { InfraHealthSample, InfraServiceStatus } from '../../../../engine/contract';
import { clock, since } from './format';

/** What a sample means to a user: healthy, starting, unhealthy, running (no check), stopped, missing. */
export function condition(s: Pick<InfraHealthSample, 'state' | 'health'>): string {
  if (s.state === 'running') return s.health === 'none' ? 'running' : s.health;
  return s.state;
}

/**
 * A service's state and health over time as a strip (each change starts a segment, the last one
 * runs to now) and Docker's last health-check results.
 */
export function HealthHistory({ service, now }: { service: InfraServiceStatus; now: number }) {
  const samples = service.history;
  const first = samples[0]?.at ?? now;
  const span = Math.max(1, now - first);
  return (
    <div className="health-history">
      <div
        className="health-strip"
        role="img"
        aria-label={`Health history of ${service.service}: ${samples.map((s) => `${condition(s)} at ${clock(s.at)}`).join(', ') || 'no samples yet'}`}
      >
        {samples.map((s, i) => {
          const end = samples[i + 1]?.at ?? now;
          return (
            <span
              key={s.at}
              className={`seg cond-${condition(s)}`}
              style={{ flexGrow: Math.max(end - s.at, span / 200) }}
              title={`${condition(s)} from ${clock(s.at)} for ${since(end - s.at)}`}
            />
          );
        })}
      </div>
      {service.healthChecks.length > 0 && (
        <ol className="health-checks" aria-label={`Last health checks of ${service.service}`}>
          {service.healthChecks.map((c) => (
            <li key={c.at} className={c.exitCode === 0 ? 'ok' : 'bad'}>
              {clock(c.at)} exit {c.exitCode}
              {c.output ? `: ${c.output.split('\n').at(-1)}` : ''}
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
