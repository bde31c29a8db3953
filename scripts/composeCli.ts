/**
 * The real Docker Compose v2 CLI, for the tests that check the app and Compose see the same
 * containers: built from its Go module (the Go module proxy) into the cache, once per machine
 * (about 4 minutes from nothing), with Go from Debian's golang-go when missing. The module cache
 * lives in the cache folder too, so deleting it really rebuilds.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { aptInstall } from './services/apt';
import { cacheDir } from './services/config';
import { run } from './services/proc';

export const COMPOSE_VERSION = '2.40.3';
const MODULE = 'github.com/docker/compose/v2';

const say = (line: string) => process.stderr.write(`compose cli: ${line}\n`);

export function composeBinary(): string {
  return path.join(cacheDir(), 'compose', `v${COMPOSE_VERSION}`, 'docker-compose');
}

/** Go's minor version on PATH (1.21 and later fetch the toolchain a module asks for), or null. */
function goMinor(): number | null {
  const r = spawnSync('go', ['env', 'GOVERSION'], { encoding: 'utf8' });
  const m = /^go1\.(\d+)/.exec(r.stdout ?? '');
  return r.status === 0 && m ? Number(m[1]) : null;
}

/** The path of a working `docker-compose` v2 binary, built when missing. */
export async function ensureComposeCli(): Promise<string> {
  const bin = composeBinary();
  if (fs.existsSync(bin)) return bin;
  if (goMinor() === null) await aptInstall('compose cli', ['golang-go'], say);
  const minor = goMinor();
  // Compose 2.40 needs Go 1.24: Go 1.21+ fetches that toolchain through the module proxy by itself.
  if (minor === null || minor < 21)
    throw new Error(
      `building Docker Compose v${COMPOSE_VERSION} needs Go 1.21 or later on PATH (found ${minor === null ? 'none' : `1.${minor}`}); install a newer Go, then run npm test again`,
    );
  const env = {
    ...process.env,
    GOMODCACHE: path.join(cacheDir(), 'go-mod'),
    GOFLAGS: '-buildvcs=false',
    GOTOOLCHAIN: 'auto',
    CGO_ENABLED: '0',
  };
  say(`building Docker Compose v${COMPOSE_VERSION} from ${MODULE} (a few minutes, once per machine)`);
  fs.mkdirSync(cacheDir(), { recursive: true });
  const dl = spawnSync('go', ['mod', 'download', '-json', `${MODULE}@v${COMPOSE_VERSION}`], {
    encoding: 'utf8',
    env,
    cwd: cacheDir(),
  });
  if (dl.status !== 0)
    throw new Error(`go mod download ${MODULE}@v${COMPOSE_VERSION} failed: ${dl.stderr || dl.stdout}`);
  const dir = (JSON.parse(dl.stdout) as { Dir: string }).Dir;
  const partial = `${bin}.partial`;
  fs.mkdirSync(path.dirname(bin), { recursive: true });
  await run(
    'go',
    [
      'build',
      '-trimpath',
      '-ldflags',
      `-s -w -X ${MODULE}/internal.Version=v${COMPOSE_VERSION}`,
      '-o',
      partial,
      './cmd',
    ],
    { cwd: dir, env },
  );
  fs.renameSync(partial, bin);
  return bin;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  ensureComposeCli().then(
    (bin) => say(`ready: ${bin}`),
    (err: unknown) => {
      say(err instanceof Error ? err.message : String(err));
      process.exit(1);
    },
  );
}
