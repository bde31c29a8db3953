// The app and the real Docker Compose v2 CLI (built from its Go module by scripts/composeCli.ts) on
// the same files: the same config hash for every service, and neither recreates the containers the
// other made; each one's ps, status and down see the other's containers.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, describe, it } from 'node:test';
import { ensureComposeCli } from '../../scripts/composeCli';
import type { InfraProgress } from '../contract';
import { loadCompose } from './composeFile';
import { configHash } from './composeHash';
import { tmpDirs } from '../testing/tmpDirs';
import { Stack } from './stack';
import { standInFor } from './testing/standIns';
import {
  docker,
  freePort,
  leftovers,
  PIPELINE_COMPOSE,
  removeProjectAfter,
  SPARK_COMPOSE,
  TEST_COMPOSE,
  WEB_COMPOSE,
} from './testing/testStack';

const tmp = tmpDirs('rp-compose-cli-');
const REPO_COMPOSE = fileURLToPath(new URL('../../docker-compose.yml', import.meta.url));
let compose = '';
before(async () => {
  compose = await ensureComposeCli();
});

function dc(file: string, project: string, env: NodeJS.ProcessEnv, ...args: string[]): string {
  const r = spawnSync(compose, ['-f', file, '-p', project, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  assert.equal(r.status, 0, `docker compose ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const ids = (project: string) =>
  docker('ps', '-a', '--filter', `label=com.docker.compose.project=${project}`, '--format', '{{.ID}} {{.Names}}')
    .split('\n')
    .sort();

/** The web app fixture without its stray key (Compose refuses a key it does not know; the app warns). */
function webWithoutStrayKey(): string {
  const dir = tmp();
  fs.cpSync(path.dirname(WEB_COMPOSE), dir, { recursive: true });
  const file = path.join(dir, 'compose.yml');
  fs.writeFileSync(file, fs.readFileSync(WEB_COMPOSE, 'utf8').replace(/^ *unknown_option: .*\n/m, ''));
  return file;
}

describe('the app and Docker Compose v2 on the same files', { timeout: 600_000 }, () => {
  it('computes the config hash Compose computes, for every service of every file', async () => {
    const env = {
      PREFIX: 'x',
      KAFKA_PORT: '9',
      MINIO_PORT: '10',
      POSTGRES_PORT: '11',
      REDIS_PORT: '12',
      APP_PORT: '14',
    };
    assert.match(
      spawnSync(compose, ['-f', WEB_COMPOSE, 'config', '-q'], {
        encoding: 'utf8',
        env: { ...process.env, WEB_PORT: '1' },
      }).stderr,
      /additional properties 'unknown_option' not allowed/,
    );
    // (`config --hash` keeps env_file in what it hashes and `up` does not, so files with env_file
    // are checked by `up` itself in the next test.)
    for (const file of [SPARK_COMPOSE, PIPELINE_COMPOSE, TEST_COMPOSE, REPO_COMPOSE]) {
      const theirs = Object.fromEntries(
        dc(file, 'hashes', env, 'config', '--hash', '*')
          .trim()
          .split('\n')
          .map((l) => l.split(' ')),
      );
      const ours = loadCompose(file, { env: { ...process.env, ...env }, projectName: 'hashes' });
      assert.deepEqual(
        Object.fromEntries(Object.values(ours.services).map((s) => [s.name, configHash(s)])),
        theirs,
        file,
      );
    }
  });

  for (const fixture of ['spark', 'web'] as const)
    it(`neither recreates what the other started, and each sees and removes the other’s containers (${fixture})`, async () => {
      const file = fixture === 'spark' ? SPARK_COMPOSE : webWithoutStrayKey();
      const project = `rp-cli-${fixture}-${process.pid}`;
      removeProjectAfter(project);
      const env = {
        PREFIX: project,
        KAFKA_PORT: String(await freePort()),
        POSTGRES_PORT: String(await freePort()),
        WEB_PORT: String(await freePort()),
      };
      const events: InfraProgress[] = [];
      const stack = new Stack({
        composeFile: file,
        projectName: project,
        env: { ...process.env, ...env },
        onProgress: (e) => events.push(e),
      });
      standInFor([...new Set(Object.values(stack.project.services).flatMap((s) => (s.build ? [] : [s.image])))]);
      const services = Object.keys(stack.project.services).sort();

      // The app first: Compose finds every container up to date (its hash, its image).
      await stack.up();
      const ours = ids(project);
      const out = spawnSync(compose, ['-f', file, '-p', project, 'up', '-d'], {
        encoding: 'utf8',
        env: { ...process.env, ...env },
      });
      assert.equal(out.status, 0, out.stderr);
      assert.doesNotMatch(out.stderr, /Recreate|Creat/, out.stderr);
      assert.equal(ids(project).join('\n'), ours.join('\n'));
      const ps = dc(file, project, env, 'ps', '-a', '--format', '{{.Service}}').trim().split('\n').sort();
      assert.deepEqual(ps, services);
      // Compose's down keeps anonymous volumes (as it should): note them, to remove them at the end.
      const anonymous = docker('ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`)
        .split('\n')
        .filter(Boolean)
        .flatMap((id) => docker('inspect', '--format', '{{range .Mounts}}{{.Name}} {{end}}', id).split(' '))
        .filter((v) => /^[0-9a-f]{64}$/.test(v));
      dc(file, project, env, 'down');
      assert.deepEqual(
        leftovers(project).filter((n) => !/_(data|db-data|[a-z]+_data)$/.test(n)),
        [],
        'compose down removed the app’s containers and networks',
      );

      // Compose first: the app creates nothing and recreates nothing.
      dc(file, project, env, 'up', '-d');
      const theirs = ids(project);
      events.length = 0;
      const status = await stack.up();
      assert.deepEqual(
        events.filter((e) => e.step === 'create').map((e) => e.message),
        [],
      );
      assert.equal(ids(project).join('\n'), theirs.join('\n'));
      assert.deepEqual(status.services.map((s) => s.service).sort(), services);
      await stack.down({ volumes: true });
      assert.deepEqual(leftovers(project), []);
      if (anonymous.length) docker('volume', 'rm', ...anonymous);
    });
});
