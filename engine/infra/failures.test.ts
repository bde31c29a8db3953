// What a user sees when the stack cannot start, against the real Docker engine: one clear error,
// and nothing this attempt created left behind.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, it } from 'node:test';
import { PulseError } from '../errors';
import { Stack } from './stack';
import { leftovers, testStack, TEST_COMPOSE } from './testing/testStack';
import { tmpDirs } from '../testing/tmpDirs';

const tmp = tmpDirs('rp-infra-');

async function refused(p: Promise<unknown>, code: string): Promise<PulseError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof PulseError, String(err));
    assert.equal(err.code, code, err.message);
    return err;
  }
  assert.fail(`expected ${code}`);
}

/** The test compose file with one service's lines changed, written beside a copy of its bind-mount folder. */
function variant(edit: (text: string) => string): string {
  const dir = tmp();
  fs.cpSync(path.dirname(TEST_COMPOSE), dir, { recursive: true });
  const file = path.join(dir, 'compose.yml');
  fs.writeFileSync(file, edit(fs.readFileSync(TEST_COMPOSE, 'utf8')));
  return file;
}

describe('infrastructure failures a user can act on', () => {
  it('names a missing image and how to get it, and leaves nothing behind', async () => {
    const { stack, project } = await testStack({ env: { TEST_IMAGE: 'retail-pulse-test/nope:1' } });
    const err = await refused(stack.up(), 'image_missing');
    assert.match(err.message, /image retail-pulse-test\/nope:1 \(service db\) is not on this machine/);
    assert.match(err.message, /docker pull retail-pulse-test\/nope:1/);
    assert.match(err.message, /docker load/);
    assert.deepEqual(leftovers(project), []);
  });

  it('says what to do when the daemon is unreachable, from the API and the command line', async () => {
    const env = { ...process.env, DOCKER_HOST: `unix://${tmp()}/docker.sock` };
    const stack = new Stack({ composeFile: TEST_COMPOSE, env });
    const err = await refused(stack.up(), 'docker_unavailable');
    assert.match(err.message, /Docker daemon is not running .*DOCKER_HOST.*start it/);
    for (const command of [['status'], ['up'], ['down'], ['logs', 'db']]) {
      const cli = spawnSync(
        process.execPath,
        ['--import', 'tsx', 'engine/infra/cli.ts', ...command, '-f', TEST_COMPOSE],
        { env, encoding: 'utf8' },
      );
      assert.equal(cli.status, 1, cli.stderr);
      assert.equal(cli.stdout, '');
      const lines = cli.stderr.trim().split('\n');
      assert.equal(lines.length, 1, cli.stderr);
      assert.match(lines[0], /^retail-pulse infra: the Docker daemon is not running .*then try again$/);
    }
  });

  it('names a port another program holds, and removes what the attempt created', async () => {
    const server = net.createServer().listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const { stack, project } = await testStack({ env: { APP_PORT: String(port) } });
      await stack.up('db');
      const before = leftovers(project).sort();
      const err = await refused(stack.up(), 'port_taken');
      assert.match(err.message, new RegExp(`port 127\\.0\\.0\\.1:${port} for service app is already in use`));
      // db was there before this attempt and stays; nothing new was made.
      assert.deepEqual(leftovers(project).sort(), before);
    } finally {
      server.close();
    }
  });

  it('shows the last output of a health check that never passes, and leaves nothing behind', async () => {
    const file = variant((t) =>
      t.replace(
        'test: ["CMD-SHELL", "test -s /data/greeting"]',
        'test: ["CMD-SHELL", "echo still warming up; exit 1"]',
      ),
    );
    const { stack, project } = await testStack({ composeFile: file });
    const began = Date.now();
    const err = await refused(stack.up(), 'unhealthy');
    assert.match(
      err.message,
      /^db is unhealthy: its health check failed 3 times in a row \(check: echo still warming up; exit 1; last exit code 1; last output: still warming up\)/,
    );
    assert.ok(Date.now() - began < 15_000, `gave up after ${Date.now() - began} ms`);
    assert.deepEqual(leftovers(project), []);
  });

  it('reports a one-shot service that fails with its exit code and output', async () => {
    const file = variant((t) =>
      t.replace('cat /data/greeting > /data/initialized && echo init done', 'echo cannot initialize >&2; exit 3'),
    );
    const { stack, project } = await testStack({ composeFile: file });
    const err = await refused(stack.up(), 'unhealthy');
    assert.match(err.message, /init \(a one-shot service\) exited with code 3; last log lines: cannot initialize/);
    assert.deepEqual(leftovers(project), []);
  });
});
