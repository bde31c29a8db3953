import { Redis, type ClientContext, type Result } from 'ioredis';
import { PulseError } from '../../errors';
import { redactText, redactUrl } from '../../util/redact';
import type { Metrics, MetricsBatch, MetricsTotals, WindowView } from './port';
import { batchTotals, emptyWindow, RETAIN_WINDOWS, windowView } from './windows';

/**
 * The speed layer in Redis, shared by every stream worker (each its own process and connection).
 *
 * Key layout, P = keyPrefix (default `retail-pulse:`):
 *   P w:<start>   hash, one per 1-minute window (start = epoch ms): `tx`, `lines`, `rev`,
 *                 `s:<store>:tx`, `s:<store>:rev`, `c:<category>` (cents), `p:<product>:q`,
 *                 `p:<product>:rev`. EXPIRE 26 h, refreshed on every write.
 *   P windows     sorted set of window starts (score = member = start), for range reads; trimmed to
 *                 the newest RETAIN_WINDOWS (24 h), whose hashes are deleted with them.
 *   P totals      hash: `tx`, `rev`, `late`, `lateRev`.
 *   P latency     hash: latency bucket -> count.
 *   P applied     hash: partition -> last offset applied.
 *   P since       hash: partition -> first offset applied (where the windows started counting it).
 * Every value is an integer (cents, counts) and only ever changed by HINCRBY, so sums are exact.
 *
 * apply() is one Lua script: it compares the batch with the partition's applied offset and adds
 * everything or nothing, so any number of workers may apply, and replay, batches concurrently.
 * The script builds window key names from the prefix, so it targets one Redis server (a Redis
 * Cluster would need every key in one slot, e.g. a prefix with a hash tag such as `{rp}:`).
 */

const WINDOW_TTL_S = 26 * 3600;
const CONNECT_TIMEOUT_MS = 3_000;
const COMMAND_TIMEOUT_MS = 3_000;
const RECONNECT_MAX_MS = 2_000;

/**
 * KEYS: applied, totals, latency, windows, since. ARGV: window key prefix, partition, last offset, ttl,
 * retain, tx, rev, late records, late cents, first offset, then a count and that many (bucket, n) pairs,
 * then a window count and per window: start, a pair count and that many (field, increment) pairs.
 * Flat arguments measured faster than one JSON argument decoded with cjson (see redisMetrics.bench.ts).
 */
export const APPLY_LUA = `
local applied = redis.call('HGET', KEYS[1], ARGV[2])
if applied and tonumber(applied) >= tonumber(ARGV[3]) then return 0 end
local wprefix, ttl, retain = ARGV[1], ARGV[4], tonumber(ARGV[5])
redis.call('HINCRBY', KEYS[2], 'tx', ARGV[6])
redis.call('HINCRBY', KEYS[2], 'rev', ARGV[7])
redis.call('HINCRBY', KEYS[2], 'late', ARGV[8])
redis.call('HINCRBY', KEYS[2], 'lateRev', ARGV[9])
redis.call('HSETNX', KEYS[5], ARGV[2], ARGV[10])
local i = 11
local n = tonumber(ARGV[i])
for j = 1, n do
  redis.call('HINCRBY', KEYS[3], ARGV[i + 2 * j - 1], ARGV[i + 2 * j])
end
i = i + 2 * n + 1
local nw = tonumber(ARGV[i])
i = i + 1
for _ = 1, nw do
  local start = ARGV[i]
  local key = wprefix .. start
  local np = tonumber(ARGV[i + 1])
  i = i + 2
  for _ = 1, np do
    redis.call('HINCRBY', key, ARGV[i], ARGV[i + 1])
    i = i + 2
  end
  redis.call('EXPIRE', key, ttl)
  redis.call('ZADD', KEYS[4], start, start)
end
local count = redis.call('ZCARD', KEYS[4])
if count > retain then
  for _, s in ipairs(redis.call('ZRANGE', KEYS[4], 0, count - retain - 1)) do
    redis.call('DEL', wprefix .. s)
  end
  redis.call('ZREMRANGEBYRANK', KEYS[4], 0, count - retain - 1)
end
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
return 1
`;

/** How many of APPLY_LUA's arguments are keys. */
export const APPLY_KEYS = 5;

declare module 'ioredis' {
  interface RedisCommander<Context extends ClientContext = { type: 'default' }> {
    /** APPLY_LUA, which every RedisMetrics defines on its connection (1: applied, 0: seen before). */
    pulseApply(...args: (string | number)[]): Result<number, Context>;
  }
}

export interface RedisMetricsOptions {
  url: string;
  /** Prefix of every key this adapter reads, writes and reset() deletes. */
  keyPrefix?: string;
}

export class RedisMetrics implements Metrics {
  readonly kind = 'redis' as const;
  private readonly keys: {
    applied: string;
    totals: string;
    latency: string;
    windows: string;
    window: string;
    since: string;
  };
  private lastError: Error | null = null;

  private constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    /** The URL with any password masked: the only form that may appear in messages. */
    readonly where: string,
  ) {
    this.keys = {
      applied: `${prefix}applied`,
      totals: `${prefix}totals`,
      latency: `${prefix}latency`,
      windows: `${prefix}windows`,
      window: `${prefix}w:`,
      since: `${prefix}since`,
    };
    redis.on('error', (err: Error) => {
      this.lastError = err;
    });
    redis.on('ready', () => {
      this.lastError = null;
    });
    redis.defineCommand('pulseApply', { lua: APPLY_LUA, numberOfKeys: APPLY_KEYS });
  }

  /** Connects, or fails within a few seconds with what went wrong; later outages are retried in the background. */
  static async open(opts: RedisMetricsOptions): Promise<RedisMetrics> {
    const where = redactUrl(opts.url);
    const redis = new Redis(opts.url, {
      lazyConnect: true,
      // Fail fast while disconnected instead of queueing: the stream must not stall on the speed layer.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: CONNECT_TIMEOUT_MS,
      commandTimeout: COMMAND_TIMEOUT_MS,
      retryStrategy: (attempt) => Math.min(100 * 2 ** Math.min(attempt - 1, 10), RECONNECT_MAX_MS),
    });
    const metrics = new RedisMetrics(redis, opts.keyPrefix ?? 'retail-pulse:', where);
    try {
      await withTimeout(redis.connect(), CONNECT_TIMEOUT_MS + 1_000);
      await redis.ping();
    } catch (err) {
      redis.disconnect();
      const { reason, retriable } = metrics.explain(err, false);
      throw new PulseError('metrics_failed', `cannot connect to Redis at ${where}: ${reason}`, {
        cause: err,
        retriable,
      });
    }
    return metrics;
  }

  async apply(batch: MetricsBatch): Promise<boolean> {
    const args = applyArgs(this.keys.window, batch);
    const { applied, totals, latency, windows, since } = this.keys;
    const done = await this.call('apply', () =>
      this.redis.pulseApply(applied, totals, latency, windows, since, ...args),
    );
    return done === 1;
  }

  async windows(sinceMs: number): Promise<WindowView[]> {
    return this.call('windows', async () => {
      const starts = await this.redis.zrangebyscore(this.keys.windows, sinceMs, '+inf');
      if (starts.length === 0) return [];
      const pipe = this.redis.pipeline();
      for (const s of starts) pipe.hgetall(this.keys.window + s);
      const replies = (await pipe.exec()) ?? [];
      const views: WindowView[] = [];
      replies.forEach(([err, fields], i) => {
        if (err) throw err;
        const hash = fields as Record<string, string>;
        // A window whose hash expired while its start is still listed has nothing to show.
        if (Object.keys(hash).length > 0) views.push(parseWindow(Number(starts[i]), hash));
      });
      return views;
    });
  }

  async totals(): Promise<MetricsTotals> {
    return this.call('totals', async () => {
      const replies = await this.redis
        .multi()
        .hgetall(this.keys.totals)
        .hgetall(this.keys.latency)
        .hgetall(this.keys.applied)
        .hgetall(this.keys.since)
        .zrange(this.keys.windows, '0', '0')
        .zrange(this.keys.windows, '-1', '-1')
        .exec();
      if (!replies) throw new Error('totals transaction was aborted');
      for (const [err] of replies) if (err) throw err;
      const [t, latency, applied, since] = replies.slice(0, 4).map(([, v]) => v as Record<string, string>);
      const [oldest, newest] = [replies[4][1], replies[5][1]] as string[][];
      return {
        transactions: Number(t.tx ?? 0),
        revenueCents: Number(t.rev ?? 0),
        lateRecords: Number(t.late ?? 0),
        lateRevenueCents: Number(t.lateRev ?? 0),
        latency: numbers(latency),
        applied: numbers(applied),
        since: numbers(since),
        oldestWindow: oldest.length ? Number(oldest[0]) : null,
        newestWindow: newest.length ? Number(newest[0]) : null,
      };
    });
  }

  /** Deletes every key under this adapter's prefix (never FLUSHDB: the server may hold others' data). */
  async reset(): Promise<void> {
    await this.call('reset', async () => {
      const match = `${escapeGlob(this.prefix)}*`;
      let cursor = '0';
      do {
        const [next, keys] = await this.redis.scan(cursor, 'MATCH', match, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await this.redis.unlink(...keys);
      } while (cursor !== '0');
    });
  }

  async close(): Promise<void> {
    try {
      await this.redis.quit();
    } catch {
      this.redis.disconnect();
    }
  }

  private async call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      const { reason, retriable } = this.explain(err, true);
      throw new PulseError('metrics_failed', `metrics ${what} failed at ${this.where}: ${reason}`, {
        cause: err,
        retriable,
      });
    }
  }

  /**
   * What went wrong, in words (ioredis' own messages for a closed connection say little), and
   * whether trying again later can help: an outage can, refused credentials or a bad script cannot.
   */
  private explain(err: unknown, reconnecting: boolean): { reason: string; retriable: boolean } {
    const message = err instanceof Error ? err.message : String(err);
    const offline = /enableOfflineQueue|Connection is closed|MaxRetriesPerRequest|max retries per request/i.test(
      message,
    );
    if (!offline) {
      const transient = !isReplyError(err) || /^(LOADING|BUSY|TRYAGAIN|OOM|MASTERDOWN|READONLY)\b/.test(message);
      return { reason: redactText(message), retriable: transient };
    }
    const last = this.lastError ? redactText(this.lastError.message) : null;
    if (last && /^(WRONGPASS|NOAUTH|NOPERM)\b/.test(last))
      return { reason: `Redis refused the credentials (${last})`, retriable: false };
    return {
      reason: `Redis is not reachable (${last ?? 'connection lost'})${reconnecting ? '; reconnecting in the background' : ''}`,
      retriable: true,
    };
  }
}

/** The Lua script's flat argument list for one batch; totals are summed here, once. */
export function applyArgs(windowKeyPrefix: string, batch: MetricsBatch): (string | number)[] {
  const { transactions: tx, revenueCents: rev } = batchTotals(batch);
  const args: (string | number)[] = [
    windowKeyPrefix,
    batch.partition,
    batch.lastOffset,
    WINDOW_TTL_S,
    RETAIN_WINDOWS,
    tx,
    rev,
    batch.late.records,
    batch.late.revenueCents,
    batch.firstOffset,
  ];
  const latency = Object.entries(batch.latency);
  args.push(latency.length);
  for (const [b, n] of latency) args.push(b, n);
  args.push(batch.windows.length);
  for (const w of batch.windows) {
    const at = args.length;
    args.push(w.start, 0, 'tx', w.transactions, 'lines', w.lines, 'rev', w.revenueCents);
    for (const [s, v] of Object.entries(w.byStore))
      args.push(`s:${s}:tx`, v.transactions, `s:${s}:rev`, v.revenueCents);
    for (const [c, cents] of Object.entries(w.byCategory)) args.push(`c:${c}`, cents);
    for (const [p, v] of Object.entries(w.byProduct)) args.push(`p:${p}:q`, v.quantity, `p:${p}:rev`, v.revenueCents);
    args[at + 1] = (args.length - at - 2) / 2;
  }
  return args;
}

export function parseWindow(start: number, hash: Record<string, string>): WindowView {
  const w = emptyWindow(start);
  for (const [field, raw] of Object.entries(hash)) {
    const v = Number(raw);
    if (field === 'tx') w.transactions = v;
    else if (field === 'lines') w.lines = v;
    else if (field === 'rev') w.revenueCents = v;
    else if (field.startsWith('c:')) w.byCategory[field.slice(2)] = v;
    else if (field.startsWith('s:')) {
      const tx = field.endsWith(':tx');
      const s = (w.byStore[field.slice(2, field.lastIndexOf(':'))] ??= { transactions: 0, revenueCents: 0 });
      if (tx) s.transactions = v;
      else s.revenueCents = v;
    } else if (field.startsWith('p:')) {
      const q = field.endsWith(':q');
      const p = (w.byProduct[field.slice(2, field.lastIndexOf(':'))] ??= { quantity: 0, revenueCents: 0 });
      if (q) p.quantity = v;
      else p.revenueCents = v;
    }
  }
  return windowView(w);
}

function numbers(hash: Record<string, string>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(hash)) out[k] = Number(v);
  return out;
}

function escapeGlob(s: string): string {
  return s.replace(/[*?[\]\\]/g, '\\$&');
}

function isReplyError(err: unknown): boolean {
  return err instanceof Error && err.name === 'ReplyError';
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
