import { act } from 'react';
import { describe, expect, it } from 'vitest';
import type { AlertList, AlertRule, AlertRulesView } from '../../../engine/contract';
import { HostCallError } from '../api/hostError';
import { fakeHost, render, settle } from '../testing/harness';
import { Alerts } from './Alerts';

const list: AlertList = {
  alerts: [
    {
      id: 'a1',
      ruleId: 'quarantine-rate',
      kind: 'quarantine_rate',
      name: 'Quarantine rate',
      subject: null,
      message: 'quarantined 18.43% of 3,000 records in the last 5 min (threshold 5%)',
      value: 0.1843,
      firedAt: Date.UTC(2026, 10, 29, 13, 14, 47),
      resolvedAt: null,
      acknowledgedAt: null,
    },
  ],
  unacknowledged: 1,
  problem: null,
};
const rules: AlertRulesView = {
  rules: [{ id: 'etl-failed', kind: 'etl_failed', name: 'ETL run failed', enabled: true }],
  states: [{ ruleId: 'etl-failed', state: 'ok', value: null, summary: 'no run failed', since: 0, checkedAt: 1 }],
  problem: null,
};

function type(input: HTMLInputElement | HTMLSelectElement, value: string) {
  const proto = input instanceof HTMLSelectElement ? HTMLSelectElement.prototype : HTMLInputElement.prototype;
  act(() => {
    Object.getOwnPropertyDescriptor(proto, 'value')!.set!.call(input, value);
    input.dispatchEvent(new Event(input instanceof HTMLSelectElement ? 'change' : 'input', { bubbles: true }));
  });
}
const button = (el: ParentNode, text: string) =>
  [...el.querySelectorAll('button')].find((b) => b.textContent === text || b.getAttribute('aria-label') === text)!;

describe('Alerts page', () => {
  it('acknowledges the alert the user clicks, and only then', async () => {
    const { api, calls } = fakeHost({
      'alerts.list': () => list,
      'alerts.rules': () => rules,
      'quality.rules': () => [],
      'alerts.acknowledge': (q) => ({
        ...list,
        alerts: list.alerts.map((a) => (a.id === q.id ? { ...a, acknowledgedAt: Date.now() } : a)),
        unacknowledged: 0,
      }),
    });
    const { el, unmount } = await render(<Alerts />, api, 'alerts');
    await settle();
    expect(calls.map(([name]) => name).filter((n) => !n.endsWith('.list') && !n.endsWith('rules'))).toEqual([]);
    expect(el.querySelector('[aria-label="Alert count"]')!.textContent).toContain('1 not acknowledged of 1');
    await act(async () => button(el, 'Acknowledge Quarantine rate fired 2026-11-29 13:14:47').click());
    await settle();
    expect(calls.filter(([name]) => name === 'alerts.acknowledge')).toEqual([['alerts.acknowledge', { id: 'a1' }]]);
    expect(el.querySelector('[aria-label="Alert count"]')!.textContent).toContain('0 not acknowledged of 1');
    unmount();
  });

  it("names a new rule after the kind chosen, and shows the Host's refusal at its field", async () => {
    const saved: Partial<AlertRule>[] = [];
    const { api } = fakeHost({
      'alerts.list': () => list,
      'alerts.rules': () => rules,
      'quality.rules': () => [],
      'alerts.saveRule': (q) => {
        saved.push(q.rule);
        throw new HostCallError({
          code: 'config_invalid',
          message: 'maxAgeMinutes must be a whole number from 1 to 10,080, got 99999',
          retriable: false,
          field: 'maxAgeMinutes',
        });
      },
    });
    const { el, unmount } = await render(<Alerts />, api, 'alerts');
    await settle();
    act(() => button(el, 'Add a rule').click());
    type(el.querySelector<HTMLSelectElement>('select[aria-label="Rule kind"]')!, 'freshness');
    expect(el.querySelector<HTMLInputElement>('input[aria-label="Rule name"]')!.value).toBe('Data freshness');
    const age = el.querySelector<HTMLInputElement>('input[aria-label="Older than (minutes)"]')!;
    type(age, '99999');
    await act(async () => button(el, 'Save rule').click());
    await settle();
    expect(saved).toEqual([
      { kind: 'freshness', name: 'Data freshness', enabled: true, maxAgeMinutes: 99999, layer: 'silver' },
    ]);
    expect(age.getAttribute('aria-invalid')).toBe('true');
    const form = el.querySelector('form[aria-label="New alert rule"]')!;
    expect(form.querySelector('[role="alert"]')!.textContent).toContain('maxAgeMinutes must be a whole number');
    unmount();
  });
});
