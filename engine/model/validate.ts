import { BUILTIN_INDEX, type CatalogIndex } from './catalog';
import { toCents, type SaleTransaction } from './sale';
import { describeBadTimestamp, parseTimestampUs } from './timestamp';

/** Why a record went to quarantine. Codes are stable: the UI and queries group by them. */
export const REJECT_REASONS = [
  'malformed_json',
  'not_an_object',
  'missing_field',
  'wrong_type',
  'unknown_store',
  'unknown_product',
  'empty_basket',
  'bad_quantity',
  'bad_price',
  'total_mismatch',
  'bad_timestamp',
  'future_timestamp',
  'stale_timestamp',
  'duplicate_transaction',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export interface ValidLine {
  line_no: number;
  product_id: number;
  quantity: number;
  priceCents: number;
  amountCents: number;
}

export interface ValidSale {
  ok: true;
  transactionId: string;
  /** Event time in microseconds since the epoch, UTC: what silver and the warehouse keep. */
  eventUs: number;
  /** The same in whole milliseconds, for windows and hour partitions. */
  eventMs: number;
  storeId: number;
  customerId: string;
  lines: ValidLine[];
  totalCents: number;
  /** The catalog version it was validated against, and is enriched with. */
  catalog: CatalogIndex;
}

export interface RejectedSale {
  ok: false;
  reason: RejectReason;
  detail: string;
  transactionId: string | null;
}

export type Verdict = ValidSale | RejectedSale;

/** Event time may lead the broker's clock by this much (clock skew at the till) ... */
export const MAX_FUTURE_MS = 5 * 60_000;
/** ... and trail it by this much before it is no longer a plausible point-of-sale event. */
export const MAX_AGE_MS = 7 * 24 * 3_600_000;
const TOTAL_TOLERANCE_CENTS = 1;

function reject(reason: RejectReason, detail: string, transactionId: string | null = null): RejectedSale {
  return { ok: false, reason, detail, transactionId };
}

/**
 * Validates one raw record against `catalog` (stores and products; prices are the sale's own and
 * are never checked against the catalog's). `brokerMs` is the broker's append time of the record:
 * timestamps are judged against it, not against the wall clock, so replaying an old log gives the
 * same verdicts. A `backfill` (an imported sales file) may be older than MAX_AGE_MS.
 */
export function validateSale(
  raw: string,
  brokerMs: number,
  catalog: CatalogIndex = BUILTIN_INDEX,
  backfill = false,
): Verdict {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    return reject('malformed_json', (err as Error).message.slice(0, 200));
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return reject('not_an_object', `expected a JSON object, got ${Array.isArray(parsed) ? 'array' : typeof parsed}`);
  }
  const o = parsed as Partial<Record<keyof SaleTransaction, unknown>>;
  const txId = typeof o.transaction_id === 'string' ? o.transaction_id : null;

  for (const field of [
    'transaction_id',
    'timestamp_utc',
    'store_id',
    'customer_id',
    'products',
    'total_amount',
  ] as const) {
    if (o[field] === undefined || o[field] === null) return reject('missing_field', field, txId);
  }
  if (typeof o.transaction_id !== 'string' || o.transaction_id.length === 0)
    return reject('wrong_type', 'transaction_id must be a non-empty string', txId);
  if (typeof o.timestamp_utc !== 'string')
    return reject('wrong_type', 'timestamp_utc must be an ISO-8601 string', txId);
  if (typeof o.store_id !== 'number' || !Number.isInteger(o.store_id))
    return reject('wrong_type', 'store_id must be an integer', txId);
  if (typeof o.customer_id !== 'string' || o.customer_id.length === 0)
    return reject('wrong_type', 'customer_id must be a non-empty string', txId);
  if (!Array.isArray(o.products)) return reject('wrong_type', 'products must be an array', txId);
  if (typeof o.total_amount !== 'number' || !Number.isFinite(o.total_amount))
    return reject('wrong_type', 'total_amount must be a number', txId);

  const eventUs = parseTimestampUs(o.timestamp_utc);
  if (Number.isNaN(eventUs)) return reject('bad_timestamp', describeBadTimestamp(o.timestamp_utc), txId);
  const eventMs = Math.floor(eventUs / 1000);
  if (eventMs > brokerMs + MAX_FUTURE_MS)
    return reject('future_timestamp', `${o.timestamp_utc} is ahead of the broker clock by more than 5 minutes`, txId);
  if (!backfill && eventMs < brokerMs - MAX_AGE_MS)
    return reject('stale_timestamp', `${o.timestamp_utc} is more than 7 days older than its arrival`, txId);

  if (!catalog.stores.has(o.store_id)) return reject('unknown_store', `store_id ${o.store_id}`, txId);
  if (o.products.length === 0) return reject('empty_basket', 'products is empty', txId);

  const lines: ValidLine[] = [];
  let sumCents = 0;
  for (let i = 0; i < o.products.length; i++) {
    const p = o.products[i] as Partial<Record<string, unknown>> | null;
    if (typeof p !== 'object' || p === null) return reject('wrong_type', `products[${i}] must be an object`, txId);
    const { product_id, quantity, unit_price } = p;
    if (typeof product_id !== 'number' || !Number.isInteger(product_id))
      return reject('wrong_type', `products[${i}].product_id must be an integer`, txId);
    if (!catalog.products.has(product_id))
      return reject('unknown_product', `products[${i}].product_id ${product_id}`, txId);
    if (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity <= 0)
      return reject('bad_quantity', `products[${i}].quantity ${String(quantity)} must be a positive integer`, txId);
    if (typeof unit_price !== 'number' || !Number.isFinite(unit_price) || unit_price <= 0)
      return reject('bad_price', `products[${i}].unit_price ${String(unit_price)} must be a positive number`, txId);
    const priceCents = toCents(unit_price);
    const amountCents = priceCents * quantity;
    sumCents += amountCents;
    lines.push({ line_no: i + 1, product_id, quantity, priceCents, amountCents });
  }
  const totalCents = toCents(o.total_amount);
  if (Math.abs(totalCents - sumCents) > TOTAL_TOLERANCE_CENTS) {
    return reject(
      'total_mismatch',
      `total_amount ${o.total_amount} but lines sum to ${(sumCents / 100).toFixed(2)}`,
      txId,
    );
  }
  return {
    ok: true,
    transactionId: o.transaction_id,
    eventUs,
    eventMs,
    storeId: o.store_id,
    customerId: o.customer_id,
    lines,
    totalCents: sumCents,
    catalog,
  };
}
