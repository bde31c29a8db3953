import type { Random } from '../../model/random';
import type { SaleTransaction } from '../../model/sale';
import type { ProduceMessage } from '../../services/broker/port';
import type { FaultRates } from '../../contract';

export type { FaultRates };

export const NO_FAULTS: FaultRates = { malformed: 0, invalid: 0, late: 0, duplicate: 0 };

export interface FaultCounts {
  malformed: number;
  invalid: number;
  late: number;
  duplicate: number;
}

const SCHEMA_BREAKS: ReadonlyArray<(t: Record<string, unknown>) => void> = [
  (t) => delete t.customer_id,
  (t) => (t.store_id = String(t.store_id)),
  (t) => (t.store_id = 999),
  (t) => ((t.products as { product_id: number }[])[0].product_id = 9999),
  (t) => ((t.products as { quantity: number }[])[0].quantity = -1),
  (t) => ((t.products as { quantity: number }[])[0].quantity = 0),
  (t) => (t.total_amount = Math.round(((t.total_amount as number) + 10) * 100) / 100),
  (t) => (t.products = []),
  (t) => (t.timestamp_utc = 'yesterday'),
];

/**
 * Turns one generated transaction into the records a faulty feed would send.
 * A recent-history ring supplies the originals that duplicates repeat.
 */
export class FaultInjector {
  private readonly recent: string[] = [];
  private readonly recentKeys: string[] = [];
  readonly counts: FaultCounts = { malformed: 0, invalid: 0, late: 0, duplicate: 0 };

  constructor(
    private readonly random: Random,
    public rates: FaultRates,
  ) {}

  records(tx: SaleTransaction, out: ProduceMessage[]): void {
    const r = this.random;
    const key = String(tx.store_id);
    const rates = this.rates;
    if (r.chance(rates.late)) {
      const lateMs = r.int(2, 30) * 60_000;
      tx.timestamp_utc = new Date(Date.parse(tx.timestamp_utc) - lateMs).toISOString();
      this.counts.late++;
    }
    let value: string;
    if (r.chance(rates.malformed)) {
      const json = JSON.stringify(tx);
      value = r.chance(0.5)
        ? json.slice(0, r.int(1, json.length - 2))
        : `{"transaction_id": ${tx.transaction_id}, total=?}`;
      this.counts.malformed++;
    } else if (r.chance(rates.invalid)) {
      const broken: Record<string, unknown> = { ...structuredClone(tx) };
      SCHEMA_BREAKS[r.int(0, SCHEMA_BREAKS.length - 1)](broken);
      value = JSON.stringify(broken);
      this.counts.invalid++;
    } else {
      value = JSON.stringify(tx);
      this.remember(key, value);
    }
    out.push({ key, value });
    if (this.recent.length && r.chance(rates.duplicate)) {
      const i = r.int(0, this.recent.length - 1);
      out.push({ key: this.recentKeys[i], value: this.recent[i] });
      this.counts.duplicate++;
    }
  }

  private remember(key: string, value: string): void {
    if (this.recent.length >= 256) {
      const i = this.random.int(0, 255);
      this.recent[i] = value;
      this.recentKeys[i] = key;
    } else {
      this.recent.push(value);
      this.recentKeys.push(key);
    }
  }
}
