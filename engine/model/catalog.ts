import { createHash } from 'node:crypto';

/**
 * Reference data: the stores and products sales are validated against and enriched with. The
 * catalog in force is data the user provides (engine/catalog/); the Egyptian chain below is the
 * default when none is given, and what the simulator sells.
 */

export interface Store {
  store_id: number;
  name: string;
  city: string;
  region: string;
  /** Relative share of the chain's traffic, for the simulator (1 when absent). */
  traffic?: number;
}

export interface Product {
  product_id: number;
  name: string;
  /** Free text: a chain has its own categories ("Pantry", "Frozen", ...). */
  category: string;
  /** List price in EGP, optional: a sale line's own unit_price is never checked against it. */
  price?: number;
}

export interface CatalogData {
  stores: Store[];
  products: Product[];
}

/** One version of the catalog in force: its content, when it was applied and where it came from. */
export interface Catalog extends CatalogData {
  /** `<applied, UTC, compact>-<content hash>`: unique per application, sortable by time. */
  version: string;
  /** Content hash: the same stores and products give the same hash. */
  hash: string;
  appliedAt: number;
  /** A file path, "app import", or "built-in". */
  source: string;
}

/** A catalog version ready for lookups on the hot path. */
export interface CatalogIndex {
  version: string;
  stores: ReadonlyMap<number, Store>;
  products: ReadonlyMap<number, Product>;
}

/** The categories of the built-in chain (the simulator's hour-of-day mix knows them). */
export const CATEGORIES = [
  'Groceries',
  'Dairy',
  'Bakery',
  'Beverages',
  'Snacks',
  'Personal Care',
  'Household',
  'Electronics',
  'Clothing',
] as const;

export const STORES: readonly Store[] = [
  { store_id: 1, name: 'Cairo Downtown', city: 'Cairo', region: 'Greater Cairo', traffic: 1.6 },
  { store_id: 2, name: 'Nasr City Mall', city: 'Cairo', region: 'Greater Cairo', traffic: 1.4 },
  { store_id: 3, name: 'Alexandria Corniche', city: 'Alexandria', region: 'Alexandria', traffic: 1.3 },
  { store_id: 4, name: 'Giza Pyramids Road', city: 'Giza', region: 'Greater Cairo', traffic: 1.2 },
  { store_id: 5, name: 'Mansoura Central', city: 'Mansoura', region: 'Delta', traffic: 0.8 },
  { store_id: 6, name: 'Tanta Station', city: 'Tanta', region: 'Delta', traffic: 0.7 },
  { store_id: 7, name: 'Port Said Harbour', city: 'Port Said', region: 'Canal', traffic: 0.6 },
  { store_id: 8, name: 'Suez Gate', city: 'Suez', region: 'Canal', traffic: 0.5 },
  { store_id: 9, name: 'Luxor Karnak', city: 'Luxor', region: 'Upper Egypt', traffic: 0.5 },
  { store_id: 10, name: 'Aswan Nile View', city: 'Aswan', region: 'Upper Egypt', traffic: 0.4 },
  { store_id: 11, name: 'Hurghada Marina', city: 'Hurghada', region: 'Red Sea', traffic: 0.5 },
  { store_id: 12, name: 'Sharm Old Market', city: 'Sharm El Sheikh', region: 'South Sinai', traffic: 0.4 },
];

export const PRODUCTS: readonly Product[] = [
  { product_id: 101, name: 'Baladi Bread (10 pcs)', category: 'Bakery', price: 5.0 },
  { product_id: 102, name: 'Croissant Pack', category: 'Bakery', price: 45.0 },
  { product_id: 103, name: 'Fino Bread', category: 'Bakery', price: 12.5 },
  { product_id: 104, name: 'Egyptian Rice 1kg', category: 'Groceries', price: 38.0 },
  { product_id: 105, name: 'Sugar 1kg', category: 'Groceries', price: 32.0 },
  { product_id: 106, name: 'Sunflower Oil 1L', category: 'Groceries', price: 85.0 },
  { product_id: 107, name: 'Foul Medames Can', category: 'Groceries', price: 22.5 },
  { product_id: 108, name: 'Macaroni 400g', category: 'Groceries', price: 18.0 },
  { product_id: 109, name: 'Lentils 1kg', category: 'Groceries', price: 60.0 },
  { product_id: 110, name: 'Fresh Milk 1L', category: 'Dairy', price: 42.0 },
  { product_id: 111, name: 'Laban Rayeb 1L', category: 'Dairy', price: 35.0 },
  { product_id: 112, name: 'White Cheese 500g', category: 'Dairy', price: 75.5 },
  { product_id: 113, name: 'Yogurt 4-pack', category: 'Dairy', price: 28.0 },
  { product_id: 114, name: 'Mineral Water 1.5L', category: 'Beverages', price: 9.0 },
  { product_id: 115, name: 'Cola 1L', category: 'Beverages', price: 25.0 },
  { product_id: 116, name: 'Guava Juice 1L', category: 'Beverages', price: 30.0 },
  { product_id: 117, name: 'Lipton Tea 100 bags', category: 'Beverages', price: 95.0 },
  { product_id: 118, name: 'Turkish Coffee 200g', category: 'Beverages', price: 120.0 },
  { product_id: 119, name: 'Chipsy Family', category: 'Snacks', price: 15.0 },
  { product_id: 120, name: 'Molto Croissant', category: 'Snacks', price: 10.0 },
  { product_id: 121, name: 'Dark Chocolate Bar', category: 'Snacks', price: 55.0 },
  { product_id: 122, name: 'Roasted Peanuts 250g', category: 'Snacks', price: 48.0 },
  { product_id: 123, name: 'Shampoo 400ml', category: 'Personal Care', price: 110.0 },
  { product_id: 124, name: 'Toothpaste', category: 'Personal Care', price: 45.0 },
  { product_id: 125, name: 'Soap 3-pack', category: 'Personal Care', price: 40.0 },
  { product_id: 126, name: 'Dish Soap 1L', category: 'Household', price: 50.0 },
  { product_id: 127, name: 'Laundry Powder 2.5kg', category: 'Household', price: 210.0 },
  { product_id: 128, name: 'Kitchen Towels 4 rolls', category: 'Household', price: 65.0 },
  { product_id: 129, name: 'USB-C Charger', category: 'Electronics', price: 350.0 },
  { product_id: 130, name: 'Wireless Earbuds', category: 'Electronics', price: 899.0 },
  { product_id: 131, name: 'LED Bulb 12W', category: 'Electronics', price: 60.0 },
  { product_id: 132, name: 'Cotton T-Shirt', category: 'Clothing', price: 199.0 },
  { product_id: 133, name: 'Galabeya', category: 'Clothing', price: 450.0 },
  { product_id: 134, name: 'Socks 3-pack', category: 'Clothing', price: 90.0 },
];

export const BUILTIN_CATALOG: CatalogData = { stores: [...STORES], products: [...PRODUCTS] };

/** The hash of a catalog's content, independent of row order and of simulator weights. */
export function catalogHash(data: CatalogData): string {
  const stores = [...data.stores]
    .sort((a, b) => a.store_id - b.store_id)
    .map((s) => [s.store_id, s.name, s.city, s.region]);
  const products = [...data.products]
    .sort((a, b) => a.product_id - b.product_id)
    .map((p) => [p.product_id, p.name, p.category, p.price ?? null]);
  return createHash('sha256').update(JSON.stringify({ stores, products })).digest('hex').slice(0, 12);
}

/** A catalog version of `data`, applied at `appliedAt`. */
export function catalogVersion(data: CatalogData, source: string, appliedAt: number): Catalog {
  const hash = catalogHash(data);
  const stamp = new Date(appliedAt)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return { version: `${stamp}-${hash}`, hash, appliedAt, source, stores: data.stores, products: data.products };
}

export function indexCatalog(c: { version: string } & CatalogData): CatalogIndex {
  return {
    version: c.version,
    stores: new Map(c.stores.map((s) => [s.store_id, s])),
    products: new Map(c.products.map((p) => [p.product_id, p])),
  };
}

/** The built-in chain as the validator's default (tests, and lakes written before catalogs had versions). */
export const BUILTIN_INDEX: CatalogIndex = indexCatalog({ version: 'built-in', ...BUILTIN_CATALOG });
