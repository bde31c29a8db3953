import { BUILTIN_CATALOG, type CatalogData, type Product, type Store } from '../../model/catalog';
import { cumulative, Random } from '../../model/random';
import type { SaleLine, SaleTransaction } from '../../model/sale';

/** Share of baskets by hour of day (Cairo time) per category: bread in the morning, electronics at night. */
const CATEGORY_BY_HOUR: Record<string, (hour: number) => number> = {
  Bakery: (h) => (h >= 6 && h < 11 ? 3 : 0.8),
  Dairy: (h) => (h >= 6 && h < 12 ? 2 : 1),
  Groceries: (h) => (h >= 16 && h < 21 ? 2 : 1.2),
  Beverages: (h) => (h >= 12 && h < 18 ? 1.8 : 1),
  Snacks: (h) => (h >= 14 && h < 23 ? 1.6 : 0.7),
  'Personal Care': () => 0.6,
  Household: (h) => (h >= 10 && h < 20 ? 0.8 : 0.4),
  Electronics: (h) => (h >= 18 && h < 24 ? 0.5 : 0.2),
  Clothing: (h) => (h >= 17 && h < 23 ? 0.5 : 0.2),
};
const BASKET_SIZE = cumulative([0.34, 0.3, 0.18, 0.11, 0.07]);
const QUANTITY = cumulative([0.62, 0.24, 0.1, 0.04]);
const CAIRO_UTC_OFFSET_H = 2;
/** Categories of a catalog the mix does not know sell evenly through the day. */
const EVEN = (): number => 1;

export interface SimulatorOptions {
  seed: number;
  /** Share of baskets bought by a customer seen before. */
  returningShare?: number;
  /** The chain it sells from (the built-in one when absent). */
  catalog?: CatalogData;
}

/** What the simulator draws from, derived once per catalog. */
interface Chain {
  stores: readonly Store[];
  storeWeights: number[];
  categories: string[];
  productsByCategory: Map<string, Product[]>;
  categoryWeightsByHour: number[][];
  prices: Map<number, number>;
}

function chainOf(c: CatalogData): Chain {
  const categories = [...new Set(c.products.map((p) => p.category))];
  return {
    stores: c.stores,
    storeWeights: cumulative(c.stores.map((s) => s.traffic ?? 1)),
    categories,
    productsByCategory: new Map(categories.map((cat) => [cat, c.products.filter((p) => p.category === cat)])),
    categoryWeightsByHour: Array.from({ length: 24 }, (_, h) =>
      cumulative(categories.map((cat) => (CATEGORY_BY_HOUR[cat] ?? EVEN)(h))),
    ),
    prices: new Map(c.products.map((p) => [p.product_id, p.price ?? listPriceFor(p.product_id)])),
  };
}

/** A catalog without prices: a stable price per product between 10 and 350 EGP, from its id. */
function listPriceFor(id: number): number {
  const h = Math.imul(id ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  return 10 + (h % 34_001) / 100;
}

/** Realistic point-of-sale baskets for the chain, reproducible from a seed (timestamps aside). */
export class SaleSimulator {
  private readonly random: Random;
  private readonly returningShare: number;
  private knownCustomers = 0;
  /** A tick stamps many sales with the same millisecond: format it once. */
  private stamp = { ms: NaN, iso: '', hour: 0 };
  private chain: Chain;

  constructor(opts: SimulatorOptions) {
    this.random = new Random(opts.seed);
    this.returningShare = opts.returningShare ?? 0.75;
    this.chain = chainOf(opts.catalog ?? BUILTIN_CATALOG);
  }

  /** Sells from another chain from the next sale on (the catalog in force changed). */
  setCatalog(c: CatalogData): void {
    this.chain = chainOf(c);
  }

  get rng(): Random {
    return this.random;
  }

  next(nowMs: number): SaleTransaction {
    const r = this.random;
    const chain = this.chain;
    const store = chain.stores[r.pick(chain.storeWeights)];
    if (this.stamp.ms !== nowMs) {
      const d = new Date(nowMs);
      this.stamp = { ms: nowMs, iso: d.toISOString(), hour: (d.getUTCHours() + CAIRO_UTC_OFFSET_H) % 24 };
    }
    const hour = this.stamp.hour;
    const size = r.pick(BASKET_SIZE) + 1;
    const lines: SaleLine[] = [];
    const used = new Set<number>();
    let totalCents = 0;
    for (let tries = 0; lines.length < size && tries < size * 4; tries++) {
      const category = chain.categories[r.pick(chain.categoryWeightsByHour[hour])];
      const options = chain.productsByCategory.get(category)!;
      const product = options[r.int(0, options.length - 1)];
      if (used.has(product.product_id)) continue;
      used.add(product.product_id);
      const bulky = category === 'Electronics' || category === 'Clothing';
      const quantity = bulky ? 1 : r.pick(QUANTITY) + 1;
      // One line in ten is on promotion: 10% off, rounded to a quarter pound as tills do.
      const price = chain.prices.get(product.product_id)!;
      const unitPrice = r.chance(0.1) ? Math.max(0.25, Math.round(price * 0.9 * 4) / 4) : price;
      lines.push({ product_id: product.product_id, quantity, unit_price: unitPrice });
      totalCents += Math.round(unitPrice * 100) * quantity;
    }
    return {
      transaction_id: r.uuid(),
      timestamp_utc: this.stamp.iso,
      store_id: store.store_id,
      customer_id: this.customer(),
      products: lines,
      total_amount: totalCents / 100,
    };
  }

  private customer(): string {
    const r = this.random;
    if (this.knownCustomers === 0 || !r.chance(this.returningShare)) return `cust_${++this.knownCustomers}`;
    // Regulars come back more often: skew towards the first customers.
    return `cust_${1 + Math.floor(this.knownCustomers * r.next() ** 2)}`;
  }
}
