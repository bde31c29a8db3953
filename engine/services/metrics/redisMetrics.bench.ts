/**
 * node --import tsx engine/services/metrics/redisMetrics.bench.ts [redis-url]
 * Apply latency of RedisMetrics for a typical stream batch (5 windows × 12 stores × 8 categories ×
 * 34 products): awaited one by one, and with many batches in flight on one connection (pipelined).
 * Also compares the two ways of handing a batch to the Lua script: a flat ARGV list (what the
 * adapter uses) against one JSON argument decoded with cjson.
 */
import { randomUUID } from 'node:crypto';
import { Redis, type ClientContext, type Result } from 'ioredis';
import { testService } from '../../testing/realServices';
import type { MetricsBatch, WindowDelta } from './port';
import { WINDOW_MS } from './windows';
import { APPLY_KEYS, APPLY_LUA, applyArgs, RedisMetrics } from './redisMetrics';

declare module 'ioredis' {
  interface RedisCommander<Context extends ClientContext = { type: 'default' }> {
    /** The bench's two forms of the apply script (defined by formats() below). */
    applyFlat(...args: (string | number)[]): Result<number, Context>;
    applyJson(...args: (string | number)[]): Result<number, Context>;
  }
}

const APPLY_JSON_LUA = `
local b = cjson.decode(ARGV[2])
local applied = redis.call('HGET', KEYS[1], b.p)
if applied and tonumber(applied) >= b.o then return 0 end
local wprefix = ARGV[1]
local tx, rev = 0, 0
for _, w in ipairs(b.w) do
  local key = wprefix .. w.start
  redis.call('HINCRBY', key, 'tx', w.transactions)
  redis.call('HINCRBY', key, 'lines', w.lines)
  redis.call('HINCRBY', key, 'rev', w.revenueCents)
  tx, rev = tx + w.transactions, rev + w.revenueCents
  for s, v in pairs(w.byStore) do
    redis.call('HINCRBY', key, 's:' .. s .. ':tx', v.transactions)
    redis.call('HINCRBY', key, 's:' .. s .. ':rev', v.revenueCents)
  end
  for c, cents in pairs(w.byCategory) do redis.call('HINCRBY', key, 'c:' .. c, cents) end
  for p, v in pairs(w.byProduct) do
    redis.call('HINCRBY', key, 'p:' .. p .. ':q', v.quantity)
    redis.call('HINCRBY', key, 'p:' .. p .. ':rev', v.revenueCents)
  end
  redis.call('EXPIRE', key, ARGV[3])
  redis.call('ZADD', KEYS[4], w.start, w.start)
end
redis.call('HINCRBY', KEYS[2], 'tx', tx)
redis.call('HINCRBY', KEYS[2], 'rev', rev)
redis.call('HINCRBY', KEYS[2], 'late', b.late.records)
redis.call('HINCRBY', KEYS[2], 'lateRev', b.late.revenueCents)
for bucket, n in pairs(b.latency) do redis.call('HINCRBY', KEYS[3], bucket, n) end
redis.call('HSET', KEYS[1], b.p, b.o)
return 1
`;

const T0 = Date.UTC(2025, 0, 6, 9, 0);

function typicalBatch(partition: number, seq: number): MetricsBatch {
  const windows: WindowDelta[] = [];
  for (let k = 0; k < 5; k++) {
    const w: WindowDelta = {
      start: T0 + ((seq + k) % 60) * WINDOW_MS,
      transactions: 0,
      lines: 0,
      revenueCents: 0,
      byStore: {},
      byCategory: {},
      byProduct: {},
    };
    for (let s = 1; s <= 12; s++) w.byStore[s] = { transactions: 3 + s, revenueCents: 12_345 + s * 7 };
    for (const c of ['Bakery', 'Dairy', 'Groceries', 'Beverages', 'Produce', 'Meat', 'Household', 'Snacks'])
      w.byCategory[c] = 4_321;
    for (let p = 101; p <= 134; p++) w.byProduct[p] = { quantity: 2, revenueCents: 2_599 };
    w.transactions = 150;
    w.lines = 400;
    w.revenueCents = 250_000;
    windows.push(w);
  }
  return {
    partition,
    firstOffset: seq * 100,
    lastOffset: seq * 100 + 99,
    windows,
    late: { records: 1, revenueCents: 999 },
    latency: { 40: 120, 41: 30 },
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const ms = (t: bigint) => Number(process.hrtime.bigint() - t) / 1e6;

async function formats(url: string, n: number): Promise<void> {
  const redis = new Redis(url);
  redis.defineCommand('applyFlat', { lua: APPLY_LUA, numberOfKeys: APPLY_KEYS });
  redis.defineCommand('applyJson', { lua: APPLY_JSON_LUA, numberOfKeys: 4 });
  for (const format of ['flat', 'json', 'flat', 'json'] as const) {
    const p = `rp-bench:${randomUUID()}:`;
    const keys = [`${p}applied`, `${p}totals`, `${p}latency`, `${p}windows`];
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const batch = typicalBatch(0, i);
      const t = process.hrtime.bigint();
      if (format === 'flat') await redis.applyFlat(...keys, `${p}since`, ...applyArgs(`${p}w:`, batch));
      else {
        const arg = JSON.stringify({
          p: batch.partition,
          o: batch.lastOffset,
          w: batch.windows,
          late: batch.late,
          latency: batch.latency,
        });
        await redis.applyJson(...keys, `${p}w:`, arg, 26 * 3600);
      }
      times.push(ms(t));
    }
    const size =
      format === 'flat'
        ? applyArgs(`${p}w:`, typicalBatch(0, 0)).length + ' args'
        : JSON.stringify(typicalBatch(0, 0).windows).length + ' JSON bytes';
    console.log(`lua args ${format.padEnd(4)}: median ${median(times).toFixed(3)} ms over ${n} applies (${size})`);
    await deleteUnder(redis, p);
  }
  await redis.quit();
}

async function adapter(url: string, n: number): Promise<void> {
  const m = await RedisMetrics.open({ url, keyPrefix: `rp-bench:${randomUUID()}:` });
  const batches = Array.from({ length: n }, (_, i) => typicalBatch(0, i));
  const seq: number[] = [];
  let t0 = process.hrtime.bigint();
  for (const b of batches) {
    const t = process.hrtime.bigint();
    await m.apply(b);
    seq.push(ms(t));
  }
  const seqTotal = ms(t0);
  console.log(
    `adapter, one at a time: median ${median(seq).toFixed(3)} ms, ${((n / seqTotal) * 1000).toFixed(0)} applies/s`,
  );
  await m.reset();
  // Several partitions' batches in flight at once on one connection, as many stream workers would be.
  const inFlight = 16;
  const piped: number[] = [];
  t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i += inFlight) {
    await Promise.all(
      batches.slice(i, i + inFlight).map(async (b, j) => {
        const t = process.hrtime.bigint();
        await m.apply({ ...b, partition: j });
        piped.push(ms(t));
      }),
    );
  }
  const pipedTotal = ms(t0);
  console.log(
    `adapter, ${inFlight} in flight (pipelined): median ${median(piped).toFixed(3)} ms per apply, ${((n / pipedTotal) * 1000).toFixed(0)} applies/s`,
  );
  await m.reset();
  await m.close();
}

async function deleteUnder(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await redis.unlink(...keys);
  } while (cursor !== '0');
}

const url = process.argv[2] ?? testService('redis');
await formats(url, 1000);
await adapter(url, 1000);
