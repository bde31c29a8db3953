import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Random } from './random';
import { parseTimestampUs } from './timestamp';

/** The UTC instant these all name: 2026-11-29 07:36:05.140864 UTC, in microseconds. */
const US = Date.parse('2026-11-29T07:36:05.140Z') * 1000 + 864;

describe('parseTimestampUs', () => {
  it('accepts what producers write and keeps the microseconds', () => {
    const same: [string, string][] = [
      ['Python utcnow().isoformat()', '2026-11-29T07:36:05.140864'],
      ['str(datetime) (space)', '2026-11-29 07:36:05.140864'],
      ['RFC 3339 with Z', '2026-11-29T07:36:05.140864Z'],
      ['lower-case t and z', '2026-11-29t07:36:05.140864z'],
      ['+00:00 (Python aware isoformat)', '2026-11-29T07:36:05.140864+00:00'],
      ['offset +02:00 (Cairo)', '2026-11-29T09:36:05.140864+02:00'],
      ['offset -0530 without colon', '2026-11-29T02:06:05.140864-0530'],
      ['nanoseconds (cut to µs)', '2026-11-29T07:36:05.140864999Z'],
      ['7 digits (.NET)', '2026-11-29T07:36:05.1408649'],
    ];
    for (const [what, s] of same) assert.equal(parseTimestampUs(s), US, what);
    const whole = Date.parse('2026-11-29T07:36:05Z') * 1000;
    assert.equal(parseTimestampUs('2026-11-29T07:36:05'), whole, 'isoformat() when microsecond is 0: no fraction');
    assert.equal(parseTimestampUs('2026-11-29T07:36:05.1Z'), whole + 100_000, 'one digit is tenths');
    assert.equal(parseTimestampUs('2026-11-29T07:36:05.250Z'), whole + 250_000, 'JavaScript toISOString()');
    assert.equal(parseTimestampUs('2026-11-30T00:36:05+17:00'), whole, 'an offset that crosses midnight');
  });

  it('agrees with Date.parse to the millisecond on random instants over four centuries', () => {
    const r = new Random(9);
    for (let i = 0; i < 20_000; i++) {
      const ms = Math.floor((r.next() * 400 - 200) * 365.25 * 86_400_000) + Date.UTC(2000, 0, 1);
      const iso = new Date(ms).toISOString();
      if (!/^\d{4}-/.test(iso)) continue; // outside 0000-9999
      assert.equal(parseTimestampUs(iso), ms * 1000, iso);
      assert.equal(parseTimestampUs(iso.slice(0, -1)), ms * 1000, `${iso} without Z`);
    }
  });

  it('refuses what is not a real timestamp', () => {
    for (const s of [
      'yesterday',
      '',
      '1764401765',
      '29/11/2026 07:36:05',
      '2026-11-29',
      '2026-11-29T07:36',
      '2026-11-29T07:36:05.',
      '2026-11-29T07:36:05.1234567890',
      '2026-11-29T07:36:05,140',
      '2026-11-29T07:36:05 Z',
      '2026-11-29T07:36:05+2:00',
      '2026-11-29T07:36:05+02',
      '2026-11-29T07:36:05+24:00',
      '2026-11-29T07:36:05Z garbage',
      '2026-13-01T00:00:00Z',
      '2026-02-29T00:00:00Z',
      '2026-04-31T00:00:00Z',
      '2026-11-29T24:00:00Z',
      '2026-11-29T07:60:00Z',
      '2026-11-29T07:36:60Z',
      '２０２６-11-29T07:36:05Z',
      '2026-11-29_07:36:05Z',
    ])
      assert.ok(Number.isNaN(parseTimestampUs(s)), JSON.stringify(s));
    assert.ok(!Number.isNaN(parseTimestampUs('2024-02-29T00:00:00Z')), 'a leap day is real');
  });
});
