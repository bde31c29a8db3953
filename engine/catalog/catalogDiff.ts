import type { CatalogData, Product, Store } from '../model/catalog';

const SHOWN = 200;

/** What `next` changes against `current`, one readable line per store or product (at most 200 each). */
export function catalogChanges(
  current: CatalogData,
  next: CatalogData,
): { added: string[]; changed: string[]; removed: string[] } {
  const out = { added: [] as string[], changed: [] as string[], removed: [] as string[] };
  const push = (list: string[], line: string): void => {
    if (list.length < SHOWN) list.push(line);
  };
  const storeFields = ['name', 'city', 'region'] as const;
  const productFields = ['name', 'category', 'price'] as const;
  compare<Store>(current.stores, next.stores, (s) => s.store_id, 'store', storeFields, out, push);
  compare<Product>(current.products, next.products, (p) => p.product_id, 'product', productFields, out, push);
  return out;
}

function compare<T>(
  before: readonly T[],
  after: readonly T[],
  id: (x: T) => number,
  what: string,
  fields: readonly (keyof T)[],
  out: { added: string[]; changed: string[]; removed: string[] },
  push: (list: string[], line: string) => void,
): void {
  const old = new Map(before.map((x) => [id(x), x]));
  const seen = new Set<number>();
  for (const x of after) {
    const prev = old.get(id(x));
    seen.add(id(x));
    const name = String((x as Record<string, unknown>).name);
    if (!prev) {
      push(out.added, `${what} ${id(x)}: ${name}`);
      continue;
    }
    const diffs = fields
      .filter((f) => (prev[f] ?? null) !== (x[f] ?? null))
      .map((f) => `${String(f)} ${String(prev[f] ?? '—')} → ${String(x[f] ?? '—')}`);
    if (diffs.length) push(out.changed, `${what} ${id(x)}: ${diffs.join(', ')}`);
  }
  for (const x of before)
    if (!seen.has(id(x))) push(out.removed, `${what} ${id(x)}: ${String((x as Record<string, unknown>).name)}`);
}
