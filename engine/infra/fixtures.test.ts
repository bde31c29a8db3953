// Real-world compose files on the real Docker engine: the original Spark project's kind (no health
// checks, container_name, builds, a user network, an obsolete version key) and a web application's
// (a migration job, a worker, profiles, every common key). Up starts everything in order and
// returns; status, logs and down behave as a user expects.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { InfraProgress } from '../contract';
import { PulseError } from '../errors';
import { loadCompose } from './composeFile';
import { followLogs, readLogs } from './serviceLogs';
import { Stack } from './stack';
import { standInFor } from './testing/standIns';
import { docker, freePort, leftovers, removeProjectAfter, SPARK_COMPOSE, WEB_COMPOSE } from './testing/testStack';

async function open(file: string, project: string, env: NodeJS.ProcessEnv = {}) {
  removeProjectAfter(project);
  const events: InfraProgress[] = [];
  const all = { ...process.env, PREFIX: project, PROJECT: project, ...env };
  const p = loadCompose(file, { env: all });
  standInFor([
    ...new Set(
      Object.values(p.services)
        .filter((s) => !s.build)
        .map((s) => s.image),
    ),
  ]);
  const stack = new Stack({ composeFile: file, projectName: project, env: all, onProgress: (e) => events.push(e) });
  return { stack, events };
}

describe('compose files as they are written in the wild', { timeout: 300_000 }, () => {
  it('starts the original Spark project kind in dependency order and returns, though nothing has a health check', async () => {
    const project = `rp-spark-${process.pid}`;
    const { stack, events } = await open(SPARK_COMPOSE, project, {
      KAFKA_PORT: String(await freePort()),
      POSTGRES_PORT: String(await freePort()),
    });
    const began = Date.now();
    const status = await stack.up();
    // Long-running services without health check or restart policy are up when running: no wait.
    assert.ok(Date.now() - began < 90_000, `up took ${Date.now() - began} ms`);
    assert.deepEqual(
      status.services.map((s) => [s.service, s.state, s.oneShot]),
      [
        'zookeeper',
        'kafka',
        'postgres',
        'pgadmin',
        'minio',
        'redis',
        'spark-master',
        'spark-worker',
        'producer',
        'dashboard',
        'metabase',
      ].map((s) => [s, 'running', false]),
    );
    assert.ok(events.some((e) => e.step === 'warning' && /`version` is obsolete/.test(e.message)));
    const created = (svc: string) => events.findIndex((e) => e.message === `creating ${project}-${svc}`);
    for (const [dep, svc] of [
      ['zookeeper', 'kafka'],
      ['kafka', 'producer'],
      ['postgres', 'pgadmin'],
      ['postgres', 'metabase'],
      ['spark-master', 'spark-worker'],
      ['redis', 'dashboard'],
    ])
      assert.ok(created(dep) >= 0 && created(dep) < created(svc), `${dep} is created before ${svc}`);
    // Built from the local folders with the file's build args, through the Docker API, with progress.
    assert.ok(events.some((e) => e.step === 'build' && e.service === 'spark-master'));
    assert.equal(docker('run', '--rm', `${project}-producer`, 'cat', '/producer-version'), '1.2');
    // container_name is the name; the user network carries every service under its name.
    assert.equal(docker('inspect', '--format', '{{.State.Status}}', `${project}-kafka`), 'running');
    assert.match(
      docker('exec', `${project}-producer`, 'sh', '-c', 'ping -c 1 -W 2 kafka && ping -c 1 -W 2 spark-master'),
      /1 packets received/,
    );
    // A published port with no host port gets one from Docker, and status shows it.
    const pgadmin = status.services.find((s) => s.service === 'pgadmin')!;
    assert.equal(pgadmin.ports.length, 1);
    assert.ok(pgadmin.ports[0].hostPort > 0 && pgadmin.ports[0].containerPort === 80);

    const tail = await readLogs(stack, 'spark-worker', { tail: 10 });
    assert.equal(tail[0].line, 'spark worker started, master spark://spark-master:7077');
    const followed: string[] = [];
    const stop = await followLogs(stack, 'minio', { since: Date.now() }, (lines) =>
      followed.push(...lines.map((l) => l.line)),
    );
    const deadline = Date.now() + 10_000;
    while (!followed.some((l) => /^tick \d+$/.test(l)) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    stop();
    assert.ok(
      followed.some((l) => /^tick \d+$/.test(l)),
      `followed: ${followed.join(' | ')}`,
    );
    assert.equal(
      (await readLogs(stack, 'minio', { tail: 1000 }))[0].line,
      'stand-in started: server /data --console-address :9001',
    );

    await stack.down({ volumes: true });
    assert.deepEqual(leftovers(project), []);
  });

  it('runs a web app file: health, a job the web service waits for, profiles, env files, limits, aliases', async () => {
    const project = `rp-web-${process.pid}`;
    const port = await freePort();
    const { stack, events } = await open(WEB_COMPOSE, project, { WEB_PORT: String(port) });
    assert.deepEqual(stack.project.disabled, ['adminer', 'crasher']);
    assert.ok(
      stack.project.warnings.some((w) => /services\.web\.unknown_option is not a Compose key: ignored/.test(w)),
    );
    const status = await stack.up();
    const by = Object.fromEntries(status.services.map((s) => [s.service, s]));
    assert.deepEqual(Object.keys(by).sort(), ['db', 'migrate', 'web', 'worker']);
    assert.deepEqual([by.migrate.state, by.migrate.exitCode, by.migrate.oneShot], ['exited', 0, true]);
    assert.deepEqual([by.web.health, by.db.health, by.worker.state], ['healthy', 'healthy', 'running']);
    const at = (m: string) => events.findIndex((e) => e.message === m);
    assert.ok(at(`creating ${project}-migrate-1`) >= 0);
    assert.ok(at('waiting for migrate to be finished') < at(`creating ${project}-web-1`), 'web waits for the job');
    assert.match((await readLogs(stack, 'migrate')).map((l) => l.line).join('\n'), /migrating database\nmigrated/);
    assert.equal((await (await fetch(`http://127.0.0.1:${port}/`)).text()).trim(), 'built with args');

    const web = `${project}-web-1`;
    const inspect = (fmt: string) => docker('inspect', '--format', fmt, web);
    const env = JSON.parse(inspect('{{json .Config.Env}}')) as string[];
    for (const e of ['FROM_ENV_FILE=loaded', 'APP_ENV=test', 'FROM_ENVIRONMENT=yes']) assert.ok(env.includes(e), e);
    assert.equal(inspect('{{.Config.User}} {{.Config.WorkingDir}}'), '1000:1000 /srv');
    assert.equal(inspect('{{.HostConfig.NanoCpus}} {{.HostConfig.Memory}}'), `500000000 ${64 * 1024 * 1024}`);
    assert.equal(inspect('{{index .Config.Labels "com.example.tier"}}'), 'frontend');
    assert.deepEqual(JSON.parse(inspect('{{json .HostConfig.ExtraHosts}}')), ['upstream.internal:10.1.2.3']);
    assert.ok('9100/tcp' in JSON.parse(inspect('{{json .Config.ExposedPorts}}')));
    assert.deepEqual(Object.keys(JSON.parse(inspect('{{json .NetworkSettings.Networks}}'))).sort(), [
      `${project}_backend`,
      `${project}_frontend`,
    ]);
    assert.equal(docker('exec', web, 'cat', '/config/motd'), 'welcome to the web tier');
    assert.throws(() => docker('exec', web, 'touch', '/config/x'), /Read-only file system/);
    // The network alias from the file answers on the backend network.
    assert.match(docker('exec', web, 'nslookup', 'pg'), /Name:\s+pg\nAddress: \d/);

    // Up again changes nothing; an edit to one service recreates that one only.
    const ids = () =>
      docker('ps', '-a', '--filter', `label=com.docker.compose.project=${project}`, '--format', '{{.ID}} {{.Names}}');
    const before = ids();
    await stack.up();
    assert.equal(ids(), before);
    const edited = new Stack({
      composeFile: WEB_COMPOSE,
      projectName: project,
      env: { ...process.env, PROJECT: project, WEB_PORT: String(await freePort()) },
      onProgress: (e) => events.push(e),
    });
    docker('exec', '-u', '0:0', web, 'sh', '-c', 'echo kept > /srv/cache/note');
    await edited.up();
    assert.ok(events.some((e) => e.message === `recreating ${web}: its settings changed`));
    assert.equal(
      docker('exec', web, 'cat', '/srv/cache/note'),
      'kept',
      'the anonymous volume moved to the new container',
    );
    assert.ok(!events.some((e) => /recreating .*-(db|worker|migrate)-1/.test(e.message)));

    const anonymous = docker(
      'inspect',
      '--format',
      '{{range .Mounts}}{{if eq .Destination "/srv/cache"}}{{.Name}}{{end}}{{end}}',
      web,
    );
    await edited.down({ volumes: true });
    assert.deepEqual(leftovers(project), []);
    assert.throws(
      () => docker('volume', 'inspect', anonymous),
      /no such volume/i,
      'down -v removes anonymous volumes too',
    );
  });

  it('reports a service that exits non-zero with its last lines, and enables it only with its profile', async () => {
    const project = `rp-crash-${process.pid}`;
    const { stack } = await open(WEB_COMPOSE, project, {
      WEB_PORT: String(await freePort()),
      COMPOSE_PROFILES: 'broken',
    });
    assert.deepEqual(stack.project.disabled, ['adminer']);
    await assert.rejects(
      stack.up(),
      (e: PulseError) =>
        e.code === 'unhealthy' &&
        /^crasher exited with code 3 before it was up; last log lines: .*fatal: no such setting: color/.test(e.message),
    );
    assert.deepEqual(leftovers(project), []);
  });
});
