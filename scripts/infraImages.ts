/**
 * The infrastructure tests' images, built here without a registry: a Debian root filesystem made
 * with debootstrap (Debian's mirror) and `docker import`ed, then Kafka (KRaft, the Maven jars
 * scripts/services/kafka.ts fetches), PostgreSQL and Redis (Debian packages) and moto's S3 server
 * (wheels from PyPI) built on it from scripts/infraImages/<name>/. Each image carries a label with
 * the digest of its inputs; a build is skipped while the label matches, so they are built once per
 * machine (about 4 minutes from nothing, see README) and reused by every later run.
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { aptInstall } from './services/apt';
import { cacheDir } from './services/config';
import { KAFKA_VERSIONS, kafkaLibs, kafkaService } from './services/kafka';
import { MOTO_VERSION, motoService, motoVenv } from './services/moto';
import { run } from './services/proc';

const SUITE = 'bookworm';
const PACKAGES = [
  'openjdk-17-jre-headless',
  'postgresql-15',
  'redis-server',
  'python3',
  'python3-venv',
  'ca-certificates',
];
const INPUTS = 'io.retail-pulse.inputs';
const HERE = path.join(path.dirname(new URL(import.meta.url).pathname), 'infraImages');

export const BASE_IMAGE = `retail-pulse-test/debian:${SUITE}`;
export interface InfraImages {
  kafka: string;
  postgres: string;
  redis: string;
  s3: string;
}

const say = (line: string) => process.stderr.write(`infra images: ${line}\n`);

function docker(args: string[], input?: string): string {
  const r = spawnSync('docker', args, { encoding: 'utf8', input, maxBuffer: 64 << 20 });
  if (r.status !== 0)
    throw new Error(`docker ${args.join(' ')} failed: ${r.stderr.trim().split('\n').slice(-5).join(' | ')}`);
  return r.stdout.trim();
}

function labelOf(image: string): string | null {
  const r = spawnSync('docker', ['image', 'inspect', '--format', `{{ index .Config.Labels "${INPUTS}" }}`, image], {
    encoding: 'utf8',
  });
  return r.status === 0 ? r.stdout.trim() : null;
}

function digest(parts: (string | Buffer)[]): string {
  const h = crypto.createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex').slice(0, 24);
}

/** Names, sizes and bytes of every file under dir, for the inputs digest (the jar and wheel sets). */
function treeDigest(dir: string): string {
  const parts: (string | Buffer)[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const f = path.join(d, e.name);
      if (e.isDirectory()) walk(f);
      else parts.push(path.relative(dir, f), String(fs.statSync(f).size));
    }
  };
  walk(dir);
  return digest(parts);
}

/** The Debian root filesystem with every package the service images need, as one imported image. */
async function ensureBase(): Promise<string> {
  const inputs = digest([SUITE, ...PACKAGES]);
  if (labelOf(BASE_IMAGE) === inputs) return BASE_IMAGE;
  if (spawnSync('sh', ['-c', 'command -v debootstrap'], { stdio: 'ignore' }).status !== 0)
    await aptInstall('infra images', ['debootstrap'], say);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-rootfs-'));
  try {
    say(`debootstrap ${SUITE} with ${PACKAGES.join(', ')} (a few minutes, once per machine)`);
    await run('debootstrap', [
      '--variant=minbase',
      `--include=${PACKAGES.join(',')}`,
      SUITE,
      root,
      'http://deb.debian.org/debian',
    ]);
    for (const junk of ['var/cache/apt/archives', 'var/lib/apt/lists', 'usr/share/doc', 'usr/share/man'])
      fs.rmSync(path.join(root, junk), { recursive: true, force: true });
    say(`docker import ${BASE_IMAGE}`);
    const r = spawnSync(
      'sh',
      [
        '-c',
        `tar -C "${root}" -c . | docker import --change 'LABEL ${INPUTS}=${inputs}' --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8' --change 'CMD ["/bin/bash"]' - ${BASE_IMAGE}`,
      ],
      { encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(`docker import of ${BASE_IMAGE} failed: ${r.stderr}`);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
  return BASE_IMAGE;
}

/** Builds scripts/infraImages/<name> on the base with extra context files, unless its inputs are unchanged. */
function ensureBuilt(name: string, tag: string, extra: Record<string, string>): string {
  const baseId = docker(['image', 'inspect', '--format', '{{.Id}}', BASE_IMAGE]);
  const dir = path.join(HERE, name);
  const files = fs.readdirSync(dir).sort();
  const inputs = digest([
    baseId,
    ...files.flatMap((f) => [f, fs.readFileSync(path.join(dir, f))]),
    ...Object.entries(extra).flatMap(([k, src]) => [k, treeDigest(src)]),
  ]);
  if (labelOf(tag) === inputs) return tag;
  const ctx = fs.mkdtempSync(path.join(os.tmpdir(), `rp-image-${name}-`));
  try {
    for (const f of files) fs.copyFileSync(path.join(dir, f), path.join(ctx, f));
    for (const [k, src] of Object.entries(extra)) fs.cpSync(src, path.join(ctx, k), { recursive: true });
    say(`building ${tag}`);
    docker(['build', '-q', '--build-arg', `BASE=${BASE_IMAGE}`, '--label', `${INPUTS}=${inputs}`, '-t', tag, ctx]);
  } finally {
    fs.rmSync(ctx, { recursive: true, force: true });
  }
  return tag;
}

/** moto[server] and its dependencies as wheels for the image's Python (3.11, manylinux), fetched once. */
async function motoWheels(): Promise<string> {
  const dir = path.join(cacheDir(), 'infra-images', `moto-${MOTO_VERSION}-wheels`);
  if (fs.existsSync(path.join(dir, '.complete'))) return dir;
  await motoService().install(say);
  fs.rmSync(dir, { recursive: true, force: true });
  say(`fetching moto[server]==${MOTO_VERSION} wheels`);
  await run(path.join(motoVenv(), 'bin', 'python'), [
    '-m',
    'pip',
    'download',
    '-q',
    '--dest',
    dir,
    '--only-binary=:all:',
    '--platform',
    'manylinux2014_x86_64',
    '--python-version',
    '3.11',
    '--implementation',
    'cp',
    `moto[server]==${MOTO_VERSION}`,
  ]);
  fs.writeFileSync(path.join(dir, '.complete'), '');
  return dir;
}

/** Every test image, built when missing or when its inputs changed; returns their names. */
export async function ensureInfraImages(): Promise<InfraImages> {
  await ensureBase();
  await kafkaService('kafka').install(say);
  const kafkaVersion = KAFKA_VERSIONS.kafka.find((v) => fs.existsSync(path.join(kafkaLibs(v), `kafka_2.13-${v}.jar`)));
  if (!kafkaVersion) throw new Error('the Kafka jars are missing after install');
  const wheels = await motoWheels();
  return {
    kafka: ensureBuilt('kafka', `retail-pulse-test/kafka:${kafkaVersion}`, { libs: kafkaLibs(kafkaVersion) }),
    postgres: ensureBuilt('postgres', 'retail-pulse-test/postgres:15', {}),
    redis: ensureBuilt('redis', 'retail-pulse-test/redis:7', {}),
    s3: ensureBuilt('s3', `retail-pulse-test/moto:${MOTO_VERSION}`, { wheels }),
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const began = Date.now();
  ensureInfraImages().then(
    (images) => say(`ready in ${((Date.now() - began) / 1000).toFixed(0)} s: ${Object.values(images).join(', ')}`),
    (err: unknown) => {
      say(err instanceof Error ? err.message : String(err));
      process.exit(1);
    },
  );
}
