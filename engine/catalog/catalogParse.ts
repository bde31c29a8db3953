import fs from 'node:fs';
import path from 'node:path';
import type { CatalogIssue } from '../contract';
import { PulseError } from '../errors';
import type { CatalogData, Product, Store } from '../model/catalog';
import { readCsv } from '../util/csv';

/**
 * A catalog as the user gives it: one JSON file `{"stores": [...], "products": [...]}`, or
 * `stores.csv` and `products.csv` with the field names as headers. Every problem is reported with
 * its file, row and field; nothing is applied unless there is none.
 */

export interface CatalogFile {
  name: string;
  text: string;
}

export interface ParsedCatalog {
  data: CatalogData | null;
  issues: CatalogIssue[];
  /** Columns or fields present in the files that a catalog does not use. */
  ignored: string[];
}

const MAX_ISSUES = 100;
const MAX_TEXT = 200;
const STORE_FIELDS = ['store_id', 'name', 'city', 'region'] as const;
const PRODUCT_FIELDS = ['product_id', 'name', 'category'] as const;
const OPTIONAL = { stores: ['traffic'], products: ['price'] } as const;

type Table = 'stores' | 'products';
type Raw = Record<string, unknown>;
/** One input row: where it is (for messages) and its fields. */
interface RowIn {
  row: number;
  fields: Raw;
}

class Issues {
  readonly list: CatalogIssue[] = [];
  add(file: string, row: number | null, field: string | null, message: string): void {
    if (this.list.length < MAX_ISSUES) this.list.push({ file, row, field, message });
  }
}

/** "stores.csv line 4, field name: missing", the way every catalog error names its place. */
export function describeIssue(i: CatalogIssue): string {
  const where = i.row === null ? i.file : `${i.file} ${i.file.endsWith('.csv') ? 'line' : 'item'} ${i.row}`;
  return `${where}${i.field ? `, field ${i.field}` : ''}: ${i.message}`;
}

export function parseCatalog(files: readonly CatalogFile[]): ParsedCatalog {
  const issues = new Issues();
  const ignored = new Set<string>();
  const byName = new Map(files.map((f) => [path.basename(f.name).toLowerCase(), f]));
  let stores: RowIn[] | null = null;
  let products: RowIn[] | null = null;
  let storesFile = 'stores.csv';
  let productsFile = 'products.csv';
  const json = files.length === 1 && !byName.has('stores.csv') && !byName.has('products.csv') ? files[0] : null;
  if (json) {
    storesFile = productsFile = path.basename(json.name);
    ({ stores, products } = jsonRows(json, issues, ignored));
  } else if (byName.has('stores.csv') && byName.has('products.csv') && files.length === 2) {
    stores = csvRows(byName.get('stores.csv')!, 'stores', issues, ignored);
    products = csvRows(byName.get('products.csv')!, 'products', issues, ignored);
  } else {
    issues.add(
      files.map((f) => path.basename(f.name)).join(', ') || '(no file)',
      null,
      null,
      'a catalog is one JSON file, or the two files stores.csv and products.csv',
    );
  }
  const data: CatalogData = { stores: [], products: [] };
  if (stores) data.stores = checkStores(stores, storesFile, issues);
  if (products) data.products = checkProducts(products, productsFile, issues);
  if (stores && !stores.length) issues.add(storesFile, null, 'stores', 'there are no stores');
  if (products && !products.length) issues.add(productsFile, null, 'products', 'there are no products');
  return { data: issues.list.length ? null : data, issues: issues.list, ignored: [...ignored].sort() };
}

/** The catalog at `file` (JSON) or in the folder `file` (stores.csv + products.csv); refused with every problem named. */
export function loadCatalogPath(file: string): CatalogData {
  let files: CatalogFile[];
  try {
    files = fs.statSync(file).isDirectory()
      ? ['stores.csv', 'products.csv'].map((n) => {
          const p = path.join(file, n);
          if (!fs.existsSync(p))
            throw new Error(`the folder has no ${n} (a catalog folder holds stores.csv and products.csv)`);
          return { name: p, text: fs.readFileSync(p, 'utf8') };
        })
      : [{ name: file, text: fs.readFileSync(file, 'utf8') }];
  } catch (err) {
    throw new PulseError('config_invalid', `cannot read catalog ${file}: ${(err as Error).message}`, {
      field: 'catalog',
    });
  }
  return checkedCatalog(files, file);
}

/** The parsed catalog, or PulseError('config_invalid') naming the first problems (file, row, field). */
export function checkedCatalog(files: readonly CatalogFile[], label: string): CatalogData {
  const parsed = parseCatalog(files);
  if (parsed.data) return parsed.data;
  const shown = parsed.issues.slice(0, 5).map(describeIssue).join('; ');
  const more = parsed.issues.length > 5 ? ` (and ${parsed.issues.length - 5} more)` : '';
  throw new PulseError('config_invalid', `catalog ${label} refused, the catalog in force stays: ${shown}${more}`, {
    field: 'catalog',
  });
}

function jsonRows(file: CatalogFile, issues: Issues, ignored: Set<string>): Record<Table, RowIn[] | null> {
  const name = path.basename(file.name);
  let parsed: unknown;
  try {
    parsed = JSON.parse(file.text.replace(/^\ufeff/, ''));
  } catch (err) {
    issues.add(name, null, null, `not valid JSON: ${(err as Error).message}`);
    return { stores: null, products: null };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    issues.add(name, null, null, 'expected an object {"stores": [...], "products": [...]}');
    return { stores: null, products: null };
  }
  const o = parsed as Raw;
  for (const k of Object.keys(o)) if (k !== 'stores' && k !== 'products') ignored.add(k);
  const table = (t: Table): RowIn[] | null => {
    const list = o[t];
    if (!Array.isArray(list)) {
      issues.add(name, null, t, list === undefined ? `missing the "${t}" list` : `"${t}" must be a list`);
      return null;
    }
    const out: RowIn[] = [];
    list.forEach((item, i) => {
      if (typeof item !== 'object' || item === null || Array.isArray(item))
        issues.add(name, i + 1, t, `${t} item ${i + 1} must be an object`);
      else {
        const known: readonly string[] = [...(t === 'stores' ? STORE_FIELDS : PRODUCT_FIELDS), ...OPTIONAL[t]];
        for (const k of Object.keys(item)) if (!known.includes(k)) ignored.add(`${t}.${k}`);
        out.push({ row: i + 1, fields: item as Raw });
      }
    });
    return out;
  };
  return { stores: table('stores'), products: table('products') };
}

function csvRows(file: CatalogFile, table: Table, issues: Issues, ignored: Set<string>): RowIn[] | null {
  const name = path.basename(file.name);
  const rows = readCsv(file.text);
  if (!rows.length) {
    issues.add(name, null, null, 'the file is empty (expected a header row)');
    return null;
  }
  const header = rows[0].fields.map((h) => h.trim());
  const required: readonly string[] = table === 'stores' ? STORE_FIELDS : PRODUCT_FIELDS;
  const missing = required.filter((c) => !header.includes(c));
  if (missing.length) {
    issues.add(
      name,
      1,
      missing[0],
      `missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (header: ${header.join(',')})`,
    );
    return null;
  }
  const dup = header.find((h, i) => header.indexOf(h) !== i);
  if (dup) {
    issues.add(name, 1, dup, `column ${dup} appears twice`);
    return null;
  }
  for (const h of header) if (![...required, ...OPTIONAL[table]].includes(h)) ignored.add(`${name}: ${h}`);
  const out: RowIn[] = [];
  for (const r of rows.slice(1)) {
    if (r.error) {
      issues.add(name, r.line, null, r.error);
      continue;
    }
    if (r.fields.length !== header.length) {
      issues.add(name, r.line, null, `${r.fields.length} fields, the header has ${header.length}`);
      continue;
    }
    const fields: Raw = {};
    header.forEach((h, i) => {
      const v = r.fields[i].trim();
      if (v !== '') fields[h] = v;
    });
    out.push({ row: r.line, fields });
  }
  return out;
}

function checkStores(rows: RowIn[], file: string, issues: Issues): Store[] {
  const seen = new Map<number, number>();
  const out: Store[] = [];
  for (const { row, fields } of rows) {
    const bad = (field: string, message: string): void => issues.add(file, row, field, message);
    const id = integerId(fields.store_id, 'store_id', bad);
    const name = text(fields.name, 'name', bad);
    const city = text(fields.city, 'city', bad);
    const region = text(fields.region, 'region', bad);
    let traffic: number | undefined;
    if (fields.traffic !== undefined) {
      const t = number(fields.traffic);
      if (t === null || t <= 0) bad('traffic', `must be a number above 0, got ${JSON.stringify(fields.traffic)}`);
      else traffic = t;
    }
    if (id === null || name === null || city === null || region === null) continue;
    if (seen.has(id)) {
      bad('store_id', `duplicate store_id ${id} (first at ${file.endsWith('.csv') ? 'line' : 'item'} ${seen.get(id)})`);
      continue;
    }
    seen.set(id, row);
    out.push(
      traffic === undefined ? { store_id: id, name, city, region } : { store_id: id, name, city, region, traffic },
    );
  }
  return out;
}

function checkProducts(rows: RowIn[], file: string, issues: Issues): Product[] {
  const seen = new Map<number, number>();
  const out: Product[] = [];
  for (const { row, fields } of rows) {
    const bad = (field: string, message: string): void => issues.add(file, row, field, message);
    const id = integerId(fields.product_id, 'product_id', bad);
    const name = text(fields.name, 'name', bad);
    const category = text(fields.category, 'category', bad);
    let price: number | undefined;
    let priceOk = true;
    if (fields.price !== undefined && fields.price !== null) {
      const p = number(fields.price);
      priceOk = false;
      if (p === null) bad('price', `must be a number, got ${JSON.stringify(fields.price)}`);
      else if (p < 0) bad('price', `negative price ${p}`);
      else if (p === 0) bad('price', 'price 0: a sale line needs a price above 0 (leave price empty when unknown)');
      else if (p > 1e9) bad('price', `price ${p} is not plausible`);
      else {
        price = Math.round(p * 100) / 100;
        priceOk = true;
      }
    }
    if (id === null || name === null || category === null || !priceOk) continue;
    if (seen.has(id)) {
      bad(
        'product_id',
        `duplicate product_id ${id} (first at ${file.endsWith('.csv') ? 'line' : 'item'} ${seen.get(id)})`,
      );
      continue;
    }
    seen.set(id, row);
    out.push(price === undefined ? { product_id: id, name, category } : { product_id: id, name, category, price });
  }
  return out;
}

function integerId(v: unknown, field: string, bad: (f: string, m: string) => void): number | null {
  if (v === undefined || v === null || v === '') {
    bad(field, 'missing');
    return null;
  }
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 2_147_483_647) {
    bad(field, `must be a whole number from 1 to 2147483647, got ${JSON.stringify(v)}`);
    return null;
  }
  return n;
}

function text(v: unknown, field: string, bad: (f: string, m: string) => void): string | null {
  if (v === undefined || v === null || (typeof v === 'string' && v.trim() === '')) {
    bad(field, 'missing');
    return null;
  }
  if (typeof v !== 'string') {
    bad(field, `must be text, got ${JSON.stringify(v)}`);
    return null;
  }
  const t = v.trim();
  if (t.length > MAX_TEXT) {
    bad(field, `longer than ${MAX_TEXT} characters`);
    return null;
  }
  return t;
}

function number(v: unknown): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : NaN;
  return Number.isFinite(n) ? n : null;
}
