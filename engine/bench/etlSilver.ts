import fs from 'node:fs';
import path from 'node:path';
import { appendCatalogVersion } from '../catalog/catalogHistory';
import { BUILTIN_CATALOG, catalogVersion, indexCatalog } from '../model/catalog';
import { Random } from '../model/random';
import type { ValidSale } from '../model/validate';
import { openDuck } from '../services/lake/duck';
import { FolderLake } from '../services/lake/folderLake';
import { batchFileKey } from '../services/lake/keys';
import { LakeWriter, PartitionBuffer } from '../stages/stream/lakeWriter';

/**
 * A silver layer for the ETL benchmark, written once and kept: `sales` sales in the original
 * project's mix (its producer: a uuid4 per sale, 1-7 distinct products, quantity 1-4, a price drawn
 * between 10 and 350 EGP, 200 returning customers), here from the built-in catalog's stores and
 * products, event times over 30 minutes, keyed by store on 4 partitions. The files are written by
 * the stream's own writer (lakeWriter.ts), as a backlog drain writes them: one file per partition,
 * event hour and flush of FLUSH_SALES sales. Seeded: the same sales, files and names every time.
 */
const PARTITIONS = 4;
const FLUSH_SALES = 25_000;
const SPAN_MS = 30 * 60_000;
const FROM = Date.parse('2026-11-29T07:40:00Z');
/** Bumped when the generator changes, so an old cache is not taken for the new data. */
const FORMAT = 1;

export interface PreparedSilver {
  /** The lake folder: silver/sales_lines/… and reference/catalog/… */
  lake: string;
  sales: number;
  lines: number;
  files: number;
  cents: number;
}

/** The prepared silver for `sales` sales under `cacheDir`, generated on the first call. */
export async function preparedSilver(cacheDir: string, sales: number, seed = 1): Promise<PreparedSilver> {
  const dir = path.join(cacheDir, `etl-silver-v${FORMAT}-${sales}-seed${seed}`);
  const done = path.join(dir, 'prepared.json');
  if (fs.existsSync(done)) return JSON.parse(fs.readFileSync(done, 'utf8')) as PreparedSilver;
  fs.rmSync(dir, { recursive: true, force: true });
  const lakeDir = path.join(dir, 'lake');
  const lake = new FolderLake(lakeDir);
  const catalog = catalogVersion(BUILTIN_CATALOG, 'built-in', Date.parse('2026-01-01T00:00:00Z'));
  await appendCatalogVersion(lake, catalog);
  const index = indexCatalog(catalog);
  const duck = await openDuck({ threads: 2 });
  const writer = await LakeWriter.create(duck, lake);
  const rnd = new Random(seed);
  const stores = catalog.stores.map((s) => s.store_id);
  const products = catalog.products.map((p) => p.product_id);
  const buffers = Array.from({ length: PARTITIONS }, (_, p) => new PartitionBuffer(p));
  const offsets = new Array<number>(PARTITIONS).fill(0);
  const out: PreparedSilver = { lake: lakeDir, sales, lines: 0, files: 0, cents: 0 };
  const flush = async (buf: PartitionBuffer): Promise<void> => {
    const files = await writer.writeSilver(buf, (hk) =>
      batchFileKey('silver', hk, buf.partition, buf.firstOffset, buf.lastOffset),
    );
    out.files += files.length;
    buf.reset();
  };
  for (let i = 0; i < sales; i++) {
    const eventMs = FROM + Math.floor((i * SPAN_MS) / sales);
    const storeId = stores[rnd.int(0, stores.length - 1)];
    const partition = storeId % PARTITIONS;
    const picked = sampleDistinct(rnd, products, rnd.int(1, 7));
    const lines = picked.map((product_id, l) => {
      const quantity = rnd.int(1, 4);
      const priceCents = rnd.int(1000, 35_000);
      return { line_no: l + 1, product_id, quantity, priceCents, amountCents: quantity * priceCents };
    });
    const sale: ValidSale = {
      ok: true,
      transactionId: uuid4(rnd),
      eventUs: eventMs * 1000 + rnd.int(0, 999),
      eventMs,
      storeId,
      customerId: `cust_${rnd.int(500, 699)}`,
      lines,
      totalCents: lines.reduce((s, l) => s + l.amountCents, 0),
      catalog: index,
    };
    const buf = buffers[partition];
    const offset = offsets[partition]++;
    buf.addRaw({ partition, offset, timestamp: eventMs, key: String(storeId), value: '' });
    buf.addSale({ partition, offset, timestamp: eventMs, key: String(storeId), value: '' }, sale, eventMs);
    out.lines += lines.length;
    out.cents += sale.totalCents;
    if (buf.records >= FLUSH_SALES) await flush(buf);
  }
  for (const buf of buffers) if (buf.records) await flush(buf);
  fs.writeFileSync(done, JSON.stringify(out, null, 1));
  return out;
}

function sampleDistinct(rnd: Random, from: readonly number[], k: number): number[] {
  const pool = [...from];
  for (let i = 0; i < k; i++) {
    const j = rnd.int(i, pool.length - 1);
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, k);
}

/** A version 4 UUID, as Python's uuid.uuid4() prints it, from the seeded generator. */
function uuid4(rnd: Random): string {
  const hex = (n: number): string => n.toString(16).padStart(8, '0');
  const a = hex(rnd.u32());
  const b = hex(rnd.u32());
  const c = hex(rnd.u32());
  const d = hex(rnd.u32());
  const variant = ((parseInt(c[0], 16) & 0x3) | 0x8).toString(16);
  return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${variant}${c.slice(1, 4)}-${c.slice(4, 8)}${d}`;
}
