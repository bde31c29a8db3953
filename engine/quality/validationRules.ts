import type { ValidationRule } from '../contract';
import { MAX_AGE_MS, MAX_FUTURE_MS, REJECT_REASONS, type RejectReason } from '../model/validate';

const minutes = (ms: number): number => ms / 60_000;
const days = (ms: number): number => ms / 86_400_000;

/**
 * What each validation rule of the stream checks, by the reason code a record it refuses gets
 * (engine/model/validate.ts, checked in this order: the first rule a record breaks names it).
 */
const RULES: Record<RejectReason, Omit<ValidationRule, 'code'>> = {
  malformed_json: {
    group: 'parse',
    title: 'Malformed JSON',
    description: 'The value is not JSON at all: cut short, garbage bytes, a trailing comma.',
  },
  not_an_object: {
    group: 'parse',
    title: 'Not an object',
    description: 'Valid JSON, but not an object: an array, a string, a number or null.',
  },
  missing_field: {
    group: 'schema',
    title: 'Required field missing',
    description: 'transaction_id, timestamp_utc, store_id, customer_id, products or total_amount is absent or null.',
  },
  wrong_type: {
    group: 'schema',
    title: 'Wrong type',
    description:
      'A field has the wrong type: an empty transaction_id or customer_id, a store_id or product_id that is not a whole number, products that is not a list, a total that is not a number.',
  },
  bad_timestamp: {
    group: 'time',
    title: 'Unreadable timestamp',
    description:
      'timestamp_utc is not RFC 3339 / ISO-8601 with seconds (e.g. 2026-11-29T07:36:05Z, an offset or no zone), or names a date that does not exist.',
  },
  future_timestamp: {
    group: 'time',
    title: 'Timestamp in the future',
    description: `The event time is more than ${minutes(MAX_FUTURE_MS)} minutes ahead of the broker's clock when the record arrived.`,
  },
  stale_timestamp: {
    group: 'time',
    title: 'Stale timestamp',
    description: `The event time is more than ${days(MAX_AGE_MS)} days before the record arrived (imported sales files may be older).`,
  },
  unknown_store: {
    group: 'catalog',
    title: 'Unknown store',
    description: 'store_id is not in the catalog the record was judged with.',
  },
  empty_basket: { group: 'business', title: 'Empty basket', description: 'products is an empty list.' },
  unknown_product: {
    group: 'catalog',
    title: 'Unknown product',
    description: "A line's product_id is not in the catalog the record was judged with.",
  },
  bad_quantity: {
    group: 'business',
    title: 'Bad quantity',
    description: "A line's quantity is not a whole number above 0.",
  },
  bad_price: { group: 'business', title: 'Bad price', description: "A line's unit_price is not a number above 0." },
  total_mismatch: {
    group: 'business',
    title: 'Total does not match the lines',
    description: 'total_amount differs from the sum of quantity × unit_price over the lines by more than 0.01.',
  },
  duplicate_transaction: {
    group: 'history',
    title: 'Duplicate transaction',
    description:
      "The transaction id was accepted before, on any partition at any time (a till's retry, a file imported twice, a replayed copy).",
  },
};

/** Every rule, in the order the validator applies them. */
export const VALIDATION_RULES: readonly ValidationRule[] = (Object.keys(RULES) as RejectReason[]).map((code) => ({
  code,
  ...RULES[code],
}));

export function isReason(code: string): code is RejectReason {
  return (REJECT_REASONS as readonly string[]).includes(code);
}
