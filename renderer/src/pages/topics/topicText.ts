import type { CatalogView } from '../../../../engine/contract';
import { formatDateTime } from '../../format';

/** A message's value indented when it is JSON; as it is otherwise (said so). */
export function prettyValue(value: string): { text: string; json: boolean } {
  try {
    return { text: JSON.stringify(JSON.parse(value), null, 2), json: true };
  } catch {
    return { text: value, json: false };
  }
}

/** One line of a value for a table cell: whitespace folded, cut at `max` characters. */
export function valuePreview(value: string, max = 160): string {
  const line = value.replace(/\s+/g, ' ');
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

const WALL = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/;

/** The wall-clock reading of an instant in a zone, as if it were UTC (for comparing with a typed time). */
function wallOf(ms: number, zone: string): number {
  const m = WALL.exec(formatDateTime(ms, zone))!;
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] ?? 0)) + (((ms % 1000) + 1000) % 1000);
}

/** A time typed as a wall clock of `zone` ('2026-11-29T09:15', seconds optional) as epoch ms; null when it is not one. */
export function wallTimeToEpoch(text: string, zone: string): number | null {
  const m = WALL.exec(text.trim());
  if (!m) return null;
  const [y, mo, d, h, mi, s] = [+m[1], +m[2], +m[3], +m[4], +m[5], +(m[6] ?? 0)];
  const wall = Date.UTC(y, mo - 1, d, h, mi, s, +(m[7] ?? '0').padEnd(3, '0'));
  const check = new Date(wall);
  if (check.getUTCDate() !== d || check.getUTCMonth() !== mo - 1 || h > 23 || mi > 59 || s > 59) return null;
  let guess = wall;
  // The zone's offset at the instant, found by comparing wall clocks (twice covers a DST change).
  for (let i = 0; i < 3; i++) {
    const diff = wallOf(guess, zone) - wall;
    if (diff === 0) break;
    guess -= diff;
  }
  return guess;
}

/** An instant as a datetime-local value in `zone`, to the second. */
export function epochToWallTime(ms: number, zone: string): string {
  return formatDateTime(ms, zone).replace(' ', 'T');
}

/** A sale of the catalog in force, valid as written (a new id, now): a starting point to break one rule. */
export function sampleSale(catalog: CatalogView | null, now = Date.now(), id: string = crypto.randomUUID()): string {
  const store = catalog?.storeRows[0]?.store_id ?? 1;
  const product = catalog?.productRows[0];
  const price = product?.price ?? 42.5;
  return JSON.stringify(
    {
      transaction_id: id,
      timestamp_utc: new Date(now).toISOString(),
      store_id: store,
      customer_id: 'CUST-00042',
      products: [{ product_id: product?.product_id ?? 101, quantity: 2, unit_price: price }],
      total_amount: Math.round(price * 200) / 100,
    },
    null,
    2,
  );
}
