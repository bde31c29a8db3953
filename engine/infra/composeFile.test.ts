import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { resolveConfig } from '../config';
import { dockerServices, withServices } from './dockerServices';
import type { PulseError } from '../errors';
import { tmpDirs } from '../testing/tmpDirs';
import { loadCompose, parseDuration, shellWords } from './composeFile';
import { LogDemuxer } from './dockerEngine';
import { startOrder } from './plan';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Service {
  image: string;
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test: unknown };
  depends_on?: Record<string, { condition: string }>;
  restart?: string;
  environment?: Record<string, unknown>;
}

const compose = parse(fs.readFileSync(`${ROOT}docker-compose.yml`, 'utf8')) as {
  name: string;
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
const oneShot = new Set(['minio-init', 'metabase-init']);

describe('docker-compose.yml, the stack users run', () => {
  it('has every service the pipeline and the user need', () => {
    assert.deepEqual(Object.keys(compose.services).sort(), [
      'kafka',
      'metabase',
      'metabase-init',
      'minio',
      'minio-init',
      'postgres',
      'redis',
    ]);
    assert.equal(compose.name, 'retail-pulse');
  });

  it('pins every image to a version', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      const image = s.image.replace(/\$\{[A-Z_]+:-([^}]+)\}/g, '$1');
      assert.match(image, /^[a-z0-9./-]+:[A-Za-z0-9._-]+$/, `${name}: ${s.image}`);
      assert.ok(!image.endsWith(':latest'), `${name} must not float on latest`);
    }
  });

  it('binds every published port to 127.0.0.1 only', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      for (const p of s.ports ?? []) assert.match(p, /^127\.0\.0\.1:/, `${name} publishes ${p}`);
    }
  });

  it('health-checks every long-running service and keeps its data in a named volume', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      if (oneShot.has(name)) {
        assert.equal(s.restart, 'no', `${name} runs once`);
        assert.ok(
          Object.values(s.depends_on ?? {}).every((d) => d.condition === 'service_healthy'),
          `${name} waits for health`,
        );
        continue;
      }
      assert.ok(s.healthcheck?.test, `${name} has a health check`);
      assert.equal(s.restart, 'unless-stopped');
      const named = (s.volumes ?? []).filter((v) => !v.startsWith('.'));
      assert.ok(
        named.length && named.every((v) => v.split(':')[0] in compose.volumes),
        `${name} keeps data in a named volume`,
      );
    }
  });

  it('applies the star schema on PostgreSQL first start and mounts files that exist', () => {
    assert.ok(
      compose.services.postgres.volumes!.some((v) => v.startsWith('./sql/init.sql:/docker-entrypoint-initdb.d/')),
    );
    for (const s of Object.values(compose.services)) {
      for (const v of s.volumes ?? [])
        if (v.startsWith('./')) assert.ok(fs.existsSync(`${ROOT}${v.split(':')[0]}`), `${v} exists`);
    }
  });

  it('takes credentials from .env with the defaults .env.example documents', () => {
    const example = Object.fromEntries(
      fs
        .readFileSync(`${ROOT}.env.example`, 'utf8')
        .split('\n')
        .filter((l) => /^[A-Z_]+=/.test(l))
        .map((l) => l.split('=') as [string, string]),
    );
    const text = fs.readFileSync(`${ROOT}docker-compose.yml`, 'utf8');
    const used = [...text.matchAll(/\$\{([A-Z_]+):-([^}]*)\}/g)];
    assert.ok(used.length > 10);
    for (const [, name, fallback] of used)
      assert.equal(example[name], fallback, `.env.example documents ${name}=${fallback}`);
    assert.ok(!/PASSWORD: [^$]/.test(text), 'no password written into the file itself');
  });
});

describe('loadCompose, what engine/infra makes of a compose file', () => {
  const tmp = tmpDirs('rp-compose-');
  const file = `${ROOT}docker-compose.yml`;

  it('reads the real file into services with defaults applied, start order from depends_on', () => {
    const p = loadCompose(file, { env: {} });
    assert.equal(p.name, 'retail-pulse');
    // As in Compose, a one-shot is only what a dependent waits for to complete: nothing here does,
    // so up never waits for minio-init or metabase-init to exit (the Host waits for minio-init).
    assert.deepEqual(
      Object.values(p.services).filter((s) => s.oneShot),
      [],
    );
    assert.equal(p.services.kafka.image, 'apache/kafka:4.1.1');
    assert.deepEqual(p.services.kafka.ports, [
      { hostIp: '127.0.0.1', hostPort: 9092, containerPort: 9092, protocol: 'tcp' },
    ]);
    assert.deepEqual(p.services.kafka.healthcheck, {
      test: p.services.kafka.healthcheck!.test,
      intervalMs: 5000,
      timeoutMs: 10_000,
      retries: 30,
      startPeriodMs: 10_000,
    });
    assert.equal(p.services['minio-init'].dependsOn.minio.condition, 'service_healthy');
    // $$ reaches the container as a literal $ for its own shell.
    assert.match(p.services['minio-init'].entrypoint![2], /"\$MINIO_ROOT_USER"/);
    assert.deepEqual(p.services.postgres.mounts[1], {
      type: 'bind',
      source: `${ROOT}sql/init.sql`,
      target: '/docker-entrypoint-initdb.d/01-init.sql',
      readOnly: true,
      createHostPath: true,
      noCopy: false,
      short: true,
    });
    const order = startOrder(p);
    for (const [svc, dep] of [
      ['minio-init', 'minio'],
      ['metabase', 'postgres'],
      ['metabase-init', 'metabase'],
    ])
      assert.ok(order.indexOf(dep) < order.indexOf(svc), `${dep} before ${svc}`);
    assert.deepEqual(startOrder(p, ['metabase-init']), ['postgres', 'metabase', 'metabase-init']);
  });

  it('takes variables from the environment over a .env beside the file', () => {
    const dir = tmp();
    fs.copyFileSync(file, `${dir}/docker-compose.yml`);
    fs.writeFileSync(
      `${dir}/.env`,
      'KAFKA_PORT=19999\nPOSTGRES_PASSWORD="s3cret pw"\n# a comment\nREDIS_PORT=1111 # inline\n',
    );
    const p = loadCompose(`${dir}/docker-compose.yml`, { env: { REDIS_PORT: '2222' } });
    assert.equal(p.services.kafka.ports[0].hostPort, 19999);
    assert.equal(p.services.redis.ports[0].hostPort, 2222);
    assert.equal(p.services.postgres.environment.POSTGRES_PASSWORD, 's3cret pw');
    assert.equal(p.workingDir, dir);
  });

  it('derives the engine settings for docker mode from published ports and credentials', () => {
    const dir = tmp();
    fs.copyFileSync(file, `${dir}/docker-compose.yml`);
    fs.writeFileSync(
      `${dir}/.env`,
      'MINIO_PORT=19000\nMINIO_ROOT_PASSWORD=p@ss/word\nLAKE_BUCKET=bronze-lake\nPOSTGRES_PORT=15999\n',
    );
    const input = dockerServices(loadCompose(`${dir}/docker-compose.yml`, { env: {} }));
    assert.deepEqual(input, {
      kafka: '127.0.0.1:9092',
      s3: 'http://minioadmin:p%40ss%2Fword@127.0.0.1:19000',
      s3Bucket: 'bronze-lake',
      postgres: 'postgres://retail_user:retail_password@127.0.0.1:15999/retail',
      redis: 'redis://127.0.0.1:6379',
    });
    const c = resolveConfig({ dataDir: tmp(), ...input });
    assert.deepEqual(c.services.lake, {
      mode: 'external',
      endpoint: 'http://127.0.0.1:19000',
      bucket: 'bronze-lake',
      region: 'us-east-1',
      accessKeyId: 'minioadmin',
      secretAccessKey: 'p@ss/word',
    });
    const onlyBroker = withServices(resolveConfig({ dataDir: tmp() }), ['broker'], input);
    assert.deepEqual(
      Object.values(onlyBroker.services).map((s) => s.mode),
      ['external', 'embedded', 'embedded', 'embedded'],
    );
  });

  it('refuses what it does not support, by field, and a depends_on cycle with its path', () => {
    const write = (text: string) => {
      const f = `${tmp()}/compose.yml`;
      fs.writeFileSync(f, text);
      return f;
    };
    const refused = (text: string, re: RegExp) =>
      assert.throws(
        () => startOrder(loadCompose(write(text), { env: {} })),
        (e: PulseError) => e.code === 'config_invalid' && re.test(e.message),
      );
    refused(
      'services:\n  a:\n    image: x:1\n    privileged: true\n',
      /services\.a\.privileged is a Compose key Retail Pulse does not run/,
    );
    refused(
      'services:\n  a:\n    image: x:1\n    volumes: [data:/d]\n',
      /uses volume data, which the file does not declare/,
    );
    refused(
      'services:\n  a:\n    image: x:1\n    ports: ["127.0.0.1:99999:80"]\n',
      /ports "127\.0\.0\.1:99999:80" must be/,
    );
    refused('services:\n  a:\n    image: x:${TAG:?set TAG first}\n', /TAG must be set: set TAG first/);
    refused(
      'services:\n  a:\n    image: x:1\n    depends_on: [b]\n  b:\n    image: x:1\n    depends_on: [a]\n',
      /depends_on has a cycle: a → b → a/,
    );
  });

  it('splits string commands as a shell would and reads Compose durations', () => {
    assert.deepEqual(shellWords(`sh -c "echo 'hi there'" a\\ b`), ['sh', '-c', "echo 'hi there'", 'a b']);
    assert.equal(parseDuration('1m30s', 0), 90_000);
    assert.equal(parseDuration('250ms', 0), 250);
    assert.ok(Number.isNaN(parseDuration('5 seconds', 0)));
  });

  it('demultiplexes Docker log frames split anywhere', () => {
    const frame = (stream: number, text: string) => {
      const header = Buffer.alloc(8);
      header[0] = stream;
      header.writeUInt32BE(Buffer.byteLength(text), 4);
      return Buffer.concat([header, Buffer.from(text)]);
    };
    const [a, b] = [frame(1, 'out line\n'), frame(2, 'err\n')];
    const all = Buffer.concat([a, b]);
    const d = new LogDemuxer();
    const got = [...d.push(all.subarray(0, 5)), ...d.push(all.subarray(5, 14)), ...d.push(all.subarray(14))];
    assert.deepEqual(
      got.map((f) => [f.stream, f.data.toString()]),
      [
        ['stdout', 'out line\n'],
        ['stderr', 'err\n'],
      ],
    );
  });
});
