// The compose keys real files use, read as Compose reads them (the config hash of the same files is
// checked against the real CLI in composeCli.test.ts), and what is refused or only warned about.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { PulseError } from '../errors';
import { tmpDirs } from '../testing/tmpDirs';
import { loadCompose } from './composeFile';
import { parsePorts } from './composeValues';

const tmp = tmpDirs('rp-compose-keys-');

function load(text: string, env: NodeJS.ProcessEnv = {}, files: Record<string, string> = {}) {
  const dir = tmp();
  for (const [f, body] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.writeFileSync(path.join(dir, f), body);
  }
  fs.writeFileSync(path.join(dir, 'compose.yml'), text);
  return { dir, p: loadCompose(path.join(dir, 'compose.yml'), { env }) };
}

const refused = (text: string, re: RegExp, env: NodeJS.ProcessEnv = {}) =>
  assert.throws(
    () => load(text, env),
    (e: PulseError) => e.code === 'config_invalid' && re.test(e.message),
  );

describe('compose keys', () => {
  it('reads every ports form', () => {
    const fail = (f: string, m: string) => new Error(`${f} ${m}`);
    const ports = (v: unknown) => parsePorts(v, fail).map((p) => [p.hostIp, p.hostPort, p.containerPort, p.protocol]);
    assert.deepEqual(ports('80'), [['', null, 80, 'tcp']]);
    assert.deepEqual(ports('8080:80'), [['', 8080, 80, 'tcp']]);
    assert.deepEqual(ports('127.0.0.1:8080:80/udp'), [['127.0.0.1', 8080, 80, 'udp']]);
    assert.deepEqual(ports('127.0.0.1::80'), [['127.0.0.1', null, 80, 'tcp']]);
    assert.deepEqual(ports('[::1]:8080:80'), [['::1', 8080, 80, 'tcp']]);
    assert.deepEqual(ports('9000-9001:9000-9001'), [
      ['', 9000, 9000, 'tcp'],
      ['', 9001, 9001, 'tcp'],
    ]);
    assert.deepEqual(ports({ target: 80, published: '8080', host_ip: '127.0.0.1', protocol: 'tcp', mode: 'host' }), [
      ['127.0.0.1', 8080, 80, 'tcp'],
    ]);
    for (const bad of ['99999:80', '80:', 'a:b', '1-3:1-2', '80/icmp'])
      assert.throws(() => parsePorts(bad, fail), /ports/, bad);
  });

  it('reads commands, environment, env files, volumes, networks, labels and limits in every form', () => {
    const { dir, p } = load(
      `version: "3.9"
services:
  a:
    image: x:1
    build: { context: ./ctx, args: [MODE=fast] }
    command: sh -c "echo 'hi there'"
    entrypoint: ["/bin/entry", "--flag"]
    environment: [A=1, FROM_SHELL, UNSET_HERE]
    env_file: [./a.env]
    volumes: ["data:/d:ro", "./rel:/r", "/anon", { type: bind, source: /tmp, target: /t, read_only: true }]
    networks: { back: { aliases: [alias-a] } }
    labels: [tier=db]
    extra_hosts: { host.local: 10.0.0.1 }
    deploy: { resources: { limits: { cpus: "1.5", memory: 1g } } }
    healthcheck: { disable: true }
    restart: on-failure:3
  b:
    image: x:1
    environment: { B: 2, EMPTY: null, YES: true }
    depends_on: [a]
volumes: { data: {} }
networks: { back: { name: custom-net } }
`,
      { FROM_SHELL: 'shell' },
      { 'ctx/Dockerfile': 'FROM scratch\n', 'a.env': 'FROM_FILE=f\nA=overridden\n' },
    );
    const a = p.services.a;
    assert.equal(a.image, 'x:1', 'image and build together: the build is tagged with image');
    assert.deepEqual(a.build, { context: path.join(dir, 'ctx'), dockerfile: 'Dockerfile', args: { MODE: 'fast' } });
    assert.deepEqual(a.command, ['sh', '-c', "echo 'hi there'"]);
    assert.deepEqual(a.entrypoint, ['/bin/entry', '--flag']);
    assert.deepEqual(a.environment, { FROM_FILE: 'f', A: '1', FROM_SHELL: 'shell', UNSET_HERE: null });
    assert.deepEqual(
      a.mounts.map((m) => [m.type, m.source, m.target, m.readOnly]),
      [
        ['volume', 'data', '/d', true],
        ['bind', path.join(dir, 'rel'), '/r', false],
        ['volume', '', '/anon', false],
        ['bind', '/tmp', '/t', true],
      ],
    );
    assert.deepEqual(a.networks, [{ key: 'back', aliases: ['alias-a'] }]);
    assert.equal(p.networks.back.name, 'custom-net');
    assert.deepEqual([a.labels, a.extraHosts], [{ tier: 'db' }, ['host.local:10.0.0.1']]);
    assert.deepEqual(a.limits, { nanoCpus: 1.5, memoryBytes: 1 << 30 });
    assert.deepEqual(a.healthcheck?.test, ['NONE'], 'disable: true also switches off the image’s own check');
    assert.deepEqual([a.restart, a.restartAsWritten], ['on-failure', 'on-failure:3']);
    assert.deepEqual(p.services.b.environment, { B: '2', EMPTY: null, YES: 'true' });
    assert.deepEqual(p.services.b.dependsOn, { a: { condition: 'service_started', required: true, restart: false } });
    assert.deepEqual(p.services.b.networks, [{ key: 'default', aliases: [] }]);
    assert.equal(
      p.networks.default.name,
      `${path
        .basename(dir)
        .toLowerCase()
        .replace(/[^a-z0-9_-]/g, '')}_default`,
    );
    assert.deepEqual(p.warnings, ['compose.yml: the attribute `version` is obsolete, it will be ignored']);
  });

  it('is a one-shot only when a dependent waits for it to complete', () => {
    const { p } = load(`services:
  job: { image: x:1 }
  server: { image: x:1 }
  app:
    image: x:1
    depends_on: { job: { condition: service_completed_successfully }, server: { condition: service_started } }
`);
    assert.deepEqual(
      Object.values(p.services).map((s) => [s.name, s.oneShot]),
      [
        ['job', true],
        ['server', false],
        ['app', false],
      ],
    );
  });

  it('leaves out services whose profile is not active, and refuses a dependency on one', () => {
    const text = `services:
  app: { image: x:1 }
  debug: { image: x:1, profiles: [debug] }
`;
    assert.deepEqual(load(text).p.disabled, ['debug']);
    assert.deepEqual(load(text, { COMPOSE_PROFILES: 'debug' }).p.disabled, []);
    refused(
      `services:
  app: { image: x:1, depends_on: [debug] }
  debug: { image: x:1, profiles: [debug] }
`,
      /depends_on names debug, which is only enabled with profile debug: set COMPOSE_PROFILES=debug/,
    );
    // An optional dependency that is absent is dropped.
    const { p } = load(`services:
  app: { image: x:1, depends_on: { gone: { condition: service_started, required: false } } }
`);
    assert.deepEqual(p.services.app.dependsOn, {});
  });

  it('warns about keys Compose does not know, refuses Compose keys it does not run, and names the field', () => {
    const { p } = load(`services:
  a: { image: x:1, colour: blue, x-note: fine }
flavour: vanilla
`);
    assert.deepEqual(p.warnings, [
      'compose.yml: flavour is not a Compose key: ignored',
      'compose.yml: services.a.colour is not a Compose key: ignored',
    ]);
    refused(
      'services:\n  a: { image: x:1, cap_add: [NET_ADMIN] }\n',
      /services\.a\.cap_add is a Compose key Retail Pulse does not run/,
    );
    refused('services:\n  a: { image: x:1, network_mode: host }\n', /services\.a\.network_mode is a Compose key/);
    refused('services:\n  a: { build: ./nope }\n', /services\.a\.build\.context .*nope is not a folder/);
    refused('services:\n  a: { image: x:1, env_file: [./missing.env] }\n', /env_file .*missing\.env does not exist/);
    refused(
      'services:\n  a: { image: x:1, networks: [nowhere] }\n',
      /uses network nowhere, which the file does not declare/,
    );
    refused(
      'services:\n  a: { image: x:1, container_name: same }\n  b: { image: x:1, container_name: same }\n',
      /services\.b\.container_name same is already the container_name of a/,
    );
    refused(
      'services:\n  a: { image: x:1, deploy: { replicas: 2 } }\n',
      /services\.a\.deploy\.replicas is not supported/,
    );
    refused('services:\n  a: { image: "x:${TAG:?set TAG}" }\n', /TAG must be set: set TAG/);
  });

  it('takes the project name from -p, COMPOSE_PROJECT_NAME, name: or the folder, and interpolates ${VAR:+alt}', () => {
    const text = 'name: from-file\nservices:\n  a: { image: "x:${TAG:+tagged}" }\n';
    assert.equal(load(text).p.name, 'from-file');
    assert.equal(load(text, { COMPOSE_PROJECT_NAME: 'from-env' }).p.name, 'from-env');
    assert.equal(load(text, { TAG: '1' }).p.services.a.image, 'x:tagged');
    assert.equal(load(text).p.services.a.image, 'x:');
  });
});
