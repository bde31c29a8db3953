import { PulseError } from '../../errors';
import type { Catalog } from '../../model/catalog';

/**
 * Catalog versions into the warehouse's type 2 dimensions, the same SQL on PGlite and PostgreSQL.
 * Versions are applied in the order they came into force; each one closes the dim rows it changes
 * or drops (valid_to = its valid_from) and adds rows for what is new or changed.
 */

export type Query = (sql: string, params?: unknown[]) => Promise<{ rows: Record<string, unknown>[] }>;

export const KNOWN_VERSIONS = `SELECT version, (extract(epoch FROM applied_at) * 1000)::float8 AS applied_ms
  FROM catalog_versions ORDER BY valid_from, applied_at`;

const STORES_IN = `unnest($1::integer[], $2::text[], $3::text[], $4::text[]) AS n(store_id, store_name, city, region)`;
const PRODUCTS_IN = `unnest($1::integer[], $2::text[], $3::text[], $4::numeric[]) AS n(product_id, product_name, category, list_price)`;

const CLOSE_STORES = `UPDATE dim_store d SET valid_to = $5, is_current = false
  WHERE d.is_current AND NOT EXISTS (SELECT 1 FROM ${STORES_IN}
    WHERE n.store_id = d.store_id AND n.store_name = d.store_name AND n.city = d.city AND n.region = d.region)`;
const OPEN_STORES = `INSERT INTO dim_store (store_id, store_name, city, region, valid_from, valid_to, is_current, catalog_version)
  SELECT n.store_id, n.store_name, n.city, n.region, $5, 'infinity', true, $6 FROM ${STORES_IN}
  WHERE NOT EXISTS (SELECT 1 FROM dim_store d WHERE d.is_current AND d.store_id = n.store_id)`;
const CLOSE_PRODUCTS = `UPDATE dim_product d SET valid_to = $5, is_current = false
  WHERE d.is_current AND NOT EXISTS (SELECT 1 FROM ${PRODUCTS_IN}
    WHERE n.product_id = d.product_id AND n.product_name = d.product_name AND n.category = d.category
      AND n.list_price IS NOT DISTINCT FROM d.list_price)`;
const OPEN_PRODUCTS = `INSERT INTO dim_product (product_id, product_name, category, list_price, valid_from, valid_to, is_current, catalog_version)
  SELECT n.product_id, n.product_name, n.category, n.list_price, $5, 'infinity', true, $6 FROM ${PRODUCTS_IN}
  WHERE NOT EXISTS (SELECT 1 FROM dim_product d WHERE d.is_current AND d.product_id = n.product_id)`;
const ADD_VERSION = `INSERT INTO catalog_versions (version, applied_at, valid_from, source, stores, products)
  VALUES ($1, $2, $3, $4, $5, $6)`;

/**
 * Applies the versions of `history` the warehouse does not have yet, inside the caller's
 * transaction; returns how many. A version older than the newest one it has cannot be put in the
 * middle of the dims' history: that is refused with both named.
 */
export async function syncCatalogVersions(query: Query, history: readonly Catalog[]): Promise<number> {
  const known = (await query(KNOWN_VERSIONS)).rows.map((r) => ({
    version: String(r.version),
    appliedMs: Number(r.applied_ms),
  }));
  const have = new Set(known.map((k) => k.version));
  let newest = known.at(-1) ?? null;
  let applied = 0;
  for (const v of [...history].sort((a, b) => a.appliedAt - b.appliedAt)) {
    if (have.has(v.version)) continue;
    if (newest && v.appliedAt <= newest.appliedMs)
      throw new PulseError(
        'warehouse_failed',
        `catalog version ${v.version} came into force before ${newest.version}, which the warehouse already has: the warehouse was loaded with another catalog history (another lake?)`,
      );
    const first = newest === null;
    await applyVersion(query, v, first);
    newest = { version: v.version, appliedMs: v.appliedAt };
    applied++;
  }
  return applied;
}

async function applyVersion(q: Query, v: Catalog, first: boolean): Promise<void> {
  // The first version also covers sales older than any catalog, unless the dims already have rows
  // from before catalogs had versions (they keep that place in history).
  const older = first && (await q('SELECT 1 FROM dim_store UNION ALL SELECT 1 FROM dim_product LIMIT 1')).rows.length;
  const from = first && !older ? '-infinity' : new Date(v.appliedAt).toISOString();
  const s = v.stores;
  const storeArgs = [s.map((x) => x.store_id), s.map((x) => x.name), s.map((x) => x.city), s.map((x) => x.region)];
  await q(CLOSE_STORES, [...storeArgs, from]);
  await q(OPEN_STORES, [...storeArgs, from, v.version]);
  const p = v.products;
  const productArgs = [
    p.map((x) => x.product_id),
    p.map((x) => x.name),
    p.map((x) => x.category),
    p.map((x) => (x.price === undefined ? null : x.price.toFixed(2))),
  ];
  await q(CLOSE_PRODUCTS, [...productArgs, from]);
  await q(OPEN_PRODUCTS, [...productArgs, from, v.version]);
  await q(ADD_VERSION, [v.version, new Date(v.appliedAt).toISOString(), from, v.source, s.length, p.length]);
}
