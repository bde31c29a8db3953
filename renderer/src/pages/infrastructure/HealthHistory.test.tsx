import { act } from 'react';
import { createRoot } from 'react-dom/client';
import { describe, expect, it } from 'vitest';
import type { InfraServiceStatus } from '../../../../engine/contract';
import { HealthHistory } from './HealthHistory';
import { ResourceUse } from './ResourceUse';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

function render(node: React.ReactNode): { el: HTMLElement; done: () => void } {
  const el = document.createElement('div');
  document.body.append(el);
  const root = createRoot(el);
  act(() => root.render(node));
  return { el, done: () => act(() => root.unmount()) };
}

const t0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const db: InfraServiceStatus = {
  service: 'db',
  container: 'p-db-1',
  image: 'x:1',
  state: 'running',
  health: 'healthy',
  exitCode: null,
  oneShot: false,
  ports: [],
  startedAt: t0,
  uptimeMs: 1000,
  lastLines: [],
  healthChecks: [
    { at: t0 + 1000, exitCode: 1, output: 'starting\nnot ready yet' },
    { at: t0 + 2000, exitCode: 0, output: '' },
  ],
  history: [
    { at: t0, state: 'running', health: 'starting' },
    { at: t0 + 2000, state: 'running', health: 'healthy' },
    { at: t0 + 6000, state: 'exited', health: 'none' },
  ],
};

describe('Infrastructure page parts', () => {
  it('draws a service’s health over time in proportion, and its last checks with their last output line', () => {
    const { el, done } = render(<HealthHistory service={db} now={t0 + 10_000} />);
    const strip = el.querySelector('[role="img"]')!;
    expect(strip.getAttribute('aria-label')).toMatch(
      /^Health history of db: starting at .*, healthy at .*, exited at /,
    );
    const segs = [...strip.querySelectorAll<HTMLElement>('.seg')];
    expect(segs.map((s) => s.className)).toEqual(['seg cond-starting', 'seg cond-healthy', 'seg cond-exited']);
    expect(segs.map((s) => Number(s.style.flexGrow))).toEqual([2000, 4000, 4000]);
    expect([...el.querySelectorAll('.health-checks li')].map((li) => li.textContent)).toEqual([
      expect.stringMatching(/exit 1: not ready yet$/),
      expect.stringMatching(/exit 0$/),
    ]);
    done();
  });

  it('formats CPU and memory, and shows a dash for a container not running', () => {
    const stats = {
      service: 'db',
      cpuPercent: 12.345,
      memoryBytes: 300 * 1024 * 1024,
      memoryLimitBytes: 2 * 1024 ** 3,
    };
    const cpu = render(<ResourceUse stats={stats} what="cpu" />);
    expect(cpu.el.textContent).toBe('12.3 %');
    cpu.done();
    const mem = render(<ResourceUse stats={stats} what="memory" />);
    expect(mem.el.textContent).toBe('300.0 MiB / 2.00 GiB');
    expect(mem.el.querySelector<HTMLElement>('.meter span')!.style.width).toBe('15%');
    mem.done();
    const none = render(<ResourceUse stats={undefined} what="memory" />);
    expect(none.el.textContent).toBe('–');
    none.done();
  });
});
