import { act } from 'react';
import { describe, expect, it } from 'vitest';
import type { ServiceHealth, SettingsView } from '../../../engine/contract';
import { HostCallError } from '../api/hostError';
import { PageErrors } from '../components/ErrorNote';
import { reportError } from '../store/uiStore';
import { fakeHost, render, settle } from '../testing/harness';
import { Settings } from './Settings';

const view: SettingsView = {
  values: { redis: 'redis://127.0.0.1:1' },
  modes: { broker: 'embedded', lake: 'embedded', warehouse: 'embedded', metrics: 'external' },
  inForce: { metrics: 'redis redis://127.0.0.1:1' },
  restartRequired: false,
  file: '/data/settings.json',
};
const failedRedis: ServiceHealth = {
  service: 'metrics',
  mode: 'external',
  target: 'redis redis://127.0.0.1:1',
  state: 'failed',
  error: {
    code: 'metrics_failed',
    message: 'cannot connect to Redis at redis://127.0.0.1:1: connection refused',
    retriable: true,
  },
  settings: ['redis', 'redisPrefix'],
  checkedAt: 0,
};

function setField(el: HTMLElement, label: string, value: string) {
  const forId = [...el.querySelectorAll('label')].find((l) => l.textContent === label)!.getAttribute('for');
  const input = el.querySelector<HTMLInputElement>(`#${forId}`)!;
  const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
  act(() => {
    setter.call(input, value);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
  return input;
}
const click = (el: HTMLElement, name: string, within: ParentNode = el) =>
  act(() => [...within.querySelectorAll('button')].find((b) => b.textContent === name)!.click());

describe('Settings page', () => {
  it('refuses "four" partitions beside the field, never "Saved."', async () => {
    const sent: unknown[] = [];
    const { api } = fakeHost({
      'settings.get': () => view,
      'services.status': () => [],
      'producer.settings': () => ({ rate: 500, seed: 42, faults: { malformed: 0, invalid: 0, late: 0, duplicate: 0 } }),
      'settings.set': (q) => {
        sent.push(q.values.partitions);
        throw new HostCallError({
          code: 'config_invalid',
          message: 'partitions must be a whole number from 1 to 256, got "four"',
          retriable: false,
          field: 'partitions',
        });
      },
    });
    const page = await render(<Settings />, api, 'settings', { bind: true });
    await settle();
    const input = setField(page.el, 'Partitions (new topic)', 'four');
    click(page.el, 'Save settings');
    await settle();
    expect(sent).toEqual(['four']);
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(page.el.querySelector('#partitions-error')!.textContent).toContain('got "four"');
    const statuses = [...page.el.querySelectorAll('[role="status"]')].map((s) => s.textContent);
    expect(statuses.some((t) => t?.startsWith('Saved'))).toBe(false);
    expect(statuses).toContain('Not saved: fix the field marked above.');
    page.unmount();
  });

  it('shows a service that does not answer with its error, and tests a new setting without saving it', async () => {
    const { api, calls } = fakeHost({
      'settings.get': () => view,
      'services.status': () => [failedRedis],
      'producer.settings': () => ({ rate: 500, seed: 42, faults: { malformed: 0, invalid: 0, late: 0, duplicate: 0 } }),
      'settings.test': (q) => ({
        service: q.service,
        ok: q.values?.redis === 'redis://127.0.0.1:6379',
        target: `redis ${String(q.values?.redis)}`,
        ms: 12,
        error: null,
      }),
    });
    const page = await render(<Settings />, api, 'settings', { bind: true });
    await settle();
    const redis = page.el.querySelector('fieldset[aria-label="Metrics store (Redis)"]')!;
    expect(redis.textContent).toContain('not reachable');
    expect(redis.textContent).toContain('connection refused');
    setField(page.el, 'Redis URL', 'redis://127.0.0.1:6379');
    click(page.el, 'Test connection', redis);
    await settle();
    expect(redis.textContent).toContain('redis redis://127.0.0.1:6379 answered in 12 ms');
    expect(calls.some(([n]) => n === 'settings.set')).toBe(false);
    page.unmount();
  });
});

describe('page errors', () => {
  it('belong to the page they happened on and do not follow the user', async () => {
    const { api } = fakeHost({});
    const warehouse = await render(<PageErrors page="warehouse" />, api, 'warehouse');
    act(() => reportError(warehouse.ui, 'page:warehouse:warehouse', 'warehouse', new Error('query failed')));
    expect(warehouse.el.textContent).toContain('query failed');
    const pipeline = await render(<PageErrors page="pipeline" />, api, 'pipeline', { stores: warehouse });
    expect(pipeline.el.textContent).toBe('');
    warehouse.unmount();
    pipeline.unmount();
  });
});
