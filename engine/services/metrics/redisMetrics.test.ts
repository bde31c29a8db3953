import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { PulseError } from '../../errors';
import { testService } from '../../testing/realServices';
import { metricsContract, sampleBatch } from './metrics.contract';
import { RedisMetrics } from './redisMetrics';

const uniquePrefix = () => `rp-test:${randomUUID()}:`;

metricsContract('redis', async () => {
  const metrics = await RedisMetrics.open({ url: testService('redis'), keyPrefix: uniquePrefix() });
  return {
    metrics,
    cleanup: async () => {
      await metrics.reset();
      await metrics.close();
    },
  };
});

describe('redis metrics', () => {
  it('two workers applying interleaved batches of different partitions at once add up exactly', async () => {
    const keyPrefix = uniquePrefix();
    const [a, b] = await Promise.all([
      RedisMetrics.open({ url: testService('redis'), keyPrefix }),
      RedisMetrics.open({ url: testService('redis'), keyPrefix }),
    ]);
    const single = await RedisMetrics.open({ url: testService('redis'), keyPrefix: uniquePrefix() });
    try {
      const batches = Array.from({ length: 40 }, (_, i) =>
        sampleBatch(i % 4, Math.floor(i / 4) * 10, Math.floor(i / 4) * 10 + 9, i),
      );
      // Worker a owns partitions 0 and 2, worker b 1 and 3; each partition's batches in order, like a consumer.
      const run = (m: RedisMetrics, parts: number[]) =>
        Promise.all(
          parts.map(async (p) => {
            for (const batch of batches.filter((x) => x.partition === p)) assert.equal(await m.apply(batch), true);
          }),
        );
      await Promise.all([run(a, [0, 2]), run(b, [1, 3])]);
      for (const batch of batches) await single.apply(batch);
      assert.deepEqual(await a.windows(0), await single.windows(0));
      assert.deepEqual(await b.totals(), await single.totals());
      assert.deepEqual((await a.totals()).applied, { 0: 99, 1: 99, 2: 99, 3: 99 });
    } finally {
      await a.reset();
      await single.reset();
      await Promise.all([a.close(), b.close(), single.close()]);
    }
  });

  it('the same batch applied concurrently by two workers is counted once', async () => {
    const keyPrefix = uniquePrefix();
    const [a, b] = await Promise.all([
      RedisMetrics.open({ url: testService('redis'), keyPrefix }),
      RedisMetrics.open({ url: testService('redis'), keyPrefix }),
    ]);
    try {
      const batches = Array.from({ length: 20 }, (_, i) => sampleBatch(0, i * 5, i * 5 + 4, i));
      const results = await Promise.all(batches.flatMap((batch) => [a.apply(batch), b.apply(batch)]));
      assert.equal(results.filter(Boolean).length, batches.length);
      const t = await a.totals();
      assert.equal(
        t.transactions,
        batches.reduce((s, x) => s + x.windows.reduce((n, w) => n + w.transactions, 0), 0),
      );
      assert.deepEqual(t.applied, { 0: 99 });
    } finally {
      await a.reset();
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('reset deletes only keys under its own prefix', async () => {
    const mine = await RedisMetrics.open({ url: testService('redis'), keyPrefix: uniquePrefix() + '[x]*' });
    const other = await RedisMetrics.open({ url: testService('redis'), keyPrefix: uniquePrefix() });
    try {
      await mine.apply(sampleBatch(0, 0, 9, 1));
      await other.apply(sampleBatch(0, 0, 9, 1));
      await mine.reset();
      assert.deepEqual(await mine.windows(0), []);
      assert.equal((await other.windows(0)).length, 3);
    } finally {
      await other.reset();
      await Promise.all([mine.close(), other.close()]);
    }
  });
});

describe('redis metrics when the server goes away', () => {
  const password = `pw-${randomUUID()}`;
  let port = 0;
  let server: ChildProcess | null = null;

  before(async () => {
    port = await freePort();
    server = await startRedis(port, password);
  });
  after(() => {
    server?.kill('SIGKILL');
  });

  it('open() against a dead server fails within a few seconds, saying where, without the password', async () => {
    const dead = await freePort();
    const started = Date.now();
    const err = await RedisMetrics.open({ url: `redis://:${password}@127.0.0.1:${dead}` }).then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(err instanceof PulseError, String(err));
    assert.ok(Date.now() - started < 5_000, `took ${Date.now() - started} ms`);
    assert.equal(err.code, 'metrics_failed');
    assert.equal(err.retriable, true);
    assert.match(err.message, new RegExp(`redis://\\*\\*\\*@127\\.0\\.0\\.1:${dead}`));
    assert.match(err.message, /ECONNREFUSED/);
    assert.ok(!err.message.includes(password));
  });

  it('a wrong password is reported without showing it', async () => {
    const wrong = `wrong-${randomUUID()}`;
    const err = await RedisMetrics.open({ url: `redis://:${wrong}@127.0.0.1:${port}` }).then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(err instanceof PulseError, String(err));
    assert.ok(!err.message.includes(wrong), err.message);
    assert.match(err.message, /refused the credentials \(WRONGPASS/);
    assert.equal(err.retriable, false);
  });

  it('fails fast while Redis is down and recovers on its own when it is back', async () => {
    const metrics = await RedisMetrics.open({
      url: `redis://:${password}@127.0.0.1:${port}`,
      keyPrefix: uniquePrefix(),
    });
    try {
      assert.equal(await metrics.apply(sampleBatch(0, 0, 9, 1)), true);
      server!.kill('SIGKILL');
      await onceExited(server!);
      for (const call of [
        () => metrics.apply(sampleBatch(0, 10, 19, 2)),
        () => metrics.windows(0),
        () => metrics.totals(),
      ]) {
        const started = Date.now();
        const err = await call().then(
          () => null,
          (e: unknown) => e,
        );
        assert.ok(err instanceof PulseError, String(err));
        assert.ok(Date.now() - started < 1_000, `took ${Date.now() - started} ms`);
        assert.equal(err.code, 'metrics_failed');
        assert.equal(err.retriable, true);
        assert.match(err.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
        assert.ok(!err.message.includes(password), err.message);
      }
      server = await startRedis(port, password);
      const deadline = Date.now() + 10_000;
      let applied: boolean | null = null;
      while (applied === null) {
        applied = await metrics.apply(sampleBatch(0, 20, 29, 3)).catch((err: unknown) => {
          if (Date.now() > deadline) throw err;
          return null;
        });
        if (applied === null) await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(applied, true);
      assert.deepEqual((await metrics.totals()).applied, { 0: 29 });
    } finally {
      await metrics.close();
    }
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** A throwaway redis-server child this test may kill; resolves once it answers on its port. */
async function startRedis(port: number, password: string): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--requirepass', password],
    { stdio: 'ignore' },
  );
  const deadline = Date.now() + 5_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis-server on port ${port} exited with ${child.exitCode}`);
    if (await answers(port)) return child;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`redis-server did not start on port ${port}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('data', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('error', () => resolve(false));
  });
}

function onceExited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((r) => child.once('exit', () => r()));
}
