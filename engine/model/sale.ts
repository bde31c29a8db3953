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
