import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

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

const compose = parse(fs.readFileSync(`${ROOT}docker-compose.yml`, 'utf8')) as { name: string; services: Record<string, Service>; volumes: Record<string, unknown> };
const oneShot = new Set(['minio-init', 'metabase-init']);

describe('docker-compose.yml, the stack users run', () => {
  it('has every service the pipeline and the user need', () => {
    assert.deepEqual(Object.keys(compose.services).sort(), ['kafka', 'metabase', 'metabase-init', 'minio', 'minio-init', 'postgres', 'redis']);
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
        assert.ok(Object.values(s.depends_on ?? {}).every((d) => d.condition === 'service_healthy'), `${name} waits for health`);
        continue;
      }
      assert.ok(s.healthcheck?.test, `${name} has a health check`);
      assert.equal(s.restart, 'unless-stopped');
      const named = (s.volumes ?? []).filter((v) => !v.startsWith('.'));
      assert.ok(named.length && named.every((v) => v.split(':')[0] in compose.volumes), `${name} keeps data in a named volume`);
    }
  });

  it('applies the star schema on PostgreSQL first start and mounts files that exist', () => {
    assert.ok(compose.services.postgres.volumes!.some((v) => v.startsWith('./sql/init.sql:/docker-entrypoint-initdb.d/')));
    for (const s of Object.values(compose.services)) {
      for (const v of s.volumes ?? []) if (v.startsWith('./')) assert.ok(fs.existsSync(`${ROOT}${v.split(':')[0]}`), `${v} exists`);
    }
  });

  it('takes credentials from .env with the defaults .env.example documents', () => {
    const example = Object.fromEntries(
      fs.readFileSync(`${ROOT}.env.example`, 'utf8').split('\n').filter((l) => /^[A-Z_]+=/.test(l)).map((l) => l.split('=') as [string, string]),
    );
    const text = fs.readFileSync(`${ROOT}docker-compose.yml`, 'utf8');
    const used = [...text.matchAll(/\$\{([A-Z_]+):-([^}]*)\}/g)];
    assert.ok(used.length > 10);
    for (const [, name, fallback] of used) assert.equal(example[name], fallback, `.env.example documents ${name}=${fallback}`);
    assert.ok(!/PASSWORD: [^$]/.test(text), 'no password written into the file itself');
  });
});
