import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { aptInstall, isRoot } from './apt';
import { configuredPorts, readMeta, serviceDir, stateDir, updateMeta } from './config';
import { isOurs, run, terminate, waitUntil } from './proc';
import type { Service } from './types';

export const PG_USER = 'pulse';
export const PG_PASSWORD = 'pulse';
export const PG_DATABASE = 'retail_pulse';

/** Debian's server binaries, newest major first. */
function binDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!fs.existsSync(root)) return undefined;
  const majors = fs
    .readdirSync(root)
    .filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return majors.length > 0 ? path.join(root, majors[0], 'bin') : undefined;
}

/** PostgreSQL refuses to run as root: as root, every server command runs as the `postgres` user. */
function asServerUser(bin: string, args: string[]): [string, string[]] {
  return isRoot() ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
}

async function serverUserCanReach(dir: string): Promise<boolean> {
  if (!isRoot()) return true;
  try {
    await run('runuser', ['-u', 'postgres', '--', 'test', '-x', dir]);
    return true;
  } catch {
    return false;
  }
}

export function postgresService(): Service {
  const name = 'postgres';
  const dir = () => serviceDir(name);
  const ports = () => configuredPorts(name);
  /** The folder the server user owns: data/, run/ (socket) and its log. */
  const home = () => readMeta(name)?.home ?? path.join(dir(), 'pg');
  const dataDir = () => path.join(home(), 'data');
  const logFile = () => path.join(home(), 'postgres.log');
  const postmasterPid = (): number | undefined => {
    try {
      return Number(fs.readFileSync(path.join(dataDir(), 'postmaster.pid'), 'utf8').split('\n')[0]);
    } catch {
      return undefined;
    }
  };
  const url = (database: string) => `postgres://${PG_USER}:${PG_PASSWORD}@127.0.0.1:${ports()[0]}/${database}`;

  async function query(database: string, sql: string): Promise<pg.QueryResult> {
    const client = new pg.Client({ connectionString: url(database), connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      return await client.query(sql);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  async function pgCtl(args: string[]): Promise<string> {
    const bin = binDir();
    if (!bin) throw new Error('PostgreSQL binaries missing: run `up` (it installs them)');
    const [cmd, argv] = asServerUser(path.join(bin, 'pg_ctl'), ['-D', dataDir(), ...args]);
    // Its own process group, so the postmaster it forks does not get the test run's Ctrl-C.
    return run(cmd, argv, { detached: true, cwd: os.tmpdir() });
  }

  async function initCluster(say: (line: string) => void): Promise<void> {
    const bin = binDir() as string;
    fs.mkdirSync(dir(), { recursive: true });
    // The postgres user must reach the cluster: a repo under /root is out of its reach, so the
    // cluster then lives in the temp folder and the state dir remembers where.
    let where = path.join(dir(), 'pg');
    if (!(await serverUserCanReach(dir()))) {
      where = path.join(
        os.tmpdir(),
        `retail-pulse-postgres-${crypto.createHash('sha1').update(stateDir()).digest('hex').slice(0, 8)}`,
      );
      say(`${name}: the postgres user cannot reach ${dir()}; the cluster lives in ${where}`);
    }
    fs.rmSync(where, { recursive: true, force: true });
    fs.mkdirSync(path.join(where, 'run'), { recursive: true });
    const pwfile = path.join(where, 'pwfile');
    fs.writeFileSync(pwfile, `${PG_PASSWORD}\n`, { mode: 0o600 });
    if (isRoot()) await run('chown', ['-R', 'postgres:postgres', where]);
    updateMeta(name, { home: where });
    say(`${name}: initdb`);
    const [cmd, args] = asServerUser(path.join(bin, 'initdb'), [
      '-D',
      dataDir(),
      '-U',
      PG_USER,
      `--pwfile=${pwfile}`,
      '--auth-host=scram-sha-256',
      '--auth-local=trust',
      '-E',
      'UTF8',
      '--no-locale',
      '--no-sync',
    ]);
    await run(cmd, args, { cwd: os.tmpdir() });
    fs.rmSync(pwfile);
  }

  return {
    name,
    ports,
    logFile,
    version: () => readMeta(name)?.version,
    address: () => url(PG_DATABASE),
    pid: postmasterPid,
    running: () => isOurs(postmasterPid(), dataDir()),

    async install(say) {
      if (!binDir()) await aptInstall(name, ['postgresql'], say);
      if (!binDir()) throw new Error('apt-get installed postgresql but /usr/lib/postgresql/*/bin/initdb is missing');
    },

    async start(say) {
      if (!fs.existsSync(path.join(dataDir(), 'PG_VERSION'))) await initCluster(say);
      const socketDir = path.join(home(), 'run');
      if (socketDir.length > 90)
        throw new Error(
          `unix socket folder path too long (${socketDir}): set RETAIL_PULSE_SERVICES_DIR to a shorter path`,
        );
      const options = `-c listen_addresses=127.0.0.1 -p ${ports()[0]} -k ${socketDir} -c fsync=off`;
      updateMeta(name, { ports: ports() });
      await pgCtl(['-l', logFile(), '-o', options, '-w', '-t', '60', 'start']);
      const version = String((await query('postgres', 'SHOW server_version')).rows[0]?.server_version ?? '').split(
        ' ',
      )[0];
      const exists = await query('postgres', `SELECT 1 FROM pg_database WHERE datname = '${PG_DATABASE}'`);
      if (exists.rowCount === 0) await query('postgres', `CREATE DATABASE ${PG_DATABASE}`);
      updateMeta(name, { version });
    },

    async ready(deadline) {
      await waitUntil(
        async () => void (await query(PG_DATABASE, 'SELECT 1')),
        () => isOurs(postmasterPid(), dataDir()),
        deadline,
        'PostgreSQL',
      );
    },

    async stop() {
      const pid = postmasterPid();
      if (!isOurs(pid, dataDir())) return;
      try {
        await pgCtl(['-m', 'fast', '-w', '-t', '30', 'stop']);
      } catch {
        await terminate(pid, 5_000);
      }
    },

    remove() {
      const where = home();
      fs.rmSync(dir(), { recursive: true, force: true });
      fs.rmSync(where, { recursive: true, force: true });
    },
  };
}
