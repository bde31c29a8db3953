import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  formatDateTime,
  formatMoney,
  formatNumber,
  formatTime,
  parseDateTime,
  resolveZone,
  zoneLabel,
} from './format';

describe('format', () => {
  it('money: EGP, thousands separators, two decimals, exact for numeric strings past float precision', () => {
    expect(formatMoney(1234.5)).toBe('EGP\u00a01,234.50');
    expect(formatMoney('98765432109876543.21')).toBe('EGP\u00a098,765,432,109,876,543.21');
    expect(formatMoney('-7')).toBe('-EGP\u00a07.00');
    expect(formatMoney(null)).toBe('–');
    expect(formatMoney(1234.567)).toBe('EGP\u00a01,234.57');
  });

  it('numbers: separators for quantities, two decimals for fractions, numeric strings kept exact', () => {
    expect(formatNumber(136780)).toBe('136,780');
    expect(formatNumber(2.5)).toBe('2.50');
    expect(formatNumber('1234.5678')).toBe('1,234.5678');
    expect(formatNumber(undefined)).toBe('–');
    expect(formatBytes(1536)).toBe('1.5 KB');
  });

  it('times in one zone, ISO order; a PostgreSQL timestamp without zone is UTC', () => {
    const at = Date.UTC(2026, 2, 1, 22, 30, 5);
    expect(formatDateTime(at, 'UTC')).toBe('2026-03-01 22:30:05');
    expect(formatDateTime(at, 'Africa/Cairo')).toBe('2026-03-02 00:30:05');
    expect(formatDateTime('2026-03-01T22:30:05.123456', 'Africa/Cairo')).toBe('2026-03-02 00:30:05');
    expect(formatTime('2026-03-01T22:30:05Z', 'UTC')).toBe('22:30:05');
    // As PostgreSQL prints a timestamptz (the ETL history): with a space and a short offset.
    expect(formatDateTime('2026-11-29 10:54:32.472+00', 'Africa/Cairo')).toBe('2026-11-29 12:54:32');
    expect(formatDateTime('2026-11-29 10:54:32+0530', 'UTC')).toBe('2026-11-29 05:24:32');
    expect(zoneLabel('Africa/Cairo', new Date(at))).toBe('Africa/Cairo (UTC+02:00)');
    expect(zoneLabel('UTC')).toBe('UTC');
    expect(resolveZone('Not/AZone')).toBe(resolveZone('local'));
  });
});

describe('parseDateTime', () => {
  it('reads a wall-clock time in the zone back to the instant formatDateTime shows', () => {
    const at = Date.UTC(2026, 2, 1, 10, 15);
    for (const zone of ['UTC', 'Africa/Cairo', 'America/New_York', 'Asia/Kolkata'])
      expect(parseDateTime(formatDateTime(at, zone).slice(0, 16), zone)).toBe(at);
    expect(parseDateTime('2026-03-01T12:15:30', 'Africa/Cairo')).toBe(Date.UTC(2026, 2, 1, 10, 15, 30));
  });

  it('refuses what is not a date and time', () => {
    for (const bad of [
      '',
      'now',
      '2026-02-30 10:00',
      '2026-03-01 24:00',
      '2026-03-01',
      '10:15',
      '2026-03-01 10:15 UTC',
    ])
      expect(parseDateTime(bad, 'UTC')).toBeNull();
  });
});
