/** The point-of-sale message on topic `sales_transactions`, as the seed project defined it. */
export interface SaleLine {
  product_id: number;
  quantity: number;
  unit_price: number;
}

export interface SaleTransaction {
  transaction_id: string;
  timestamp_utc: string;
  store_id: number;
  customer_id: string;
  products: SaleLine[];
  total_amount: number;
}

export const SALES_TOPIC = 'sales_transactions';

/** Money is summed in integer piasters (1/100 EGP) so totals reconcile to the cent. */
export function toCents(egp: number): number {
  return Math.round(egp * 100);
}

/**
 * Records an import put on the topic are keyed `import:<import id>` (lineage: bronze keeps the key),
 * and are partitioned by store like live sales. The validator does not apply the staleness rule to
 * them: a backfill of last year's sales is old by design.
 */
export const IMPORT_KEY_PREFIX = 'import:';

export function isImported(key: string | null): boolean {
  return key !== null && key.startsWith(IMPORT_KEY_PREFIX);
}
