import path from 'node:path';
import { toCents } from '../../model/sale';
import { tmpDirs } from '../../testing/tmpDirs';
import { CopyWriter } from './copyBinary';
import { FACT_COLUMNS, type DimKeys, type LoadChunk, type Warehouse } from './port';
import type { SilverFile } from './warehouse.contract';

const chunkDir = tmpDirs('rp-chunks-');

/** The files' lines as the ETL hands them to the warehouse: keys from its dimKeys(), rows as binary COPY. */
export async function chunkOf(w: Warehouse, runId: string, files: SilverFile[]): Promise<LoadChunk> {
  const keys = await w.dimKeys();
  const keyOf = (dim: DimKeys['stores'], version: string, id: number): number => {
    for (let i = 0; i < dim.id.length; i++) if (dim.id[i] === id && dim.version[i] === version) return dim.key[i];
    throw new Error(`the warehouse has no dim row for ${id} in catalog version ${version}`);
  };
  const out = new CopyWriter(path.join(chunkDir(), 'facts.pgcopy'), FACT_COLUMNS.length);
  const customers = new Map<string, [first: string, last: string]>();
  const days = new Set<string>();
  for (const f of files) {
    for (const l of f.lines) {
      const price = toCents(l.product.price);
      out.row();
      out.text(l.txn);
      out.int2(l.lineNo);
      out.int4(Number(l.time.slice(0, 10).replace(/-/g, '')));
      out.int4(l.store.store_id);
      out.int4(l.product.product_id);
      out.text(l.customer);
      out.timestampUs(Date.parse(l.time) * 1000);
      out.int4(l.quantity);
      out.cents(price);
      out.cents(l.quantity * price);
      out.text(f.key);
      out.int8(keyOf(keys.stores, f.version, l.store.store_id));
      out.int8(keyOf(keys.products, f.version, l.product.product_id));
      out.text(f.version);
      const seen = customers.get(l.customer);
      if (!seen) customers.set(l.customer, [l.time, l.time]);
      else if (l.time > seen[1]) seen[1] = l.time;
      days.add(l.time.slice(0, 10));
    }
  }
  const ids = [...customers.keys()];
  return {
    runId,
    files: files.map((f) => ({ key: f.key, rows: f.rows })),
    facts: out.close(),
    customers: { ids, first: ids.map((id) => customers.get(id)![0]), last: ids.map((id) => customers.get(id)![1]) },
    days: [...days],
  };
}
