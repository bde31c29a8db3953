import { PulseError } from '../errors';
import { CsvReader, type CsvRow } from '../util/csv';
import type { ImportIssue, SaleRecord } from './salesReaders';

/**
 * Sales from a CSV of sale lines, as POS systems export them: one row per line item, consecutive rows
 * of one transaction_id forming one sale (see salesReaders.ts for what a reader does).
 */

const CSV_REQUIRED = [
  'transaction_id',
  'timestamp_utc',
  'store_id',
  'customer_id',
  'product_id',
  'quantity',
  'unit_price',
] as const;
const SALE_FIELDS = ['timestamp_utc', 'store_id', 'customer_id', 'total_amount'] as const;
/** How many finished transactions a CSV reader remembers to notice rows of one that are apart. */
const RECENT_GROUPS = 100_000;

/** One row per sale line; consecutive rows of one transaction_id are one sale. */
export class CsvSalesReader {
  readonly issues: ImportIssue[] = [];
  readonly unreadable = 0;
  private readonly csv = new CsvReader();
  private columns: Map<string, number> | null = null;
  /** Column index of each field (-1: absent). */
  private at: Record<(typeof CSV_REQUIRED)[number] | 'total_amount', number> | null = null;
  private group: { id: string; rows: CsvRow[]; bad: boolean } | null = null;
  /** Finished transactions (id → last line), the oldest leaving first through a ring of their ids. */
  private readonly recent = new Map<string, number>();
  private readonly ring: string[] = new Array<string>(RECENT_GROUPS);
  private ringAt = 0;

  constructor(private readonly file: string) {}

  push(text: string): SaleRecord[] {
    return this.rows(this.csv.push(text));
  }

  end(): SaleRecord[] {
    const out = this.rows(this.csv.end());
    if (!this.columns)
      throw new PulseError('config_invalid', `${this.file}: the file is empty (expected a header row)`, {
        field: 'file',
      });
    this.close(out);
    return out;
  }

  private rows(rows: CsvRow[]): SaleRecord[] {
    const out: SaleRecord[] = [];
    for (const row of rows) {
      if (!this.columns) {
        this.header(row);
        continue;
      }
      const id = row.fields[this.at!.transaction_id]?.trim() ?? '';
      if (this.group && this.group.id !== id) this.close(out);
      if (!this.group) {
        const seen = this.recent.get(id);
        if (seen !== undefined)
          this.issue(
            row.line,
            `transaction ${id} continues here, but its rows stopped at line ${seen}: rows of one transaction must be consecutive (sort the file by transaction_id)`,
          );
        this.group = { id, rows: [], bad: seen !== undefined };
      }
      this.group.rows.push(row);
      if (row.error) {
        this.issue(row.line, row.error);
        this.group.bad = true;
      } else if (row.fields.length !== this.columns.size) {
        this.issue(row.line, `${row.fields.length} fields, the header has ${this.columns.size}`);
        this.group.bad = true;
      } else if (!id) {
        this.issue(row.line, 'transaction_id is empty');
        this.group.bad = true;
      }
    }
    return out;
  }

  private header(row: CsvRow): void {
    const names = row.fields.map((f) => f.trim());
    const missing = CSV_REQUIRED.filter((c) => !names.includes(c));
    if (missing.length || row.error)
      throw new PulseError(
        'config_invalid',
        `${this.file} line ${row.line}: ${row.error ?? `missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`} (a CSV of sale lines has the header ${CSV_REQUIRED.join(',')}[,total_amount])`,
        { field: 'file' },
      );
    const twice = names.find((n, i) => names.indexOf(n) !== i);
    if (twice)
      throw new PulseError('config_invalid', `${this.file} line ${row.line}: column ${twice} appears twice`, {
        field: 'file',
      });
    this.columns = new Map(names.map((n, i) => [n, i]));
    const index = (n: string) => this.columns!.get(n) ?? -1;
    this.at = {
      transaction_id: index('transaction_id'),
      timestamp_utc: index('timestamp_utc'),
      store_id: index('store_id'),
      customer_id: index('customer_id'),
      product_id: index('product_id'),
      quantity: index('quantity'),
      unit_price: index('unit_price'),
      total_amount: index('total_amount'),
    };
  }

  /** The finished group becomes one sale, unless a row was bad or the rows disagree about the sale. */
  private close(out: SaleRecord[]): void {
    const g = this.group;
    this.group = null;
    if (!g) return;
    const last = g.rows[g.rows.length - 1].line;
    // Map.keys().next() after many deletes walks the deleted slots: a ring keeps eviction O(1).
    const old = this.ring[this.ringAt];
    if (old !== undefined && this.recent.get(old) !== undefined) this.recent.delete(old);
    this.ring[this.ringAt] = g.id;
    this.ringAt = (this.ringAt + 1) % RECENT_GROUPS;
    this.recent.set(g.id, last);
    if (g.bad) return;
    const at = this.at!;
    const cell = (row: CsvRow, i: number): string | undefined => (i < 0 ? undefined : row.fields[i].trim());
    const first = g.rows[0];
    for (let r = 1; r < g.rows.length; r++)
      for (const f of SALE_FIELDS) {
        const row = g.rows[r];
        if (cell(row, at[f]) !== cell(first, at[f])) {
          this.issue(
            row.line,
            `transaction ${g.id}: ${f} ${JSON.stringify(cell(row, at[f]))} differs from ${JSON.stringify(cell(first, at[f]))} on line ${first.line}`,
          );
          return;
        }
      }
    const products = g.rows.map((row) => ({
      product_id: typed(cell(row, at.product_id)),
      quantity: typed(cell(row, at.quantity)),
      unit_price: typed(cell(row, at.unit_price)),
    }));
    const total = cell(first, at.total_amount);
    const store = cell(first, at.store_id);
    const sale = {
      transaction_id: g.id,
      timestamp_utc: cell(first, at.timestamp_utc) || null,
      store_id: typed(store),
      customer_id: cell(first, at.customer_id) || null,
      products,
      total_amount: total === undefined || total === '' ? sumOf(products) : typed(total),
    };
    out.push({
      value: JSON.stringify(sale),
      store: store ?? '',
      transactionId: g.id,
      line: first.line,
    });
  }

  private issue(line: number, message: string): void {
    if (this.issues.length < 1000) this.issues.push({ line, message });
  }
}

const NUMBER = /^-?\d+(\.\d+)?$/;

/** A CSV cell as JSON: a number when it is one, else the text (the validator names a wrong type), null when empty. */
function typed(v: string | undefined): number | string | null {
  if (v === undefined || v === '') return null;
  return NUMBER.test(v) ? Number(v) : v;
}

/** total_amount when the file has none: the lines' sum, in cents so it is exact. */
function sumOf(products: { quantity: unknown; unit_price: unknown }[]): number | null {
  let cents = 0;
  for (const p of products) {
    if (typeof p.quantity !== 'number' || typeof p.unit_price !== 'number') return null;
    cents += p.quantity * Math.round(p.unit_price * 100);
  }
  return cents / 100;
}
