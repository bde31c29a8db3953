import fs from 'node:fs';
import type { SaleTransaction } from '../model/sale';
import { SaleSimulator } from '../stages/producer/simulator';

/**
 * Sales files as a point-of-sale system exports them, for the import tests and the benchmark:
 * the same sales as NDJSON (one per line), a JSON array, and CSV (one row per sale line). Written
 * as they are generated, so a million sales need no memory.
 */
export interface SalesFileSet {
  ndjson: string;
  json: string;
  csv: string;
  transactions: number;
  lines: number;
  cents: number;
  ids: string[];
}

const CSV_HEADER = 'transaction_id,timestamp_utc,store_id,customer_id,product_id,quantity,unit_price,total_amount\n';

/** Sales `from` (epoch ms) onward, `stepMs` apart; `keepIds` keeps their ids (for small sets). */
export function writeSalesFiles(
  prefix: string,
  opts: { count: number; seed: number; from: number; stepMs: number; keepIds?: boolean; only?: SalesFormatName[] },
): SalesFileSet {
  const sim = new SaleSimulator({ seed: opts.seed });
  const want = new Set(opts.only ?? ['ndjson', 'json', 'csv']);
  const out: SalesFileSet = {
    ndjson: `${prefix}.ndjson`,
    json: `${prefix}.json`,
    csv: `${prefix}.csv`,
    transactions: 0,
    lines: 0,
    cents: 0,
    ids: [],
  };
  const fds = {
    ndjson: want.has('ndjson') ? fs.openSync(out.ndjson, 'w') : -1,
    json: want.has('json') ? fs.openSync(out.json, 'w') : -1,
    csv: want.has('csv') ? fs.openSync(out.csv, 'w') : -1,
  };
  const buffers = { ndjson: [] as string[], json: ['['] as string[], csv: [CSV_HEADER] };
  const spill = (force: boolean) => {
    for (const k of ['ndjson', 'json', 'csv'] as const) {
      if (fds[k] < 0 || (!force && buffers[k].length < 5000)) continue;
      fs.writeSync(fds[k], buffers[k].join(''));
      buffers[k] = [];
    }
  };
  for (let i = 0; i < opts.count; i++) {
    const sale: SaleTransaction = sim.next(opts.from + i * opts.stepMs);
    const text = JSON.stringify(sale);
    buffers.ndjson.push(`${text}\n`);
    buffers.json.push(`${i ? ',\n' : '\n'}  ${text}`);
    for (const l of sale.products)
      buffers.csv.push(
        `${sale.transaction_id},${sale.timestamp_utc},${sale.store_id},${sale.customer_id},${l.product_id},${l.quantity},${l.unit_price},${sale.total_amount}\n`,
      );
    out.transactions++;
    out.lines += sale.products.length;
    out.cents += Math.round(sale.total_amount * 100);
    if (opts.keepIds) out.ids.push(sale.transaction_id);
    spill(false);
  }
  buffers.json.push('\n]\n');
  spill(true);
  for (const fd of Object.values(fds)) if (fd >= 0) fs.closeSync(fd);
  return out;
}

export type SalesFormatName = 'ndjson' | 'json' | 'csv';
