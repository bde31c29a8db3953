import { describe, expect, it } from 'vitest';
import { epochToWallTime, prettyValue, sampleSale, valuePreview, wallTimeToEpoch } from './topicText';

describe('topic text', () => {
  it('indents JSON values and keeps others as they are', () => {
    expect(prettyValue('{"a":1,"b":[2]}')).toEqual({ text: '{\n  "a": 1,\n  "b": [\n    2\n  ]\n}', json: true });
    expect(prettyValue('{"a":')).toEqual({ text: '{"a":', json: false });
  });

  it('folds a value to one cut line', () => {
    expect(valuePreview('{\n  "a": 1\n}')).toBe('{ "a": 1 }');
    expect(valuePreview('x'.repeat(200), 10)).toBe('xxxxxxxxx…');
  });

  it('reads a typed time in the zone the app shows, and writes it back', () => {
    expect(wallTimeToEpoch('2026-11-29T09:15', 'UTC')).toBe(Date.UTC(2026, 10, 29, 9, 15));
    expect(wallTimeToEpoch('2026-11-29T09:15:30', 'Africa/Cairo')).toBe(Date.UTC(2026, 10, 29, 7, 15, 30));
    expect(wallTimeToEpoch('2026-07-01T12:00', 'America/New_York')).toBe(Date.UTC(2026, 6, 1, 16, 0));
    expect(epochToWallTime(Date.UTC(2026, 10, 29, 7, 15, 30), 'Africa/Cairo')).toBe('2026-11-29T09:15:30');
    for (const bad of ['', 'yesterday', '2026-02-30T10:00', '2026-11-29T24:00', '2026-11-29'])
      expect(wallTimeToEpoch(bad, 'UTC')).toBeNull();
  });

  it('offers a sale of the catalog in force that adds up', () => {
    const sale = JSON.parse(sampleSale(null, Date.UTC(2026, 0, 1), 'id-1')) as {
      transaction_id: string;
      products: { quantity: number; unit_price: number }[];
      total_amount: number;
    };
    expect(sale.transaction_id).toBe('id-1');
    expect(sale.total_amount).toBe(sale.products[0].quantity * sale.products[0].unit_price);
  });
});
