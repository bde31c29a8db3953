/**
 * The backlog-drain bench: a log pre-filled with `sales` sales in the original project's shape
 * (1-7 lines each, about 4 on average; its 8 stores' ids are ours 1-8, products drawn from the
 * built-in catalog, prices between 10 and 350 EGP, event times spread over the 30 minutes before
 * the fill, zone-less ISO timestamps as its Python producer writes them), seeded: the same sales
 * every run, timestamps aside. The stream then drains it into bronze + silver + windows.
 */
import { pathToFileURL } from 'node:url';
import { resolveConfig, type ConfigInput } from '../config';
import { BUILTIN_CATALOG } from '../model/catalog';
import { openBroker } from '../services/open';
import { Random } from '../model/random';
import type { Broker, ProduceMessage } from '../services/broker/port';

const SEND = 5_000;
const SPREAD_MS = 30 * 60_000;

export interface Backlog {
  sales: number;
  lines: number;
  records: number;
  bytes: number;
  fillMs: number;
}

/** Writes the backlog into `topic` (created with `partitions` if absent). */
export async function fillBacklog(
  broker: Broker,
  topic: string,
  partitions: number,
  sales: number,
  seed = 1,
): Promise<Backlog> {
  await broker.ensureTopic(topic, partitions);
  const producer = await broker.producer(topic);
  const r = new Random(seed);
  const stores = BUILTIN_CATALOG.stores.slice(0, 8).map((s) => s.store_id);
  const products = BUILTIN_CATALOG.products.map((p) => p.product_id);
  const t0 = performance.now();
  const start = Date.now() - SPREAD_MS;
  let lines = 0;
  let bytes = 0;
  try {
    for (let sent = 0; sent < sales;) {
      const batch: ProduceMessage[] = [];
      for (const n = Math.min(SEND, sales - sent); batch.length < n;) {
        const i = sent + batch.length;
        const count = r.int(1, 7);
        const picked = new Set<number>();
        while (picked.size < count) picked.add(products[r.int(0, products.length - 1)]);
        const items = [...picked].map((product_id) => ({
          product_id,
          quantity: r.int(1, 5),
          unit_price: r.int(1000, 35_000) / 100,
        }));
        const total = items.reduce((s, p) => s + Math.round(p.unit_price * 100) * p.quantity, 0) / 100;
        const eventMs = start + Math.floor((i / sales) * SPREAD_MS);
        const store_id = stores[r.int(0, stores.length - 1)];
        const value = JSON.stringify({
          transaction_id: r.uuid(),
          store_id,
          customer_id: `C${r.int(1, 100_000)}`,
          products: items,
          total_amount: total,
          timestamp_utc: new Date(eventMs).toISOString().replace('Z', `${String(r.int(0, 999)).padStart(3, '0')}`),
        });
        lines += count;
        bytes += value.length;
        batch.push({ key: String(store_id), value });
      }
      await producer.send(batch);
      sent += batch.length;
    }
  } finally {
    await producer.close();
  }
  return { sales, lines, records: sales, bytes, fillMs: Math.round(performance.now() - t0) };
}

/**
 * Run as a script (node --import tsx engine/bench/backlog.ts CONFIG_JSON SALES): fills the backlog
 * in its own process, so the drain's process starts without the fill's memory. Prints the Backlog.
 */
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [configJson, sales] = process.argv.slice(2);
  const config = resolveConfig(JSON.parse(configJson) as ConfigInput);
  const broker = await openBroker(config);
  const backlog = await fillBacklog(broker, config.topic, config.partitions, Number(sales)).finally(() =>
    broker.close(),
  );
  process.stdout.write(JSON.stringify(backlog));
}
