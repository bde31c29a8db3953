// Against the real Docker engine (CI installs docker.io and starts dockerd), on a local busybox image.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { InfraLogLine } from '../contract';
import { followLogs, readLogs, readStats } from './serviceLogs';
import { docker, leftovers, testStack } from './testing/testStack';

describe('the compose stack on a real Docker engine', () => {
  it('brings services up in depends_on order, waits for health and the one-shot, and labels everything as Compose does', async () => {
    const { stack, events, project, port } = await testStack();
    const status = await stack.up();
    const by = Object.fromEntries(status.services.map((s) => [s.service, s]));
    assert.equal(by.db.state, 'running');
    assert.equal(by.db.health, 'healthy');
    assert.deepEqual([by.init.state, by.init.exitCode, by.init.oneShot], ['exited', 0, true]);
    assert.equal(by.app.health, 'healthy');
    assert.deepEqual(by.app.ports, [{ hostIp: '127.0.0.1', hostPort: port, containerPort: 8080 }]);
    assert.ok(by.app.uptimeMs! >= 0);

    // Order: app is created only after db was healthy and init had finished.
    const at = (pred: (m: string) => boolean) => events.findIndex((e) => pred(e.message));
    assert.ok(
      at((m) => m.startsWith(`creating ${project}-db-1`)) < at((m) => m.startsWith(`creating ${project}-init-1`)),
    );
    assert.ok(
      at((m) => m === 'waiting for init to be finished') < at((m) => m.startsWith(`creating ${project}-app-1`)),
    );

    // The app serves what init wrote from the greeting db wrote: the volume is shared, in order.
    const res = await fetch(`http://127.0.0.1:${port}/`);
    assert.equal((await res.text()).trim(), 'hello');

    // What docker (and so docker compose) sees.
    const filter = `label=com.docker.compose.project=${project}`;
    assert.deepEqual(docker('ps', '--filter', filter, '--format', '{{.Names}}').split('\n').sort(), [
      `${project}-app-1`,
      `${project}-db-1`,
    ]);
    const labels = JSON.parse(docker('inspect', '--format', '{{json .Config.Labels}}', `${project}-app-1`)) as Record<
      string,
      string
    >;
    assert.equal(labels['com.docker.compose.service'], 'app');
    assert.equal(labels['com.docker.compose.container-number'], '1');
    assert.equal(labels['com.docker.compose.oneoff'], 'False');
    assert.match(labels['com.docker.compose.project.config_files'], /testdata\/compose\.yml$/);
    assert.equal(
      docker('network', 'inspect', '--format', '{{index .Labels "com.docker.compose.network"}}', `${project}_backend`),
      'backend',
    );
    assert.equal(
      docker('volume', 'inspect', '--format', '{{index .Labels "com.docker.compose.volume"}}', `${project}_db-data`),
      'db-data',
    );
    // The bind mount is read-only and resolved beside the compose file.
    assert.equal(docker('exec', `${project}-app-1`, 'cat', '/static/note.txt'), 'served from a bind mount');

    // Up again: same containers, nothing recreated.
    const ids = docker('ps', '-a', '--filter', filter, '--format', '{{.ID}} {{.Names}}');
    const again = await stack.up();
    assert.equal(docker('ps', '-a', '--filter', filter, '--format', '{{.ID}} {{.Names}}'), ids);
    assert.deepEqual(
      again.services.map((s) => [s.service, s.state, s.health]),
      [
        ['db', 'running', 'healthy'],
        ['init', 'exited', 'none'],
        ['app', 'running', 'healthy'],
      ],
    );

    // Logs: the tail, then a followed line that was not there before.
    const tail = await readLogs(stack, 'db', { tail: 1000 });
    assert.equal(tail[0].line, 'db starting');
    assert.ok(tail.every((l) => l.stream === 'stdout' && l.time.endsWith('Z')));
    const followed: InfraLogLine[] = [];
    const last = Number(tail.at(-1)!.line.split(' ')[1]);
    const stop = await followLogs(stack, 'db', { since: Date.now() }, (lines) => followed.push(...lines));
    const deadline = Date.now() + 5000;
    while (!followed.some((l) => Number(l.line.split(' ')[1]) > last) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    stop();
    assert.ok(
      followed.some((l) => /^tick \d+$/.test(l.line) && Number(l.line.split(' ')[1]) > last),
      JSON.stringify(followed),
    );

    const stats = await readStats(stack);
    assert.deepEqual(stats.map((s) => s.service).sort(), ['app', 'db']);
    assert.ok(stats.every((s) => s.memoryBytes > 0 && s.cpuPercent >= 0));

    // One service stopped and started alone; the others keep running.
    const stopped = await stack.stop('db');
    assert.deepEqual(
      stopped.services.filter((s) => s.state === 'running').map((s) => s.service),
      ['app'],
    );
    assert.equal(docker('inspect', '--format', '{{.State.Status}}', `${project}-db-1`), 'exited');
    const started = await stack.start('db');
    assert.equal(started.services.find((s) => s.service === 'db')!.health, 'healthy');
    assert.ok(events.some((e) => e.message === 'db is healthy'));

    // Down keeps the named volume unless asked; with the flag nothing is left.
    await stack.down();
    assert.deepEqual(leftovers(project), [`${project}_db-data`]);
    await stack.down({ volumes: true });
    assert.deepEqual(leftovers(project), []);
  });

  it('restarts one service, and sees a container Compose made by its labels', async () => {
    const { stack, project } = await testStack();
    await stack.up('db');
    const before = docker('inspect', '--format', '{{.State.StartedAt}}', `${project}-db-1`);
    const status = await stack.restart('db');
    assert.notEqual(docker('inspect', '--format', '{{.State.StartedAt}}', `${project}-db-1`), before);
    assert.deepEqual(
      status.services.map((s) => [s.service, s.state]),
      [
        ['db', 'running'],
        ['init', 'missing'],
        ['app', 'missing'],
      ],
    );
    // A container someone else labelled for this project (as `docker compose run` would) shows up in status.
    docker(
      'run',
      '-d',
      '--name',
      `${project}-extra-1`,
      '--label',
      `com.docker.compose.project=${project}`,
      '--label',
      'com.docker.compose.service=extra',
      '--label',
      'com.docker.compose.oneoff=False',
      'retail-pulse-test/busybox:1',
      'sleep',
      '30',
    );
    assert.equal((await stack.status()).services.find((s) => s.service === 'extra')?.state, 'running');
    await stack.down({ volumes: true });
    assert.deepEqual(leftovers(project), []);
  });
});
