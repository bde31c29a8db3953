import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkRule, DEFAULT_RULES, describeRule } from './alertRules';

type Input = Record<string, unknown>;

test('alert rules: each kind is checked and kept with its own fields; defaults fill what may be left out', () => {
  for (const r of DEFAULT_RULES) assert.deepEqual(checkRule({ ...r }), r);
  const made = checkRule({ kind: 'quarantine_rate', threshold: 0.05, windowMinutes: 5, reason: 'total_mismatch' });
  assert.match(made.id, /^rule-[0-9a-f]{8}$/);
  assert.deepEqual(
    { ...made, id: 'x' },
    {
      id: 'x',
      kind: 'quarantine_rate',
      name: 'Quarantine rate',
      enabled: true,
      threshold: 0.05,
      windowMinutes: 5,
      reason: 'total_mismatch',
      minRecords: 1,
    },
  );
  assert.equal(describeRule(made), 'total_mismatch above 5% over 5 min (from 1 records)');
  assert.equal(
    describeRule(checkRule({ kind: 'service_down', service: 'warehouse', forSeconds: 30, name: '  PG down  ' })),
    'warehouse not answering for 30 s',
  );
  assert.equal(checkRule({ kind: 'service_down', name: '  PG down  ' }).name, 'PG down');
});

test('alert rules: every wrong value is refused with its field and what it may be', () => {
  const bad: [Input, string, RegExp][] = [
    [{ kind: 'disk_full' }, 'kind', /kind must be one of lag, quarantine_rate/],
    [{ kind: 'lag', threshold: 0 }, 'threshold', /lag threshold \(records\) must be a whole number from 1/],
    [{ kind: 'lag', threshold: 10.5 }, 'threshold', /whole number/],
    [{ kind: 'lag', threshold: Number.NaN }, 'threshold', /got null/],
    [{ kind: 'lag', threshold: 10, forSeconds: -1 }, 'forSeconds', /from 0 to 86,400/],
    [
      { kind: 'quarantine_rate', threshold: 5, windowMinutes: 5 },
      'threshold',
      /share above 0 and at most 1 .* got 500%/,
    ],
    [{ kind: 'quarantine_rate', threshold: 0, windowMinutes: 5 }, 'threshold', /got 0%/],
    [{ kind: 'quarantine_rate', threshold: '5%', windowMinutes: 5 }, 'threshold', /got "5%"/],
    [{ kind: 'quarantine_rate', threshold: 0.1, windowMinutes: 0 }, 'windowMinutes', /from 1 to 1,440/],
    [
      { kind: 'quarantine_rate', threshold: 0.1, windowMinutes: 5, reason: 'bad_vibes' },
      'reason',
      /reason must be a reason code/,
    ],
    [{ kind: 'freshness', layer: 'gold', maxAgeMinutes: 5 }, 'layer', /bronze, silver, warehouse/],
    [{ kind: 'freshness', layer: 'silver', maxAgeMinutes: 99999 }, 'maxAgeMinutes', /from 1 to 10,080/],
    [{ kind: 'service_down', service: 'dns' }, 'service', /broker, lake, warehouse, metrics/],
    [{ kind: 'etl_failed', threshold: 3 }, 'threshold', /a rule of kind etl_failed has no field "threshold"/],
    [{ kind: 'etl_failed', id: '../../etc' }, 'id', /lower-case letters/],
    [{ kind: 'etl_failed', name: '' }, 'name', /1 to 80 characters/],
    [{ kind: 'etl_failed', name: 'x'.repeat(81) }, 'name', /1 to 80/],
    [{ kind: 'etl_failed', enabled: 'yes' }, 'enabled', /true or false/],
    [{ kind: 'etl_failed', __proto__: { polluted: true } }, '', /./],
  ];
  for (const [input, field, message] of bad.slice(0, -1))
    assert.throws(
      () => checkRule(input),
      (e: { code?: string; field?: string; message?: string }) =>
        e.code === 'config_invalid' && e.field === field && message.test(e.message ?? ''),
      JSON.stringify(input),
    );
  // A prototype in the request object adds nothing to the rule.
  assert.deepEqual(Object.keys(checkRule(bad.at(-1)![0])).sort(), ['enabled', 'id', 'kind', 'name']);
});
