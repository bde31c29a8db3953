import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateSale } from './validate';

const NOW = Date.parse('2026-11-25T12:00:00Z');
const good = {
  transaction_id: 'a1b2c3d4-0000-4000-8000-000000000001',
  timestamp_utc: '2026-11-25T11:59:58.250Z',
  store_id: 3,
  customer_id: 'cust_550',
  products: [
    { product_id: 112, quantity: 1, unit_price: 75.5 },
    { product_id: 102, quantity: 2, unit_price: 45.0 },
  ],
  total_amount: 165.5,
};
const verdict = (patch: (t: Record<string, unknown>) => void, brokerMs = NOW) => {
  const t: Record<string, unknown> = { ...structuredClone(good) };
  patch(t);
  return validateSale(JSON.stringify(t), brokerMs);
};

describe('validateSale', () => {
  it('accepts the seed message and numbers its lines', () => {
    const v = validateSale(JSON.stringify(good), NOW);
    assert.ok(v.ok);
    assert.equal(v.totalCents, 16550);
    assert.deepEqual(
      v.lines.map((l) => [l.line_no, l.amountCents]),
      [
        [1, 7550],
        [2, 9000],
      ],
    );
    assert.equal(v.eventMs, Date.parse(good.timestamp_utc));
  });

  it('names the reason for each kind of bad record', () => {
    const cases: [string, RegExp | string, (t: Record<string, unknown>) => void][] = [
      ['missing_field', 'customer_id', (t) => delete t.customer_id],
      ['wrong_type', /store_id/, (t) => (t.store_id = '3')],
      ['unknown_store', /999/, (t) => (t.store_id = 999)],
      ['unknown_product', /9999/, (t) => ((t.products as { product_id: number }[])[0].product_id = 9999)],
      ['bad_quantity', /quantity/, (t) => ((t.products as { quantity: number }[])[1].quantity = 0)],
      ['bad_price', /unit_price/, (t) => ((t.products as { unit_price: number }[])[0].unit_price = -3)],
      ['total_mismatch', /165\.52/, (t) => (t.total_amount = 165.52)],
      ['empty_basket', /empty/, (t) => (t.products = [])],
      ['bad_timestamp', /yesterday/, (t) => (t.timestamp_utc = 'yesterday')],
      ['future_timestamp', /ahead/, (t) => (t.timestamp_utc = '2026-11-25T12:10:00Z')],
      ['stale_timestamp', /7 days/, (t) => (t.timestamp_utc = '2026-11-01T12:00:00Z')],
    ];
    for (const [reason, detail, patch] of cases) {
      const v = verdict(patch);
      assert.equal(v.ok, false, reason);
      if (v.ok) continue;
      assert.equal(v.reason, reason);
      assert.match(v.detail, detail instanceof RegExp ? detail : new RegExp(detail));
      assert.equal(v.transactionId, good.transaction_id);
    }
  });

  it('takes timestamps as producers write them: no zone is UTC, an offset is converted, microseconds kept', () => {
    const at = (ts: string) => verdict((t) => (t.timestamp_utc = ts));
    const python = at('2026-11-25T11:59:58.140864');
    assert.ok(python.ok);
    assert.equal(python.eventUs, Date.parse('2026-11-25T11:59:58.140Z') * 1000 + 864);
    assert.equal(python.eventMs, Date.parse('2026-11-25T11:59:58.140Z'));
    const cairo = at('2026-11-25 13:59:58.140864+02:00');
    assert.ok(cairo.ok);
    assert.equal(cairo.eventUs, python.eventUs);
    const noFraction = at('2026-11-25T11:59:58');
    assert.ok(noFraction.ok && noFraction.eventUs === Date.parse('2026-11-25T11:59:58Z') * 1000);
    // A naive time is UTC, not the broker's local time: ten minutes ahead of the broker is still the future.
    const ahead = at('2026-11-25T12:10:00.000001');
    assert.equal(!ahead.ok && ahead.reason, 'future_timestamp');
    const bad = at('25/11/2026 11:59:58');
    assert.equal(!bad.ok && bad.reason, 'bad_timestamp');
    assert.match(!bad.ok ? bad.detail : '', /not an ISO-8601 timestamp.*25\/11\/2026/);
    const unreal = at('2026-02-30T10:00:00');
    assert.equal(!unreal.ok && unreal.reason, 'bad_timestamp');
    assert.match(!unreal.ok ? unreal.detail : '', /not a real date/);
  });

  it('tolerates a cent of rounding in total_amount', () => {
    assert.ok(verdict((t) => (t.total_amount = 165.51)).ok);
  });

  it('quarantines broken JSON and non-objects', () => {
    const broken = validateSale('{"transaction_id": "x", "total', NOW);
    assert.equal(broken.ok, false);
    assert.equal(!broken.ok && broken.reason, 'malformed_json');
    const arr = validateSale('[1,2]', NOW);
    assert.equal(!arr.ok && arr.reason, 'not_an_object');
  });

  it('judges timestamps against the broker clock, so a replay years later agrees', () => {
    const later = NOW + 3 * 365 * 24 * 3_600_000;
    assert.ok(validateSale(JSON.stringify(good), NOW).ok);
    assert.equal(validateSale(JSON.stringify(good), NOW).ok, verdict(() => {}, NOW).ok);
    assert.equal(verdict(() => {}, later).ok, false);
  });
});
